/**
 * Runs a Plan: chunked, resumable, parallel, with the progress record in the target database.
 *
 * Why the progress row is updated in the chunk's own transaction: a run killed at any point
 * leaves either both (chunk applied + recorded) or neither, so the next run resumes exactly
 * after the last committed chunk and no row is ever masked twice (masking twice would turn a
 * deterministic HMAC of the original into an HMAC of the HMAC, breaking joins across tables).
 */
import { randomUUID } from "node:crypto";
import { ident, join, raw, sql, type Sql } from "./core/sql";
import { SanitizeError, type ConnectOptions, type Connection, type ConnectionTarget, type ProgressEvent, type RunReport, type TableReport } from "./core/types";
import { DEFAULT_RETRY_FOR_MS, redactDbMessage } from "./dialect/connect-retry";
import type { Dialect } from "./dialect/types";
import { deleteStatement, truncateStatements, updateStatement, type Plan, type PlannedTable } from "./plan";

export interface ExecuteOptions {
  chunkSize: number;
  parallelism: number;
  leakSampleSize: number;
  onProgress?: (e: ProgressEvent) => void;
}

/** Original values sampled per masked table and column, in memory only, for the leak check. */
export type LeakSamples = Map<string, Map<string, string[]>>;

export interface ExecuteResult {
  runId: string;
  startedAt: string;
  alreadyDone: boolean;
  resumed: boolean;
  tables: TableReport[];
  samples: LeakSamples;
  /** The finished run's report, when `alreadyDone`. */
  previous?: RunReport;
}

/** Transforms whose output can't plausibly equal another row's original value: leak-checked. */
const LEAK_CHECKED = new Set(["email", "hash", "phone", "partial", "template", "sql"]);

interface ProgressRow {
  table_name: string;
  phase: string;
  last_key: string | null;
  rows_done: number;
  chunks_done: number;
  rows_before: number;
  done: boolean;
}

export class Progress {
  constructor(
    private readonly dialect: Dialect,
    readonly rulesHash: string,
  ) {}

  private get st() {
    return this.dialect.statements;
  }

  async ensureTables(conn: Connection): Promise<void> {
    for (const q of this.st.progressDdl()) await conn.query(q);
  }

  async finishedReport(conn: Connection): Promise<RunReport | undefined> {
    const r = await conn.query(
      sql`SELECT report FROM ${this.st.runsTable} WHERE rules_hash = ${this.rulesHash} AND status = 'finished' ORDER BY finished_at DESC, run_id LIMIT 1`,
    );
    if (!r.rows.length) return undefined;
    try {
      return JSON.parse(String(r.rows[0].report)) as RunReport;
    } catch {
      return undefined;
    }
  }

  async rows(conn: Connection): Promise<Map<string, ProgressRow>> {
    const r = await conn.query(
      sql`SELECT table_name, phase, last_key, rows_done, chunks_done, rows_before, done FROM ${this.st.progressTable} WHERE rules_hash = ${this.rulesHash}`,
    );
    const out = new Map<string, ProgressRow>();
    for (const row of r.rows) {
      out.set(`${row.phase}:${row.table_name}`, {
        table_name: String(row.table_name),
        phase: String(row.phase),
        last_key: row.last_key == null ? null : String(row.last_key),
        rows_done: Number(row.rows_done),
        chunks_done: Number(row.chunks_done),
        rows_before: Number(row.rows_before),
        done: row.done === true || Number(row.done) === 1,
      });
    }
    return out;
  }

  /** Records `rows_before` the first time a table is seen; later runs keep the first count. */
  async ensureRow(conn: Connection, p: PlannedTable, phase: string): Promise<void> {
    await conn.transaction(async (tx) => {
      const exists = await tx.query(
        sql`SELECT 1 AS x FROM ${this.st.progressTable} WHERE rules_hash = ${this.rulesHash} AND table_name = ${p.table.qualified} AND phase = ${phase}`,
      );
      if (exists.rows.length) return;
      const count = Number((await tx.query(sql`SELECT COUNT(*) AS n FROM ${p.ref}`)).rows[0].n);
      await tx.query(
        sql`INSERT INTO ${this.st.progressTable} (rules_hash, table_name, phase, last_key, rows_done, chunks_done, rows_before, done)
            VALUES (${this.rulesHash}, ${p.table.qualified}, ${phase}, NULL, 0, 0, ${count}, ${this.st.bool(false)})`,
      );
    });
  }

