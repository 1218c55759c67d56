/**
 * MySQL / MariaDB connections (`mysql2/promise`): retry while the clone boots, utf8mb4,
 * big numbers as strings (keys are stored as text; no precision loss), and
 * `multipleStatements: false` so a `;` in a rules fragment can't start a second statement.
 */
import mysql from "mysql2/promise";
import { raw as rawSql, render, type Sql } from "../../core/sql";
import type { ConnectOptions, Connection, ConnectionTarget, QueryResult } from "../../core/types";
import { connectWithRetry } from "../connect-retry";
import { quoter } from "./functions";

function sslConfig(target: ConnectionTarget): mysql.ConnectionOptions["ssl"] {
  switch (target.ssl ?? "require") {
    case "disable":
      return undefined;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

export async function connect(target: ConnectionTarget, options: ConnectOptions = {}): Promise<Connection> {
  const conn = await connectWithRetry(target, options.retryForMs ?? 120_000, () =>
    mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      ssl: sslConfig(target),
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      charset: "utf8mb4",
    }),
  );
  conn.on("error", () => undefined);
  const wrapped = wrap(conn);
  // Strict mode: a value that doesn't fit is an error, never a silent truncation (which
  // could turn two distinct masked values into one). Don't wait forever for row locks.
  await wrapped.query(rawSql("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')"));
  await wrapped.query(rawSql("SET SESSION innodb_lock_wait_timeout = 60"));
  return wrapped;
}


function wrap(c: mysql.Connection): Connection {
  let inTransaction = false;
  const conn: Connection = {
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
    async transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(conn);
      inTransaction = true;
      await c.query("START TRANSACTION");
      try {
        const result = await fn(conn);
        await c.query("COMMIT");
        return result;
      } catch (err) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        inTransaction = false;
      }
    },
    async close(): Promise<void> {
      await c.end().catch(() => c.destroy());
    },
  };
  return conn;
}
