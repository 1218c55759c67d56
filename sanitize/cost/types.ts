/** What the cost estimate needs from an engine: the on-disk sizes of tables and their indexes. */
import type { Connection } from "../core/types";

export interface IndexSize {
  name: string;
  /** The index's columns (expression indexes: the columns the expression reads, when known). */
  columns: string[];
  bytes: number;
}

export interface TableSize {
  /** `schema.name`, as TableInfo.qualified. */
  table: string;
  /** The table's own data: PostgreSQL heap + TOAST; InnoDB the clustered (primary key) index. */
  dataBytes: number;
  indexes: IndexSize[];
}

export interface SizeReader {
  /** Sizes of every user table (by `schema.name`). Reads catalogue statistics; writes nothing. */
  tableSizes(conn: Connection): Promise<Map<string, TableSize>>;
  /**
   * Which indexes an UPDATE of `maskedColumns` writes: engine behaviour, so it lives with the
   * engine (PostgreSQL: every index, see dialect/postgres/sizes.ts; InnoDB: those on the columns).
   */
  indexesWrittenByUpdate(t: TableSize, maskedColumns: string[]): IndexSize[];
  /** How many times an UPDATE of every row writes the table's data pages (new row versions included). */
  readonly dataWriteFactor: number;
}
