/**
 * Rules + schema -> a validated Plan. Every check fails closed and runs before anything is
 * written: all problems are collected and thrown together in one SanitizeError, so a rules
 * author fixes everything in one round. The plan also compiles the statements the executor
 * runs, so what `plan` shows is exactly what `sanitize` does.
 */
import { displaySql, ident, join, raw, sql, type Sql } from "./core/sql";
import {
  SanitizeError,
  type ColumnInfo,
  type Connection,
  type CoverageMode,
  type ForeignKeyInfo,
  type MaskingKey,
  type Rules,
  type SchemaInfo,
  type TableInfo,
  type TableReport,
  type TableRule,
  type TransformContext,
  type TransformSpec,
} from "./core/types";
import { MASKING_KEY_ENV } from "./core/masking-key";
import type { Dialect } from "./dialect/types";
import { deterministicColumns, getTransform } from "./transforms";
import { coverage as runCoverage, type CoverageReport } from "./coverage";
import { redactDbMessage } from "./dialect/connect-retry";
import { checkExpression, checkQuery } from "./core/fragment";
import { parseTableKey, resolveTableKey, tableResolver } from "./table-key";
import { chunkStatements } from "./mask-chunk";
import { linkForeignKeys } from "./plan-foreign-keys";
import { matviewsToRefresh, type MatviewRefresh } from "./plan-matviews";

export { resolveTableKey };

export interface PlannedColumn {
  name: string;
  spec: TransformSpec;
  /** The SET expression (reads original values only, see `compileSet`). */
  expr: Sql;
  /** TRUE for a row breaking the transform's promise after masking (built-in check). */
  violation?: Sql;
}

export interface MaskStep {
  /** The rules author's row filter (raw SQL), if any. */
  where?: string;
  columns: PlannedColumn[];
  /** `c1 = e1, c2 = e2` in the order the engine must evaluate them. */
  set: Sql;
  /** The columns in that order: a job masking only some of them keeps it (`updateStatement`). */
  setOrder: PlannedColumn[];
  /** MySQL ON UPDATE CURRENT_TIMESTAMP columns no rule masks: assigned to themselves so they keep their value. */
  frozen: string[];
  /** Extra predicate skipping rows that already hold the target (only for constant outputs). */
  skipUnchanged?: Sql;
  /** The single-column primary key chunks follow; undefined: one transaction for the table. */
  chunkKey?: string;
  /** A stored (text) key as an exact comparison value for the chunk key column. */
  keyValue: (text: string) => Sql;
  /**
   * Set when the rule's user SQL (`where`, `sql` expressions) and the masking key's pads would
   * meet in one statement: then a chunk runs in two steps (mask-chunk.ts), so no statement
   * that carries key material ever contains SQL the rules author wrote.
   */
  split?: SplitMask;
}

/** The keyed half of a split chunk: user SQL replaced by the values the first step stored. */
export interface SplitMask {
  /** `sql`-transform columns, numbered for the work table's value columns. */
  sqlColumns: { name: string; expression: string; index: number }[];
  /** SET entries in engine order; `sql` columns read their stored value. */
  setOrder: { name: string; expr: Sql }[];
}

export interface TruncateStep {
  cascade: boolean;
  /** `truncate`: plain/together; `truncate-fk-off`: MySQL with FK checks off; `delete-all`: MySQL DELETE honouring FK actions. */
  via: "truncate" | "truncate-fk-off" | "delete-all";
}

export interface PlannedTable {
  /** The rules key as written (`users` or `app.users`). */
  key: string;
  table: TableInfo;
  /** The quoted table reference. */
  ref: Sql;
  action: TableReport["action"];
  truncate?: TruncateStep;
  /** Raw delete condition. */
  delete?: string;
  mask?: MaskStep;
}

export interface Plan {
  engine: Dialect["engine"];
  rulesHash: string;
  tables: PlannedTable[];
  coverage: CoverageReport;
  /** The statements a run executes, for display: secrets show as <secret>. */
  statements: string[];
  /** The same, long literals and lists shown as their length (`plan` without --full-sql). */
  briefStatements: string[];
  warnings: string[];
  triggers: "fire" | "disable";
  /** Foreign keys masked on both sides with the same transform: suspended while masking, restored and checked after. */
  linkedForeignKeys: ForeignKeyInfo[];
  /** PostgreSQL materialized views reading what this plan changes, in dependency order: refreshed after masking. */
  refreshMaterializedViews: MatviewRefresh[];
}

