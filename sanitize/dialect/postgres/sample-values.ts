/**
 * `scan` reads a bounded sample of a table's columns, as text, to classify them by content.
 * No ORDER BY: any rows will do, and a sort would read the whole table. Partitioned parents
 * are read with their partitions (no ONLY), like every other read here.
 */
import { ident, join, raw, sql, type Sql } from "../../core/sql";
import type { ColumnInfo, TableInfo } from "../../core/types";

export function sampleValues(t: TableInfo, columns: readonly ColumnInfo[], limit: number): Sql {
  const list = columns.map((c, i) => sql`CAST(${ident(c.name)} AS text) AS ${raw(`c${i}`)}`);
  return sql`SELECT ${join(list)} FROM ${ident(t.schema, t.name)} LIMIT ${raw(String(Math.trunc(limit)))}`;
}
