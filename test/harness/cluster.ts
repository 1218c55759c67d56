/**
 * Dedicated servers for cluster-scope tests: sanitizeCluster sees every database and login of
 * its server, so these tests never share the harness's servers with other files.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineName } from "../../sanitize/core/types";
import { openExec } from "../../sanitize/local/sample";
import { startMariadb, startPostgres, type LocalServer, type ServerOptions } from "../../sanitize/local/servers";

export const KEY = "cluster-test-masking-key-0123456789";

export const defaultRulesYaml = readFileSync(join(__dirname, "..", "..", "sanitize", "default-rules.yaml"), "utf8");

/**
 * A second attempt when the first server fails to start: freePort() releases the port it found
 * before the server binds it, so a server started by another test file at the same moment can
 * take it (two files run at once).
 */
export async function startServer(engine: EngineName, opts?: ServerOptions): Promise<LocalServer> {
  const start = () => (engine === "postgres" ? startPostgres(opts) : startMariadb(opts));
  try {
    return await start();
  } catch (first) {
    try {
      return await start();
    } catch {
      throw first;
    }
  }
}

/** Runs each statement on `database` (one statement per call) and returns the last result's rows. */
export async function run(server: LocalServer, database: string, ...statements: string[]): Promise<Record<string, unknown>[]> {
  const exec = await openExec(server.target(database));
  try {
    let rows: Record<string, unknown>[] = [];
    for (const s of statements) rows = await exec(s);
    return rows;
  } finally {
    await exec.close();
  }
}

export async function databases(server: LocalServer): Promise<string[]> {
  const rows =
    server.engine === "postgres"
      ? await run(server, server.adminDatabase, "SELECT datname AS n FROM pg_database")
      : await run(server, server.adminDatabase, "SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA");
  return rows.map((r) => String(r.n));
}
