/**
 * PostgreSQL connections (`pg` Client): retry while the clone boots, sensible timeouts, one
 * statement per call (always the extended protocol, which refuses `;`-stacked statements),
 * transactions that always end.
 */
// Types only: the driver is required when a connection is made, so loading the library (the
// CLI, the Pulumi provider) doesn't pay for both engines' drivers.
import type { Client, QueryConfig } from "pg";
import { render, type Sql } from "../../core/sql";
import type { ConnectOptions, Connection, ConnectionTarget, QueryResult } from "../../core/types";
import { connectWithRetry } from "../connect-retry";
import { guardedSession, loginFields, tlsOptions, wrapClient } from "../connection";
import { quoter } from "./functions";
import { guardSessionLogging } from "./logging";

export async function connect(target: ConnectionTarget, options: ConnectOptions = {}): Promise<Connection> {
  const client = await connectWithRetry(target, options.retryForMs, async () => {
    const { Client: PgClient } = require("pg") as typeof import("pg");
    const c = new PgClient({
      ...loginFields(target),
      // pg reads PGSSLMODE when ssl is undefined: say "no TLS" explicitly.
      ssl: tlsOptions(target.ssl ?? "require") ?? false,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: "aurora-staging",
      // A chunk is bounded (chunkSize rows): an hour means stuck, not slow. The one unbounded
      // statement (a table without a single-column key) lifts it for its own transaction.
      statement_timeout: 3_600_000,
      // Never queue behind an application's long transaction forever.
      lock_timeout: 60_000,
      idle_in_transaction_session_timeout: 600_000,
    });
    // A connection dropped while idle must not crash the process with an unhandled 'error'.
    c.on("error", () => undefined);
    try {
      await c.connect();
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    return c;
  });
  return guardedSession(wrap(client), (conn) => guardSessionLogging(conn, target.user));
}

function wrap(client: Client): Connection {
  return wrapClient(
    {
      async query(q: Sql): Promise<QueryResult> {
        const r = render(q, quoter);
        // Always the extended protocol, even without parameters: it accepts exactly one
        // statement, so `SELECT 0; DROP TABLE x` in a rules fragment fails instead of running
        // twice (the simple protocol would run both).
        const res = await client.query({ text: r.text, values: r.values, queryMode: "extended" } as QueryConfig);
        return { rows: res.rows, rowCount: res.rowCount ?? 0 };
      },
      control: (statement) => client.query(statement),
      close: () => client.end().catch(() => undefined),
    },
    "BEGIN",
  );
}
