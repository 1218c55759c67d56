/**
 * Checks and SQL pieces shared by the transforms. Messages are written to follow
 * "<table>.<column>: " (the caller adds that prefix) and always say how to fix the problem.
 */
import { raw, sql, type Sql } from "../core/sql";
import { SanitizeError, type ColumnInfo, type MaskingKey, type TableInfo, type TransformContext } from "../core/types";
import { MASKING_KEY_ENV } from "../core/masking-key";

/** Primary-key and generated columns can't be masked, whatever the transform. */
export function columnProblems(column: ColumnInfo): string[] {
  const out: string[] = [];
  if (column.isPrimaryKey) {
    out.push(
      "is part of the primary key: masking it would break row identity and every foreign key pointing at it. " +
        "Remove this rule (surrogate keys are not personal data) or list the column under `keep`.",
    );
  }
  if (column.generated) {
    out.push("is a generated column and can't be assigned: mask the columns it is computed from instead and remove this rule.");
  }
  return out;
}

export function needText(transform: string, column: ColumnInfo): string[] {
  if (column.enumValues !== undefined || /^(enum|set)\s*\(/i.test(column.rawType)) {
    // MySQL ENUM/SET: generated text would be rejected (or, in non-strict mode, blanked).
    return [
      `transform "${transform}" produces free text, but the column is ${column.rawType}, which only holds its listed values: use \`fixed\` with one of them.`,
    ];
  }
  if (column.typeClass === "text") return [];
  return [
    `transform "${transform}" produces text, but the column is ${column.rawType} (${column.typeClass}). ` +
      (column.typeClass === "integer" || column.typeClass === "decimal"
        ? "Numeric columns take `fixed` with a number, `null`, or `sql`."
        : "Use `fixed`, `null` or `sql` with a value of the column's type."),
  ];
}

export function needLength(transform: string, column: ColumnInfo, maxOutput: number | undefined, what = "output"): string[] {
  if (maxOutput === undefined || column.maxLength === undefined || maxOutput <= column.maxLength) return [];
  return [
    `transform "${transform}" ${what} can be ${maxOutput} characters, but the column is ${column.rawType} (at most ${column.maxLength}). ` +
      "Widen the column, or choose options that give shorter output.",
  ];
}

export function needUniqueSafe(transform: string, column: ColumnInfo, preserves: boolean, why: string): string[] {
  if (!(column.unique || column.inUniqueIndex) || preserves) return [];
  return [
    `${column.unique ? "is unique" : "is in a unique index (with other columns, through an expression, or partial)"}, but transform "${transform}" ${why}, so the UPDATE would fail on duplicate values. ` +
      "Use `email`, `hash` (length >= 16) or a `template` that references a unique column such as `{id}`.",
  ];
}

/** Guard for callers that render directly; buildPlan reports a missing key before rendering. */
export function requireKey(ctx: TransformContext, transform: string): MaskingKey {
  if (ctx.key) return ctx.key;
  throw new SanitizeError(
    [
      `${ctx.table.qualified}.${ctx.column.name}: transform "${transform}" is deterministic and needs the masking key. ` +
        `Set ${MASKING_KEY_ENV} (generate one with \`openssl rand -hex 32\`) and keep it the same across runs.`,
    ],
    "rules",
  );
}

/** NULL stays NULL: deterministic transforms must not invent values for missing data. */
export function keepNull(self: Sql, expr: Sql): Sql {
  return sql`CASE WHEN ${self} IS NULL THEN NULL ELSE ${expr} END`;
}

/** `right(text, n)` is spelled the same on PostgreSQL and MySQL/MariaDB. */
export function rightChars(ctx: TransformContext, expr: Sql, n: number): Sql {
  return sql`right(${ctx.fn.toText(expr)}, ${raw(String(Math.trunc(n)))})`;
}

export function columnNames(table: TableInfo): string {
  return table.columns.map((c) => c.name).join(", ");
}

/**
 * Up to 15 hex chars of the HMAC as a zero-padded string of 10 decimal digits: a per-value
 * digit map for `mapDigits`. 15 hex chars (60 bits) stay a non-negative bigint on both engines.
 */
export function digitMap(ctx: TransformContext, hmac: Sql): Sql {
  const n = ctx.fn.hexToInt(ctx.fn.substr(hmac, 1, 15));
  return ctx.fn.substr(sql`lpad(${ctx.fn.toText(n)}, 19, '0')`, 10, 10);
}

/** Length in characters (code points), as the databases count `varchar(n)`, not UTF-16 units. */
export function chars(s: string): number {
  return [...s].length;
}

/**
 * `s` as a regex matching itself, for `SqlFunctions.matches`: ASCII punctuation and spaces get
 * a backslash, which PostgreSQL (ARE), MySQL (ICU) and MariaDB (PCRE) all read as "this
 * character, literally"; letters, digits and non-ASCII characters need none.
 */
export function regexLiteral(s: string): string {
  return [...s].map((c) => (/^[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(c) ? `\\${c}` : c)).join("");
}

/** TRUE for a non-NULL value that doesn't match the whole of `regex` (a built-in check). */
export function notMatching(ctx: TransformContext, regex: string): Sql {
  return sql`(${ctx.self} IS NOT NULL AND NOT ${ctx.fn.matches(ctx.self, `^(${regex})$`)})`;
}
