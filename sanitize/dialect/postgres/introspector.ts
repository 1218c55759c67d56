/**
 * PostgreSQL catalogue -> SchemaInfo. Reads pg_catalog directly (information_schema hides
 * objects the user doesn't own and has no notion of "unique alone" or generated identity).
 * Base and partitioned tables of every user schema; partitions are reached through their
 * parent, and our own progress schema is left out.
 */
import { sql } from "../../core/sql";
import type { ColumnInfo, Connection, ForeignKeyInfo, MaterializedViewInfo, SchemaInfo, TableInfo, TypeClass } from "../../core/types";
import { PROGRESS_SCHEMA } from "../types";

const ON_DELETE: Record<string, ForeignKeyInfo["onDelete"]> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

function typeClass(typname: string, category: string): TypeClass {
  if (["int2", "int4", "int8"].includes(typname)) return "integer";
  if (["numeric", "float4", "float8", "money"].includes(typname)) return "decimal";
  if (typname === "bool") return "boolean";
  if (typname === "date") return "date";
  if (typname === "timestamp" || typname === "timestamptz") return "timestamp";
  if (typname === "time" || typname === "timetz") return "time";
  if (typname === "uuid") return "uuid";
  if (typname === "json" || typname === "jsonb") return "json";
  if (typname === "bytea") return "binary";
  if (category === "S" || category === "E") return "text";
  return "other";
}

const USER_SCHEMAS = sql`n.nspname NOT IN ('pg_catalog', 'information_schema', ${PROGRESS_SCHEMA}) AND n.nspname NOT LIKE 'pg\\_%'`;

export async function introspect(conn: Connection): Promise<SchemaInfo> {
  const defaultSchema = String((await conn.query(sql`SELECT current_schema() AS s`)).rows[0]?.s ?? "public");

  const tables = await conn.query(sql`
    SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name,
           -- relfilenode changes on TRUNCATE; a partitioned parent has none, its partitions do.
           c.oid::text || '/' || CASE WHEN c.relkind = 'p'
             THEN 'p' || md5(COALESCE((SELECT string_agg(pc.oid::text || ':' || pc.relfilenode::text, ',' ORDER BY pc.oid)
                                         FROM pg_partition_tree(c.oid) pt JOIN pg_class pc ON pc.oid = pt.relid
                                        WHERE pt.isleaf), ''))
             ELSE c.relfilenode::text END AS identity,
           c.relkind = 'p' AS partitioned,
           GREATEST(c.reltuples, 0)::int8 AS estimate,
           -- tgtype bit 4 (16): fires on UPDATE
           EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND (t.tgtype & 16) <> 0) AS has_triggers
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_SCHEMAS}
     ORDER BY n.nspname, c.relname`);

  const columns = await conn.query(sql`
    SELECT a.attrelid::int8 AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS raw_type,
           bt.typname AS typname, bt.typcategory AS category,
           CASE WHEN bt.typname IN ('varchar', 'bpchar') AND COALESCE(NULLIF(t.typtypmod, -1), a.atttypmod) > 4
                THEN COALESCE(NULLIF(t.typtypmod, -1), a.atttypmod) - 4 END AS max_length,
           NOT a.attnotnull AS nullable,
           (a.attgenerated <> '' OR a.attidentity = 'a') AS generated,
           EXISTS (SELECT 1 FROM pg_index i
                    WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1
                      AND i.indkey[0] = a.attnum AND i.indpred IS NULL) AS is_unique,
           -- In ANY unique index: as a key column (composite too), or read by an index expression
           -- or predicate (those columns are recorded in pg_depend); INCLUDE columns don't count.
           EXISTS (SELECT 1 FROM pg_index i
                    WHERE i.indrelid = a.attrelid AND i.indisunique
                      AND (EXISTS (SELECT 1 FROM unnest(i.indkey) WITH ORDINALITY k(n, o) WHERE k.o <= i.indnkeyatts AND k.n = a.attnum)
                           OR ((i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
                               AND EXISTS (SELECT 1 FROM pg_depend d
                                            WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                                              AND d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid
                                              AND d.refobjsubid = a.attnum)))) AS in_unique_index,
           CASE WHEN bt.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                                                   WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS enum_values
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ${USER_SCHEMAS}
     ORDER BY a.attrelid, a.attnum`);

  const pks = await conn.query(sql`
    SELECT i.indrelid::int8 AS oid, a.attname AS name
      FROM pg_index i
      JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indisprimary
     ORDER BY i.indrelid, k.ord`);

  const fks = await conn.query(sql`
    SELECT con.conname AS name,
           fn.nspname || '.' || fc.relname AS from_table,
           tn.nspname || '.' || tc.relname AS to_table,
           con.confdeltype AS on_delete, con.confupdtype AS on_update,
           pg_get_constraintdef(con.oid) AS definition,
           ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS from_columns,
           ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o)::text[] AS to_columns
      FROM pg_constraint con
      JOIN pg_class fc ON fc.oid = con.conrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace
      JOIN pg_class tc ON tc.oid = con.confrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
     WHERE con.contype = 'f' AND NOT fc.relispartition
     ORDER BY con.conname`);

  // Generated columns -> the columns they read: the column's expression (pg_attrdef) depends
  // on each source column (and, internally, on the generated column itself: left out).
  const generatedSources = await conn.query(sql`
    SELECT a.attrelid::int8 AS oid, a.attname AS name,
           ARRAY(SELECT s.attname::text FROM pg_attrdef ad
                   JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                   JOIN pg_attribute s ON s.attrelid = d.refobjid AND s.attnum = d.refobjsubid
                  WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid
                    AND d.refobjsubid > 0 AND d.refobjsubid <> a.attnum
                  ORDER BY s.attnum)::text[] AS sources
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE a.attgenerated <> '' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND ${USER_SCHEMAS}`);

  const byOid = new Map<string, TableInfo>();
  const result = new Map<string, TableInfo>();
  for (const r of tables.rows) {
    const t: TableInfo = {
      schema: String(r.schema),
      name: String(r.name),
      qualified: `${r.schema}.${r.name}`,
      columns: [],
      primaryKey: [],
      estimatedRows: Number(r.estimate),
      hasTriggers: Boolean(r.has_triggers),
      identity: String(r.identity),
      partitioned: Boolean(r.partitioned),
    };
    byOid.set(String(r.oid), t);
    result.set(t.qualified, t);
  }
  for (const r of pks.rows) byOid.get(String(r.oid))?.primaryKey.push(String(r.name));
  for (const r of columns.rows) {
    const t = byOid.get(String(r.oid));
    if (!t) continue;
    const col: ColumnInfo = {
      name: String(r.name),
      rawType: String(r.raw_type),
      typeClass: typeClass(String(r.typname), String(r.category)),
      maxLength: r.max_length == null ? undefined : Number(r.max_length),
      nullable: Boolean(r.nullable),
      unique: Boolean(r.is_unique),
      isPrimaryKey: t.primaryKey.includes(String(r.name)),
      generated: Boolean(r.generated),
      inUniqueIndex: Boolean(r.in_unique_index),
      ...(r.enum_values ? { enumValues: (r.enum_values as unknown[]).map(String) } : {}),
    };
    t.columns.push(col);
  }
  for (const r of generatedSources.rows) {
    const col = byOid.get(String(r.oid))?.columns.find((c) => c.name === String(r.name));
    if (col) col.generatedFrom = (r.sources as string[]).map(String);
  }
  const foreignKeys: ForeignKeyInfo[] = fks.rows.map((r) => ({
    name: String(r.name),
    fromTable: String(r.from_table),
    fromColumns: (r.from_columns as string[]).map(String),
    toTable: String(r.to_table),
    toColumns: (r.to_columns as string[]).map(String),
    onDelete: ON_DELETE[String(r.on_delete)] ?? "NO ACTION",
    onUpdate: ON_DELETE[String(r.on_update)] ?? "NO ACTION",
    definition: String(r.definition),
  }));
  return { defaultSchema, tables: result, foreignKeys, materializedViews: await materializedViews(conn) };
}

