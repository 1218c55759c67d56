import { z } from "zod";
import { param, raw, sql } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, needText, needUniqueSafe, notMatching, requireKey } from "./common";
import type { TransformDefinition } from "./definition";
import { longest } from "./names";
import { STREETS } from "./streets";

type Spec = Extract<TransformSpec, { transform: "address" }>;

/** House numbers 1..MAX_NUMBER. */
const MAX_NUMBER = 999;
export const ADDRESS_MAX_LENGTH = String(MAX_NUMBER).length + 1 + longest(STREETS);

export const address = {
  name: "address",
  summary: `Deterministic plausible street line "<number> <street>" (1..${MAX_NUMBER}, a street from a shipped list of ${STREETS.length}; at most ${ADDRESS_MAX_LENGTH} characters); NULL stays NULL; not for unique columns.`,
  options: z.strictObject({}),
  columnTypes: ["text"],
  output: `\`<1..${MAX_NUMBER}> <street from a list>\``,
  uniqueness: "no",
  example: { transform: "address" },
  deterministic: true,
  preservesUniqueness: () => false,
  references: () => [],
  validate(_spec, column) {
    return [
      ...columnProblems(column),
      ...needText("address", column),
      ...needLength("address", column, ADDRESS_MAX_LENGTH),
      ...needUniqueSafe("address", column, false, `has ${MAX_NUMBER * STREETS.length} possible outputs, so equal outputs are expected`),
    ];
  },
  render(_spec, ctx) {
    const key = requireKey(ctx, "address");
    const { fn } = ctx;
    const h = fn.hmacHex(ctx.self, key);
    const n = sql`1 + mod(${fn.hexToInt(fn.substr(h, 1, 8))}, ${raw(String(MAX_NUMBER))})`;
    const street = fn.pick(STREETS, sql`mod(${fn.hexToInt(fn.substr(h, 9, 8))}, ${raw(String(STREETS.length))})`);
    return keepNull(ctx.self, fn.concat([fn.toText(n), param(" "), street]));
  },
  violation(_spec, ctx) {
    return notMatching(ctx, `[1-9][0-9]{0,2} (${STREETS.join("|")})`);
  },
} satisfies TransformDefinition<Spec>;
