/**
 * MySQL / MariaDB connections (`mysql2/promise`): retry while the clone boots, utf8mb4,
 * big numbers as strings (keys are stored as text; no precision loss), and
 * `multipleStatements: false` so a `;` in a rules fragment can't start a second statement.
 */
// Types only: the driver is required when a connection is made (see postgres/driver.ts).
import type * as mysql from "mysql2/promise";
import { raw as rawSql, render, type Sql } from "../../core/sql";
import type { ConnectOptions, Connection, ConnectionTarget, QueryResult } from "../../core/types";
import { connectWithRetry } from "../connect-retry";
import { guardedSession, loginFields, tlsOptions, wrapClient } from "../connection";
import { quoter } from "./functions";
import { guardSessionLogging } from "./logging";

export async function connect(target: ConnectionTarget, options: ConnectOptions = {}): Promise<Connection> {
  const conn = await connectWithRetry(target, options.retryForMs, () =>
    (require("mysql2/promise") as typeof import("mysql2/promise")).createConnection({
      ...loginFields(target),
      ssl: tlsOptions(target.ssl ?? "require"),
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      charset: "utf8mb4",
    }),
  );
  conn.on("error", () => undefined);
  const wrapped = await guardedSession(wrap(conn), (c) => guardSessionLogging(c, target.user));
  // Strict mode: a value that doesn't fit is an error, never a silent truncation (which
  // could turn two distinct masked values into one). Don't wait forever for row locks.
  await wrapped.query(rawSql("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')"));
  await wrapped.query(rawSql("SET SESSION innodb_lock_wait_timeout = 60"));
  return wrapped;
}

function wrap(c: mysql.Connection): Connection {
  return wrapClient(
    {
      async query(q: Sql): Promise<QueryResult> {
        const r = render(q, quoter);
        // Without values, `query` sends the text as is (no client-side `?` substitution, so a
        // `?` inside a rules author's string literal is safe); with values, a server-side
        // prepared statement binds them.
        const [res] = r.values.length ? await c.execute(r.text, r.values as never[]) : await c.query(r.text);
        if (Array.isArray(res)) return { rows: res as Record<string, unknown>[], rowCount: res.length };
        const h = res as mysql.ResultSetHeader;
        return { rows: [], rowCount: h.affectedRows ?? 0 };
      },
      control: (statement) => c.query(statement),
      close: () => c.end().catch(() => c.destroy()),
    },
    "START TRANSACTION",
  );
}
