/**
 * Shared by the transform tests: hand-built schema info (the introspector is tested elsewhere),
 * a TransformContext like the planner's, and the executor's one-UPDATE-per-table masking.
 */
import { createHmac } from "node:crypto";
import { expect } from "vitest";
import type { TestDatabase } from "./db";
import { ident, join, render, sql } from "../../sanitize/core/sql";
import { deriveMaskingKey } from "../../sanitize/core/masking-key";
import type { ColumnInfo, EngineName, MaskingKey, TableInfo, TransformContext, TransformSpec, TypeClass } from "../../sanitize/core/types";
import * as pgDialect from "../../sanitize/dialect/postgres/functions";
import * as myDialect from "../../sanitize/dialect/mysql/functions";
import { renderSpec, violationOf } from "../../sanitize/transforms";

export const KEY = "test-masking-key-0123456789abcdef";
export const MK = deriveMaskingKey(KEY);
export const dialects = { postgres: pgDialect, mysql: myDialect };
export const hmac = (v: string, key = KEY): string => createHmac("sha256", key).update(v, "utf8").digest("hex");

export function col(name: string, typeClass: TypeClass, o: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name,
    rawType: o.rawType ?? (typeClass === "integer" ? "integer" : "varchar(255)"),
    typeClass,
    maxLength: typeClass === "text" ? 255 : undefined,
    nullable: true,
    unique: false,
    isPrimaryKey: false,
    generated: false,
    inUniqueIndex: false,
    ...o,
  };
}
export function table(name: string, columns: ColumnInfo[], schema = "public"): TableInfo {
  return {
    schema,
    name,
    qualified: `${schema}.${name}`,
    columns,
    primaryKey: columns.filter((c) => c.isPrimaryKey).map((c) => c.name),
    estimatedRows: 0,
    hasTriggers: false,
    identity: `test/${name}`,
    partitioned: false,
  };
}
export const id = col("id", "integer", { isPrimaryKey: true, unique: true, nullable: false });

export function ctxFor(
  engine: EngineName,
  t: TableInfo,
  column: string,
  specs: Record<string, TransformSpec>,
  key: MaskingKey | null = MK,
): TransformContext {
  const c = t.columns.find((x) => x.name === column)!;
  return {
    engine,
    fn: dialects[engine].functions,
    table: t,
    column: c,
    self: ident(column),
    key: key ?? undefined,
    columnRef: (n) => (specs[n] ? renderSpec(specs[n], ctxFor(engine, t, n, specs, key)) : ident(n)),
  };
}

/** One UPDATE for all the table's masked columns, like the executor does. */
export async function mask(db: TestDatabase, t: TableInfo, specs: Record<string, TransformSpec>, key: MaskingKey = MK): Promise<void> {
  const sets = Object.entries(specs).map(([c, s]) => sql`${ident(c)} = ${renderSpec(s, ctxFor(db.engine, t, c, specs, key))}`);
  const r = render(sql`UPDATE ${ident(t.name)} SET ${join(sets)}`, dialects[db.engine].quoter);
  expect(r.display).not.toContain(KEY);
  await db.exec(r.text, r.values);
}

/** Rows the transform's built-in check flags. */
export async function violations(db: TestDatabase, t: TableInfo, column: string, spec: TransformSpec): Promise<number> {
  const v = violationOf(spec, ctxFor(db.engine, t, column, { [column]: spec }))!;
  const r = render(sql`SELECT COUNT(*) AS n FROM ${ident(t.name)} WHERE ${v}`, dialects[db.engine].quoter);
  return Number(await db.scalar(r.text, r.values));
}

export async function values(db: TestDatabase, tableName: string, column: string): Promise<(string | null)[]> {
  const rows = await db.exec(`SELECT ${column} AS v FROM ${tableName} ORDER BY id`);
  return rows.map((r) => (r.v === null ? null : String(r.v)));
}

/** Inserts (id, value) rows, ids from 1, as bound parameters. */
export async function insertValues(db: TestDatabase, tableName: string, vals: (string | null)[]): Promise<void> {
  for (const [i, v] of vals.entries())
    await db.exec(`INSERT INTO ${tableName} VALUES (${i + 1}, ${db.engine === "postgres" ? "$1" : "?"})`, [v]);
}
