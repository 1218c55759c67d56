/**
 * The sanitizer's public API, used by the CLI, the Pulumi dynamic provider and the
 * benchmarks: plan() (writes nothing), sanitize() (the full pipeline), verify(), scan().
 *
 * Order matters and is the safety story (docs/safety.md): rules are loaded and the target is
 * checked against forbiddenHosts before any connection; everything is planned and validated
 * before the first write; execution is chunked and resumable; verification always runs.
 */
import { deriveMaskingKey, MASKING_KEY_ENV } from "./core/masking-key";
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
} from "./core/types";
import { getDialect } from "./dialect";
import type { Dialect } from "./dialect/types";
import { materializedViewChecks, refreshMaterializedViews } from "./matviews";
import { assertCanDisableTriggers, execute } from "./execute";
import { ForeignKeySuspension, linkedForeignKeys } from "./linked-fks";
import { CONSTANT_TRANSFORMS, Progress } from "./progress";
import { buildPlan, type Plan } from "./plan";
import { scanSchema, type ScanResult } from "./scan-schema";
import { readSamples } from "./scan-sample";
import { hashRules, loadRules } from "./rules";
import { assertNotForbidden } from "./safety";
import { runChecks } from "./verify";

export { parseDatabaseUrl } from "./url";
export { assertNotForbidden } from "./safety";
export { loadRules, hashRules } from "./rules";
export { SanitizeError } from "./core/types";
export type * from "./core/types";
export type { Plan, PlannedTable, PlannedColumn, MaskStep, TruncateStep } from "./plan";
export type { ScanResult } from "./scan-schema";

// parallelism: no fixed default; the server's CPU count where readable (parallelism.ts).
const DEFAULTS = { chunkSize: 50_000, leakSampleSize: 100 };

interface Prepared {
  rules: Rules;
  rulesHash: string;
  key?: MaskingKey;
  dialect: Dialect;
}

/** Everything that needs no database: rules, key, numeric options. */
function prepare(
  options: Pick<SanitizeOptions, "target" | "rules" | "maskingKey" | "chunkSize" | "parallelism" | "leakSampleSize">,
): Prepared {
  const rules = typeof options.rules === "string" ? loadRules(options.rules, "rules") : options.rules;
  const problems: string[] = [];
  for (const [name, v, min] of [
    ["chunkSize", options.chunkSize, 1],
    ["parallelism", options.parallelism, 1],
    // At least 1: the leak check can't be switched off (a masked column without samples fails).
    ["leakSampleSize", options.leakSampleSize, 1],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) problems.push(`${name} must be an integer >= ${min}, got ${String(v)}.`);
  }
  if (problems.length) throw new SanitizeError(problems, "rules");
  const key = options.maskingKey ? deriveMaskingKey(options.maskingKey) : undefined;
  return { rules, rulesHash: hashRules(rules), key, dialect: getDialect(options.target.engine) };
}

