/**
 * Per-test databases on the shared servers started by global-setup.ts.
 *
 *   const db = await freshDatabase("postgres");   // empty database, unique name
 *   await db.exec("CREATE TABLE ...");             // run setup SQL (several statements ok)
 *   db.url / db.target                             // for the sanitizer
 */
import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import type { ConnectionTarget, EngineName } from "../../sanitize/core/types";

export interface TestDatabase {
  engine: EngineName;
  name: string;
  url: string;
  target: ConnectionTarget;
  /** Runs SQL text (several statements allowed) and returns the last result's rows. */
  exec(sqlText: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Shorthand: the first column of the first row. */
  scalar(sqlText: string, params?: unknown[]): Promise<unknown>;
}

export const engines: EngineName[] = ["postgres", "mysql"];

export async function freshDatabase(engine: EngineName, prefix = "t"): Promise<TestDatabase> {
  const s = inject("servers")[engine];
  const name = `${prefix}_${randomBytes(5).toString("hex")}`.toLowerCase();
  const target: ConnectionTarget = {
    engine,
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: name,
    ssl: "disable",
  };
  const url = `${engine === "postgres" ? "postgres" : "mysql"}://${s.user}:${s.password}@${s.host}:${s.port}/${name}`;
  await adminExec(engine, engine === "postgres" ? `CREATE DATABASE "${name}"` : `CREATE DATABASE \`${name}\``);
  return {
    engine,
    name,
    url,
    target,
    exec: (sqlText, params) => execOn(engine, name, sqlText, params),
    scalar: async (sqlText, params) => {
      const rows = await execOn(engine, name, sqlText, params);
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    },
  };
}

async function adminExec(engine: EngineName, sqlText: string): Promise<void> {
  await execOn(engine, inject("servers")[engine].adminDatabase, sqlText);
}

async function execOn(engine: EngineName, database: string, sqlText: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  return execWith(engine, inject("servers")[engine], database, sqlText, params);
}

/** Runs SQL text (several statements allowed without params) on `database` of server `s`. */
export async function execWith(
  engine: EngineName,
  s: { host: string; port: number; user: string; password: string },
  database: string,
  sqlText: string,
  params?: unknown[],
): Promise<Record<string, unknown>[]> {
  if (engine === "postgres") {
    const { Client } = await import("pg");
    const c = new Client({ host: s.host, port: s.port, user: s.user, password: s.password, database });
    await c.connect();
    try {
      const r = await c.query(sqlText, params);
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return last?.rows ?? [];
    } finally {
      await c.end();
    }
  }
  const mysql = await import("mysql2/promise");
  const c = await mysql.createConnection({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database,
    multipleStatements: !params,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    const [r] = await c.query(sqlText, params);
    if (Array.isArray(r) && r.length && Array.isArray(r[r.length - 1])) return r[r.length - 1] as Record<string, unknown>[];
    return Array.isArray(r) ? (r as Record<string, unknown>[]) : [];
  } finally {
    await c.end();
  }
}
