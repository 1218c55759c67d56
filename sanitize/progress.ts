/**
 * The progress record v2 (docs/safety.md "The progress record"): what was masked, bound to
 * each table's identity, and the keyed digests of sampled original values.
 *
 * A JOB is (table, table identity, columns each with its spec hash). Its key space is split
 * ONCE into chunks; each chunk commits together with its own record row. A job never changes
 * after it is created, so a resumed run does exactly the chunks that are left, and a column
 * already masked is never masked again (that would turn HMAC(original) into HMAC(HMAC)).
 */
import { createHash, randomUUID } from "node:crypto";
import { join, sql } from "./core/sql";
import { SanitizeError, type Connection, type MaskingKey, type RunReport } from "./core/types";
import type { Dialect } from "./dialect/types";
import type { PlannedColumn, PlannedTable } from "./plan";
import { canonicalJson } from "./rules/hash";
import { getTransform } from "./transforms";

export interface JobColumn {
  name: string;
  transform: string;
  /** SHA-256 of canonical JSON of the spec, the rule's `where` and the masking key's fingerprint. */
  spec: string;
}

export interface Job {
  id: string;
  table: string;
  identity: string;
  columns: JobColumn[];
  chunkCount: number;
  /** Rows in the table when the job was created: more rows later may hold unmasked data. */
  rowCount: number;
  chunksDone: number;
}

export interface Chunk {
  no: number;
  /** Exclusive lower bound (key text); null: from the start. */
  lower: string | null;
  /** Inclusive upper bound; null: to the end. */
  upper: string | null;
}

export interface Sample {
  jobId: string;
  column: string;
  /** Primary key as text; null for a table without a single-column primary key. */
  rowKey: string | null;
  /** Keyed digest of the original; null when the transform maps that value to itself by design. */
  digest: string | null;
}

/** Transforms whose own check (every row equals the constant) is complete: no samples needed. */
export const CONSTANT_TRANSFORMS = new Set(["fixed", "null"]);
/**
 * Transforms whose output can equal the input by design or by chance: a name picked from a
 * list, a phone/digit string with no digits to replace, a date already at its generalised
 * value, a JSON document without the masked paths, a value already the blob placeholder or
 * made of mask characters. A sampled row whose masked value equals its original keeps no
 * digest (it holds nothing to leak). Never `sql`: `expression: email` must be caught. If EVERY
 * sample of a column maps to itself, the check fails (verify.ts): the transform changed nothing.
 */
export const CHANCE_FIXED_POINTS = new Set(["name", "phone", "digits", "date", "json", "blob", "partial", "address", "ip"]);

export function specHash(c: PlannedColumn, where: string | undefined, key: MaskingKey | undefined): string {
  return createHash("sha256")
    .update(canonicalJson({ spec: c.spec, where: where ?? null, key: key?.fingerprint ?? null }))
    .digest("hex");
}

export function isDone(v: unknown): boolean {
  return v === true || Number(v) === 1;
}

export class Progress {
  constructor(private readonly dialect: Dialect) {}

  private get st() {
    return this.dialect.statements;
  }

  /** Creates the tables (call with the run lock held: two first runs would race on CREATE) and refuses a v1 record. */
  async ensureTables(conn: Connection): Promise<void> {
    await this.refuseLegacy(conn);
    if (await this.allTablesExist(conn)) return;
    for (const q of this.st.progressDdl()) await conn.query(q);
  }

  /**
   * One query instead of the DDL on every run (each CREATE ... IF NOT EXISTS costs a few ms,
   * ~40 ms in all on PostgreSQL: a re-run should cost about a verify). A run killed in the
   * middle of the DDL can leave PostgreSQL's samples index missing: that slows the leak
   * check's lookups, it checks nothing less.
   */
  private async allTablesExist(conn: Connection): Promise<boolean> {
    const tables = [
      this.st.runsTable,
      this.st.jobsTable,
      this.st.chunksTable,
      this.st.samplesTable,
      ...(this.st.suspendedForeignKeysTable ? [this.st.suspendedForeignKeysTable] : []),
    ];
    try {
      await conn.query(sql`SELECT 1 AS x FROM ${join(tables)} WHERE 1 = 0`);
      return true;
    } catch {
      return false;
    }
  }

  async refuseLegacy(conn: Connection): Promise<void> {
    if (!isDone((await conn.query(this.st.legacyProgressExists())).rows[0]?.ok)) return;
    const n = Number((await conn.query(sql`SELECT COUNT(*) AS n FROM ${this.st.legacyProgressTable}`)).rows[0].n);
    if (n > 0)
      throw new SanitizeError(
        [
          "this database was sanitized by an earlier version of aurora-staging (its progress record has no table identities or leak digests, " +
            "so what it says can't be checked against the data now); start from a fresh clone.",
        ],
        "execution",
      );
  }

