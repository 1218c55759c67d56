/**
 * Starts one real PostgreSQL and one real MariaDB for the whole test run, on free loopback
 * ports in temp dirs, and stops them afterwards. Tests get their own fresh database on each
 * server (see ./db.ts), so test files can run in parallel without sharing data.
 */
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

export async function setup(project: TestProject): Promise<void> {
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
