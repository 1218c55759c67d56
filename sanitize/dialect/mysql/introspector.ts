/**
 * MySQL / MariaDB information_schema -> SchemaInfo, for the connection's database (rules
 * address `table` or `<database>.table`). Our own progress tables are left out.
 */
import { sql } from "../../core/sql";
import { referencedNames } from "../../core/fragment";
import type { ColumnInfo, Connection, ForeignKeyInfo, SchemaInfo, TableInfo, TypeClass } from "../../core/types";
import { MYSQL_PROGRESS_TABLE, MYSQL_RUNS_TABLE } from "../types";

function typeClass(dataType: string, columnType: string): TypeClass {
  const t = dataType.toLowerCase();
  if (t === "tinyint" && /^tinyint\(1\)/i.test(columnType)) return "boolean";
  if (["tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"].includes(t)) return "integer";
  if (["decimal", "numeric", "float", "double", "real"].includes(t)) return "decimal";
  if (["bool", "boolean", "bit"].includes(t)) return t === "bit" ? "other" : "boolean";
  if (["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"].includes(t)) return "text";
  if (t === "date") return "date";
  if (t === "datetime" || t === "timestamp") return "timestamp";
  if (t === "time") return "time";
  if (t === "uuid") return "uuid";
  if (t === "json") return "json";
  if (["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"].includes(t)) return "binary";
  return "other";
}