  /** Advances a table's progress; fails when another run moved it meanwhile (never apply a chunk twice). */
  async advance(tx: Connection, table: string, phase: string, expectChunks: number, step: { lastKey?: string | null; rows: number; done: boolean }): Promise<void> {
    const lastKey = step.lastKey === undefined ? sql`last_key` : sql`${step.lastKey}`;
    const r = await tx.query(
      sql`UPDATE ${this.st.progressTable}
             SET last_key = ${lastKey}, rows_done = rows_done + ${step.rows}, chunks_done = chunks_done + 1, done = ${this.st.bool(step.done)}
           WHERE rules_hash = ${this.rulesHash} AND table_name = ${table} AND phase = ${phase} AND chunks_done = ${expectChunks}`,
    );
    if (r.rowCount !== 1)
      throw new SanitizeError([`progress of ${table} (${phase}) changed under this run: another sanitize run is working on this database. Let it finish, then re-run.`], "execution");
  }

  async startRun(conn: Connection, runId: string): Promise<void> {
    await conn.query(
      sql`INSERT INTO ${this.st.runsTable} (run_id, rules_hash, engine, status) VALUES (${runId}, ${this.rulesHash}, ${this.dialect.engine}, 'running')`,
    );
  }

  async endRun(conn: Connection, runId: string, status: "finished" | "unverified" | "failed", report?: RunReport): Promise<void> {
    await conn.query(
      sql`UPDATE ${this.st.runsTable} SET status = ${status}, finished_at = CURRENT_TIMESTAMP, report = ${report ? JSON.stringify(report) : null} WHERE run_id = ${runId}`,
    );
  }
}

export async function execute(
  dialect: Dialect,
  conn: Connection,
  target: ConnectionTarget,
  connectOptions: ConnectOptions | undefined,
  plan: Plan,
  options: ExecuteOptions,
): Promise<ExecuteResult & { progress: Progress }> {
  const startedAt = new Date().toISOString();
  const runId = randomUUID();
  const progress = new Progress(dialect, plan.rulesHash);
  await progress.ensureTables(conn);

  const lock = await conn.query(dialect.statements.tryRunLock(target.database));
  if (!(lock.rows[0]?.ok === true || Number(lock.rows[0]?.ok) === 1))
    throw new SanitizeError([`another sanitize run holds the lock on database "${target.database}": let it finish, then re-run.`], "execution");

  // Disabling triggers needs a privilege (superuser; rds_superuser on Aurora). Find out now,
  // before phase 1 writes anything, rather than when the first masking connection opens.
  if (plan.triggers === "disable") {
    try {
      for (const q of dialect.statements.disableTriggers()) await conn.query(q);
      for (const q of dialect.statements.enableTriggers()) await conn.query(q);
    } catch (err) {
      throw new SanitizeError(
        [
          `triggers: "disable" was requested but user "${target.user}" can't disable triggers (${redactDbMessage(err)}). ` +
            'Run as a user allowed to set session_replication_role (superuser; rds_superuser on Aurora), or use triggers: "fire".',
        ],
        "rules",
      );
    }
  }

  const previous = await progress.finishedReport(conn);
  if (previous) {
    return {
      runId,
      startedAt,
      alreadyDone: true,
      resumed: false,
      previous,
      samples: new Map(),
      progress,
      tables: plan.tables.map((p) => ({ table: p.table.qualified, action: p.action, rows: 0, chunks: 0, ms: 0, skipped: true })),
    };
  }

  const before = await progress.rows(conn);
  const resumed = before.size > 0;
  await progress.startRun(conn, runId);

  const reports = new Map<string, TableReport>();
  const report = (p: PlannedTable): TableReport => {
    let r = reports.get(p.table.qualified);
    if (!r) {
      r = { table: p.table.qualified, action: p.action, rows: 0, chunks: 0, ms: 0, skipped: true };
      reports.set(p.table.qualified, r);
    }
    return r;
  };
  const samples: LeakSamples = new Map();

  try {
    await phaseOne(dialect, conn, progress, plan, report, options);
    await phaseTwo(dialect, conn, target, connectOptions, progress, plan, report, samples, options);
  } catch (err) {
    await progress.endRun(conn, runId, "failed").catch(() => undefined);
    if (err instanceof SanitizeError) throw err;
    throw new SanitizeError([`sanitizing failed: ${redactDbMessage(err)}. Committed chunks are kept; fix the cause and re-run to resume.`], "execution");
  }
  return { runId, startedAt, alreadyDone: false, resumed, tables: plan.tables.map(report), samples, progress };
}

