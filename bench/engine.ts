/**
 * What the benchmark needs from each engine: a base "production" dataset built once, fresh
 * copies of it per contender, a way to start every measurement from a clean state (no dirty
 * pages), and the server-wide counters that stand in for copy-on-write divergence.
 */
import type { ConnectionTarget, EngineName } from "../sanitize/core/types";

/** The database the dataset is generated in once; copies are made from it. */
export const BASE_DATABASE = "bench_base";

export interface Sizes {
  users: number;
  orders: number;
}

/** Rows in the two truncated tables, derived so one knob (users/orders) sizes everything. */
export const auditRows = (s: Sizes): number => Math.max(1, Math.floor(s.orders / 2));
export const tokenRows = (s: Sizes): number => Math.max(1, Math.floor(s.users / 2));

/**
 * Bytes and pages written between two snapshots. PostgreSQL: WAL bytes and buffers written
 * by checkpointer/bgwriter/backends; MariaDB: redo bytes (Innodb_os_log_written) and
 * Innodb_pages_written. Pages are read after a full flush, so they count every page the
 * contender dirtied: the closest local stand-in for Aurora's diverged copy-on-write pages.
 */
export interface Written {
  logBytes: number;
  pagesWritten: number;
  pageSize: number;
}

export interface CounterSnapshot {
  /** Opaque per engine (an LSN, status counters). */
  readonly raw: Record<string, string>;
}

/** A session on one copy: plain SQL text, statement by statement, autocommit. */
export interface Session {
  exec(sqlText: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface BenchEngine {
  readonly name: EngineName;
  /** Human-readable engine name and version, for the report. */
  version(): Promise<string>;
  /** Server settings used, for the report. */
  readonly settings: Record<string, string>;
  /** Builds the base dataset (set-based SQL, no rows through Node). */
  createBase(sizes: Sizes): Promise<void>;
  /** A fresh copy of the base; copy time is not measured. */
  freshCopy(name: string): Promise<ConnectionTarget>;
  dropCopy(name: string): Promise<void>;
  /** Flushes every dirty page (checkpoint), so a measurement starts and ends clean. */
  settle(): Promise<void>;
  snapshot(): Promise<CounterSnapshot>;
  written(before: CounterSnapshot, after: CounterSnapshot): Promise<Written>;
  session(database: string): Promise<Session>;
  /**
   * Diagnostics read after a contender (outside the measurement): per table, size on disk
   * and, on PostgreSQL, how many updates were HOT. Undefined where the engine has no such data.
   */
  tableStats(database: string): Promise<TableStats[]>;
  stop(): Promise<void>;
}

export interface TableStats {
  table: string;
  /** Table (heap / clustered index) bytes, without secondary indexes. */
  tableBytes: number;
  /** Secondary index bytes. */
  indexBytes: number;
  /** PostgreSQL only: updated rows and how many of them were HOT (no index entries written). */
  updated?: number;
  hotUpdated?: number;
}
