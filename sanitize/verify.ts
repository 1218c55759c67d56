/**
 * Verification of the data as it is NOW, on every run and by `verify()`: nothing is answered
 * from a stored report. Per masked table ONE scan evaluates the transforms' violation
 * predicates, the row count and the column-level checks at once (each extra full scan costs
 * minutes on a big clone); then the per-row leak check fetches the sampled rows by primary
 * key and compares keyed digests in Node. Then truncated tables must be empty, delete
 * conditions must match nothing, and the user's own queries must return what they expect.
 *
 * Check details carry counts and names only: never a data value.
 */
import { ident, join, raw, sql, type Sql } from "./core/sql";
import type { CheckResult, Connection, ForeignKeyInfo, MaskingKey, SchemaInfo, VerifyQuery } from "./core/types";
import { redactDbMessage } from "./dialect/connect-retry";
import type { Dialect } from "./dialect/types";
import { leakKey, type LeakKey } from "./leak-digest";
import { orphanQuery } from "./linked-fks";
import type { Plan, PlannedColumn, PlannedTable } from "./plan";
import { CONSTANT_TRANSFORMS, tableIdentity, type Job, type Progress, type Sample } from "./progress";

export interface VerifyInput {
  dialect: Dialect;
  conn: Connection;
  plan: Plan;
  verifyQueries: VerifyQuery[];
  progress: Progress;
  /** Needed to compare digests; without it every sampled column fails its leak check. */
  key?: MaskingKey;
  /** Foreign keys between masked columns (suspended while masking): each must hold. */
  foreignKeys: ForeignKeyInfo[];
  schema: SchemaInfo;
}

export async function runChecks(input: VerifyInput): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const jobs = (await input.progress.exists(input.conn)) ? await input.progress.jobs(input.conn) : [];
  const leak = input.key ? leakKey(input.key) : undefined;
  for (const p of input.plan.tables) {
    if (p.mask) checks.push(...(await maskedTableChecks(input, p, jobs, leak)));
    if (p.truncate) {
      const n = await count(input.conn, sql`SELECT COUNT(*) AS n FROM ${p.ref}`);
      checks.push({ name: `${p.table.qualified}: truncated (empty)`, passed: n === 0, detail: `${n} rows left` });
    }
    if (p.delete) {
      const n = await count(input.conn, sql`SELECT COUNT(*) AS n FROM ${p.ref} WHERE (${raw(p.delete)})`);
      checks.push({ name: `${p.table.qualified}: no rows match the delete condition`, passed: n === 0, detail: `${n} matching rows left` });
    }
  }
  for (const fk of input.foreignKeys) {
    const n = await count(input.conn, orphanQuery(input.dialect, input.schema, fk));
    checks.push({
      name: `foreign key ${fk.name} holds`,
      passed: n === 0,
      detail: `${n} rows of ${fk.fromTable} reference no row of ${fk.toTable}`,
    });
  }
  for (const q of input.verifyQueries) checks.push(await userCheck(input.conn, q));
  return checks;
}

interface Item {
  alias: string;
  expr: Sql;
}

