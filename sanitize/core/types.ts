/**
 * The contracts between the parts of the sanitizer. Every part (rules loader, transform
 * catalogue, dialects, planner, executor, verifier, CLI, Pulumi resource) talks through
 * these types and nothing else, so each can be read, tested and replaced on its own.
 */
import type { Sql } from "./sql";

// ---------------------------------------------------------------------------------------
// Rules: what the user wrote (after YAML parsing and schema validation)
// ---------------------------------------------------------------------------------------

export type TransformSpec =
  | { transform: "fixed"; value: string | number | boolean }
  | { transform: "null" }
  | { transform: "template"; value: string }
  | { transform: "email"; domain?: string }
  | { transform: "hash"; length?: number }
  | { transform: "phone"; keepPrefix?: number }
  | { transform: "name"; kind?: "first" | "last" | "full" }
  | { transform: "partial"; keepFirst?: number; keepLast?: number; mask?: string }
  | { transform: "sql"; expression: string; unique?: boolean };

export type TransformName = TransformSpec["transform"];

/** A table is masked (columns, optionally after a delete), truncated, or has rows deleted. */
export type TableRule =
  | { kind: "mask"; where?: string; delete?: string; columns: Record<string, TransformSpec> }
  | { kind: "truncate"; cascade: boolean }
  | { kind: "delete"; delete: string };

export interface VerifyQuery {
  name: string;
  sql: string;
  /** The single value the query must return (first column of the first row). */
  expect: number | string;
}

export interface Rules {
  /** Keys as written: `table` or `schema.table`. */
  tables: Record<string, TableRule>;
  /** `table.column`, `schema.table.column` or `table.*`: reviewed, deliberately left as is. */
  keep: string[];
  verify: VerifyQuery[];
}

/** Where a rules problem is, for messages: a YAML path and, when known, a line. */
export interface RulesLocation {
  path: string; // e.g. "tables.users.columns.email.transform"
  line?: number;
}

// ---------------------------------------------------------------------------------------
// Schema: what introspection found in the target database
// ---------------------------------------------------------------------------------------

/** Coarse type classes: enough to decide whether a transform's output fits. */
export type TypeClass =
  | "text" // char, varchar, text, citext, enum (text-like)
  | "integer"
  | "decimal" // numeric, float, double
  | "boolean"
  | "date"
  | "timestamp"
  | "time"
  | "uuid"
  | "json"
  | "binary"
  | "other";

export interface ColumnInfo {
  name: string;
  /** The engine's own type name, e.g. `character varying(255)` or `varchar(255)`. */
  rawType: string;
  typeClass: TypeClass;
  /** Max characters for bounded text types; undefined when unbounded. */
  maxLength?: number;
  nullable: boolean;
  /** Alone forms a primary key or unique constraint/index. */
  unique: boolean;
  isPrimaryKey: boolean;
  /** Generated/computed columns can't be assigned. */
  generated: boolean;
}

export interface ForeignKeyInfo {
  name: string;
  /** The referencing (child) table, qualified. */
  fromTable: string;
  fromColumns: string[];
  /** The referenced (parent) table, qualified. */
  toTable: string;
  toColumns: string[];
  onDelete: "CASCADE" | "SET NULL" | "SET DEFAULT" | "RESTRICT" | "NO ACTION";
}

export interface TableInfo {
  schema: string;
  name: string;
  /** `schema.name`, the key used everywhere internally. */
  qualified: string;
  columns: ColumnInfo[];
  /** Primary key columns, in key order; empty when the table has none. */
  primaryKey: string[];
  /** Estimated rows (planner statistics), for progress and ETA only. */
  estimatedRows: number;
  hasTriggers: boolean;
}

export interface SchemaInfo {
  /** The schema unqualified names resolve to (PostgreSQL: first of search_path; MySQL: the database). */
  defaultSchema: string;
  tables: Map<string, TableInfo>; // key: qualified
  foreignKeys: ForeignKeyInfo[];
}

// ---------------------------------------------------------------------------------------
// Dialects: one folder per engine under sanitize/dialect/<engine>/
// ---------------------------------------------------------------------------------------

export type EngineName = "postgres" | "mysql";

/**
 * SQL expression building blocks a transform renders with. Everything returns `Sql`, so
 * values stay parameters and identifiers stay quoted.
 */
export interface SqlFunctions {
  /** Keyed HMAC-SHA256 of `expr` (cast to text), as 64 lowercase hex chars. */
  hmacHex(expr: Sql, key: MaskingKey): Sql;
  /** Text concatenation that treats no argument as NULL-propagating surprise: NULLs become ''. */
  concat(parts: Sql[]): Sql;
  /** `expr` cast to the engine's text type. */
  toText(expr: Sql): Sql;
  /** 1-based substring. */
  substr(expr: Sql, start: number, length?: number): Sql;
  /** Character length. */
  charLength(expr: Sql): Sql;
  /** `count` repetitions of a string. */
  repeat(s: Sql, count: Sql): Sql;
  /** The integer value of `hexDigits` (at most 8) hex chars, non-negative. */
  hexToInt(hex: Sql): Sql;
  /** Picks `list[index]` (0-based index expression) from a list of literal strings. */
  pick(list: readonly string[], index: Sql): Sql;
  /** Replaces every digit of `expr` using a digit map: digit d becomes char d+1 of `map` (10 chars). */
  mapDigits(expr: Sql, map: Sql): Sql;
  /** Cast a parameter or expression to the column's own type, when the engine needs it. */
  castTo(expr: Sql, column: ColumnInfo): Sql;
  /** `IS DISTINCT FROM` (NULL-safe inequality). */
  distinct(a: Sql, b: Sql): Sql;
  /** A LIKE pattern match, used by built-in checks. */
  like(expr: Sql, pattern: Sql): Sql;
}

