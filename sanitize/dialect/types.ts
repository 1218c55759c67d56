/**
 * What the engine-neutral parts (plan, execute, verify) need from an engine. Each engine is
 * a folder under sanitize/dialect/<engine>/ exporting one `Dialect`; a third engine is a new
 * folder plus one line in dialect/index.ts.
 */
import type { IdentQuoter, Sql } from "../core/sql";
import type { ColumnInfo, ConnectOptions, TableInfo, Connection, ConnectionTarget, EngineName, SchemaInfo, SqlFunctions } from "../core/types";

/** The statements whose syntax differs between engines. Everything else is portable SQL. */
export interface Statements {
  /** DDL creating the progress record when missing (idempotent, one statement each). */
  progressDdl(): Sql[];
  /** The runs and progress tables, as identifiers. */
  readonly runsTable: Sql;
  readonly progressTable: Sql;
  /** A table reference from its TableInfo parts. */
  table(t: TableInfo): Sql;
  /** `expr` as text, for keys stored in the progress record and for leak samples. */
  asText(expr: Sql): Sql;
  /**
   * The key ending a chunk of `chunkSize` rows after `after` (undefined: from the start),
   * as text in column `k`; no row means the remaining rows fit in one last chunk.
   */
  chunkEnd(table: Sql, pk: string, after: Sql | undefined, chunkSize: number): Sql;
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
   * two runs at once would both apply the same chunks. Released when the session ends.
   */
  tryRunLock(database: string): Sql;
  /**
   * Statements lifting the per-statement timeout for the current transaction: a table without
   * a usable key is masked by one unbounded UPDATE, which is legitimate long work.
   */
  unboundedStatement(): Sql[];
  /** A boolean literal for the progress record's `done` column. */
  bool(v: boolean): Sql;
  /** NULL-safe "differs" predicate. */
  differs(a: Sql, b: Sql): Sql;
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
}

/** Name of the PostgreSQL schema / MySQL table prefix holding the progress record. */
export const PROGRESS_SCHEMA = "aurora_staging";
export const MYSQL_RUNS_TABLE = "aurora_staging_runs";
export const MYSQL_PROGRESS_TABLE = "aurora_staging_progress";