async function withConnection<T>(
  dialect: Dialect,
  target: ConnectionTarget,
  connect: ConnectOptions | undefined,
  fn: (conn: Connection) => Promise<T>,
): Promise<T> {
  const conn = await dialect.connect(target, connect);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

async function planOn(
  p: Prepared,
  conn: Connection,
  options: SanitizeOptions,
  explain: "all" | "raw-sql-only" = "all",
): Promise<{ plan: Plan; schema: SchemaInfo }> {
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
    explain,
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
 * Masking a table stores keyed digests of sampled originals for the leak check, so the key
 * is needed whenever a column is masked with anything but a constant (fixed/null).
 */
function requireKey(p: Prepared): void {
  if (p.key) return;
  const columns: string[] = [];
  for (const [table, rule] of Object.entries(p.rules.tables))
    if (rule.kind === "mask")
      for (const [name, spec] of Object.entries(rule.columns))
        if (!CONSTANT_TRANSFORMS.has(spec.transform)) columns.push(`${table}.${name}`);
  if (columns.length)
    throw new SanitizeError(
      [
        `no masking key, but ${columns.join(", ")} are masked: the key is required whenever a table is masked (deterministic transforms need it, ` +
          `and the leak check keeps keyed digests of sampled original values, never the values). Set ${MASKING_KEY_ENV} (or pass maskingKey) ` +
          "to a key of at least 16 characters, made with `openssl rand -hex 32`, and keep it the same across runs.",
      ],
      "rules",
    );
}

/**
 * The full pipeline. Throws SanitizeError for anything found before the first write (rules,
 * schema, coverage, forbidden host, connection, progress conflicts, failing trials) and for
 * execution failures; a failed verification is NOT thrown: it returns `verified: false` with
 * the failing checks named. Every run introspects, plans and runs every check against the
 * data as it is now: a re-run on clean data writes nothing and costs about a `verify`.
 */
export async function sanitize(options: SanitizeOptions): Promise<RunReport> {
  const p = prepare(options);
  requireKey(p);
  await assertNotForbidden(options.target, options.forbiddenHosts);
  return withConnection(p.dialect, options.target, options.connect, async (conn) => {
    // The lock comes before the progress tables are created: two first runs at once would
    // otherwise race on CREATE (PostgreSQL: duplicate key in pg_type) instead of one of them
    // getting this message.
    const lock = await conn.query(p.dialect.statements.tryRunLock(options.target.database));
    if (!(lock.rows[0]?.ok === true || Number(lock.rows[0]?.ok) === 1))
      throw new SanitizeError(
        [`another sanitize run holds the lock on database "${options.target.database}": let it finish, then re-run.`],
        "execution",
      );
    try {
      return await lockedRun(p, conn, options);
    } finally {
      // Best effort: if the connection broke, closing it releases the lock anyway.
      await conn.query(p.dialect.statements.releaseRunLock(options.target.database)).catch(() => undefined);
    }
  });
}

/** The run itself, holding the per-database run lock. */
async function lockedRun(p: ReturnType<typeof prepare>, conn: Connection, options: SanitizeOptions): Promise<RunReport> {
  const progress = new Progress(p.dialect);
  await progress.refuseLegacy(conn);
  // Planned first: rules that can't run leave no trace in the database, not even our tables.
  // Masking UPDATEs without raw SQL are not EXPLAINed: execute's rolled-back trial runs them.
  const { plan: planned, schema } = await planOn(p, conn, options, "raw-sql-only");
  await assertCanDisableTriggers(p.dialect, conn, options.target, planned.triggers);
  await progress.ensureTables(conn);
  const linked = linkedForeignKeys(planned, schema);
  const keys = { linked, suspension: new ForeignKeySuspension(p.dialect, schema) };
  const run = await execute(p.dialect, conn, options.target, options.connect, planned, progress, keys, {
    chunkSize: options.chunkSize ?? DEFAULTS.chunkSize,
    parallelism: options.parallelism,
    leakSampleSize: options.leakSampleSize ?? DEFAULTS.leakSampleSize,
    key: p.key,
    onProgress: options.onProgress,
  });
  await refreshMaterializedViews(conn, planned);
  const checkedAt = new Date().toISOString();
  const foreignKeys = [...linked, ...run.restored.filter((r) => !linked.some((l) => l.name === r.name && l.fromTable === r.fromTable))];
  const checks = await runChecks({
    dialect: p.dialect,
    conn,
    plan: planned,
    verifyQueries: p.rules.verify,
    progress,
    key: p.key,
    foreignKeys,
    schema,
  });
  checks.push(...(await materializedViewChecks(p.dialect, conn, planned)));
  const report: RunReport = {
    runId: run.runId,
    rulesHash: p.rulesHash,
    engine: p.dialect.engine,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    checkedAt,
    alreadyDone: run.alreadyDone,
    resumed: run.resumed,
    tables: run.tables,
    checks,
    verified: verdict(checks),
  };
  // Audit trail only: the next run checks again whatever this one found.
  await progress.endRun(conn, run.runId, report.verified ? "verified" : "unverified", report);
  return report;
}

/** A verdict never rests on zero checks. */
function verdict(checks: CheckResult[]): boolean {
  return checks.length > 0 && checks.every((c) => c.passed);
}

/**
 * Every check a run makes, against the data now: transform violations, the per-row leak
 * check from the stored digests (a masked column with no record fails), row counts, truncated
 * tables empty, delete conditions, the user's verify queries. Writes nothing.
 */
export async function verify(options: SanitizeOptions): Promise<{ checks: CheckResult[]; verified: boolean; checkedAt: string }> {
  const p = prepare(options);
  requireKey(p);
  await assertNotForbidden(options.target, options.forbiddenHosts);
  return withConnection(p.dialect, options.target, options.connect, async (conn) => {
    const progress = new Progress(p.dialect);
    await progress.refuseLegacy(conn);
    const { plan: planned, schema } = await planOn(p, conn, { ...options, coverage: "off" });
    const checkedAt = new Date().toISOString();
    const foreignKeys = linkedForeignKeys(planned, schema);
    const checks = await runChecks({
      dialect: p.dialect,
      conn,
      plan: planned,
      verifyQueries: p.rules.verify,
      progress,
      key: p.key,
      foreignKeys,
      schema,
    });
    checks.push(...(await materializedViewChecks(p.dialect, conn, planned)));
    // A constraint an interrupted run dropped is missing until the next run re-adds it.
    const suspended = (await progress.exists(conn)) ? await new ForeignKeySuspension(p.dialect, schema).pending(conn) : [];
    for (const s of suspended)
      checks.push({
        name: `foreign key ${s.fk.name} holds`,
        passed: false,
        detail: `suspended by an interrupted run and not re-added yet: re-run sanitize`,
      });
    return { checks, verified: verdict(checks), checkedAt };
  });
}

/** Personal-looking columns the rules don't cover yet, and draft rules text for them. Writes nothing. */
export async function scan(options: {
  target: ConnectionTarget;
  rules?: Rules | string;
  connect?: ConnectOptions;
  coverage?: CoverageMode;
  /** The draft's `$schema` reference; default `./sanitize/rules/rules.schema.json` (a draft at the project root). */
  schemaRef?: string;
}): Promise<ScanResult> {
  const rules =
    options.rules === undefined ? undefined : typeof options.rules === "string" ? loadRules(options.rules, "rules") : options.rules;
  const dialect = getDialect(options.target.engine);
  return withConnection(dialect, options.target, options.connect, async (conn) => {
    const schema = await dialect.introspect(conn);
    return scanSchema(schema, rules, options.coverage ?? "personal", await readSamples(dialect, conn, schema), options.schemaRef);
  });
}
export { sanitizeCluster, planCluster, verifyCluster } from "./cluster";
// The option schema, for the Pulumi provider (which loads this compiled file) and the CLI.
export { sanitizeOptionsSchema, maskingKeySchema, describeIssues, MIN_MASKING_KEY_LENGTH, SANITIZE_OPTION_KEYS, LIMITS } from "./options";
// Secret scrubbing, shared by the CLI, connect-retry and the Pulumi provider (which loads this compiled file).
export { Redactor, redactUrl, type RedactorOptions } from "./core/redact";
