/**
 * `scan` reads a bounded sample of a table's columns, as text, to classify them by content.
 * No ORDER BY: any rows will do, and a sort would read the whole table. utf8mb4 so text in
 * any column charset comes back intact.
 */
import { ident, join, raw, sql, type Sql } from "../../core/sql";
import type { ColumnInfo, TableInfo } from "../../core/types";

export function sampleValues(t: TableInfo, columns: readonly ColumnInfo[], limit: number): Sql {
  const list = columns.map((c, i) => sql`CAST(${ident(c.name)} AS CHAR CHARACTER SET utf8mb4) AS ${raw(`c${i}`)}`);
  return sql`SELECT ${join(list)} FROM ${ident(t.schema, t.name)} LIMIT ${raw(String(Math.trunc(limit)))}`;
}