  /** False when the record doesn't exist yet (verify on a never-sanitized database). */
  async exists(conn: Connection): Promise<boolean> {
    try {
      await conn.query(sql`SELECT 1 AS x FROM ${this.st.jobsTable} WHERE 1 = 0`);
      return true;
    } catch {
      return false;
    }
  }

  async jobs(conn: Connection): Promise<Job[]> {
    const r = await conn.query(sql`
      SELECT j.job_id, j.table_name, j.table_identity, j.columns, j.chunk_count, j.row_count,
             (SELECT COUNT(*) FROM ${this.st.chunksTable} c WHERE c.job_id = j.job_id AND c.done = ${this.st.bool(true)}) AS chunks_done
        FROM ${this.st.jobsTable} j`);
    return r.rows.map((row) => ({
      id: String(row.job_id),
      table: String(row.table_name),
      identity: String(row.table_identity),
      columns: JSON.parse(String(row.columns)) as JobColumn[],
      chunkCount: Number(row.chunk_count),
      rowCount: Number(row.row_count),
      chunksDone: Number(row.chunks_done),
    }));
  }

  async pendingChunks(conn: Connection, jobId: string): Promise<Chunk[]> {
    const r = await conn.query(
      sql`SELECT chunk_no, lower_key, upper_key FROM ${this.st.chunksTable} WHERE job_id = ${jobId} AND done = ${this.st.bool(false)} ORDER BY chunk_no`,
    );
    return r.rows.map((row) => ({
      no: Number(row.chunk_no),
      lower: row.lower_key == null ? null : String(row.lower_key),
      upper: row.upper_key == null ? null : String(row.upper_key),
    }));
  }

  /** One transaction: the job and all its chunks exist, or nothing does. */
  async createJob(
    conn: Connection,
    job: Omit<Job, "id" | "chunksDone" | "chunkCount">,
    boundaries: string[],
  ): Promise<Job & { chunks: Chunk[] }> {
    const id = randomUUID();
    const chunks: Chunk[] = [...boundaries, null].map((upper, i) => ({ no: i, lower: i === 0 ? null : boundaries[i - 1], upper }));
    await conn.transaction(async (tx) => {
      await tx.query(
        sql`INSERT INTO ${this.st.jobsTable} (job_id, table_name, table_identity, columns, chunk_count, row_count)
            VALUES (${id}, ${job.table}, ${job.identity}, ${JSON.stringify(job.columns)}, ${chunks.length}, ${job.rowCount})`,
      );
      for (let i = 0; i < chunks.length; i += 500) {
        const rows = chunks.slice(i, i + 500).map((c) => sql`(${id}, ${c.no}, ${c.lower}, ${c.upper}, ${this.st.bool(false)}, 0)`);
        await tx.query(
          sql`INSERT INTO ${this.st.chunksTable} (job_id, chunk_no, lower_key, upper_key, done, rows_done) VALUES ${join(rows)}`,
        );
      }
    });
    return { ...job, id, chunkCount: chunks.length, chunksDone: 0, chunks };
  }

  /** In the chunk's own transaction. Matches exactly one not-yet-done row, or another run is at work. */
  async chunkDone(tx: Connection, table: string, jobId: string, no: number, rows: number): Promise<void> {
    const r = await tx.query(
      sql`UPDATE ${this.st.chunksTable} SET done = ${this.st.bool(true)}, rows_done = ${rows}
           WHERE job_id = ${jobId} AND chunk_no = ${no} AND done = ${this.st.bool(false)}`,
    );
    if (r.rowCount !== 1)
      throw new SanitizeError(
        [`progress of ${table} changed under this run: another sanitize run is working on this database. Let it finish, then re-run.`],
        "execution",
      );
  }