/** Truncates, then deletes. Each is recorded, so a resumed run doesn't repeat them. */
async function phaseOne(
  dialect: Dialect,
  conn: Connection,
  progress: Progress,
  plan: Plan,
  report: (p: PlannedTable) => TableReport,
  options: ExecuteOptions,
): Promise<void> {
  const truncates = plan.tables.filter((p) => p.truncate);
  const deletes = plan.tables.filter((p) => p.delete);
  for (const p of truncates) await progress.ensureRow(conn, p, "truncate");
  for (const p of deletes) await progress.ensureRow(conn, p, "delete");
  let rows = await progress.rows(conn);

  const pendingTruncates = truncates.filter((p) => !rows.get(`truncate:${p.table.qualified}`)!.done);
  if (pendingTruncates.length) {
    const t0 = Date.now();
    const statements = truncateStatements(dialect, truncates);
    const record = async (tx: Connection) => {
      for (const p of pendingTruncates) {
        const row = rows.get(`truncate:${p.table.qualified}`)!;
        await progress.advance(tx, p.table.qualified, "truncate", row.chunks_done, { rows: row.rows_before, done: true });
      }
    };
    if (dialect.truncateStyle === "together") {
      // PostgreSQL TRUNCATE is transactional: statement and record commit together.
      await conn.transaction(async (tx) => {
        for (const q of statements) await tx.query(q);
        await record(tx);
      });
    } else {
      // MySQL TRUNCATE commits implicitly; repeating it after a kill is harmless.
      try {
        for (const q of statements) await conn.query(q);
      } finally {
        await conn.query(raw("SET SESSION foreign_key_checks = 1"));
      }
      await conn.transaction(record);
    }
    for (const p of pendingTruncates) {
      const r = report(p);
      r.skipped = false;
      r.rows += rows.get(`truncate:${p.table.qualified}`)!.rows_before;
      r.chunks += 1;
      r.ms += Date.now() - t0;
      emit(options, p, "truncate", r.rows, rows.get(`truncate:${p.table.qualified}`)!.rows_before, 1, t0);
    }
  }

  rows = await progress.rows(conn);
  for (const p of deletes) {
    const row = rows.get(`delete:${p.table.qualified}`)!;
    if (row.done) continue;
    const t0 = Date.now();
    const deleted = await conn.transaction(async (tx) => {
      const res = await tx.query(deleteStatement(p));
      await progress.advance(tx, p.table.qualified, "delete", row.chunks_done, { rows: res.rowCount, done: true });
      return res.rowCount;
    });
    const r = report(p);
    r.skipped = false;
    r.rows += deleted;
    r.chunks += 1;
    r.ms += Date.now() - t0;
    emit(options, p, "delete", deleted, row.rows_before, 1, t0);
  }
}

