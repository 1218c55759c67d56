import { z } from "zod";
import { param, raw, sql, type Sql } from "../core/sql";
import type { TransformContext, TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, needText, needUniqueSafe, notMatching, requireKey } from "./common";
import type { TransformDefinition } from "./definition";
import { FIRST_NAMES, LAST_NAMES, longest } from "./names";

type Spec = Extract<TransformSpec, { transform: "name" }>;

const kindOf = (spec: Spec): "first" | "last" | "full" => spec.kind ?? "full";

export function nameMaxLength(spec: Spec): number {
  const kind = kindOf(spec);
  if (kind === "first") return longest(FIRST_NAMES);
  if (kind === "last") return longest(LAST_NAMES);
  return longest(FIRST_NAMES) + 1 + longest(LAST_NAMES);
}

/** list[hexToInt(8 hex chars of the HMAC, from `start`) mod list.length]. */
function pickFrom(ctx: TransformContext, hmac: Sql, list: readonly string[], start: number): Sql {
  const n = ctx.fn.hexToInt(ctx.fn.substr(hmac, start, 8));
  return ctx.fn.pick(list, sql`mod(${n}, ${raw(String(list.length))})`);
}

export const name = {
  name: "name",
  summary: "Deterministic plausible name from a shipped list: `kind` first, last or full (default full); NULL stays NULL.",
  options: z.strictObject({
    kind: z.enum(["first", "last", "full"]).default("full").describe('first, last or full ("First Last"). Default full.'),
  }),
  columnTypes: ["text"],
  output: "a name from the shipped lists",
  uniqueness: "no",
  example: { transform: "name", kind: "first" },
  deterministic: true,
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column) {
    return [
      ...columnProblems(column),
      ...needText("name", column),
      ...needLength("name", column, nameMaxLength(spec), `output (kind ${kindOf(spec)})`),
      ...needUniqueSafe("name", column, false, `picks from ~${FIRST_NAMES.length} names, so equal outputs are expected`),
    ];
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "name");
    const h = ctx.fn.hmacHex(ctx.self, key);
    const kind = kindOf(spec);
    // Different slices of the HMAC for first and last, so they vary independently.
    const first = () => pickFrom(ctx, h, FIRST_NAMES, 1);
    const last = () => pickFrom(ctx, h, LAST_NAMES, 9);
    const out = kind === "first" ? first() : kind === "last" ? last() : ctx.fn.concat([first(), param(" "), last()]);
    return keepNull(ctx.self, out);
  },
  violation(spec, ctx) {
    // Exactly a listed name (or "First Last"): any other value can't be an output.
    const first = FIRST_NAMES.join("|");
    const last = LAST_NAMES.join("|");
    const kind = kindOf(spec);
    return notMatching(ctx, kind === "first" ? first : kind === "last" ? last : `(${first}) (${last})`);
  },
} satisfies TransformDefinition<Spec>;
