/**
 * Starts one real PostgreSQL and one real MariaDB for the whole test run, on free loopback
 * ports in temp dirs, and stops them afterwards. Tests get their own fresh database on each
 * server (see ./db.ts), so test files can run in parallel without sharing data.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startMariadb, startPostgres, type LocalServer } from "../../sanitize/local/servers";

declare module "vitest" {
  export interface ProvidedContext {
    servers: { postgres: ServerRef; mysql: ServerRef };
  }
}

export interface ServerRef {
  host: string;
  port: number;
  user: string;
  password: string;
  adminDatabase: string;
}

let started: LocalServer[] = [];

/**
 * Several test files run the compiled sanitizer (the CLI, the serialized Pulumi provider, the
 * kill -9 child). It is built here, once, before any test file starts: a file rebuilding dist/
 * in its own setup would rewrite it under another file's running child process.
 */
function buildDist(): void {
  const root = join(__dirname, "..", "..");
  // The same two steps as `npm run build`.
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  execFileSync(process.execPath, [join(root, "scripts", "build-rules-validator.js")], { cwd: root, stdio: "inherit" });
}

export async function setup(project: TestProject): Promise<void> {
  buildDist();
  started = await Promise.all([startPostgres(), startMariadb()]);
  const ref = (s: LocalServer): ServerRef => ({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    adminDatabase: s.adminDatabase,
  });
  project.provide("servers", { postgres: ref(started[0]), mysql: ref(started[1]) });
}

export async function teardown(): Promise<void> {
  await Promise.all(started.map((s) => s.stop()));
  started = [];
}