  async addSamples(tx: Connection, samples: Sample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += 500) {
      const rows = samples.slice(i, i + 500).map((s) => sql`(${s.jobId}, ${s.column}, ${s.rowKey}, ${s.digest})`);
      await tx.query(sql`INSERT INTO ${this.st.samplesTable} (job_id, column_name, row_key, digest) VALUES ${join(rows)}`);
    }
  }

  async samples(conn: Connection, jobIds: string[]): Promise<Sample[]> {
    const out: Sample[] = [];
    for (let i = 0; i < jobIds.length; i += 500) {
      const ids = jobIds.slice(i, i + 500).map((id) => sql`${id}`);
      const r = await conn.query(
        sql`SELECT job_id, column_name, row_key, digest FROM ${this.st.samplesTable} WHERE job_id IN (${join(ids)})`,
      );
      for (const row of r.rows)
        out.push({
          jobId: String(row.job_id),
          column: String(row.column_name),
          rowKey: row.row_key == null ? null : String(row.row_key),
          digest: row.digest == null ? null : String(row.digest),
        });
    }
    return out;
  }

  async startRun(conn: Connection, runId: string, rulesHash: string): Promise<void> {
    await conn.query(
      sql`INSERT INTO ${this.st.runsTable} (run_id, rules_hash, engine, status) VALUES (${runId}, ${rulesHash}, ${this.dialect.engine}, 'running')`,
    );
  }

  /** Audit trail only: no run ever answers from a stored report. */
  async endRun(conn: Connection, runId: string, status: "verified" | "unverified" | "failed", report?: RunReport): Promise<void> {
    await conn.query(
      sql`UPDATE ${this.st.runsTable} SET status = ${status}, finished_at = CURRENT_TIMESTAMP, report = ${report ? JSON.stringify(report) : null} WHERE run_id = ${runId}`,
    );
  }
}

/** The table's identity now (see Statements.identityQueries). */
export async function tableIdentity(dialect: Dialect, conn: Connection, p: PlannedTable): Promise<string> {
  const given = (p.table as { identity?: unknown }).identity;
  if (typeof given === "string" && given) return given;
  for (const q of dialect.statements.identityQueries(p.table.schema, p.table.name)) {
    try {
      const id = (await conn.query(q)).rows[0]?.id;
      if (id != null && String(id) !== "") return String(id);
    } catch {
      // not available on this engine/version or without the privilege: the next one
    }
  }
  throw new SanitizeError(
    [`can't tell the identity of ${p.table.qualified} (is it a base table?); the progress record needs it.`],
    "execution",
  );
}

/** What a run must do for one masked table, from the jobs bound to its identity now. */
export interface TableWork {
  p: PlannedTable;
  identity: string;
  /** Jobs of this identity (complete or not). */
  jobs: Job[];
  /** Incomplete jobs to finish. */
  resume: Job[];
  /** Columns no job has masked yet: one new job. */
  fresh: PlannedColumn[];
  problems: string[];
}

export function assess(p: PlannedTable, identity: string, allJobs: Job[], key: MaskingKey | undefined): TableWork {
  const m = p.mask!;
  const jobs = allJobs.filter((j) => j.table === p.table.qualified && j.identity === identity);
  const wanted = new Map(m.columns.map((c) => [c.name, specHash(c, m.where, key)]));
  const problems: string[] = [];
  const resume = new Set<Job>();
  const fresh: PlannedColumn[] = [];
  for (const c of m.columns) {
    const own = jobs.filter((j) => j.columns.some((x) => x.name === c.name));
    const same = own.filter((j) => j.columns.find((x) => x.name === c.name)!.spec === wanted.get(c.name));
    if (same.length) {
      for (const j of same) if (j.chunksDone < j.chunkCount) resume.add(j);
    } else if (own.length && !CONSTANT_TRANSFORMS.has(c.spec.transform)) {
      // A constant (fixed/null) reads nothing, so it may replace an earlier masking; anything
      // else would read masked values as if they were originals.
      problems.push(
        `${p.table.qualified}.${c.name} was already masked with a different transform (or options, where, or masking key); ` +
          "masking it again would mask masked data. Start from a fresh clone.",
      );
    } else fresh.push(c);
  }
  for (const j of resume) {
    const changed = j.columns.filter((x) => wanted.get(x.name) !== x.spec).map((x) => x.name);
    if (changed.length)
      problems.push(
        `${p.table.qualified}: an interrupted run was masking ${j.columns.map((x) => x.name).join(", ")}, and the rules for ${changed.join(", ")} changed since; ` +
          "restore the rules it ran with and re-run, or start from a fresh clone.",
      );
  }
  // A template reading a column an earlier job masked would inline that column's masking
  // expression over the already-masked value (HMAC of HMAC).
  const earlier = new Set(jobs.flatMap((j) => j.columns.map((x) => x.name)));
  for (const c of fresh) {
    const reads = getTransform(c.spec.transform)
      .references(c.spec)
      .filter((r) => earlier.has(r));
    if (reads.length)
      problems.push(
        `${p.table.qualified}.${c.name} reads ${reads.join(", ")}, which an earlier run already masked; start from a fresh clone to mask them together.`,
      );
  }
  return { p, identity, jobs, resume: [...resume], fresh, problems };
}
