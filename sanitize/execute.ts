/**
 * Runs a Plan against the data as it is now: chunked, resumable, parallel, with the progress
 * record v2 (progress.ts) in the target database.
 *
 * Order is the safety story: the work is planned from the progress record and each table's
 * identity NOW (a re-imported table is new work); conflicts are refused and every masking
 * statement is tried on a few rows in a rolled-back transaction BEFORE phase 1 writes
 * anything; then truncates/deletes; then each job's chunks, each committed together with its
 * record row and the keyed digests of the originals it sampled, so a run killed at any point
 * resumes exactly where it stopped and never masks a row twice.
 */
import { randomUUID } from "node:crypto";
import { ident, join, raw, sql } from "./core/sql";
import {
  SanitizeError,
  type ConnectOptions,
  type Connection,
  type ConnectionTarget,
  type ForeignKeyInfo,
  type MaskingKey,
  type ProgressEvent,
  type TableReport,
} from "./core/types";
import { DEFAULT_RETRY_FOR_MS, redactDbMessage } from "./dialect/connect-retry";
import type { Dialect } from "./dialect/types";
import { leakKey, type LeakKey } from "./leak-digest";
import type { ForeignKeySuspension } from "./linked-fks";
import { chunkScope, deleteStatement, truncateStatements, type Plan, type PlannedTable } from "./plan";
import { maskChunk } from "./mask-chunk";
import { serverCpus, maskingConnections } from "./parallelism";
import {
  assess,
  CHANCE_FIXED_POINTS,
  CONSTANT_TRANSFORMS,
  isDone,
  type Progress,
  specHash,
  tableIdentity,
  type Chunk,
  type Job,
  type Sample,
  type TableWork,
} from "./progress";

/** Foreign keys between masked columns, suspended while masking (linked-fks.ts). */
export interface LinkedKeys {
  linked: ForeignKeyInfo[];
  suspension: ForeignKeySuspension;
}

export interface ExecuteOptions {
  chunkSize: number;
  /** The most connections masking at once; undefined: the server's CPU count, or 2 (parallelism.ts). */
  parallelism?: number;
  leakSampleSize: number;
  key?: MaskingKey;
  onProgress?: (e: ProgressEvent) => void;
}

export interface ExecuteResult {
  runId: string;
  startedAt: string;
  /** Nothing needed writing: every table was already in its final state. */
  alreadyDone: boolean;
  /** An interrupted run's job was finished. */
  resumed: boolean;
  tables: TableReport[];
  /** Foreign keys re-added by this run (a killed run may have left them suspended). */
  restored: ForeignKeyInfo[];
}

/** Rows each masking statement is tried on before anything is written. */
const TRIAL_ROWS = 100;

/**
 * Call with the run lock held, assertCanDisableTriggers passed and the progress tables in
 * place (index.ts). Throws SanitizeError before any write for conflicts and failing trials.
 */
export async function execute(
  dialect: Dialect,
  conn: Connection,
  target: ConnectionTarget,
  connectOptions: ConnectOptions | undefined,
  plan: Plan,
  progress: Progress,
  keys: LinkedKeys,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const startedAt = new Date().toISOString();
  const runId = randomUUID();

  const jobs = await progress.jobs(conn);
  const work: TableWork[] = [];
  for (const p of plan.tables) if (p.mask) work.push(assess(p, await tableIdentity(dialect, conn, p), jobs, options.key));
  const conflicts = work.flatMap((w) => w.problems);
  if (conflicts.length) throw new SanitizeError(conflicts, "rules");
  const todo = work.filter((w) => w.resume.length || w.fresh.length);
  await trial(dialect, conn, plan, todo, keys);

  await progress.startRun(conn, runId, plan.rulesHash);
  const reports = new Map<string, TableReport>(
    plan.tables.map((p) => [p.table.qualified, { table: p.table.qualified, action: p.action, rows: 0, chunks: 0, ms: 0, skipped: true }]),
  );
  const report = (p: PlannedTable): TableReport => reports.get(p.table.qualified)!;
  let restored: ForeignKeyInfo[] = [];
  try {
    await phaseOne(dialect, conn, plan, report, options);
    if (todo.length) await keys.suspension.suspend(conn, keys.linked);
    const connections = todo.length ? maskingConnections(await serverCpus(dialect, conn, target), options.parallelism) : 1;
    await phaseTwo(dialect, target, connectOptions, progress, plan, todo, keys, report, options, connections);
    restored = await keys.suspension.restore(conn);
  } catch (err) {
    await progress.endRun(conn, runId, "failed").catch(() => undefined);
    if (err instanceof SanitizeError) throw err;
    throw new SanitizeError(
      [
        `sanitizing failed: ${redactDbMessage(err)}.${uniqueCollisionHint(err)} Committed chunks are kept; fix the cause and re-run to resume.`,
      ],
      "execution",
    );
  }
  const tables = [...reports.values()];
  return {
    runId,
    startedAt,
    alreadyDone: tables.every((t) => t.skipped),
    resumed: todo.some((w) => w.resume.length > 0),
    tables,
    restored,
  };
}

