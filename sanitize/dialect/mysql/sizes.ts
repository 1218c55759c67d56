/**
 * InnoDB sizes for the cost estimate, and what an UPDATE writes here. InnoDB updates a row in
 * place in the clustered index (the old version goes to the undo log, which purge frees), so a
 * full-table update writes the table's data pages once; a secondary index is written only
 * when it holds a changed column (delete-mark the old entry, insert the new one).
 *
 * Sizes: mysql.innodb_index_stats ('size' = pages allocated per index; persistent statistics,
 * refreshed by ANALYZE TABLE and InnoDB's auto-recalculation) times the page size.
 */
import { join, sql } from "../../core/sql";
import type { Connection } from "../../core/types";
import type { IndexSize, SizeReader, TableSize } from "../../cost/types";
import { MYSQL_LEGACY_PROGRESS_TABLE, MYSQL_PROGRESS_TABLES } from "../types";

export const mysqlSizes: SizeReader = {
  dataWriteFactor: 1,

  async tableSizes(conn: Connection): Promise<Map<string, TableSize>> {
    const pageSize = Number((await conn.query(sql`SELECT @@innodb_page_size AS p`)).rows[0]?.p ?? 16384);
    const stats = await conn.query(sql`
      SELECT s.database_name AS db, s.table_name AS tbl, s.index_name AS idx, s.stat_value AS pages
        FROM mysql.innodb_index_stats s
       WHERE s.database_name = DATABASE() AND s.stat_name = 'size'
         AND s.table_name NOT IN (${join([...Object.values(MYSQL_PROGRESS_TABLES), MYSQL_LEGACY_PROGRESS_TABLE].map((t) => sql`${t}`))})`);
    const columns = await conn.query(sql`
      SELECT table_name AS tbl, index_name AS idx, column_name AS col
        FROM information_schema.statistics
       WHERE table_schema = DATABASE()
       ORDER BY table_name, index_name, seq_in_index`);
    const cols = new Map<string, string[]>();
    for (const r of columns.rows) {
      const k = `${String(r.tbl)}\u0000${String(r.idx)}`;
      cols.set(k, [...(cols.get(k) ?? []), String(r.col)]);
    }
    const out = new Map<string, TableSize>();
    for (const r of stats.rows) {
      const qualified = `${String(r.db)}.${String(r.tbl)}`;
      const t = out.get(qualified) ?? { table: qualified, dataBytes: 0, indexes: [] };
      const bytes = Number(r.pages) * pageSize;
      // The clustered index is the table: PRIMARY, or InnoDB's hidden GEN_CLUST_INDEX without one.
      if (r.idx === "PRIMARY" || r.idx === "GEN_CLUST_INDEX") t.dataBytes += bytes;
      else t.indexes.push({ name: String(r.idx), bytes, columns: cols.get(`${String(r.tbl)}\u0000${String(r.idx)}`) ?? [] });
      out.set(qualified, t);
    }
    return out;
  },

  indexesWrittenByUpdate(t: TableSize, maskedColumns: string[]): IndexSize[] {
    return t.indexes.filter((i) => i.columns.some((c) => maskedColumns.includes(c)));
  },
};
