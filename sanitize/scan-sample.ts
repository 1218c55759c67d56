/**
 * `scan` reads a bounded sample (SAMPLE_ROWS rows per table) of the columns whose content
 * helps classify them: text columns (patterns, free text) and personal-looking columns
 * (all NULL?). Blobs and JSON are never read. The values stay in memory, only rates and counts
 * ever reach the draft or the output.
 */
import type { Dialect } from "./dialect/types";
import type { ColumnInfo, Connection, SchemaInfo, TableInfo } from "./core/types";
import { looksPersonal } from "./coverage";

export const SAMPLE_ROWS = 200;

export interface TableSample {
  /** Rows read: fewer than SAMPLE_ROWS means the whole table was read. */
  rows: number;
  /** Per sampled column, one value per row (rows aligned across columns); NULL as null. */
  values: Map<string, (string | null)[]>;
}

/** Keyed by qualified table name. */
export type Samples = Map<string, TableSample>;

function needsSample(c: ColumnInfo): boolean {
  // Blobs and JSON are never read; "other" (geometry, ranges, ...) may not cast to text cleanly.
  if (c.typeClass === "binary" || c.typeClass === "json" || c.typeClass === "other") return false;
  return c.typeClass === "text" || looksPersonal(c.name) !== undefined;
}

export function sampledColumns(t: TableInfo): ColumnInfo[] {
  return t.columns.filter(needsSample);
}

export async function readSamples(dialect: Dialect, conn: Connection, schema: SchemaInfo, limit = SAMPLE_ROWS): Promise<Samples> {
  const out: Samples = new Map();
  for (const t of schema.tables.values()) {
    const columns = sampledColumns(t);
    if (!columns.length) continue;
    const { rows } = await conn.query(dialect.sampleValues(t, columns, limit));
    const values = new Map(columns.map((c, i) => [c.name, rows.map((r) => (r[`c${i}`] == null ? null : String(r[`c${i}`])))]));
    out.set(t.qualified, { rows: rows.length, values });
  }
  return out;
}
