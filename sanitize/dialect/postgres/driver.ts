/**
 * PostgreSQL connections (`pg` Client): retry while the clone boots, sensible timeouts, one
 * statement per call (always the extended protocol, which refuses `;`-stacked statements),
 * transactions that always end.
 */
import { Client, type ClientConfig, type QueryConfig } from "pg";
import { render, type Sql } from "../../core/sql";
import type { ConnectOptions, Connection, ConnectionTarget, QueryResult } from "../../core/types";
import { connectWithRetry } from "../connect-retry";
import { quoter } from "./functions";

function sslConfig(target: ConnectionTarget): ClientConfig["ssl"] {
  switch (target.ssl ?? "require") {
    case "disable":
      return false;
    case "require":
      // Encrypted, server certificate not checked (what libpq's sslmode=require does).
      return { rejectUnauthorized: false };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

export async function connect(target: ConnectionTarget, options: ConnectOptions = {}): Promise<Connection> {
  const client = await connectWithRetry(target, options.retryForMs ?? 120_000, async () => {
    const c = new Client({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      ssl: sslConfig(target),
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
  return wrap(client);
}

function wrap(client: Client): Connection {
  let inTransaction = false;
  const conn: Connection = {
    async query(q: Sql): Promise<QueryResult> {
      const r = render(q, quoter);
      // Always the extended protocol, even without parameters: it accepts exactly one
      // statement, so `SELECT 0; DROP TABLE x` in a rules fragment fails instead of running
      // twice (the simple protocol would run both).
      const res = await client.query({ text: r.text, values: r.values, queryMode: "extended" } as QueryConfig);
      return { rows: res.rows, rowCount: res.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(conn);
      inTransaction = true;
      await client.query("BEGIN");
      try {
        const result = await fn(conn);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        inTransaction = false;
      }
    },
    async close(): Promise<void> {
      await client.end().catch(() => undefined);
    },
  };
  return conn;
}