export async function introspect(conn: Connection): Promise<SchemaInfo> {
  const db = String((await conn.query(sql`SELECT DATABASE() AS db`)).rows[0]?.db ?? "");
  const ours = [MYSQL_RUNS_TABLE, MYSQL_PROGRESS_TABLE];

  const tables = await conn.query(sql`
    SELECT t.TABLE_NAME AS name, COALESCE(t.TABLE_ROWS, 0) AS estimate,
           EXISTS (SELECT 1 FROM information_schema.TRIGGERS g
                    WHERE g.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND g.EVENT_OBJECT_TABLE = t.TABLE_NAME) AS has_triggers
      FROM information_schema.TABLES t
     WHERE t.TABLE_SCHEMA = ${db} AND t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_NAME NOT IN (${ours[0]}, ${ours[1]})
     ORDER BY t.TABLE_NAME`);

  const columns = await conn.query(sql`
    SELECT c.TABLE_NAME AS tbl, c.COLUMN_NAME AS name, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type,
           c.CHARACTER_MAXIMUM_LENGTH AS max_length, c.IS_NULLABLE AS nullable, c.EXTRA AS extra
      FROM information_schema.COLUMNS c
     WHERE c.TABLE_SCHEMA = ${db}
     ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`);

  // Indexes: PK columns in order, and columns that alone form a unique index.
  const indexes = await conn.query(sql`
    SELECT s.TABLE_NAME AS tbl, s.INDEX_NAME AS idx, s.COLUMN_NAME AS col, s.NON_UNIQUE AS non_unique, s.SEQ_IN_INDEX AS seq
      FROM information_schema.STATISTICS s
     WHERE s.TABLE_SCHEMA = ${db}
     ORDER BY s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX`);

  const fks = await conn.query(sql`
    SELECT r.CONSTRAINT_NAME AS name, k.TABLE_SCHEMA AS from_schema, k.TABLE_NAME AS from_table, k.COLUMN_NAME AS from_col,
           k.REFERENCED_TABLE_SCHEMA AS to_schema, k.REFERENCED_TABLE_NAME AS to_table, k.REFERENCED_COLUMN_NAME AS to_col,
           r.DELETE_RULE AS on_delete
      FROM information_schema.REFERENTIAL_CONSTRAINTS r
      JOIN information_schema.KEY_COLUMN_USAGE k
        ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME
     WHERE (r.CONSTRAINT_SCHEMA = ${db} OR r.UNIQUE_CONSTRAINT_SCHEMA = ${db}) AND k.REFERENCED_TABLE_NAME IS NOT NULL
     ORDER BY r.CONSTRAINT_NAME, k.ORDINAL_POSITION`);

  // MariaDB's JSON is LONGTEXT plus a CHECK (json_valid(col)): find those to class them json.
  const jsonColumns = new Set<string>();
  try {
    const checks = await conn.query(sql`
      SELECT c.TABLE_NAME AS tbl, c.CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS c WHERE c.CONSTRAINT_SCHEMA = ${db}`);
    for (const r of checks.rows) {
      const m = /^\s*json_valid\(`((?:[^`]|``)+)`\)\s*$/i.exec(String(r.clause));
      if (m) jsonColumns.add(`${r.tbl}\u0000${m[1].replace(/``/g, "`")}`);
    }
  } catch {
    // No CHECK_CONSTRAINTS view (MySQL < 8.0.16): MySQL's own JSON type is reported as json anyway.
  }

  const result = new Map<string, TableInfo>();
  const byName = new Map<string, TableInfo>();
  for (const r of tables.rows) {
    const t: TableInfo = {
      schema: db,
      name: String(r.name),
      qualified: `${db}.${r.name}`,
      columns: [],
      primaryKey: [],
      estimatedRows: Number(r.estimate),
      hasTriggers: Number(r.has_triggers) === 1,
    };
    result.set(t.qualified, t);
    byName.set(t.name, t);
  }

  const uniqueAlone = new Set<string>();
  const indexCols = new Map<string, { cols: string[]; unique: boolean }>();
  for (const r of indexes.rows) {
    const t = byName.get(String(r.tbl));
    if (!t) continue;
    if (r.idx === "PRIMARY") t.primaryKey.push(String(r.col));
    const key = `${r.tbl}\u0000${r.idx}`;
    const entry = indexCols.get(key) ?? { cols: [], unique: Number(r.non_unique) === 0 };
    entry.cols.push(String(r.col));
    indexCols.set(key, entry);
  }
  for (const [key, e] of indexCols) if (e.unique && e.cols.length === 1) uniqueAlone.add(`${key.split("\u0000")[0]}\u0000${e.cols[0]}`);

  for (const r of columns.rows) {
    const t = byName.get(String(r.tbl));
    if (!t) continue;
    const dataType = String(r.data_type);
    const extra = String(r.extra ?? "").toUpperCase();
    const col: ColumnInfo = {
      name: String(r.name),
      rawType: String(r.column_type),
      typeClass: jsonColumns.has(`${t.name}\u0000${r.name}`) ? "json" : typeClass(dataType, String(r.column_type)),
      maxLength: ["char", "varchar"].includes(dataType.toLowerCase()) && r.max_length != null ? Number(r.max_length) : undefined,
      nullable: r.nullable === "YES",
      unique: uniqueAlone.has(`${t.name}\u0000${r.name}`),
      isPrimaryKey: t.primaryKey.includes(String(r.name)),
      // MySQL 8 shows DEFAULT_GENERATED for `DEFAULT CURRENT_TIMESTAMP`: not a generated column.
      generated: /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/.test(extra) || /^(VIRTUAL|PERSISTENT|STORED)$/.test(extra),
    };
    t.columns.push(col);
  }

  await addGeneratedSources(conn, db, byName);

  const byFk = new Map<string, ForeignKeyInfo>();
  for (const r of fks.rows) {
    const key = `${r.from_schema}.${r.from_table}.${r.name}`;
    let fk = byFk.get(key);
    if (!fk) {
      const rule = String(r.on_delete).toUpperCase();
      fk = {
        name: String(r.name),
        fromTable: `${r.from_schema}.${r.from_table}`,
        fromColumns: [],
        toTable: `${r.to_schema}.${r.to_table}`,
        toColumns: [],
        onDelete: (["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"].includes(rule) ? rule : "NO ACTION") as ForeignKeyInfo["onDelete"],
      };
      byFk.set(key, fk);
    }
    fk.fromColumns.push(String(r.from_col));
    fk.toColumns.push(String(r.to_col));
  }
  return { defaultSchema: db, tables: result, foreignKeys: [...byFk.values()] };
}

/**
 * Generated columns -> the columns of the same table their expression names (MySQL column
 * names are case-insensitive). Coverage follows a generated column to these sources.
 */
async function addGeneratedSources(conn: Connection, db: string, byName: Map<string, TableInfo>): Promise<void> {
  const rows = await conn.query(sql`
    SELECT c.TABLE_NAME AS tbl, c.COLUMN_NAME AS name, c.GENERATION_EXPRESSION AS expr
      FROM information_schema.COLUMNS c
     WHERE c.TABLE_SCHEMA = ${db} AND c.GENERATION_EXPRESSION IS NOT NULL AND c.GENERATION_EXPRESSION <> ''`);
  for (const r of rows.rows) {
    const t = byName.get(String(r.tbl));
    const col = t?.columns.find((c) => c.name === String(r.name));
    if (!t || !col) continue;
    const named = new Set(referencedNames(String(r.expr), "mysql").map((n) => n.toLowerCase()));
    col.generatedFrom = t.columns.filter((c) => c !== col && named.has(c.name.toLowerCase())).map((c) => c.name);
  }
}
