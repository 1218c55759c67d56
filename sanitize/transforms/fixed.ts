import { z } from "zod";
import { param, sql } from "../core/sql";
import type { ColumnInfo, TransformSpec } from "../core/types";
import { chars, columnProblems, keepNull, needLength, needUniqueSafe } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "fixed" }>;

/**
 * Every row gets the same value, e.g. a known test password hash. NULLs stay NULL (a missing
 * value is not personal data, and filling it would change what the application sees) unless
 * `fillNulls: true`.
 */
export const fixed = {
  name: "fixed",
  summary:
    "Sets every non-NULL row to the same value (`value`); `fillNulls: true` sets NULLs too; not for unique columns. A number for numeric columns, true/false for booleans.",
  options: z.strictObject({
    value: z
      .union([z.string(), z.number(), z.boolean()])
      .describe("The value every row gets. Write numbers without quotes for numeric columns."),
    fillNulls: z.boolean().default(false).describe("Also set rows where the column is NULL. Default false: NULL stays NULL."),
  }),
  columnTypes: "any",
  columnTypesNote: "the value must be of the column's type",
  output: "the value, every non-NULL row",
  uniqueness: "no",
  example: { transform: "fixed", value: "redacted" },
  deterministic: false,
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column) {
    return [
      ...columnProblems(column),
      ...typeProblems(spec.value, column),
      ...(column.typeClass === "text" ? needLength("fixed", column, chars(String(spec.value)), "value") : []),
      ...needUniqueSafe("fixed", column, false, "gives every row the same value"),
    ];
  },
  render(spec, ctx) {
    const value = ctx.fn.castTo(param(spec.value), ctx.column);
    return spec.fillNulls === true ? value : keepNull(ctx.self, value);
  },
  violation(spec, ctx) {
    const wrong = ctx.fn.distinct(ctx.self, ctx.fn.castTo(param(spec.value), ctx.column));
    return spec.fillNulls === true ? wrong : sql`(${ctx.self} IS NOT NULL AND ${wrong})`;
  },
} satisfies TransformDefinition<Spec>;

function typeProblems(value: Spec["value"], column: ColumnInfo): string[] {
  const shown = typeof value === "string" ? "a string" : typeof value;
  switch (column.typeClass) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value)
        ? []
        : [
            `is ${column.rawType} but the fixed value is ${shown === "number" ? "not an integer" : shown}: write an integer without quotes, e.g. \`value: 0\`.`,
          ];
    case "decimal":
      return typeof value === "number"
        ? []
        : [`is ${column.rawType} but the fixed value is ${shown}: write a number without quotes, e.g. \`value: 0\`.`];
    case "boolean":
      return typeof value === "boolean"
        ? []
        : [`is ${column.rawType} but the fixed value is ${shown}: write \`value: true\` or \`value: false\`.`];
    case "text":
      // An enum only holds its members: anything else fails mid-run (or MySQL blanks it).
      return column.enumValues && !column.enumValues.includes(String(value))
        ? [
            `is ${column.rawType}, an enum, but the fixed value is not one of its members: use one of ${column.enumValues.map((v) => JSON.stringify(v)).join(", ")}.`,
          ]
        : [];
    default:
      // Dates, uuids, json...: the database parses the string; it reports a bad one.
      return typeof value === "string"
        ? []
        : [`is ${column.rawType} but the fixed value is ${shown}: write the value as a quoted string the database can parse.`];
  }
}
