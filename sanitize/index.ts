/**
 * The sanitizer's public API, used by the CLI, the Pulumi dynamic provider and the
 * benchmarks: plan() (writes nothing), sanitize() (the full pipeline), verify(), scan().
 *
 * Order matters and is the safety story (docs/safety.md): rules are loaded and the target is
 * checked against forbiddenHosts before any connection; everything is planned and validated
 * before the first write; execution is chunked and resumable; verification always runs.
 */
import { randomUUID } from "node:crypto";
import { deriveMaskingKey } from "./core/masking-key";
import {
  SanitizeError,
  type CheckResult,
  type ConnectOptions,
  type Connection,
  type ConnectionTarget,
  type CoverageMode,
  type MaskingKey,
  type Rules,
  type RunReport,
  type SanitizeOptions,
  type SchemaInfo,
  type TableReport,
} from "./core/types";
import { getDialect } from "./dialect";
import type { Dialect } from "./dialect/types";
import { execute, Progress } from "./execute";
import { buildPlan, type Plan } from "./plan";
import { scanSchema, type ScanResult } from "./plan-coverage";
import { hashRules, loadRules } from "./rules";
import { assertNotForbidden } from "./safety";
import { runChecks } from "./verify";

export { parseDatabaseUrl } from "./url";
export { assertNotForbidden } from "./safety";
export { loadRules, hashRules } from "./rules";
export { SanitizeError } from "./core/types";
export type * from "./core/types";
export type { Plan, PlannedTable, PlannedColumn, MaskStep, TruncateStep } from "./plan";
export type { ScanResult } from "./plan-coverage";

const DEFAULTS = { chunkSize: 50_000, parallelism: 2, leakSampleSize: 100 };

interface Prepared {
  rules: Rules;
  rulesHash: string;
  key?: MaskingKey;
  dialect: Dialect;
}

/** Everything that needs no database: rules, key, numeric options. */
function prepare(options: Pick<SanitizeOptions, "target" | "rules" | "maskingKey" | "chunkSize" | "parallelism" | "leakSampleSize">): Prepared {
  const rules = typeof options.rules === "string" ? loadRules(options.rules, "rules") : options.rules;
  const problems: string[] = [];
  for (const [name, v, min] of [
    ["chunkSize", options.chunkSize, 1],
    ["parallelism", options.parallelism, 1],
    ["leakSampleSize", options.leakSampleSize, 0],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) problems.push(`${name} must be an integer >= ${min}, got ${String(v)}.`);
  }
  if (problems.length) throw new SanitizeError(problems, "rules");
  const key = options.maskingKey ? deriveMaskingKey(options.maskingKey) : undefined;
  return { rules, rulesHash: hashRules(rules), key, dialect: getDialect(options.target.engine) };
}