export interface PlanInput {
  dialect: Dialect;
  schema: SchemaInfo;
  rules: Rules;
  rulesHash: string;
  key?: MaskingKey;
  coverage?: CoverageMode;
  triggers?: "fire" | "disable";
  /** When given, raw fragments are checked by the database with EXPLAIN (nothing runs). */
  conn?: Connection;
  /**
   * "raw-sql-only" (sanitize): EXPLAIN only statements holding raw SQL (delete, `where`, the
   * `sql` transform); the other masking UPDATEs run in the rolled-back trial anyway. Default "all".
   */
  explain?: "all" | "raw-sql-only";
}

type ProblemKind = "rules" | "schema" | "coverage";

class Problems {
  readonly list: { kind: ProblemKind; text: string }[] = [];
  add(kind: ProblemKind, text: string): void {
    if (!this.list.some((p) => p.text === text)) this.list.push({ kind, text });
  }
  throwIfAny(): void {
    if (!this.list.length) return;
    const kinds: ProblemKind[] = ["schema", "rules", "coverage"];
    const kind = kinds.find((k) => this.list.some((p) => p.kind === k)) ?? "rules";
    throw new SanitizeError(
      this.list.map((p) => p.text),
      kind,
    );
  }
}

function tableList(schema: SchemaInfo, inSchema: string): string {
  const names = [...schema.tables.values()].filter((t) => t.schema === inSchema).map((t) => t.name);
  if (!names.length) return "it has no tables";
  return `tables there: ${names.slice(0, 30).join(", ")}${names.length > 30 ? `, ... (${names.length} in all)` : ""}`;
}

