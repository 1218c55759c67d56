/**
 * Verification after masking. Per masked table ONE scan evaluates every built-in check at
 * once (transform violations, the leak check, the row count), because on a big clone each
 * extra full scan costs minutes. Then truncated tables must be empty, delete conditions must
 * match nothing, and the user's own queries must return what they expect.
 *
 * Check details carry counts and names only: never a data value.
 */
import { ident, join, param, raw, sql, type Sql } from "./core/sql";
import type { CheckResult, Connection, VerifyQuery } from "./core/types";
import { redactDbMessage } from "./dialect/connect-retry";
import type { Dialect } from "./dialect/types";
import type { LeakSamples } from "./execute";
import type { Plan, PlannedTable } from "./plan";

export interface VerifyInput {
  dialect: Dialect;
  conn: Connection;
  plan: Plan;
  verifyQueries: VerifyQuery[];
  /** Original values sampled before the first write; absent: no leak check. */
  samples?: LeakSamples;
  /** rows_before per masked table, from the progress record; absent: no row count check. */
  rowsBefore?: Map<string, number>;
}

export async function runChecks(input: VerifyInput): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const p of input.plan.tables) {
    if (p.mask) checks.push(...(await maskedTableChecks(input, p)));
    if (p.truncate) {
      const n = await count(input.conn, sql`SELECT COUNT(*) AS n FROM ${p.ref}`);
      checks.push({ name: `${p.table.qualified}: truncated (empty)`, passed: n === 0, detail: `${n} rows left` });
    }
    if (p.delete) {
      const n = await count(input.conn, sql`SELECT COUNT(*) AS n FROM ${p.ref} WHERE (${raw(p.delete)})`);
      checks.push({ name: `${p.table.qualified}: no rows match the delete condition`, passed: n === 0, detail: `${n} matching rows left` });
    }
  }
  for (const q of input.verifyQueries) checks.push(await userCheck(input.conn, q));
  return checks;
}

async function maskedTableChecks(input: VerifyInput, p: PlannedTable): Promise<CheckResult[]> {
  const { dialect } = input;
  const m = p.mask!;
  const scoped = (pred: Sql): Sql => (m.where ? sql`(${raw(m.where)}) AND (${pred})` : pred);
  const items: { alias: string; name: string; expr: Sql; describe: (n: number) => string }[] = [];
  m.columns.forEach((c, i) => {
    if (c.violation)
      items.push({
        alias: `v${i}`,
        name: `${p.table.qualified}.${c.name}: ${c.spec.transform} output`,
        expr: scoped(c.violation),
        describe: (n) => `${n} rows don't look masked by ${c.spec.transform}`,
      });
    const sample = input.samples?.get(p.table.qualified)?.get(c.name);
    if (sample && sample.length)
      items.push({
        alias: `l${i}`,
        name: `${p.table.qualified}.${c.name}: no original values left`,
        expr: scoped(sql`${dialect.statements.asText(ident(c.name))} IN (${join(sample.map((v) => param(v)))})`),
        describe: (n) => `${n} rows still hold one of ${sample.length} sampled original values`,
      });
  });
  const select = [sql`COUNT(*) AS total`, ...items.map((it) => sql`COUNT(CASE WHEN ${it.expr} THEN 1 END) AS ${raw(it.alias)}`)];
  let row: Record<string, unknown>;
  try {
    row = (await input.conn.query(sql`SELECT ${join(select)} FROM ${p.ref}`)).rows[0];
  } catch (err) {
    return [{ name: `${p.table.qualified}: built-in checks`, passed: false, detail: `the check query failed: ${redactDbMessage(err)}` }];
  }
  const out: CheckResult[] = items.map((it) => {
    const n = Number(row[it.alias]);
    return { name: it.name, passed: n === 0, detail: it.describe(n) };
  });
  const before = input.rowsBefore?.get(p.table.qualified);
  if (before !== undefined) {
    const now = Number(row.total);
    out.push({ name: `${p.table.qualified}: row count unchanged`, passed: now === before, detail: `${before} rows before masking, ${now} now` });
  }
  return out;
}

async function userCheck(conn: Connection, q: VerifyQuery): Promise<CheckResult> {
  const name = `verify: ${q.name}`;
  let actual: unknown;
  // Inside a READ ONLY transaction that is always rolled back: a verify query checks, it
  // can't change anything (a `DELETE` there fails instead of deleting).
  await conn.query(raw("START TRANSACTION READ ONLY"));
  try {
    const res = await conn.query(raw(q.sql));
    const first = res.rows[0];
    actual = first === undefined ? undefined : Object.values(first)[0];
  } catch (err) {
    return { name, passed: false, detail: `the query failed: ${redactDbMessage(err)}` };
  } finally {
    await conn.query(raw("ROLLBACK"));
  }
  if (actual === undefined) return { name, passed: false, detail: "the query returned no rows" };
  const numeric = (v: unknown): number | undefined => {
    if (typeof v === "number" || typeof v === "bigint") return Number(v);
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    return undefined;
  };
  const a = numeric(actual);
  const e = numeric(q.expect);
  const passed = a !== undefined && e !== undefined ? a === e : actual !== null && String(actual) === String(q.expect);
  // A count can be shown; anything else might be a data value, so it is not.
  const got = a !== undefined ? `got ${a}` : "got a different value (not shown: it may be data)";
  return { name, passed, detail: passed ? "returned the expected value" : `expected ${typeof q.expect === "number" ? q.expect : "the expected value"}, ${got}` };
}

async function count(conn: Connection, q: Sql): Promise<number> {
  return Number((await conn.query(q)).rows[0].n);
}
