/**
 * How many connections mask chunks at once. The figure that matters is the database server's
 * CPU count (each connection's UPDATE runs on one server core), which neither engine exposes
 * portably:
 *  - MariaDB: `thread_pool_size` defaults to the server's CPU count (and is read even when the
 *    thread pool is off). MySQL (Aurora MySQL included) has no such variable.
 *  - PostgreSQL: nothing (`max_worker_processes` is a setting, 8 by default whatever the CPUs).
 *  - A loopback server shares this machine's CPUs: os.cpus().
 * Where nothing is readable the default stays at 2 connections (the previous default; at worst
 * two UPDATEs on a 1-vCPU instance, which still makes progress). An explicit `parallelism`
 * caps a readable figure and replaces an unreadable one, so a caller that knows the instance
 * class (e.g. db.r6g.2xlarge: 8 vCPUs) can simply pass it.
 */
import { cpus } from "node:os";
import type { Connection, ConnectionTarget } from "./core/types";
import type { Dialect } from "./dialect/types";
import { isLoopback } from "./url";

/** Connections used when the server's CPU count can't be read and none is given. */
export const UNKNOWN_SERVER_CONNECTIONS = 2;
/** Upper bound on the default (a readable CPU count above it is capped): 16 connections keep a big writer busy without exhausting max_connections. */
export const MAX_DEFAULT_CONNECTIONS = 16;

/** The server's CPU count where it can be read; undefined otherwise. */
export async function serverCpus(dialect: Dialect, conn: Connection, target: ConnectionTarget): Promise<number | undefined> {
  if (isLoopback(target.host)) return cpus().length || undefined;
  const q = dialect.statements.serverCpus();
  if (!q) return undefined;
  try {
    const n = Number((await conn.query(q)).rows[0]?.n);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined; // MySQL: no such variable
  }
}

/** The number of masking connections: the server's CPUs capped by `parallelism`, or `parallelism`, or 2. */
export function maskingConnections(cpusOnServer: number | undefined, parallelism: number | undefined): number {
  if (cpusOnServer === undefined) return parallelism ?? UNKNOWN_SERVER_CONNECTIONS;
  return Math.max(1, Math.min(cpusOnServer, parallelism ?? MAX_DEFAULT_CONNECTIONS));
}