export async function buildPlan(input: PlanInput): Promise<Plan> {
  const { dialect, schema, rules } = input;
  const problems = new Problems();
  const warnings: string[] = [];
  const triggers = input.triggers ?? "fire";

  if (triggers === "disable" && dialect.engine === "mysql") {
    problems.add(
      "rules",
      'triggers: "disable" is not supported on MySQL (a session can\'t switch triggers off): drop or disable the triggers on the clone yourself before sanitizing, or use triggers: "fire".',
    );
  }

  // The one place a missing key is reported (planMask skips rendering those tables), naming
  // every column that needs it.
  const keyedColumns = deterministicColumns(rules);
  if (keyedColumns.length && !input.key) {
    problems.add(
      "rules",
      `no masking key, but ${keyedColumns.join(", ")} use deterministic transforms, which need one: ` +
        `set ${MASKING_KEY_ENV} (or pass maskingKey) to a key of at least 16 characters, made with \`openssl rand -hex 32\`, ` +
        "and keep it the same across runs.",
    );
  }

  // 1. Resolve every table key; unknown tables are listed all together.
  const resolved = new Map<string, { key: string; table: TableInfo; rule: TableRule }>();
  const resolve = tableResolver(schema);
  for (const [key, rule] of Object.entries(rules.tables)) {
    const q = resolveTableKey(key, schema);
    const found = resolve(key);
    const table = found === undefined ? undefined : schema.tables.get(found);
    if (!table) {
      const inSchema = parseTableKey(key)?.schema ?? schema.defaultSchema;
      problems.add(
        "schema",
        `tables.${key}: no table "${q}" in the database (${tableList(schema, inSchema)}); fix the name or remove the rule.`,
      );
      continue;
    }
    const dup = resolved.get(table.qualified);
    if (dup) {
      problems.add("rules", `tables.${key} and tables.${dup.key} both name ${table.qualified}: merge them into one rule.`);
      continue;
    }
    resolved.set(table.qualified, { key, table, rule });
  }

  const truncated = new Set([...resolved.values()].filter((r) => r.rule.kind === "truncate").map((r) => r.table.qualified));
  const planned: PlannedTable[] = [];

  for (const { key, table, rule } of resolved.values()) {
    const ref = dialect.statements.table(table);
    if (rule.kind === "truncate") {
      planned.push({
        key,
        table,
        ref,
        action: "truncate",
        truncate: planTruncate(dialect, schema, key, table, rule.cascade, truncated, problems, warnings),
      });
      continue;
    }
    if (rule.kind === "delete") {
      warnDeleteReferenced(schema, key, table, warnings);
      planned.push({ key, table, ref, action: "delete", delete: rule.delete });
      continue;
    }
    if (Object.keys(rule.columns).length === 0) {
      if (rule.delete) {
        warnDeleteReferenced(schema, key, table, warnings);
        planned.push({ key, table, ref, action: "delete", delete: rule.delete });
      } else problems.add("rules", `tables.${key}: no columns to mask; list the columns, or use truncate: true / delete: "<condition>".`);
      continue;
    }
    const mask = planMask(input, key, table, rule, problems, warnings);
    if (rule.delete) warnDeleteReferenced(schema, key, table, warnings);
    planned.push({ key, table, ref, action: rule.delete ? "mask+delete" : "mask", delete: rule.delete, mask });
  }

  const fk = linkForeignKeys(schema, resolved);
  for (const p of fk.problems) problems.add("rules", p);

  const changed = new Set(planned.map((p) => p.table.qualified));
  const refreshMaterializedViews = matviewsToRefresh(schema.materializedViews, changed);
  if (refreshMaterializedViews.length)
    warnings.push(
      `materialized views read tables this run changes and are refreshed after masking (they hold copies of the original data until then): ${refreshMaterializedViews.map((m) => m.qualified).join(", ")}.`,
    );

  const coverage = runCoverage(schema, rules, input.coverage ?? "personal", resolve);
  for (const p of coverage.problems) problems.add("coverage", p.message);
  for (const k of coverage.unusedKeep) warnings.push(`keep: "${k}" matches no column (a typo, or a dropped column?); fix or remove it.`);

  // Raw SQL fragments are first parsed here (one expression / one read-only query each), then
  // the ones that pass are checked by the database itself with EXPLAIN before anything runs:
  // a typo fails here. A fragment that failed parsing never reaches the database.
  const unsafe = checkFragments(dialect.engine, rules, problems);
  if (input.conn)
    await explainAll(
      input.conn,
      planned.filter((p) => !unsafe.has(p.key)),
      problems,
      input.explain ?? "all",
    );

  problems.throwIfAny();

  for (const p of planned) {
    if (p.mask && p.table.hasTriggers && triggers === "fire")
      warnings.push(
        dialect.engine === "postgres"
          ? `${p.table.qualified} has UPDATE triggers; they fire for every masked row (e.g. a last_update trigger stamps the masking time): set triggers: "disable" to skip them (needs superuser or rds_superuser), or check what they do.`
          : `${p.table.qualified} has UPDATE triggers; they fire for every masked row (e.g. one stamping a last_update column) and MySQL can't switch them off for a session: drop them on the clone before sanitizing (and re-create them after), or check what they do.`,
      );
  }

  return {
    engine: dialect.engine,
    rulesHash: input.rulesHash,
    tables: planned,
    coverage,
    statements: displayStatements(dialect, planned, triggers),
    briefStatements: displayStatements(dialect, planned, triggers, false),
    warnings,
    triggers,
    linkedForeignKeys: fk.linked,
    refreshMaterializedViews,
  };
}

/** Rules SQL fragments through checkExpression/checkQuery; returns the table keys with a problem. */
function checkFragments(engine: Dialect["engine"], rules: Rules, problems: Problems): Set<string> {
  const unsafe = new Set<string>();
  const report = (key: string | undefined, where: string, found: string[]) => {
    for (const f of found) problems.add("rules", `${where}: ${f}`);
    if (found.length && key !== undefined) unsafe.add(key);
  };
  for (const [key, rule] of Object.entries(rules.tables)) {
    if (rule.kind === "truncate") continue;
    if (rule.delete !== undefined) report(key, `tables.${key}.delete`, checkExpression(rule.delete, engine));
    if (rule.kind !== "mask") continue;
    if (rule.where !== undefined) report(key, `tables.${key}.where`, checkExpression(rule.where, engine));
    for (const [column, spec] of Object.entries(rule.columns))
      if (spec.transform === "sql") report(key, `tables.${key}.columns.${column}.expression`, checkExpression(spec.expression, engine));
  }
  for (const [i, v] of rules.verify.entries()) report(undefined, `verify[${i}].sql (check "${v.name}")`, checkQuery(v.sql, engine));
  return unsafe;
}

