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
  | { transform: "fixed"; value: string | number | boolean; fillNulls?: boolean }
  | { transform: "null" }
  | { transform: "template"; value: string }
  | { transform: "email"; domain?: string }
  | { transform: "hash"; length?: number }
  | { transform: "phone"; keepPrefix?: number }
  | { transform: "name"; kind?: "first" | "last" | "full" }
  | { transform: "partial"; keepFirst?: number; keepLast?: number; mask?: string }
  | { transform: "sql"; expression: string; unique?: boolean }
  | { transform: "digits"; keepPrefix?: number }
  | { transform: "uuid" }
  | { transform: "address" }
  | { transform: "ip"; version?: 4 | "any" }
  | { transform: "date"; range?: number; keep?: "year" | "month" }
  | { transform: "blob"; fill?: "empty" | "null" | "placeholder" }
  | { transform: "json"; paths: JsonPathRule[] };

/** One `json` path and the transform applied to the text found there. */
export type JsonPathRule = { path: string } & TransformSpec;

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
  /**
   * The cluster's other databases, by name: what happens to each. The loader always fills it
   * ({} when absent); optional so per-database rules written in code stay valid Rules.
   */
  databases?: Record<string, DatabaseRule>;
  /** Login roles/users copied from production that stay able to log in (loader: [] when absent). */
  logins?: { keep: string[] };
}

/** The rules of one database: what `sanitize()` needs for it. */
export type DatabaseRules = Pick<Rules, "tables" | "keep" | "verify">;

/**
 * Another database of the cluster: dropped, or sanitized by its own rules. `clean: true` means
 * "explicitly kept as it is" (no tables; the coverage guard and its verify queries still run).
 */
export type DatabaseRule = { kind: "drop" } | { kind: "sanitize"; clean: boolean; rules: DatabaseRules };

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
  /**
   * Part of ANY unique index or constraint: composite, expression or partial. Masking must keep
   * distinct values distinct when this or `unique` is true.
   */
  inUniqueIndex: boolean;
  /**
   * MySQL `ON UPDATE CURRENT_TIMESTAMP`: the engine rewrites it whenever another column of the
   * row changes, unless the UPDATE assigns it itself. Undefined on PostgreSQL.
   */
  onUpdateNow?: boolean;
  /** MySQL ENUM members / PostgreSQL enum labels, in declaration order. */
  enumValues?: string[];
  /**
   * Generated column: the columns of the same table its expression reads (masking them
   * recomputes it). Undefined for ordinary and identity columns.
   */
  generatedFrom?: string[];
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
  onUpdate: "CASCADE" | "SET NULL" | "SET DEFAULT" | "RESTRICT" | "NO ACTION";
  /** PostgreSQL: pg_get_constraintdef text, to re-create the constraint after suspending it. */
  definition?: string;
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
  /** Has triggers that fire on UPDATE (the only ones masking fires; a BEFORE INSERT trigger doesn't). */
  hasTriggers: boolean;
  /**
   * Changes when the table is dropped and re-created or truncated: PostgreSQL `<oid>/<relfilenode>`,
   * MySQL the InnoDB table id (else CREATE_TIME). Binds progress to this incarnation of the table.
   */
  identity: string;
  /** PostgreSQL partitioned parent (relkind p): statements address it without ONLY. */
  partitioned: boolean;
}

/** A PostgreSQL materialized view: a stored copy of query results that masking doesn't touch. */
export interface MaterializedViewInfo {
  schema: string;
  name: string;
  qualified: string;
  /** Qualified tables and materialized views it reads (directly, through plain views too). */
  dependsOn: string[];
  populated: boolean;
}