async function maskedTableChecks(input: VerifyInput, p: PlannedTable, allJobs: Job[], leak: LeakKey | undefined): Promise<CheckResult[]> {
  const { dialect, conn } = input;
  const st = dialect.statements;
  const m = p.mask!;
  const t = p.table.qualified;
  const scoped = (pred: Sql): Sql => (m.where ? sql`(${raw(m.where)}) AND (${pred})` : pred);
  const identity = await tableIdentity(dialect, conn, p);
  const jobs = allJobs.filter((j) => j.table === t && j.identity === identity);
  const samples = await input.progress.samples(
    conn,
    jobs.map((j) => j.id),
  );

  const items: Item[] = [];
  const checks: (() => CheckResult)[] = [];
  let row: Record<string, unknown> = {};
  m.columns.forEach((c, i) => {
    if (c.violation) {
      items.push({ alias: `v${i}`, expr: scoped(c.violation) });
      checks.push(() => {
        const n = Number(row[`v${i}`]);
        return {
          name: `${t}.${c.name}: ${c.spec.transform} output`,
          passed: n === 0,
          detail: `${n} rows don't look masked by ${c.spec.transform}`,
        };
      });
    }
  });

  // Per column: the leak check from the stored samples (or the lack of any record).
  const perRow = new Map<string, { checked: number; leaks: number }>();
  const sampledColumns = m.columns.filter((c) => !CONSTANT_TRANSFORMS.has(c.spec.transform));
  const byColumn = new Map<string, Sample[]>(sampledColumns.map((c) => [c.name, samples.filter((s) => s.column === c.name)]));
  sampledColumns.forEach((c, i) => {
    const own = byColumn.get(c.name)!;
    const name = `${t}.${c.name}: no original values left`;
    if (!own.length) {
      // A masked table always leaves samples of its non-NULL values: none means this column
      // was never masked by aurora-staging (or not since the table was re-created).
      items.push({ alias: `n${i}`, expr: scoped(sql`${ident(c.name)} IS NOT NULL`) });
      checks.push(() => {
        const n = Number(row[`n${i}`]);
        return n === 0
          ? { name, passed: true, detail: "no values to check: the column is NULL in every row" }
          : {
              name,
              passed: false,
              detail: `no record of original values for this column, and ${n} rows hold values: not sanitized by aurora-staging (since the table was last created); sanitize it, or start from a fresh clone`,
            };
      });
      return;
    }
    const whole = own.filter((s) => s.rowKey === null && s.digest !== null);
    if (whole.length && leak)
      items.push({
        alias: `w${i}`,
        expr: scoped(
          sql`${dialect.functions.hmacHex(st.asText(ident(c.name)), leak.pads)} IN (${join(whole.map((s) => sql`${s.digest}`))})`,
        ),
      });
    checks.push(() => {
      const digests = own.filter((s) => s.digest !== null).length;
      if (!leak)
        return {
          name,
          passed: false,
          detail: "the masking key is needed to compare the sampled originals: pass the key the database was sanitized with",
        };
      const r = perRow.get(c.name) ?? { checked: 0, leaks: 0 };
      const leaks = r.leaks + (whole.length ? Number(row[`w${i}`]) : 0);
      if (digests === 0)
        return {
          name,
          passed: false,
          detail: `every one of ${own.length} sampled values maps to itself: the transform changed nothing in the sampled rows; check the rule (e.g. a json path that matches nothing, values without digits)`,
        };
      return {
        name,
        passed: leaks === 0,
        detail: whole.length
          ? `${leaks} rows hold one of ${whole.length} sampled original values`
          : `${leaks} of ${digests} sampled rows still hold their original value${digests < own.length ? ` (${own.length - digests} more map to themselves by the transform's design)` : ""}`,
      };
    });
  });

  const select = [sql`COUNT(*) AS total`, ...items.map((it) => sql`COUNT(CASE WHEN ${it.expr} THEN 1 END) AS ${raw(it.alias)}`)];
  try {
    row = (await conn.query(sql`SELECT ${join(select)} FROM ${p.ref}`)).rows[0];
    if (leak && m.chunkKey) await checkRows(input, p, sampledColumns, byColumn, leak, perRow);
  } catch (err) {
    return [{ name: `${t}: built-in checks`, passed: false, detail: `the check query failed: ${redactDbMessage(err)}` }];
  }
  const out = checks.map((f) => f());
  if (jobs.length) {
    const incomplete = jobs.filter((j) => j.chunksDone < j.chunkCount);
    out.push({
      name: `${t}: masking complete`,
      passed: !incomplete.length,
      detail: incomplete.length
        ? `${incomplete.map((j) => `${j.chunksDone} of ${j.chunkCount} chunks`).join("; ")} done: re-run sanitize to finish`
        : "every chunk committed",
    });
    const when = Math.min(...jobs.map((j) => j.rowCount));
    const now = Number(row.total);
    out.push({
      name: `${t}: no rows appeared since masking`,
      passed: now <= when,
      detail:
        now <= when
          ? `${now} rows now, ${when} when masked`
          : `${now - when} rows appeared since ${t} was masked; they may hold unmasked data; start from a fresh clone`,
    });
  }
  return out;
}

/** For every sampled primary key: the row's value now must not digest to its original's. */
async function checkRows(
  input: VerifyInput,
  p: PlannedTable,
  columns: PlannedColumn[],
  byColumn: Map<string, Sample[]>,
  leak: LeakKey,
  out: Map<string, { checked: number; leaks: number }>,
): Promise<void> {
  const st = input.dialect.statements;
  const m = p.mask!;
  const keyColumn = p.table.columns.find((c) => c.name === m.chunkKey);
  const pk = ident(m.chunkKey!);
  const keys = [
    ...new Set(
      columns.flatMap((c) =>
        byColumn
          .get(c.name)!
          .filter((s) => s.rowKey !== null && s.digest !== null)
          .map((s) => s.rowKey!),
      ),
    ),
  ];
  const now = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += 500) {
    const batch = keys.slice(i, i + 500);
    const select = [sql`${st.keyText(pk, keyColumn)} AS k`, ...columns.map((c, j) => sql`${st.asText(ident(c.name))} AS ${raw(`c${j}`)}`)];
    const r = await input.conn.query(sql`SELECT ${join(select)} FROM ${p.ref} WHERE ${pk} IN (${join(batch.map((k) => m.keyValue(k)))})`);
    for (const row of r.rows) now.set(String(row.k), row);
  }
  columns.forEach((c, j) => {
    const r = { checked: 0, leaks: 0 };
    for (const s of byColumn.get(c.name)!) {
      if (s.rowKey === null || s.digest === null) continue;
      r.checked += 1;
      const v = now.get(s.rowKey)?.[`c${j}`];
      // A deleted row, or a value that became NULL, holds nothing of the original.
      if (v != null && leak.digest(String(v)) === s.digest) r.leaks += 1;
    }
    out.set(c.name, r);
  });
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
  return {
    name,
    passed,
    detail: passed ? "returned the expected value" : `expected ${typeof q.expect === "number" ? q.expect : "the expected value"}, ${got}`,
  };
}

async function count(conn: Connection, q: Sql): Promise<number> {
  return Number((await conn.query(q)).rows[0].n);
}