function planTruncate(
  dialect: Dialect,
  schema: SchemaInfo,
  key: string,
  table: TableInfo,
  cascade: boolean,
  truncated: Set<string>,
  problems: Problems,
  warnings: string[],
): TruncateStep {
  const referencing = schema.foreignKeys.filter((fk) => fk.toTable === table.qualified);
  if (dialect.truncateStyle === "together") {
    // PostgreSQL: TRUNCATE a, b, c handles references among a, b, c; a self-reference is fine.
    const outside = referencing.filter((fk) => fk.fromTable !== table.qualified && !truncated.has(fk.fromTable));
    if (outside.length && !cascade) {
      for (const fk of outside)
        problems.add(
          "schema",
          `tables.${key}: can't truncate ${table.qualified}: ${fk.fromTable} references it (foreign key ${fk.name}). ` +
            `Either truncate ${fk.fromTable} too (add "${fk.fromTable.split(".").pop()}: { truncate: true }"), or set "cascade: true" on ${key} ` +
            `(which also empties ${fk.fromTable} and every table referencing it).`,
        );
    }
    if (outside.length && cascade)
      warnings.push(`tables.${key}: TRUNCATE ... CASCADE also empties ${[...new Set(outside.map((f) => f.fromTable))].join(", ")}.`);
    return { cascade, via: "truncate" };
  }
  // InnoDB refuses TRUNCATE on any referenced table while FK checks are on.
  if (!referencing.length) return { cascade, via: "truncate" };
  const outside = referencing.filter((fk) => !truncated.has(fk.fromTable));
  if (!outside.length) return { cascade, via: "truncate-fk-off" };
  if (cascade) {
    const blocking = outside.filter((fk) => fk.onDelete === "RESTRICT" || fk.onDelete === "NO ACTION");
    warnings.push(
      `tables.${key}: ${table.qualified} is referenced by ${[...new Set(outside.map((f) => f.fromTable))].join(", ")}, so it is emptied with DELETE, ` +
        "which applies each foreign key's ON DELETE action" +
        (blocking.length
          ? `; ${blocking.map((f) => f.name).join(", ")} (RESTRICT/NO ACTION) will make it fail while referencing rows exist.`
          : "."),
    );
    return { cascade, via: "delete-all" };
  }
  for (const fk of outside)
    problems.add(
      "schema",
      `tables.${key}: can't truncate ${table.qualified}: ${fk.fromTable} references it (foreign key ${fk.name}) and is not truncated in this run. ` +
        `Either truncate ${fk.fromTable} too (add "${fk.fromTable.split(".").pop()}: { truncate: true }"), or set "cascade: true" on ${key} ` +
        "(rows are then deleted and each foreign key's ON DELETE action applies).",
    );
  return { cascade, via: "truncate" };
}

function warnDeleteReferenced(schema: SchemaInfo, key: string, table: TableInfo, warnings: string[]): void {
  for (const fk of schema.foreignKeys) {
    if (fk.toTable !== table.qualified || fk.fromTable === table.qualified) continue;
    if (fk.onDelete === "RESTRICT" || fk.onDelete === "NO ACTION")
      warnings.push(
        `tables.${key}: ${fk.fromTable} references ${table.qualified} (${fk.name}, ON DELETE ${fk.onDelete}); deleting a referenced row fails (the database enforces it).`,
      );
  }
}

