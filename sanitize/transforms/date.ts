import { z } from "zod";
import { raw, sql, type Sql } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needUniqueSafe, requireKey } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "date" }>;

export const DATE_DEFAULT_RANGE = 30;
export const DATE_MAX_RANGE = 36_500;

export const date = {
  name: "date",
  summary:
    "Deterministic: shifts a date or timestamp by a keyed number of days in -range..-1 or 1..range (default 30; never 0), or with `keep: year` / `keep: month` moves it to a keyed day of the same year / month (time 00:00); NULL stays NULL.",
  options: z.strictObject({
    range: z
      .int()
      .min(1)
      .max(DATE_MAX_RANGE)
      .default(DATE_DEFAULT_RANGE)
      .describe(`Largest shift in days (shift mode). Default ${DATE_DEFAULT_RANGE}.`),
    keep: z
      .enum(["year", "month"])
      .optional()
      .describe("Generalise instead of shifting: keep the year, or the year and month; the day becomes keyed, the time 00:00."),
  }),
  columnTypes: ["date", "timestamp"],
  output: "a keyed shift of days, or a keyed day in the same year / month",
  uniqueness: "no",
  example: { transform: "date", range: 30 },
  deterministic: true,
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column) {
    const out = columnProblems(column);
    if (column.typeClass !== "date" && column.typeClass !== "timestamp") {
      out.push(
        `transform "date" works on date and timestamp columns, but the column is ${column.rawType}: use \`fixed\` or \`sql\` for other types.`,
      );
    }
    if (spec.keep !== undefined && spec.range !== undefined)
      out.push("date takes either `range` (shift) or `keep` (year or month), not both.");
    const r = spec.range ?? DATE_DEFAULT_RANGE;
    if (!Number.isInteger(r) || r < 1 || r > DATE_MAX_RANGE)
      out.push(`date range ${r} must be an integer from 1 to ${DATE_MAX_RANGE} (days).`);
    out.push(...needUniqueSafe("date", column, false, "can move two values to the same day"));
    return out;
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "date");
    const { fn } = ctx;
    const x = fn.hexToInt(fn.substr(fn.hmacHex(ctx.self, key), 1, 8));
    const lit = (n: number): Sql => raw(String(n));
    if (spec.keep) {
      const days = spec.keep === "year" ? 365 : 28; // day 365 of a leap year is still that year
      return keepNull(ctx.self, fn.addDays(fn.startOf(ctx.self, spec.keep), sql`mod(${x}, ${lit(days)})`, 1));
    }
    // k in 0..2r-1 becomes -r..-1 or 1..r: never the same day.
    const r = spec.range ?? DATE_DEFAULT_RANGE;
    const k = sql`mod(${x}, ${lit(2 * r)})`;
    return keepNull(
      ctx.self,
      sql`CASE WHEN ${k} < ${lit(r)} THEN ${fn.addDays(ctx.self, sql`${lit(r)} - ${k}`, -1)} ELSE ${fn.addDays(ctx.self, sql`${k} - ${lit(r - 1)}`, 1)} END`,
    );
  },
} satisfies TransformDefinition<Spec>;
