/**
 * MySQL / MariaDB information_schema -> SchemaInfo, for the connection's database (rules
 * address `table` or `<database>.table`). Our own progress tables are left out.
 */
import { join, sql } from "../../core/sql";
import { referencedNames } from "../../core/fragment";
import type { ColumnInfo, Connection, ForeignKeyInfo, SchemaInfo, TableInfo, TypeClass } from "../../core/types";
import { MYSQL_LEGACY_PROGRESS_TABLE, MYSQL_PROGRESS_TABLES } from "../types";

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
  const ours = [...Object.values(MYSQL_PROGRESS_TABLES), MYSQL_LEGACY_PROGRESS_TABLE];

  const tables = await conn.query(sql`
    SELECT t.TABLE_NAME AS name, COALESCE(t.TABLE_ROWS, 0) AS estimate, CAST(t.CREATE_TIME AS CHAR) AS created,
           EXISTS (SELECT 1 FROM information_schema.TRIGGERS g
                    WHERE g.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND g.EVENT_OBJECT_TABLE = t.TABLE_NAME
                      AND g.EVENT_MANIPULATION = 'UPDATE') AS has_triggers
      FROM information_schema.TABLES t
     WHERE t.TABLE_SCHEMA = ${db} AND t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_NAME NOT IN (${join(ours.map((n) => sql`${n}`))})
     ORDER BY t.TABLE_NAME`);

  const columns = await conn.query(sql`
    SELECT c.TABLE_NAME AS tbl, c.COLUMN_NAME AS name, c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type,
           c.CHARACTER_MAXIMUM_LENGTH AS max_length, c.IS_NULLABLE AS nullable, c.EXTRA AS extra,
           c.GENERATION_EXPRESSION AS generation
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
           r.DELETE_RULE AS on_delete, r.UPDATE_RULE AS on_update
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
      identity: "",
      partitioned: false, // MySQL partitions are one table to every statement
    };
    result.set(t.qualified, t);
    byName.set(t.name, t);
  }

  const innodbIds = await innodbTableIds(conn, db);
  for (const r of tables.rows) {
    const t = byName.get(String(r.name))!;
    const id = innodbIds.get(t.name);
    // The InnoDB id is new after DROP+CREATE and after TRUNCATE (which re-creates the table);
    // CREATE_TIME is the fallback where the InnoDB views are not readable.
    t.identity = id !== undefined ? `innodb:${id}` : `created:${r.created ?? "unknown"}`;
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
  // Any unique index, composite too. A generated column in one (MariaDB's way to index an
  // expression; MySQL 8 functional indexes are hidden generated columns, see expressionIndexes)
  // puts the columns its expression reads in it as well.
  const inUnique = new Set<string>();
  for (const [key, e] of indexCols) if (e.unique) for (const c of e.cols) inUnique.add(`${key.split("\u0000")[0]}\u0000${c}`);
  const columnNames = new Map<string, string[]>();
  for (const r of columns.rows) columnNames.set(String(r.tbl), [...(columnNames.get(String(r.tbl)) ?? []), String(r.name)]);
  const generation = new Map(columns.rows.filter((r) => r.generation).map((r) => [`${r.tbl}\u0000${r.name}`, String(r.generation)]));
  for (const key of [...inUnique]) {
    const expr = generation.get(key);
    if (expr) for (const c of columnsIn(expr, columnNames.get(key.split("\u0000")[0]))) inUnique.add(`${key.split("\u0000")[0]}\u0000${c}`);
  }
  for (const { tbl, expression } of await expressionIndexes(conn, db))
    for (const c of columnsIn(expression, columnNames.get(tbl))) inUnique.add(`${tbl}\u0000${c}`);

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
      inUniqueIndex: inUnique.has(`${t.name}\u0000${r.name}`),
      // MariaDB writes `on update current_timestamp()`, MySQL `on update CURRENT_TIMESTAMP`.
      ...(/\bON UPDATE (CURRENT_TIMESTAMP|NOW|LOCALTIME)/.test(extra) ? { onUpdateNow: true } : {}),
      ...(dataType.toLowerCase() === "enum" ? { enumValues: enumMembers(String(r.column_type)) } : {}),
    };
    t.columns.push(col);
  }

  await addGeneratedSources(conn, db, byName);

  const byFk = new Map<string, ForeignKeyInfo>();
  for (const r of fks.rows) {
    const key = `${r.from_schema}.${r.from_table}.${r.name}`;
    let fk = byFk.get(key);
    if (!fk) {
      fk = {
        name: String(r.name),
        fromTable: `${r.from_schema}.${r.from_table}`,
        fromColumns: [],
        toTable: `${r.to_schema}.${r.to_table}`,
        toColumns: [],
        onDelete: fkAction(r.on_delete),
        onUpdate: fkAction(r.on_update),
      };
      byFk.set(key, fk);
    }
    fk.fromColumns.push(String(r.from_col));
    fk.toColumns.push(String(r.to_col));
  }
  return { defaultSchema: db, tables: result, foreignKeys: [...byFk.values()], materializedViews: [] };
}

function fkAction(v: unknown): ForeignKeyInfo["onDelete"] {
  const rule = String(v).toUpperCase();
  return (
    ["CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"].includes(rule) ? rule : "NO ACTION"
  ) as ForeignKeyInfo["onDelete"];
}

/**
 * `enum('a','it''s','c:\\d')` -> ["a", "it's", "c:\d"]: information_schema doubles a quote
 * and escapes a backslash inside a member (measured on MariaDB 10.11).
 */
export function enumMembers(columnType: string): string[] {
  const body = /^enum\((.*)\)$/is.exec(columnType.trim())?.[1] ?? "";
  return [...body.matchAll(/'((?:[^'\\]|''|\\.)*)'/gs)].map((m) => m[1].replace(/''|\\(.)/gs, (x, c?: string) => (x === "''" ? "'" : c!)));
}

/** Columns (of `names`) an expression reads: backquoted names and bare words naming a column. */
function columnsIn(expression: string, names: string[] | undefined): string[] {
  const quoted = [...expression.matchAll(/`((?:[^`]|``)+)`/g)].map((m) => m[1].replace(/``/g, "`").toLowerCase());
  const words = expression.toLowerCase().match(/[\p{L}\p{N}_$]+/gu) ?? [];
  const used = new Set([...quoted, ...words]);
  return (names ?? []).filter((n) => used.has(n.toLowerCase()));
}

/**
 * InnoDB table ids by table name: MariaDB's INNODB_SYS_TABLES, MySQL 8's INNODB_TABLES; empty
 * when neither is readable (needs PROCESS). A partitioned table is one InnoDB table per
 * partition (`t#P#p0`, MySQL 8 `t#p#p0`): its identity is all of their ids.
 */
async function innodbTableIds(conn: Connection, db: string): Promise<Map<string, string>> {
  const views = [
    sql`SELECT NAME AS name, TABLE_ID AS id FROM information_schema.INNODB_SYS_TABLES ORDER BY TABLE_ID`,
    sql`SELECT NAME AS name, TABLE_ID AS id FROM information_schema.INNODB_TABLES ORDER BY TABLE_ID`,
  ];
  for (const view of views) {
    let rows: Record<string, unknown>[];
    try {
      rows = (await conn.query(view)).rows;
    } catch {
      continue; // view missing on this server, or no PROCESS privilege: try the next, then CREATE_TIME
    }
    const ids = new Map<string, string>();
    for (const x of rows) {
      // InnoDB stores names filename-encoded (e.g. a space as @0020): decode before matching.
      // A literal # in a name is encoded too, so the partition suffix is cut before decoding.
      const [schema, table] = String(x.name).split("/");
      if (table === undefined || decodeInnodbName(schema) !== db) continue;
      const base = decodeInnodbName(table.replace(/#(P|p|SP|sp)#.*$/s, ""));
      ids.set(base, ids.has(base) ? `${ids.get(base)},${x.id}` : String(x.id));
    }
    return ids;
  }
  return new Map();
}

function decodeInnodbName(s: string): string {
  return s.replace(/@([0-9a-f]{4})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** MySQL 8 functional index parts (STATISTICS.EXPRESSION); MariaDB has no such column. */
async function expressionIndexes(conn: Connection, db: string): Promise<{ tbl: string; expression: string }[]> {
  const has = await conn.query(sql`
    SELECT 1 AS ok FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'STATISTICS' AND COLUMN_NAME = 'EXPRESSION'`);
  if (!has.rows.length) return [];
  const r = await conn.query(sql`
    SELECT s.TABLE_NAME AS tbl, s.EXPRESSION AS expression FROM information_schema.STATISTICS s
     WHERE s.TABLE_SCHEMA = ${db} AND s.NON_UNIQUE = 0 AND s.EXPRESSION IS NOT NULL`);
  return r.rows.map((x) => ({ tbl: String(x.tbl), expression: String(x.expression) }));
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