function planMask(
  input: PlanInput,
  key: string,
  table: TableInfo,
  rule: Extract<TableRule, { kind: "mask" }>,
  problems: Problems,
  warnings: string[],
): MaskStep | undefined {
  const { dialect } = input;
  const specs = new Map<string, { spec: TransformSpec; column: ColumnInfo }>();
  let ok = true;
  for (const [name, spec] of Object.entries(rule.columns)) {
    const column = table.columns.find((c) => c.name === name);
    if (!column) {
      problems.add(
        "schema",
        `tables.${key}.columns.${name}: ${table.qualified} has no column "${name}" (columns: ${table.columns.map((c) => c.name).join(", ")}).`,
      );
      ok = false;
      continue;
    }
    let transform: ReturnType<typeof getTransform>;
    try {
      transform = getTransform(spec.transform);
    } catch (err) {
      problems.add("rules", `tables.${key}.columns.${name}: ${(err as Error).message}`);
      ok = false;
      continue;
    }
    const found = transform.validate(spec, column, table);
    for (const p of found) problems.add("rules", `${table.qualified}.${name}: ${p}`);
    if (found.length) ok = false;
    specs.set(name, { spec, column });
  }

  // Template references among masked columns: a cycle can't be resolved.
  const readsOf = new Map<string, string[]>();
  for (const [name, { spec }] of specs)
    readsOf.set(
      name,
      getTransform(spec.transform)
        .references(spec)
        .filter((r) => r !== name && r in rule.columns),
    );
  const cycle = findCycle(readsOf);
  if (cycle) {
    problems.add(
      "rules",
      `tables.${key}: templates reference each other in a cycle (${cycle.join(" -> ")}); break it by referencing an unmasked column such as the primary key.`,
    );
    return undefined;
  }
  if (!ok) return undefined;
  // Without the key a deterministic transform can't render; buildPlan already said so once.
  if (!input.key && [...specs.values()].some(({ spec }) => getTransform(spec.transform).deterministic)) return undefined;

  const exprs = new Map<string, Sql>();
  const exprFor = (name: string): Sql => {
    const cached = exprs.get(name);
    if (cached) return cached;
    const { spec, column } = specs.get(name)!;
    const ctx: TransformContext = {
      engine: dialect.engine,
      fn: dialect.functions,
      table,
      column,
      self: ident(name),
      // A masked column reads as its masking expression, so an original value is never copied.
      columnRef: (other) => (specs.has(other) && other !== name ? exprFor(other) : ident(other)),
      key: input.key,
    };
    const e = getTransform(spec.transform).render(spec, ctx);
    exprs.set(name, e);
    return e;
  };

  const columns: PlannedColumn[] = [];
  try {
    for (const [name, { spec, column }] of specs) {
      const vctx: TransformContext = {
        engine: dialect.engine,
        fn: dialect.functions,
        table,
        column,
        self: ident(name),
        columnRef: (other) => ident(other),
        key: input.key,
      };
      columns.push(hideSql({ name, spec }, { expr: exprFor(name), violation: getTransform(spec.transform).violation?.(spec, vctx) }));
    }
  } catch (err) {
    if (err instanceof SanitizeError) for (const p of err.problems) problems.add("rules", `tables.${key}: ${p}`);
    else problems.add("rules", `tables.${key}: ${(err as Error).message}`);
    return undefined;
  }

  const ordered = dialect.engine === "mysql" ? orderForLeftToRight(columns, readsOf) : columns;
  // MySQL would stamp ON UPDATE CURRENT_TIMESTAMP columns with the masking time: assigning one
  // to itself keeps it (it is only rewritten when no assignment names it).
  const frozen = table.columns.filter((c) => c.onUpdateNow && !specs.has(c.name)).map((c) => c.name);
  for (const f of frozen)
    warnings.push(`tables.${key}: ${table.qualified}.${f} is ON UPDATE CURRENT_TIMESTAMP; masking keeps it unchanged (SET ${f} = ${f}).`);
  const set = setClause(ordered, frozen);
  const split = splitMask(dialect, table, rule, specs, ordered, input.key);
  if (split && !("sqlColumns" in split)) {
    problems.add("rules", `tables.${key}: ${split.problem}`);
    return undefined;
  }

  // Constant outputs only (fixed/null): skipping rows that already hold them is safe because
  // no other column of the row depends on being rewritten. With any row-dependent transform,
  // a skipped row would keep its original values, so no skip then.
  const constantOnly = columns.every((c) => c.spec.transform === "fixed" || c.spec.transform === "null");
  const skipUnchanged = constantOnly
    ? sql`(${join(
        columns.map((c) => dialect.statements.differs(ident(c.name), c.expr)),
        " OR ",
      )})`
    : undefined;

  const chunkKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const keyColumn = chunkKey ? table.columns.find((c) => c.name === chunkKey) : undefined;
  const keyValue = (text: string): Sql => (keyColumn ? dialect.statements.keyValue(text, keyColumn) : sql`${text}`);
  if (!chunkKey)
    warnings.push(
      `tables.${key}: ${table.qualified} has ${table.primaryKey.length ? "a multi-column" : "no"} primary key, so it is masked in ONE transaction (no chunks, no resume within the table).`,
    );
  return hideSql({ where: rule.where, columns, chunkKey, frozen }, { set, setOrder: ordered, skipUnchanged, keyValue, split });
}