/**
 * Disabling triggers needs a privilege (superuser; rds_superuser on Aurora). Call before ANY
 * write, the progress tables included (index.ts), and before sanitizeCluster's lockdown
 * (cluster/index.ts): a run that can't do what was asked leaves no trace, rather than failing
 * when the first masking connection opens.
 */
export async function assertCanDisableTriggers(
  dialect: Dialect,
  conn: Connection,
  target: ConnectionTarget,
  triggers: Plan["triggers"] | undefined,
): Promise<void> {
  if (triggers !== "disable") return;
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

const ROLLBACK = new Error("trial: always rolled back");

/**
 * Each table's masking UPDATE on its first rows, in a transaction that is always rolled
 * back: a CHECK constraint, a unique index or a type the output violates fails HERE, before
 * a truncate or delete has committed. Every failing table is reported at once.
 */
async function trial(dialect: Dialect, conn: Connection, plan: Plan, todo: TableWork[], keys: LinkedKeys): Promise<void> {
  const problems: string[] = [];
  for (const w of todo) {
    const p = w.p;
    const m = p.mask!;
    const only = new Set([...w.resume.flatMap((j) => j.columns.map((c) => c.name)), ...w.fresh.map((c) => c.name)]);
    let undo = async (): Promise<void> => undefined;
    try {
      await conn.transaction(async (tx) => {
        if (plan.triggers === "disable") for (const q of dialect.statements.disableTriggers()) await tx.query(q);
        undo = await keys.suspension.inTrial(tx, keys.linked);
        let upTo: string | undefined;
        if (m.chunkKey) {
          const keyColumn = p.table.columns.find((c) => c.name === m.chunkKey);
          const pk = ident(m.chunkKey);
          const end = await tx.query(
            sql`SELECT ${dialect.statements.keyText(pk, keyColumn)} AS k FROM ${p.ref} ORDER BY ${pk} LIMIT 1 OFFSET ${raw(String(TRIAL_ROWS - 1))}`,
          );
          upTo = end.rows.length ? String(end.rows[0].k) : undefined;
        }
        await maskChunk(dialect, tx, p, { upTo }, only);
        throw ROLLBACK;
      });
    } catch (err) {
      if (err !== ROLLBACK)
        problems.push(
          `${p.table.qualified}: masking fails on its first rows: ${redactDbMessage(err)}.${uniqueCollisionHint(err)} Nothing was written; fix the rules (or the constraint) and re-run.`,
        );
    } finally {
      await undo();
    }
  }
  if (problems.length) throw new SanitizeError(problems, "execution");
}

/** Truncates (only tables holding rows, so a re-run writes nothing), then deletes (idempotent). */
async function phaseOne(
  dialect: Dialect,
  conn: Connection,
  plan: Plan,
  report: (p: PlannedTable) => TableReport,
  options: ExecuteOptions,
): Promise<void> {
  const truncates = plan.tables.filter((p) => p.truncate);
  const counts = new Map<PlannedTable, number>();
  for (const p of truncates) {
    const n = Number((await conn.query(sql`SELECT COUNT(*) AS n FROM ${p.ref}`)).rows[0].n);
    if (n > 0) counts.set(p, n);
  }
  if (counts.size) {
    const t0 = Date.now();
    const statements = truncateStatements(dialect, truncates);
    if (dialect.truncateStyle === "together") {
      await conn.transaction(async (tx) => {
        for (const q of statements) await tx.query(q);
      });
    } else {
      try {
        for (const q of statements) await conn.query(q);
      } finally {
        await conn.query(raw("SET SESSION foreign_key_checks = 1"));
      }
    }
    for (const [p, n] of counts) {
      Object.assign(report(p), { skipped: false, rows: n, chunks: 1, ms: Date.now() - t0 });
      emit(options, p, "truncate", n, n, 1, t0);
    }
  }
  for (const p of plan.tables) {
    if (!p.delete) continue;
    const t0 = Date.now();
    const deleted = (await conn.query(deleteStatement(p))).rowCount;
    const r = report(p);
    r.rows += deleted;
    r.ms += Date.now() - t0;
    if (deleted) Object.assign(r, { skipped: false, chunks: r.chunks + 1 });
    emit(options, p, "delete", deleted, deleted, 1, t0);
  }
}

/** One job of one table as this run finds it: its chunks still to do. */
interface JobRun {
  w: TableWork;
  job: Job;
  chunks: Chunk[];
  /** Shared by the units of this job (they run on several connections). */
  state: JobState;
}

interface JobState {
  chunksDone: number;
}

/** A table's masking clock: its report's time is the span from its first chunk to its last. */
interface TableClock {
  start: number;
  base: number;
}

async function phaseTwo(
  dialect: Dialect,
  target: ConnectionTarget,
  connectOptions: ConnectOptions | undefined,
  progress: Progress,
  plan: Plan,
  todo: TableWork[],
  keys: LinkedKeys,
  report: (p: PlannedTable) => TableReport,
  options: ExecuteOptions,
  connections: number,
): Promise<void> {
  if (!todo.length) return;
  // Biggest tables first, so the last chunks to finish are a small table's.
  const tables = [...todo].sort((a, b) => b.p.table.estimatedRows - a.p.table.estimatedRows);
  const leak = options.key ? leakKey(options.key) : undefined;
  const { pool, sideBySide } = await openMaskingConnections(dialect, target, connectOptions, plan, keys, connections);
  try {
    // The jobs, tables side by side: a resumed job's chunks left, a new job's key space split once.
    const perTable: JobRun[][] = tables.map(() => []);
    await drain(
      pool,
      tables.map((w, i) => async (conn) => {
        perTable[i] = await jobRuns(dialect, conn, progress, w, options);
      }),
    );
    // Stage k runs the k-th job of every table. Within a table a job starts after the one
    // before it has finished, as in a serial run: a resumed job's template may inline the
    // masking expression of a column that a later job masks, so the later job must not have
    // masked those rows yet. Almost always there is one job per table, so one stage.
    const clocks = new Map<TableWork, TableClock>();
    const stages = Math.max(...perTable.map((runs) => runs.length));
    for (let k = 0; k < stages; k++) {
      const units: { run: JobRun; chunks: Chunk[] }[] = [];
      for (const runs of perTable) {
        const run = runs[k];
        if (!run) continue;
        // Side by side, each chunk is a unit of the shared queue (the chunks of one table are
        // masked on several connections at once); otherwise a job's chunks stay on one connection.
        if (sideBySide) for (const c of run.chunks) units.push({ run, chunks: [c] });
        else units.push({ run, chunks: run.chunks });
      }
      await drain(
        pool,
        units.map((u) => async (conn) => {
          const r = report(u.run.w.p);
          if (!clocks.has(u.run.w)) clocks.set(u.run.w, { start: Date.now(), base: r.ms });
          await runChunks(dialect, conn, progress, u.run, u.chunks, r, clocks.get(u.run.w)!, leak, options);
        }),
      );
    }
  } finally {
    await Promise.all(pool.map((c) => c.close().catch(() => undefined)));
  }
}

/**
 * Connections that mask, opened at once. Each disables triggers (when asked), suspends the
 * linked foreign keys for its session and, on MySQL, reads at READ COMMITTED so that side by
 * side chunks of one table don't wait on each other's gap locks. A server that refuses READ
 * COMMITTED (statement-based binlog) or the setting gets one connection per table, as before.
 */
async function openMaskingConnections(
  dialect: Dialect,
  target: ConnectionTarget,
  connectOptions: ConnectOptions | undefined,
  plan: Plan,
  keys: LinkedKeys,
  n: number,
): Promise<{ pool: Connection[]; sideBySide: boolean }> {
  const opened = await Promise.allSettled(
    Array.from({ length: n }, () =>
      dialect.connect(target, { ...connectOptions, retryForMs: Math.min(connectOptions?.retryForMs ?? DEFAULT_RETRY_FOR_MS, 30_000) }),
    ),
  );
  const pool = opened.filter((o): o is PromiseFulfilledResult<Connection> => o.status === "fulfilled").map((o) => o.value);
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
  let sideBySide = true;
  try {
    if (failed) throw failed.reason;
    const refused = dialect.statements.maskingIsolationRefused();
    if (refused && isDone((await pool[0].query(refused)).rows[0]?.refused)) sideBySide = false;
    for (const own of pool) {
      if (plan.triggers === "disable") for (const q of dialect.statements.disableTriggers()) await own.query(q);
      await keys.suspension.onConnection(own, keys.linked);
      if (sideBySide)
        try {
          for (const q of dialect.statements.maskingIsolation()) await own.query(q);
        } catch {
          sideBySide = false;
        }
    }
  } catch (err) {
    await Promise.all(pool.map((c) => c.close().catch(() => undefined)));
    throw err;
  }
  return { pool, sideBySide };
}

/**
 * Runs the tasks on the connections, each connection taking the next task when done with its
 * own (a shared queue, in order). After a task fails no new task starts; the running ones
 * finish, then the first failure is thrown.
 */
async function drain(pool: Connection[], tasks: Array<(conn: Connection) => Promise<void>>): Promise<void> {
  let next = 0;
  const failure: { err?: unknown; failed: boolean } = { failed: false };
  const worker = async (conn: Connection): Promise<void> => {
    while (!failure.failed && next < tasks.length) {
      const task = tasks[next++];
      try {
        await task(conn);
      } catch (err) {
        if (!failure.failed) Object.assign(failure, { err, failed: true });
      }
    }
  };
  await Promise.all(pool.slice(0, tasks.length).map(worker));
  if (failure.failed) throw failure.err;
}

/** The table's jobs in serial order: the resumed ones (their chunks left), then a new one for its new columns. */
async function jobRuns(dialect: Dialect, conn: Connection, progress: Progress, w: TableWork, options: ExecuteOptions): Promise<JobRun[]> {
  const runs: JobRun[] = [];
  for (const job of w.resume)
    runs.push({ w, job, chunks: await progress.pendingChunks(conn, job.id), state: { chunksDone: job.chunksDone } });
  if (w.fresh.length) {
    const job = await newJob(dialect, conn, progress, w, options);
    runs.push({ w, job, chunks: job.chunks, state: { chunksDone: 0 } });
  }
  return runs;
}

/**
 * A job for the table's new columns. Its key space is split once, up front, in one query
 * (every chunkSize-th key by ROW_NUMBER), so the chunks are fixed: a resumed run does exactly
 * the ones left, and no bound can fail to advance. The row count is the rows up to the last
 * bound (its row number) plus a count of the last chunk's rows only, not a COUNT(*) scan.
 */
async function newJob(
  dialect: Dialect,
  conn: Connection,
  progress: Progress,
  w: TableWork,
  options: ExecuteOptions,
): Promise<Job & { chunks: Chunk[] }> {
  const p = w.p;
  const m = p.mask!;
  const st = dialect.statements;
  let rowCount: number;
  let boundaries: string[] = [];
  if (m.chunkKey) {
    const keyColumn = p.table.columns.find((c) => c.name === m.chunkKey);
    const pk = ident(m.chunkKey);
    const every = Math.trunc(options.chunkSize);
    // The key is turned into text outside the window, for the few bounds only: inside, every
    // row's text would be carried through the window (MariaDB: 1.3 s instead of 0.2 s at 250k
    // rows, the temporary table spilling to disk).
    const r = await conn.query(
      sql`SELECT ${st.keyText(ident("k"), keyColumn)} AS k FROM (SELECT ${pk} AS k, ROW_NUMBER() OVER (ORDER BY ${pk}) AS rn FROM ${p.ref}) s
           WHERE MOD(rn, ${raw(String(every))}) = 0 ORDER BY rn`,
    );
    boundaries = r.rows.map((row) => String(row.k));
    await guardBoundaries(dialect, conn, p, boundaries);
    const tail = boundaries.length ? sql` WHERE ${pk} > ${m.keyValue(boundaries[boundaries.length - 1])}` : sql``;
    rowCount = boundaries.length * every + Number((await conn.query(sql`SELECT COUNT(*) AS n FROM ${p.ref}${tail}`)).rows[0].n);
  } else {
    rowCount = Number((await conn.query(sql`SELECT COUNT(*) AS n FROM ${p.ref}`)).rows[0].n);
  }
  const columns = w.fresh.map((c) => ({ name: c.name, transform: c.spec.transform, spec: specHash(c, m.where, options.key) }));
  return progress.createJob(conn, { table: p.table.qualified, identity: w.identity, columns, rowCount }, boundaries);
}

/**
 * Progress guard: every boundary must exist as a key, read back as exactly the same text, in
 * the same order. Otherwise chunks could overlap (rows masked twice) or leave gaps.
 */
async function guardBoundaries(dialect: Dialect, conn: Connection, p: PlannedTable, boundaries: string[]): Promise<void> {
  const m = p.mask!;
  const keyColumn = p.table.columns.find((c) => c.name === m.chunkKey);
  const pk = ident(m.chunkKey!);
  // Batches overlap by one boundary, so the order is checked across batches too.
  for (let i = 0; i < boundaries.length; i += 499) {
    const batch = boundaries.slice(i, i + 500);
    const r = await conn.query(
      sql`SELECT ${dialect.statements.keyText(pk, keyColumn)} AS k FROM ${p.ref} WHERE ${pk} IN (${join(batch.map((b) => m.keyValue(b)))}) ORDER BY ${pk}`,
    );
    const back = r.rows.map((row) => String(row.k));
    if (back.length !== batch.length || back.some((k, j) => k !== batch[j]))
      throw new SanitizeError(
        [
          `${p.table.qualified}: its primary key ${m.chunkKey} (${keyColumn?.rawType ?? "unknown type"}) does not read back exactly as the chunk bounds were taken, ` +
            "so chunks could overlap or leave rows out; nothing of this table was masked. Report this with the key's type.",
        ],
        "execution",
      );
    if (i + 500 >= boundaries.length) break;
  }
}

async function runChunks(
  dialect: Dialect,
  conn: Connection,
  progress: Progress,
  run: JobRun,
  chunks: Chunk[],
  r: TableReport,
  clock: TableClock,
  leak: LeakKey | undefined,
  options: ExecuteOptions,
): Promise<void> {
  const { job, state } = run;
  const p = run.w.p;
  const m = p.mask!;
  const only = new Set(job.columns.map((c) => c.name));
  const sampled = m.columns.filter((c) => only.has(c.name) && !CONSTANT_TRANSFORMS.has(c.spec.transform));
  const perChunk = Math.ceil(options.leakSampleSize / job.chunkCount);
  for (const chunk of chunks) {
    const bounds = { after: chunk.lower ?? undefined, upTo: chunk.upper ?? undefined };
    const changed = await conn.transaction(async (tx) => {
      if (!m.chunkKey) for (const q of dialect.statements.unboundedStatement()) await tx.query(q);
      if (leak && perChunk > 0) await progress.addSamples(tx, await sampleChunk(dialect, tx, p, job, sampled, bounds, perChunk, leak));
      const res = { rowCount: await maskChunk(dialect, tx, p, bounds, only) };
      await progress.chunkDone(tx, p.table.qualified, job.id, chunk.no, res.rowCount);
      return res.rowCount;
    });
    state.chunksDone += 1;
    r.rows += changed;
    r.chunks += 1;
    r.skipped = false;
    r.ms = clock.base + (Date.now() - clock.start);
    emit(options, p, "mask", r.rows, job.rowCount, state.chunksDone, clock.start);
  }
}

/**
 * Up to `n` rows of the chunk per column (non-NULL, inside the rule's `where`), read in the
 * chunk's own transaction just before it is masked: primary key and a keyed digest of the
 * original. The value itself is never kept. For `name` (a pick from a list) a row whose
 * masked value equals its original by chance is recorded without a digest, so it can't raise
 * a false alarm; every other transform that leaves a value as it was is a leak.
 */
async function sampleChunk(
  dialect: Dialect,
  tx: Connection,
  p: PlannedTable,
  job: Job,
  columns: PlanColumns,
  bounds: { after?: string; upTo?: string },
  n: number,
  leak: LeakKey,
): Promise<Sample[]> {
  const m = p.mask!;
  const st = dialect.statements;
  const keyColumn = m.chunkKey ? p.table.columns.find((c) => c.name === m.chunkKey) : undefined;
  const out: Sample[] = [];
  for (const c of columns) {
    const chance = CHANCE_FIXED_POINTS.has(c.spec.transform);
    // A split rule's `where` (user SQL) never shares a statement with the masked expression
    // (key material): the masked values of the sampled keys are read in a second statement.
    const inline = chance && !m.split;
    const select = [
      m.chunkKey ? sql`${st.keyText(ident(m.chunkKey), keyColumn)} AS k` : sql`NULL AS k`,
      sql`${st.asText(ident(c.name))} AS v`,
      inline ? sql`${st.asText(c.expr)} AS m` : sql`NULL AS m`,
    ];
    const conds = [...chunkScope(p, bounds), sql`${ident(c.name)} IS NOT NULL`];
    const res = await tx.query(sql`SELECT ${join(select)} FROM ${p.ref} WHERE ${join(conds, " AND ")} LIMIT ${raw(String(Math.trunc(n)))}`);
    const maskedNow = new Map<string, unknown>();
    if (chance && m.split && m.chunkKey && res.rows.length) {
      const pk = ident(m.chunkKey);
      const own = m.split.setOrder.find((x) => x.name === c.name)!.expr;
      const keys = res.rows.map((row) => m.keyValue(String(row.k)));
      const r = await tx.query(
        sql`SELECT ${st.keyText(pk, keyColumn)} AS k, ${st.asText(own)} AS m FROM ${p.ref} WHERE ${pk} IN (${join(keys)})`,
      );
      for (const row of r.rows) maskedNow.set(String(row.k), row.m);
    }
    for (const row of res.rows) {
      const v = String(row.v);
      const mv = inline ? row.m : maskedNow.get(String(row.k));
      out.push({
        jobId: job.id,
        column: c.name,
        rowKey: row.k == null ? null : String(row.k),
        digest: chance && mv != null && String(mv) === v ? null : leak.digest(v),
      });
    }
  }
  return out;
}

type PlanColumns = NonNullable<PlannedTable["mask"]>["columns"];

function emit(
  options: ExecuteOptions,
  p: PlannedTable,
  action: ProgressEvent["action"],
  rowsDone: number,
  rowsEstimated: number,
  chunksDone: number,
  t0: number,
): void {
  if (!options.onProgress) return;
  try {
    options.onProgress({ table: p.table.qualified, action, rowsDone, rowsEstimated, chunksDone, elapsedMs: Date.now() - t0 });
  } catch {
    // A failing progress display must not fail the run.
  }
}

/**
 * A unique violation while masking: the masked values are distinct once every row is masked
 * (the keyed permutation of phone/digits keeps them so), but the database checks each row as
 * it is updated, against rows not masked yet, so a dense unique column can collide mid-run and
 * a re-run hits the same rows. Say so, and what works: values built from a unique column that
 * can't equal an original.
 */
export function uniqueCollisionHint(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code !== "23505" && code !== "ER_DUP_ENTRY") return "";
  return (
    " A unique column's new values can collide with rows not masked yet (values are distinct only once every row is masked," +
    " but the database checks each row as it is written): mask it with a value built from a unique column that can't equal" +
    ' an original, e.g. `{ transform: template, value: "+0 000 {id}" }` for a phone, or `{ transform: hash }`.'
  );
}