async function phaseTwo(
  dialect: Dialect,
  conn: Connection,
  target: ConnectionTarget,
  connectOptions: ConnectOptions | undefined,
  progress: Progress,
  plan: Plan,
  report: (p: PlannedTable) => TableReport,
  samples: LeakSamples,
  options: ExecuteOptions,
): Promise<void> {
  const masked = plan.tables.filter((p) => p.mask);
  // Counted after phase 1: deletes (and cascades) have already removed their rows.
  for (const p of masked) await progress.ensureRow(conn, p, "mask");
  const rows = await progress.rows(conn);
  // Biggest tables first, so the last table to finish is a small one.
  const queue = masked
    .filter((p) => !rows.get(`mask:${p.table.qualified}`)!.done)
    .sort((a, b) => rows.get(`mask:${b.table.qualified}`)!.rows_before - rows.get(`mask:${a.table.qualified}`)!.rows_before);
  if (!queue.length) return;

  // After one table fails, the other workers finish their current table and stop.
  let aborted = false;
  const worker = async (): Promise<void> => {
    const own = await dialect.connect(target, { ...connectOptions, retryForMs: Math.min(connectOptions?.retryForMs ?? DEFAULT_RETRY_FOR_MS, 30_000) });
    try {
      if (plan.triggers === "disable") for (const q of dialect.statements.disableTriggers()) await own.query(q);
      for (let p = queue.shift(); p && !aborted; p = queue.shift()) {
        await maskTable(dialect, own, progress, p, rows.get(`mask:${p.table.qualified}`)!, report(p), samples, options);
      }
    } catch (err) {
      aborted = true;
      throw err;
    } finally {
      await own.close();
    }
  };
  const n = Math.max(1, Math.min(options.parallelism, queue.length));
  const results = await Promise.allSettled(Array.from({ length: n }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

async function maskTable(
  dialect: Dialect,
  conn: Connection,
  progress: Progress,
  p: PlannedTable,
  row: ProgressRow,
  r: TableReport,
  samples: LeakSamples,
  options: ExecuteOptions,
): Promise<void> {
  const m = p.mask!;
  const t0 = Date.now();
  r.skipped = false;
  let after = row.last_key ?? undefined;
  let chunks = row.chunks_done;
  let rowsDone = row.rows_done;

  samples.set(p.table.qualified, await sampleOriginals(dialect, conn, p, after, options.leakSampleSize));

  for (;;) {
    let upTo: string | undefined;
    if (m.chunkKey) {
      const end = await conn.query(dialect.statements.chunkEnd(p.ref, m.chunkKey, after === undefined ? undefined : m.keyValue(after), options.chunkSize));
      upTo = end.rows.length ? String(end.rows[0].k) : undefined;
    }
    const last = upTo === undefined;
    const changed = await conn.transaction(async (tx) => {
      if (!m.chunkKey) for (const q of dialect.statements.unboundedStatement()) await tx.query(q);
      const res = await tx.query(updateStatement(p, { after, upTo }));
      await progress.advance(tx, p.table.qualified, "mask", chunks, { lastKey: upTo ?? (after ?? null), rows: res.rowCount, done: last });
      return res.rowCount;
    });
    chunks += 1;
    rowsDone += changed;
    r.rows += changed;
    r.chunks += 1;
    emit(options, p, "mask", rowsDone, row.rows_before, chunks, t0);
    if (last) break;
    after = upTo;
  }
  r.ms += Date.now() - t0;
}

/**
 * Up to `n` distinct original values per leak-checked column, from rows this run will mask
 * (after the last committed key, inside the rule's `where`), where masking really changes
 * the value. Read as text, kept in memory only, never logged.
 */
async function sampleOriginals(dialect: Dialect, conn: Connection, p: PlannedTable, after: string | undefined, n: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const m = p.mask!;
  if (n <= 0) return out;
  const st = dialect.statements;
  for (const c of m.columns) {
    if (!LEAK_CHECKED.has(c.spec.transform)) continue;
    const conds: Sql[] = [sql`${ident(c.name)} IS NOT NULL`, st.differs(st.asText(ident(c.name)), st.asText(c.expr))];
    if (m.chunkKey && after !== undefined) conds.push(sql`${ident(m.chunkKey)} > ${m.keyValue(after)}`);
    if (m.where) conds.push(sql`(${raw(m.where)})`);
    // No DISTINCT: it would make the database read the whole table; dedupe here instead.
    const res = await conn.query(sql`SELECT ${st.asText(ident(c.name))} AS v FROM ${p.ref} WHERE ${join(conds, " AND ")} LIMIT ${raw(String(Math.trunc(n) * 3))}`);
    const values = [...new Set(res.rows.map((row) => String(row.v)))].slice(0, n);
    out.set(c.name, values);
  }
  return out;
}

function emit(options: ExecuteOptions, p: PlannedTable, action: ProgressEvent["action"], rowsDone: number, rowsEstimated: number, chunksDone: number, t0: number): void {
  if (!options.onProgress) return;
  try {
    options.onProgress({ table: p.table.qualified, action, rowsDone, rowsEstimated, chunksDone, elapsedMs: Date.now() - t0 });
  } catch {
    // A failing progress display must not fail the run.
  }
}