/** True when the fragment binds secret parameters (the masking key's pads). */
function carriesKey(e: Sql): boolean {
  return e.pieces.some((p) => p.kind === "param" && p.param.secret);
}

/**
 * The two-step form of a rule whose user SQL would otherwise share a statement with key
 * material (issue 8 §6): step one evaluates `where` and the `sql` expressions into a work
 * table (no key); step two masks the rows found there (no user SQL). `sql` columns read their
 * stored value; a template reading a `sql` column reads it the same way (PostgreSQL: from the
 * work table, as SET sees the old row; MySQL: the column itself, assigned first, left to right).
 */
function splitMask(
  dialect: Dialect,
  table: TableInfo,
  rule: Extract<TableRule, { kind: "mask" }>,
  specs: Map<string, { spec: TransformSpec; column: ColumnInfo }>,
  ordered: PlannedColumn[],
  key: MaskingKey | undefined,
): SplitMask | { problem: string } | undefined {
  const sqlNames = ordered.filter((c) => c.spec.transform === "sql").map((c) => c.name);
  const userSql = rule.where !== undefined || sqlNames.length > 0;
  if (!userSql || !ordered.some((c) => c.spec.transform !== "sql" && carriesKey(c.expr))) return undefined;
  if (table.primaryKey.length !== 1 && dialect.engine === "mysql")
    return {
      problem:
        `${table.qualified} has no single-column primary key, so its \`where\`/\`sql\` rules can't be evaluated apart from the masking key; ` +
        "add a primary key on the clone, or mask this table without `where` and `sql` transforms.",
    };
  const sqlColumns = sqlNames.map((name, index) => ({
    name,
    index,
    expression: (specs.get(name)!.spec as { expression: string }).expression,
  }));
  const stored = (name: string): Sql => {
    const i = sqlColumns.find((c) => c.name === name)!.index;
    return dialect.engine === "postgres" ? ident(WORK_TABLE, `s${i}`) : workValue(dialect, table, i);
  };
  const exprs = new Map<string, Sql>();
  const exprFor = (name: string): Sql => {
    if (sqlNames.includes(name)) return stored(name);
    const cached = exprs.get(name);
    if (cached) return cached;
    const { spec, column } = specs.get(name)!;
    const e = getTransform(spec.transform).render(spec, {
      engine: dialect.engine,
      fn: dialect.functions,
      table,
      column,
      self: ident(name),
      columnRef: (other) =>
        sqlNames.includes(other)
          ? dialect.engine === "postgres"
            ? stored(other)
            : ident(other)
          : specs.has(other) && other !== name
            ? exprFor(other)
            : ident(other),
      key,
    });
    exprs.set(name, e);
    return e;
  };
  // MySQL reads a column assigned earlier in the same SET as its new value: `sql` columns (now
  // plain stored values) go first, so a template reading one sees the masked value; the other
  // columns keep their order (readers of a keyed column inline its expression instead).
  const order =
    dialect.engine === "mysql"
      ? [...ordered.filter((c) => sqlNames.includes(c.name)), ...ordered.filter((c) => !sqlNames.includes(c.name))]
      : ordered;
  return { sqlColumns, setOrder: order.map((c) => ({ name: c.name, expr: exprFor(c.name) })) };
}

/** The work table step one fills (a temporary table of the session, see mask-chunk.ts). */
export const WORK_TABLE = "aurora_staging_work";

