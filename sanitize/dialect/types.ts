/**
 * What the engine-neutral parts (plan, execute, verify) need from an engine. Each engine is
 * a folder under sanitize/dialect/<engine>/ exporting one `Dialect`; a third engine is a new
 * folder plus one line in dialect/index.ts.
 */
import type { IdentQuoter, Sql } from "../core/sql";
import type {
  ColumnInfo,
  ConnectOptions,
  TableInfo,
  Connection,
  ConnectionTarget,
  EngineName,
  SchemaInfo,
  SqlFunctions,
} from "../core/types";

/** The statements whose syntax differs between engines. Everything else is portable SQL. */
export interface Statements {
  /** DDL creating the progress record when missing (idempotent, one statement each). */
  progressDdl(): Sql[];
  /** The progress record's tables (v2), as identifiers: see docs/safety.md. */
  readonly runsTable: Sql;
  readonly jobsTable: Sql;
  readonly chunksTable: Sql;
  readonly samplesTable: Sql;
  /** Column `ok` is true/1 when the v1 progress table exists; its identifier. */
  legacyProgressExists(): Sql;
  readonly legacyProgressTable: Sql;
  /**
   * Queries returning the table's identity in column `id`, tried in order (a failing or
   * empty one falls through): changes when the table is dropped and created again, or truncated.
   */
  identityQueries(schema: string, name: string): Sql[];
  /**
   * How a foreign key between two masked columns is suspended while masking: PostgreSQL drops
   * it and re-adds it from its recorded definition; MySQL turns checks (and cascades) off.
   */
  readonly foreignKeySuspension: "drop-and-add" | "session-checks-off";
  /** "drop-and-add": where dropped constraints are recorded until re-added. */
  readonly suspendedForeignKeysTable?: Sql;
  /** The constraint's definition (column `def`) for re-creating it. */
  constraintDefinition(schema: string, table: string, name: string): Sql;
  /** Session statements turning foreign key checks off (on = false) or back on. */
  foreignKeyChecks(on: boolean): Sql[];
  /** A key column's value as text that `keyValue` turns back into exactly that value. */
  keyText(expr: Sql, column: ColumnInfo | undefined): Sql;
  /** A table reference from its TableInfo parts. */
  table(t: TableInfo): Sql;
  /** `expr` as text, for keys stored in the progress record and for leak samples. */
  asText(expr: Sql): Sql;
  /**
   * A stored key (text) as a value to compare with key column `column`, exactly: MySQL would
   * compare an integer column with a string as DOUBLE, which can't tell 2^60 from 2^60 + 1.
   */
  keyValue(text: string, column: ColumnInfo): Sql;
  /** Session settings applied to every connection that runs masking statements with triggers disabled. */
  disableTriggers(): Sql[];
  /** Undoes `disableTriggers` for the session (used by the permission preflight). */
  enableTriggers(): Sql[];
  /**
   * Takes the per-database run lock for this session (column `ok` is 1/true when taken):
   * two runs at once would both apply the same chunks. Released by releaseRunLock at the end
   * of the run, and in any case when the session ends.
   */
  tryRunLock(database: string): Sql;
  /**
   * Releases the run lock explicitly: a closed connection releases it too, but the server
   * does that after the client has moved on, so a run started right after this one could
   * find the lock still held.
   */
  releaseRunLock(database: string): Sql;
  /**
   * Statements lifting the per-statement timeout for the current transaction: a table without
   * a usable key is masked by one unbounded UPDATE, which is legitimate long work.
   */
  unboundedStatement(): Sql[];
  /** A boolean literal for the progress record's `done` column. */
  bool(v: boolean): Sql;
  /** NULL-safe "differs" predicate. */
  differs(a: Sql, b: Sql): Sql;
  /** The server's CPU count in column `n`, where the engine exposes one (parallelism.ts); may fail. */
  serverCpus(): Sql | undefined;
  /**
   * Session settings for connections masking chunks of one table side by side: MySQL's default
   * REPEATABLE READ locks the gap after each chunk's last key, so the next chunk would wait.
   */
  maskingIsolation(): Sql[];
  /** Column `refused` is 1 when this server would refuse writes under `maskingIsolation` (MySQL: statement-based binlog). */
  maskingIsolationRefused(): Sql | undefined;
}

export interface Dialect {
  engine: EngineName;
  quoter: IdentQuoter;
  functions: SqlFunctions;
  statements: Statements;
  connect(target: ConnectionTarget, options?: ConnectOptions): Promise<Connection>;
  introspect(conn: Connection): Promise<SchemaInfo>;
  /**
   * How truncating a referenced table works here: PostgreSQL truncates a parent together with
   * its children in one statement; InnoDB needs FK checks off even for an empty child.
   */
  readonly truncateStyle: "together" | "fk-checks-off";
  /** `scan`: up to `limit` rows of `columns` as text, in columns c0, c1, ... (dialect/<engine>/sample-values.ts). */
  sampleValues(t: TableInfo, columns: readonly ColumnInfo[], limit: number): Sql;
}

/** Name of the PostgreSQL schema / MySQL table prefix holding the progress record. */
export const PROGRESS_SCHEMA = "aurora_staging";
/** MySQL: the progress record's tables (v2), hidden from introspection. */
export const MYSQL_PROGRESS_TABLES = {
  runs: "aurora_staging_runs",
  jobs: "aurora_staging_jobs",
  chunks: "aurora_staging_chunks",
  samples: "aurora_staging_samples",
} as const;
/** The v1 progress table: a database holding rows there was sanitized by an earlier version. */
export const MYSQL_LEGACY_PROGRESS_TABLE = "aurora_staging_progress";