/**
 * The masking key, pre-split into HMAC's inner and outer pads so both engines can compute a
 * real HMAC-SHA256 with nothing but their built-in SHA-256 (no pgcrypto extension needed):
 * HMAC(K, m) = SHA256(opad || SHA256(ipad || m)). The key itself never goes to the database.
 */
export interface MaskingKey {
  readonly ipad: Buffer; // 64 bytes
  readonly opad: Buffer; // 64 bytes
  /** Short fingerprint, safe to log (first 8 hex chars of SHA-256 of the key). */
  readonly fingerprint: string;
}

// ---------------------------------------------------------------------------------------
// Transforms: the catalogue under sanitize/transforms/, one small file per transform
// ---------------------------------------------------------------------------------------

export interface TransformContext {
  engine: EngineName;
  fn: SqlFunctions;
  table: TableInfo;
  column: ColumnInfo;
  /** The column's current value, already resolved (see `columnRef`). */
  self: Sql;
  /**
   * A reference to another column of the same row, as it will read after masking: when that
   * column is masked too, this is its masking expression, so templates never copy an original
   * value into another column.
   */
  columnRef(name: string): Sql;
  /** Present when a masking key was supplied. Deterministic transforms require it. */
  key?: MaskingKey;
}

export interface Transform<S extends TransformSpec = TransformSpec> {
  name: S["transform"];
  /** One line for docs, `--help` and the JSON Schema description. */
  summary: string;
  /** Same input gives the same output everywhere (needs the masking key). */
  deterministic: boolean;
  /** Distinct inputs give distinct outputs, so unique columns stay unique. */
  preservesUniqueness(spec: S): boolean;
  /** Columns of this row the output reads, besides the column itself (templates). */
  references(spec: S): string[];
  /**
   * Problems with using this transform on this column: type, length, NOT NULL, uniqueness.
   * Each message names what is wrong and how to fix it; the caller prefixes table.column.
   */
  validate(spec: S, column: ColumnInfo, table: TableInfo): string[];
  /** The SET expression. NULL input stays NULL for deterministic transforms. */
  render(spec: S, ctx: TransformContext): Sql;
  /**
   * Optional built-in verification: a predicate that is TRUE for a row that violates the
   * transform's promise after masking (e.g. an email outside the masked domain).
   */
  violation?(spec: S, ctx: TransformContext): Sql;
}

// ---------------------------------------------------------------------------------------
// Driver: connections, per dialect
// ---------------------------------------------------------------------------------------

export interface QueryResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

export interface Connection {
  query(q: Sql): Promise<QueryResult>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConnectionTarget {
  engine: EngineName;
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** TLS: "disable" for loopback tests; "require" by default for remote hosts. */
  ssl?: "disable" | "require" | "verify-full";
}

export interface ConnectOptions {
  /** Total time to keep retrying while the host boots (DNS not ready, refused). Default 120 s. */
  retryForMs?: number;
  /** Per-attempt connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------
// The run: options in, report out. This is what the CLI and the Pulumi resource call.
// ---------------------------------------------------------------------------------------

export type CoverageMode = "personal" | "strict" | "off";

export interface SanitizeOptions {
  target: ConnectionTarget;
  /** Rules already loaded, or the YAML text (then loaded and validated here). */
  rules: Rules | string;
  /** The masking key (any string, >= 16 chars). Required when a deterministic transform is used. */
  maskingKey?: string;
  /** Hosts that must never be written to (production endpoints). Compared by name and resolved address. */
  forbiddenHosts?: string[];
  coverage?: CoverageMode;
  /** Rows per chunk (one transaction each). Default 50_000. */
  chunkSize?: number;
  /**
   * The most connections masking at once (chunks of all tables from one queue, a big table's
   * chunks side by side). Default: the server's CPU count where readable (loopback: this
   * machine's; MariaDB: thread_pool_size), up to 16; else 2. See sanitize/parallelism.ts.
   */
  parallelism?: number;
  /** Fire triggers (default) or disable them for the run (PostgreSQL only). */
  triggers?: "fire" | "disable";
  /** Original values sampled per masked column for the leak check. Default 100. */
  leakSampleSize?: number;
  connect?: ConnectOptions;
  /** Progress callback, e.g. for a TTY progress line. Never receives data values. */
  onProgress?: (e: ProgressEvent) => void;
}

export interface ProgressEvent {
  table: string;
  action: "mask" | "truncate" | "delete";
  rowsDone: number;
  rowsEstimated: number;
  chunksDone: number;
  elapsedMs: number;
}

export interface TableReport {
  table: string;
  action: "mask" | "truncate" | "delete" | "mask+delete";
  rows: number; // rows changed (updated or deleted)
  chunks: number;
  ms: number;
  /** True when this run wrote nothing to this table (nothing needed writing now). */
  skipped: boolean;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  /** Counts and names only: never a data value. */
  detail: string;
}

export interface RunReport {
  runId: string;
  rulesHash: string;
  engine: EngineName;
  startedAt: string;
  finishedAt: string;
  /** When this run's checks ran (every check runs on every run, against the data as it was then). */
  checkedAt: string;
  /** True when nothing needed writing: every table was already in its final state. */
  alreadyDone: boolean;
  /** True when this run picked up a killed run's work. */
  resumed: boolean;
  tables: TableReport[];
  checks: CheckResult[];
  verified: boolean;
}

/** A problem found before any write. Messages name the key/table/column and the fix. */
export class SanitizeError extends Error {
  constructor(
    readonly problems: string[],
    readonly kind: "rules" | "schema" | "coverage" | "forbidden-host" | "connection" | "verification" | "execution",
  ) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`);
    this.name = "SanitizeError";
  }
}
