/**
 * PostgreSQL relation sizes for the cost estimate (pg_relation_size: real file sizes, not
 * statistics), and what an UPDATE writes here. MVCC: an UPDATE writes a new version of each row
 * (on a new page once the old one is full, which a freshly cloned table is) and stamps the old
 * version's page, so a full-table update writes the heap twice over; a new version on another
 * page is not a HOT update, so every index of the table gets a new entry, whichever column changed.
 */
import { sql } from "../../core/sql";
import type { Connection } from "../../core/types";
import type { IndexSize, SizeReader, TableSize } from "../../cost/types";
import { PROGRESS_SCHEMA } from "../types";

export const postgresSizes: SizeReader = {
  dataWriteFactor: 2,

  async tableSizes(conn: Connection): Promise<Map<string, TableSize>> {
    const tables = await conn.query(sql`
      SELECT n.nspname || '.' || c.relname AS qualified,
             (pg_relation_size(c.oid) + COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0))::int8 AS data_bytes
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', ${PROGRESS_SCHEMA}) AND n.nspname NOT LIKE 'pg\\_%'`);
    const indexes = await conn.query(sql`
      SELECT n.nspname || '.' || t.relname AS qualified, i.relname AS name, pg_relation_size(i.oid)::int8 AS bytes,
             ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = ANY (x.indkey) ORDER BY a.attnum)::text[] AS columns
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE t.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', ${PROGRESS_SCHEMA}) AND n.nspname NOT LIKE 'pg\\_%'`);
    const out = new Map<string, TableSize>();
    for (const r of tables.rows) out.set(String(r.qualified), { table: String(r.qualified), dataBytes: Number(r.data_bytes), indexes: [] });
    for (const r of indexes.rows) {
      out.get(String(r.qualified))?.indexes.push({ name: String(r.name), bytes: Number(r.bytes), columns: (r.columns as string[]) ?? [] });
    }
    return out;
  },

  indexesWrittenByUpdate(t: TableSize): IndexSize[] {
    return t.indexes;
  },
};
