/**
 * `freshDatabase` on a dedicated server for this test file: for code that works on the whole
 * server (sanitizeCluster sees every database and login of it), a shared server would mix in
 * other files' databases. Each fresh database first drops the previous ones, so the server
 * holds exactly one application database at a time (tests in a file run one after another).
 */
import { randomBytes } from "node:crypto";
import type { EngineName } from "../../sanitize/core/types";
import type { LocalServer } from "../../sanitize/local/servers";
import { startServer } from "./cluster";
import { execWith, type TestDatabase } from "./db";

const KEEP = { postgres: ["postgres", "template0", "template1"], mysql: ["mysql", "information_schema", "performance_schema", "sys"] };

export interface DedicatedServers {
  fresh(engine: EngineName, prefix?: string): Promise<TestDatabase>;
  server(engine: EngineName): Promise<LocalServer>;
  stop(): Promise<void>;
}

export function dedicatedServers(): DedicatedServers {
  const started = new Map<EngineName, Promise<LocalServer>>();
  const server = (engine: EngineName) => {
    if (!started.has(engine)) {
      // Not cached when it fails, so one failed start doesn't fail every later test of the file.
      started.set(
        engine,
        startServer(engine).catch((e: unknown) => {
          started.delete(engine);
          throw e;
        }),
      );
    }
    return started.get(engine)!;
  };
  return {
    server,
    async fresh(engine, prefix = "t") {
      const s = await server(engine);
      const name = `${prefix}_${randomBytes(5).toString("hex")}`;
      const admin = (text: string) => exec(s, s.adminDatabase, text);
      const existing =
        engine === "postgres"
          ? await admin("SELECT datname AS n FROM pg_database")
          : await admin("SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA");
      for (const { n } of existing) {
        if (KEEP[engine].includes(String(n))) continue;
        await admin(engine === "postgres" ? `DROP DATABASE "${String(n)}" WITH (FORCE)` : `DROP DATABASE \`${String(n)}\``);
      }
      await admin(engine === "postgres" ? `CREATE DATABASE "${name}"` : `CREATE DATABASE \`${name}\``);
      const target = s.target(name);
      return {
        engine,
        name,
        url: s.url(name),
        target,
        exec: (text, params) => exec(s, name, text, params),
        scalar: async (text, params) => {
          const first = (await exec(s, name, text, params))[0];
          return first === undefined ? undefined : Object.values(first)[0];
        },
      };
    },
    async stop() {
      await Promise.all([...started.values()].map(async (p) => (await p.catch(() => undefined))?.stop()));
    },
  };
}

const exec = (s: LocalServer, database: string, text: string, params?: unknown[]) => execWith(s.engine, s, database, text, params);
