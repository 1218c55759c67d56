/**
 * What the two drivers share around their client: where and as whom to log in, the TLS
 * options a target's `ssl` mode asks for (both also used by local/sample.ts), and the
 * `Connection` wrapper whose transactions always end (commit, or rollback
 * on any error) and nest by joining the outer one.
 */
import type { Sql } from "../core/sql";
import type { Connection, ConnectionTarget, QueryResult } from "../core/types";

/** The login fields, which `pg` and `mysql2` both take under these names. */
export function loginFields(target: ConnectionTarget): Pick<ConnectionTarget, "host" | "port" | "user" | "password" | "database"> {
  return { host: target.host, port: target.port, user: target.user, password: target.password, database: target.database };
}

/** `undefined` means no TLS. "require" encrypts without checking the certificate (libpq's sslmode=require). */
export function tlsOptions(mode: NonNullable<ConnectionTarget["ssl"]>): { rejectUnauthorized: boolean } | undefined {
  switch (mode) {
    case "disable":
      return undefined;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

export interface DriverClient {
  query(q: Sql): Promise<QueryResult>;
  /** Sends a transaction-control statement as is. */
  control(statement: string): Promise<unknown>;
  close(): Promise<void>;
}

/** `begin` is the engine's spelling: PostgreSQL `BEGIN`, MySQL `START TRANSACTION`. */
export function wrapClient(client: DriverClient, begin: string): Connection {
  let inTransaction = false;
  const conn: Connection = {
    query: (q) => client.query(q),
    async transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(conn);
      inTransaction = true;
      try {
        // Inside the try: if BEGIN itself fails, `finally` still clears the flag, so a later
        // transaction() on this connection doesn't silently run without a transaction.
        await client.control(begin);
        const result = await fn(conn);
        await client.control("COMMIT");
        return result;
      } catch (err) {
        await client.control("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        inTransaction = false;
      }
    },
    close: () => client.close(),
  };
  return conn;
}

/**
 * Runs the engine's session logging guard (dialect/<engine>/logging.ts) on a new connection
 * before it is handed out, closing it when the guard refuses: nothing carrying key material or
 * data values may be sent on a session whose statements the server could log.
 */
export async function guardedSession(conn: Connection, guard: (c: Connection) => Promise<void>): Promise<Connection> {
  try {
    await guard(conn);
  } catch (e) {
    await conn.close();
    throw e;
  }
  return conn;
}
