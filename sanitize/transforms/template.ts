import { z } from "zod";
import { param, sql, type Sql } from "../core/sql";
import type { ColumnInfo, TableInfo, TransformSpec } from "../core/types";
import { chars, columnNames, columnProblems, keepNull, needLength, needText, needUniqueSafe } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "template" }>;

export type TemplatePart = { kind: "text"; text: string } | { kind: "column"; column: string };

/**
 * `FirstName_{id}` -> text "FirstName_", column "id". `{{` and `}}` are literal braces.
 * Returns the problems instead of throwing so the rules loader can report them all.
 */
export function parseTemplate(value: string): { parts: TemplatePart[]; problems: string[] } {
  const parts: TemplatePart[] = [];
  const problems: string[] = [];
  let text = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if ((c === "{" || c === "}") && value[i + 1] === c) {
      text += c;
      i++;
    } else if (c === "{") {
      const end = value.indexOf("}", i + 1);
      const name = end < 0 ? "" : value.slice(i + 1, end);
      if (end < 0 || name.includes("{")) {
        problems.push(`template "${value}" has a "{" without a matching "}" at character ${i + 1}; write "{{" for a literal brace.`);
        break;
      }
      if (name === "") {
        problems.push(`template "${value}" has an empty "{}" at character ${i + 1}; put a column name inside, e.g. {id}.`);
      } else {
        if (text) parts.push({ kind: "text", text });
        text = "";
        parts.push({ kind: "column", column: name });
      }
      i = end;
    } else if (c === "}") {
      problems.push(`template "${value}" has a "}" without a matching "{" at character ${i + 1}; write "}}" for a literal brace.`);
    } else {
      text += c;
    }
  }
  if (text) parts.push({ kind: "text", text });
  return { parts, problems };
}

/** The longest text a column's value can print as, when known. */
function maxPrintedLength(col: ColumnInfo): number | undefined {
  if (col.typeClass === "integer") return integerWidth(col.rawType);
  if (col.typeClass === "uuid") return 36;
  if (col.typeClass === "boolean") return 5;
  if (col.typeClass === "text") return col.maxLength;
  return undefined;
}

/**
 * Characters of the longest value of an integer type, sign included: int4 -2147483648 is 11,
 * int2 6, MySQL tinyint 4 (unsigned: no sign, 10 for int). Unknown integer types count as
 * bigint (20), which is never too short.
 */
export function integerWidth(rawType: string): number {
  const t = rawType.toLowerCase().trim();
  const unsigned = /\bunsigned\b/.test(t);
  const widths: [RegExp, number, number][] = [
    [/^(tinyint|int1)\b/, 4, 3],
    [/^(smallint|int2|smallserial|serial2)\b/, 6, 5],
    [/^(mediumint|int3)\b/, 8, 8],
    [/^(integer|int4|int|serial4|serial)\b/, 11, 10],
  ];
  for (const [re, signed, uns] of widths) if (re.test(t)) return unsigned ? uns : signed;
  return 20; // bigint: -9223372036854775808; unsigned 18446744073709551615 is 20 as well
}

export const template = {
  name: "template",
  summary:
    "Builds text from literal parts and other columns of the same row: `FirstName_{id}`; `{{` is a literal brace. Referenced columns read their " +
    "masked value; keeps uniqueness only when it references exactly one unique column.",
  options: z.strictObject({
    value: z
      .string()
      .min(1)
      .describe("Template text; {column} inserts that column of the same row.")
      .meta({ examples: ["FirstName_{id}", "user{id}@example.com"] }),
  }),
  columnTypes: ["text"],
  output: "text with `{column}` filled in",
  uniqueness: "with exactly one unique reference",
  example: { transform: "template", value: "user_{id}" },
  deterministic: false,
  // Only known with the table: see validate(), which checks uniqueness itself.
  preservesUniqueness: () => false,
  references(spec) {
    return [...new Set(parseTemplate(spec.value).parts.flatMap((p) => (p.kind === "column" ? [p.column] : [])))];
  },
  validate(spec, column, table) {
    const { parts, problems } = parseTemplate(spec.value);
    const out = [...columnProblems(column), ...needText("template", column), ...problems];
    let maxLen: number | undefined = 0;
    let referencesUnique = false;
    for (const p of parts) {
      if (p.kind === "text") {
        if (maxLen !== undefined) maxLen += chars(p.text);
        continue;
      }
      if (p.column === column.name) {
        out.push(
          `template "${spec.value}" references the column itself ({${p.column}}), which would copy the original value; reference another column such as {id}.`,
        );
        continue;
      }
      const ref = findColumn(table, p.column);
      if (!ref) {
        out.push(`template "${spec.value}" references unknown column {${p.column}}; ${table.qualified} has: ${columnNames(table)}.`);
        maxLen = undefined;
        continue;
      }
      const refLen = maxPrintedLength(ref);
      maxLen = maxLen === undefined || refLen === undefined ? undefined : maxLen + refLen;
      if (ref.unique || (table.primaryKey.length === 1 && table.primaryKey[0] === ref.name)) referencesUnique = true;
    }
    if (column.typeClass === "text") out.push(...needLength("template", column, maxLen));
    out.push(
      ...needUniqueSafe(
        "template",
        column,
        templatePreservesUniqueness(spec, referencesUnique),
        "does not reference exactly one unique column",
      ),
    );
    return out;
  },
  render(spec, ctx) {
    const { parts, problems } = parseTemplate(spec.value);
    if (problems.length) throw new Error(`${ctx.table.qualified}.${ctx.column.name}: ${problems[0]}`);
    const sqlParts = parts.map((p) => (p.kind === "text" ? param(p.text) : ctx.columnRef(p.column)));
    return keepNull(ctx.self, ctx.fn.concat(sqlParts.length ? sqlParts : [param("")]));
  },
  violation(spec, ctx): Sql {
    // Checks run after masking, when columnRef reads the row's current values: the value must
    // be the template rendered from them.
    return sql`(${ctx.self} IS NOT NULL AND ${ctx.fn.distinctText(ctx.self, template.render(spec, ctx))})`;
  },
} satisfies TransformDefinition<Spec>;

/**
 * Injective only with exactly one column reference, and that column unique: with two
 * references "{a}{b}" could collide ("1"+"23" and "12"+"3").
 */
function templatePreservesUniqueness(spec: Spec, referencesUnique: boolean): boolean {
  return referencesUnique && template.references(spec).length === 1;
}

function findColumn(table: TableInfo, name: string): ColumnInfo | undefined {
  return table.columns.find((c) => c.name === name);
}