/** MySQL: a `sql` column's stored value, one work table per column (a temporary table can't be opened twice in one statement). */
function workValue(dialect: Dialect, table: TableInfo, i: number): Sql {
  const pk = table.primaryKey[0];
  return sql`(SELECT ${ident("aurora_staging_s")} FROM ${ident(`${WORK_TABLE}_v${i}`)} WHERE ${ident(`${WORK_TABLE}_v${i}`, "aurora_staging_k")} = ${dialect.statements.table(table)}.${ident(pk)})`;
}

/**
 * Compiled SQL carries the masking key's HMAC pads as parameters. Those properties are made
 * non-enumerable so that JSON.stringify or console.log of a Plan can never print them.
 */
function hideSql<T extends object, H extends object>(visible: T, hidden: H): T & H {
  for (const [k, v] of Object.entries(hidden)) Object.defineProperty(visible, k, { value: v, enumerable: false, writable: false });
  return visible as T & H;
}

function findCycle(reads: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === "done") return undefined;
    if (state.get(n) === "visiting") return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, "visiting");
    stack.push(n);
    for (const r of reads.get(n) ?? []) {
      const c = visit(r);
      if (c) return c;
    }
    stack.pop();
    state.set(n, "done");
    return undefined;
  };
  for (const n of reads.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/**
 * MySQL assigns left to right and later expressions see earlier NEW values. Each expression
 * reads its own column and (through inlined masking expressions) the columns it references,
 * so a column read by others must be assigned after all its readers. Raw `sql` transforms
 * may read anything, so they go first to see original values like on PostgreSQL.
 */
function orderForLeftToRight(columns: PlannedColumn[], readsOf: Map<string, string[]>): PlannedColumn[] {
  const unplacedReaders = new Map<string, number>(columns.map((c) => [c.name, 0]));
  for (const reads of readsOf.values()) for (const r of reads) unplacedReaders.set(r, (unplacedReaders.get(r) ?? 0) + 1);
  const out: PlannedColumn[] = [];
  const left = [...columns].sort((a, b) => Number(b.spec.transform === "sql") - Number(a.spec.transform === "sql"));
  while (left.length) {
    const i = left.findIndex((c) => (unplacedReaders.get(c.name) ?? 0) === 0);
    const [next] = left.splice(Math.max(i, 0), 1); // i < 0 only with a cycle, which planning refused
    out.push(next);
    for (const r of readsOf.get(next.name) ?? []) unplacedReaders.set(r, (unplacedReaders.get(r) ?? 1) - 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Statements, shared by the executor (which runs them) and plan (which displays them)
// ---------------------------------------------------------------------------------------

/**
 * `UPDATE t SET ... WHERE <chunk bounds> [AND (where)] [AND <not already the target>]`.
 * `only`: the columns of one progress job (default: all masked columns of the table).
 */
export function updateStatement(p: PlannedTable, bounds: { after?: string; upTo?: string }, only?: ReadonlySet<string>): Sql {
  const m = p.mask!;
  const set = only
    ? setClause(
        m.setOrder.filter((c) => only.has(c.name)),
        m.frozen,
      )
    : m.set;
  const conds = chunkScope(p, bounds);
  if (m.skipUnchanged) conds.push(m.skipUnchanged);
  return sql`UPDATE ${p.ref} SET ${set}${conds.length ? sql` WHERE ${join(conds, " AND ")}` : sql``}`;
}

/** `c1 = e1, c2 = e2[, ts = ts]`: the frozen (MySQL auto-update) columns assigned to themselves. */
export function setClause(entries: readonly { name: string; expr: Sql }[], frozen: readonly string[]): Sql {
  return join([...entries.map((c) => sql`${ident(c.name)} = ${c.expr}`), ...frozen.map((f) => sql`${ident(f)} = ${ident(f)}`)]);
}

/** The predicates selecting a chunk's rows that the rule masks: key bounds and `where`. */
export function chunkScope(p: PlannedTable, bounds: { after?: string; upTo?: string }, withWhere = true): Sql[] {
  const m = p.mask!;
  const conds: Sql[] = [];
  if (m.chunkKey && bounds.after !== undefined) conds.push(sql`${ident(m.chunkKey)} > ${m.keyValue(bounds.after)}`);
  if (m.chunkKey && bounds.upTo !== undefined) conds.push(sql`${ident(m.chunkKey)} <= ${m.keyValue(bounds.upTo)}`);
  if (m.where && withWhere) conds.push(sql`(${raw(m.where)})`);
  return conds;
}

export function deleteStatement(p: PlannedTable): Sql {
  return sql`DELETE FROM ${p.ref} WHERE (${raw(p.delete!)})`;
}

/** Phase 1 truncation statements. PostgreSQL: one TRUNCATE for all tables, so parents and children go together. */
export function truncateStatements(dialect: Dialect, tables: PlannedTable[]): Sql[] {
  const t = tables.filter((p) => p.truncate);
  if (!t.length) return [];
  if (dialect.truncateStyle === "together") {
    const cascade = t.some((p) => p.truncate!.cascade);
    return [sql`TRUNCATE ${join(t.map((p) => p.ref))}${raw(cascade ? " CASCADE" : "")}`];
  }
  const out: Sql[] = [];
  const fkOff = t.filter((p) => p.truncate!.via === "truncate-fk-off");
  if (fkOff.length) {
    out.push(raw("SET SESSION foreign_key_checks = 0"));
    for (const p of fkOff) out.push(sql`TRUNCATE TABLE ${p.ref}`);
    out.push(raw("SET SESSION foreign_key_checks = 1"));
  }
  for (const p of t.filter((x) => x.truncate!.via === "truncate")) out.push(sql`TRUNCATE TABLE ${p.ref}`);
  for (const p of t.filter((x) => x.truncate!.via === "delete-all")) out.push(sql`DELETE FROM ${p.ref}`);
  return out;
}

/** The user-SQL half of a split rule as a plain SELECT, for EXPLAIN. */
function splitSelection(p: PlannedTable): Sql {
  const m = p.mask!;
  const values = m.split!.sqlColumns.map((c) => raw(`(${c.expression})`));
  const scope = chunkScope(p, {});
  return sql`SELECT ${join([sql`1`, ...values])} FROM ${p.ref}${scope.length ? sql` WHERE ${join(scope, " AND ")}` : sql``}`;
}

function displayStatements(dialect: Dialect, tables: PlannedTable[], triggers: "fire" | "disable", full = true): string[] {
  const show = (q: Sql): string => displaySql(q, dialect.quoter, { full });
  const out: string[] = [];
  for (const q of truncateStatements(dialect, tables)) out.push(show(q));
  for (const p of tables) if (p.delete) out.push(show(deleteStatement(p)));
  if (triggers === "disable" && tables.some((p) => p.mask)) for (const q of dialect.statements.disableTriggers()) out.push(show(q));
  for (const p of tables) {
    if (!p.mask) continue;
    const bounds = p.mask.chunkKey ? { after: ":chunk_start", upTo: ":chunk_end" } : {};
    // Chunk bounds are shown as placeholders: they are computed while running.
    for (const q of chunkStatements(dialect, p, bounds).statements) out.push(show(q).replace(/'(:chunk_(?:start|end))'/g, "$1"));
  }
  return out;
}

async function explainAll(conn: Connection, tables: PlannedTable[], problems: Problems, which: "all" | "raw-sql-only"): Promise<void> {
  for (const p of tables) {
    const checks: { what: string; q: Sql }[] = [];
    if (p.delete) checks.push({ what: `delete condition "${p.delete}"`, q: deleteStatement(p) });
    // A split rule's user SQL is checked alone (no key in that statement); the trial runs its keyed step.
    const holdsRawSql = p.mask && (p.mask.where || p.mask.columns.some((c) => c.spec.transform === "sql"));
    if (p.mask?.split) checks.push({ what: `row selection (where "${p.mask.where ?? ""}", sql expressions)`, q: splitSelection(p) });
    else if (p.mask && (which === "all" || holdsRawSql))
      checks.push({ what: p.mask.where ? `masking UPDATE (with where "${p.mask.where}")` : "masking UPDATE", q: updateStatement(p, {}) });
    for (const c of checks) {
      try {
        await conn.query(sql`EXPLAIN ${c.q}`);
      } catch (err) {
        problems.add(
          "rules",
          `tables.${p.key}: the ${c.what} is not valid for ${p.table.qualified}: ${redactDbMessage(err)}. Fix the SQL in the rules.`,
        );
      }
    }
  }
}