async function withConnection<T>(dialect: Dialect, target: ConnectionTarget, connect: ConnectOptions | undefined, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await dialect.connect(target, connect);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

async function planOn(p: Prepared, conn: Connection, options: SanitizeOptions): Promise<{ plan: Plan; schema: SchemaInfo }> {
  const schema = await p.dialect.introspect(conn);
  const plan = await buildPlan({
    dialect: p.dialect,
    schema,
    rules: p.rules,
    rulesHash: p.rulesHash,
    key: p.key,
    coverage: options.coverage,
    triggers: options.triggers,
    conn,
  });
  return { plan, schema };
}

/** Connects, introspects, validates everything and returns what a run would do. Writes nothing. */
export async function plan(options: SanitizeOptions): Promise<Plan> {
  const p = prepare(options);
  await assertNotForbidden(options.target, options.forbiddenHosts);
  return withConnection(p.dialect, options.target, options.connect, async (conn) => (await planOn(p, conn, options)).plan);
}

/**
 * The full pipeline. Throws SanitizeError for anything found before the first write (rules,
 * schema, coverage, forbidden host, connection) and for execution failures; a failed
 * verification is NOT thrown: it returns `verified: false` with the failing checks named.
 */
export async function sanitize(options: SanitizeOptions): Promise<RunReport> {
  const p = prepare(options);
  await assertNotForbidden(options.target, options.forbiddenHosts);
  return withConnection(p.dialect, options.target, options.connect, async (conn) => {
    // A verified run with these exact rules means there is nothing to do. Answer from the
    // progress record before introspecting and planning, so a re-run (every `pulumi up` with
    // unchanged rules) costs one connection and one query, and writes nothing.
    const startedAt = new Date().toISOString();
    const done = await finishedRun(p, conn);
    if (done) return alreadyDoneReport(p, randomUUID(), startedAt, done.tables, done.checks);

    const { plan: planned } = await planOn(p, conn, options);
    const run = await execute(p.dialect, conn, options.target, options.connect, planned, {
      chunkSize: options.chunkSize ?? DEFAULTS.chunkSize,
      parallelism: options.parallelism ?? DEFAULTS.parallelism,
      leakSampleSize: options.leakSampleSize ?? DEFAULTS.leakSampleSize,
      onProgress: options.onProgress,
    });
    // Another run may have finished these rules between the check above and taking the lock.
    if (run.alreadyDone) return alreadyDoneReport(p, run.runId, run.startedAt, run.tables, run.previous?.checks ?? []);
    const checks = await runChecks({
      dialect: p.dialect,
      conn,
      plan: planned,
      verifyQueries: p.rules.verify,
      samples: run.samples,
      rowsBefore: await rowsBefore(run.progress, conn),
    });
    const report: RunReport = {
      runId: run.runId,
      rulesHash: p.rulesHash,
      engine: p.dialect.engine,
      startedAt: run.startedAt,
      finishedAt: new Date().toISOString(),
      alreadyDone: false,
      resumed: run.resumed,
      tables: run.tables,
      checks,
      verified: checks.every((c) => c.passed),
    };
    // Finished only when verified: a failed verification is re-checked by the next run with
    // the same rules (committed chunks are not re-applied; the progress record says so).
    await run.progress.endRun(conn, run.runId, report.verified ? "finished" : "unverified", report);
    return report;
  });
}

/** The report of a verified run with these rules, if the progress record holds one. */
async function finishedRun(p: Prepared, conn: Connection): Promise<RunReport | undefined> {
  try {
    return await new Progress(p.dialect, p.rulesHash).finishedReport(conn);
  } catch {
    return undefined; // no progress record in this database yet: a first run
  }
}

function alreadyDoneReport(p: Prepared, runId: string, startedAt: string, tables: TableReport[], checks: CheckResult[]): RunReport {
  return {
    runId,
    rulesHash: p.rulesHash,
    engine: p.dialect.engine,
    startedAt,
    finishedAt: new Date().toISOString(),
    alreadyDone: true,
    resumed: false,
    tables: tables.map((t) => ({ ...t, rows: 0, chunks: 0, ms: 0, skipped: true })),
    checks,
    verified: true,
  };
}

async function rowsBefore(progress: Progress, conn: Connection): Promise<Map<string, number>> {
  const rows = await progress.rows(conn);
  const out = new Map<string, number>();
  for (const r of rows.values()) if (r.phase === "mask") out.set(r.table_name, r.rows_before);
  return out;
}

/**
 * Re-runs the checks that don't need the pre-run sample of original values: transform
 * violations, row counts (when a run with these rules recorded them), truncated tables empty,
 * delete conditions, the user's verify queries. Writes nothing.
 */
export async function verify(options: SanitizeOptions): Promise<{ checks: CheckResult[]; verified: boolean }> {
  const p = prepare(options);
  await assertNotForbidden(options.target, options.forbiddenHosts);
  return withConnection(p.dialect, options.target, options.connect, async (conn) => {
    const { plan: planned } = await planOn(p, conn, { ...options, coverage: "off" });
    const progress = new Progress(p.dialect, p.rulesHash);
    let before: Map<string, number> | undefined;
    try {
      before = await rowsBefore(progress, conn);
    } catch {
      before = undefined; // no progress record yet: no row count check
    }
    const checks = await runChecks({ dialect: p.dialect, conn, plan: planned, verifyQueries: p.rules.verify, rowsBefore: before });
    return { checks, verified: checks.every((c) => c.passed) };
  });
}

/** Personal-looking columns the rules don't cover yet, and draft rules text for them. Writes nothing. */
export async function scan(options: { target: ConnectionTarget; rules?: Rules | string; connect?: ConnectOptions; coverage?: CoverageMode }): Promise<ScanResult> {
  const rules = options.rules === undefined ? undefined : typeof options.rules === "string" ? loadRules(options.rules, "rules") : options.rules;
  const dialect = getDialect(options.target.engine);
  return withConnection(dialect, options.target, options.connect, async (conn) => scanSchema(await dialect.introspect(conn), rules, options.coverage ?? "personal"));
}
export { sanitizeCluster, planCluster, verifyCluster } from "./cluster";
