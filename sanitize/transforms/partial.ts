import { z } from "zod";
import { param, raw, sql } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needText, needUniqueSafe, regexLiteral, rightChars } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "partial" }>;

export const PARTIAL_DEFAULTS = { keepFirst: 0, keepLast: 4, mask: "*" } as const;

function opts(spec: Spec): { keepFirst: number; keepLast: number; mask: string } {
  return {
    keepFirst: spec.keepFirst ?? PARTIAL_DEFAULTS.keepFirst,
    keepLast: spec.keepLast ?? PARTIAL_DEFAULTS.keepLast,
    mask: spec.mask ?? PARTIAL_DEFAULTS.mask,
  };
}

export const partial = {
  name: "partial",
  summary:
    "Keeps the first `keepFirst` (default 0) and last `keepLast` (default 4) chars and replaces the rest with `mask` (default *); values no longer than keepFirst+keepLast are masked entirely; NULL stays NULL.",
  options: z.strictObject({
    keepFirst: z
      .int()
      .min(0)
      .default(PARTIAL_DEFAULTS.keepFirst)
      .describe(`Leading characters kept. Default ${PARTIAL_DEFAULTS.keepFirst}.`),
    keepLast: z.int().min(0).default(PARTIAL_DEFAULTS.keepLast).describe(`Trailing characters kept. Default ${PARTIAL_DEFAULTS.keepLast}.`),
    mask: z.string().length(1).default(PARTIAL_DEFAULTS.mask).describe(`The single masking character. Default ${PARTIAL_DEFAULTS.mask}.`),
  }),
  columnTypes: ["text"],
  output: "ends kept, middle masked",
  uniqueness: "no",
  example: { transform: "partial", keepLast: 4 },
  deterministic: false,
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column) {
    const o = opts(spec);
    const out = [...columnProblems(column), ...needText("partial", column)];
    for (const k of ["keepFirst", "keepLast"] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 0) out.push(`partial ${k} ${o[k]} must be a non-negative integer.`);
    }
    if ([...o.mask].length !== 1) out.push(`partial mask "${o.mask}" must be exactly one character, e.g. "*".`);
    out.push(...needUniqueSafe("partial", column, false, "can make two values equal"));
    return out;
  },
  render(spec, ctx) {
    const { keepFirst, keepLast, mask } = opts(spec);
    const { fn, self } = ctx;
    const len = fn.charLength(self);
    const parts = [];
    if (keepFirst > 0) parts.push(fn.substr(self, 1, keepFirst));
    parts.push(fn.repeat(param(mask), sql`(${len} - ${param(keepFirst + keepLast)})`));
    if (keepLast > 0) parts.push(rightChars(ctx, self, keepLast));
    // Short values would otherwise be kept whole: mask every character of those.
    return keepNull(
      self,
      sql`CASE WHEN ${len} <= ${param(keepFirst + keepLast)} THEN ${fn.repeat(param(mask), len)} ELSE ${fn.concat(parts)} END`,
    );
  },
  violation(spec, ctx) {
    // The kept ends are the original's, so only the masked part can be checked: a short value
    // must be all mask characters, a longer one between its kept ends.
    const { keepFirst, keepLast, mask } = opts(spec);
    const { fn, self } = ctx;
    const kept = keepFirst + keepLast;
    const len = fn.charLength(self);
    const m = regexLiteral(mask);
    const middle = fn.substrAt(self, raw(String(keepFirst + 1)), sql`${len} - ${raw(String(kept))}`);
    return sql`(${self} IS NOT NULL AND NOT (CASE WHEN ${len} <= ${raw(String(kept))} THEN ${fn.matches(self, `^(${m})*$`)} ELSE ${fn.matches(middle, `^(${m})+$`)} END))`;
  },
} satisfies TransformDefinition<Spec>;