export interface SchemaInfo {
  /** The schema unqualified names resolve to (PostgreSQL: first of search_path; MySQL: the database). */
  defaultSchema: string;
  tables: Map<string, TableInfo>; // key: qualified
  foreignKeys: ForeignKeyInfo[];
  /** PostgreSQL only; MySQL: []. */
  materializedViews: MaterializedViewInfo[];
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
  /**
   * A scalar subquery that computes each step's values once per row, as text, in order (a step
   * reads the outer row and earlier steps through `ref`), then returns `body`. Lets a transform
   * reuse an HMAC or a Feistel round's state without repeating its SQL. Values and `interleave`
   * pieces must stay under 1024 characters (MySQL binds them as VARCHAR(1024)).
   */
  bind(steps: Array<(ref: BoundRef) => Record<string, Sql>>, body: (ref: BoundRef) => Sql): Sql;
  /**
   * Splits `text` at every `sep` (one character) and joins the pieces again with `slot(j)` after
   * the j-th piece (j 1-based, an integer expression); '' when `text` is ''.
   */
  interleave(text: Sql, sep: string, slot: (j: Sql) => Sql): Sql;
  /** Only the ASCII digits of `expr`, in order. */
  digitsOnly(expr: Sql): Sql;
  /** `expr` with every ASCII digit replaced by the one character `mark`. */
  markDigits(expr: Sql, mark: string): Sql;
  /** A string of decimal digits ('' is 0, at most 18 digits) as a non-negative 64-bit integer. */
  toBigint(digits: Sql): Sql;
  /** 10^m as a 64-bit integer (m an integer expression, 0..18). */
  pow10(m: Sql): Sql;
  /** The integer `expr` as text, left-padded with '0' to `len` characters. */
  padDigits(expr: Sql, len: Sql): Sql;
  /** 1-based substring with computed start (and length). */
  substrAt(expr: Sql, start: Sql, length?: Sql): Sql;
  /**
   * TRUE when the text of `expr` matches `regex`, case-sensitively, byte for byte (for the
   * built-in checks). Keep `regex` in the subset both engines read alike: ^ $ [] {} * + | ().
   */
  matches(expr: Sql, regex: string): Sql;
  /** Case- and accent-sensitive, NULL-safe inequality of two texts (MySQL collations are usually neither). */
  distinctText(a: Sql, b: Sql): Sql;
  /** A date or timestamp moved by `days` (a non-negative integer expression) forward (1) or back (-1). */
  addDays(expr: Sql, days: Sql, direction: 1 | -1): Sql;
  /** Midnight on the first day of the date's year or month. */
  startOf(expr: Sql, unit: "year" | "month"): Sql;
  /** The scalar at `path` (object keys and array indices) of a JSON document, as text; NULL when absent or JSON null. */
  jsonText(doc: Sql, path: readonly (string | number)[]): Sql;
  /**
   * `doc` with the values at existing paths replaced by JSON strings (NULL gives JSON null);
   * absent paths are left absent. The result is the engine's JSON (PostgreSQL jsonb).
   */
  jsonReplace(doc: Sql, edits: readonly { path: readonly (string | number)[]; value: Sql }[]): Sql;
}

/** A value bound by `SqlFunctions.bind`, by name; always text. */
export type BoundRef = (name: string) => Sql;

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
   * transform's promise after masking (e.g. an email outside the masked domain). Undefined when
   * this spec has no check that could be exact (e.g. `json` with only unchecked paths).
   */
  violation?(spec: S, ctx: TransformContext): Sql | undefined;
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

/** What `sanitizeCluster` did to a database of the cluster. */
export interface ClusterDatabaseReport {
  database: string;
  /** "empty": no user tables and not named in the rules, so nothing to do. */
  action: "sanitize" | "drop" | "clean" | "empty";
  report?: RunReport;
}

export interface ClusterRunReport {
  runId: string;
  engine: EngineName;
  startedAt: string;
  finishedAt: string;
  databases: ClusterDatabaseReport[];
  /** What was done to the cluster itself, e.g. "login roles locked": names and counts only. */
  steps: { name: string; detail: string }[];
  /** Cluster-level checks, run in this run. */
  checks: CheckResult[];
  /** Every database verified AND every cluster check passed. */
  verified: boolean;
}

export interface ClusterSanitizeOptions extends SanitizeOptions {
  /** The least-privilege application user created (or updated) once everything is verified. */
  appUser?: { name: string; password: string };
}

/** A problem found before any write. Messages name the key/table/column and the fix. */
export class SanitizeError extends Error {
  constructor(
    readonly problems: string[],
    readonly kind: "rules" | "schema" | "coverage" | "forbidden-host" | "connection" | "verification" | "execution" | "logging",
  ) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`);
    this.name = "SanitizeError";
  }
}