/**
 * Materialized views and what they read. A view's query is a pg_rewrite rule whose pg_depend
 * rows name the relations it reads; plain views in between are followed to their own sources,
 * and a partition stands for its root table (the only one the schema lists).
 */
async function materializedViews(conn: Connection): Promise<MaterializedViewInfo[]> {
  const rels = await conn.query(sql`
    SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relispopulated AS populated,
           ARRAY(SELECT DISTINCT (CASE WHEN rc.relispartition THEN pg_partition_root(rc.oid) ELSE rc.oid END)::int8::text
                   FROM pg_rewrite rw
                   JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
                   JOIN pg_class rc ON rc.oid = d.refobjid
                  WHERE rw.ev_class = c.oid AND d.refobjid <> c.oid)::text[] AS reads
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('m', 'v', 'r', 'p') AND NOT c.relispartition AND ${USER_SCHEMAS}`);
  const byOid = new Map(rels.rows.map((r) => [String(r.oid), r]));
  const qualified = (r: Record<string, unknown>) => `${r.schema}.${r.name}`;
  // Tables and matviews a relation reads, looking through plain views (cycle-safe).
  const sources = (oid: string, seen: Set<string>): string[] => {
    const out: string[] = [];
    for (const dep of (byOid.get(oid)?.reads as string[] | undefined) ?? []) {
      const r = byOid.get(dep);
      if (!r || seen.has(dep)) continue;
      seen.add(dep);
      if (r.kind === "v") out.push(...sources(dep, seen));
      else out.push(qualified(r));
    }
    return out;
  };
  return rels.rows
    .filter((r) => r.kind === "m")
    .map((r) => ({
      schema: String(r.schema),
      name: String(r.name),
      qualified: qualified(r),
      dependsOn: [...new Set(sources(String(r.oid), new Set([String(r.oid)])))].sort(),
      populated: Boolean(r.populated),
    }))
    .sort((a, b) => a.qualified.localeCompare(b.qualified));
}
