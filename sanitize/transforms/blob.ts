import { z } from "zod";
import { param, sql, type Sql } from "../core/sql";
import type { ColumnInfo, TransformContext, TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, needUniqueSafe } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "blob" }>;

/** What `fill: placeholder` writes: small, recognisable, the same bytes in text and binary columns. */
export const BLOB_PLACEHOLDER = "REDACTED";

const fillOf = (spec: Spec) => spec.fill ?? "empty";

function value(spec: Spec, column: ColumnInfo): unknown {
  const text = fillOf(spec) === "empty" ? "" : BLOB_PLACEHOLDER;
  return column.typeClass === "binary" ? Buffer.from(text, "utf8") : text;
}

function target(spec: Spec, ctx: TransformContext): Sql {
  return ctx.fn.castTo(param(value(spec, ctx.column)), ctx.column);
}

export const blob = {
  name: "blob",
  summary: `Clears a blob (pictures, documents): \`fill: empty\` (default) writes an empty value, \`placeholder\` the bytes "${BLOB_PLACEHOLDER}", \`null\` NULL; binary or text columns; NULL stays NULL.`,
  options: z.strictObject({
    fill: z.enum(["empty", "null", "placeholder"]).default("empty").describe("What the value becomes. Default empty."),
  }),
  columnTypes: ["binary", "text"],
  output: `empty, \`${BLOB_PLACEHOLDER}\` or NULL`,
  uniqueness: "only `fill: null`",
  example: { transform: "blob", fill: "placeholder" },
  deterministic: false,
  preservesUniqueness: (spec) => fillOf(spec) === "null",
  references: () => [],
  validate(spec, column) {
    const out = columnProblems(column);
    const fill = fillOf(spec);
    if (column.typeClass !== "binary" && column.typeClass !== "text")
      out.push(`transform "blob" works on binary and text columns, but the column is ${column.rawType}.`);
    if (/^binary\s*\(/i.test(column.rawType) && fill !== "null") {
      out.push(
        `is ${column.rawType}, a fixed-length type that pads every value with zero bytes: use \`fill: null\`, or \`fixed\`/\`sql\` with a value of exactly that length.`,
      );
    }
    if (fill === "null" && !column.nullable)
      out.push("is NOT NULL, so blob `fill: null` can't be used: use `fill: empty` or `fill: placeholder`.");
    if (column.typeClass === "text" && fill === "placeholder")
      out.push(...needLength("blob", column, BLOB_PLACEHOLDER.length, "placeholder"));
    out.push(...needUniqueSafe("blob", column, blob.preservesUniqueness(spec), "gives every row the same value"));
    return out;
  },
  render(spec, ctx) {
    return fillOf(spec) === "null" ? sql`NULL` : keepNull(ctx.self, target(spec, ctx));
  },
  violation(spec, ctx) {
    if (fillOf(spec) === "null") return sql`(${ctx.self} IS NOT NULL)`;
    const differs =
      ctx.column.typeClass === "text" ? ctx.fn.distinctText(ctx.self, target(spec, ctx)) : ctx.fn.distinct(ctx.self, target(spec, ctx));
    return sql`(${ctx.self} IS NOT NULL AND ${differs})`;
  },
} satisfies TransformDefinition<Spec>;
