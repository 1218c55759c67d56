import { z } from "zod";
import type { TransformSpec } from "../core/types";
import { columnProblems, keepNull, needLength, needText, needUniqueSafe, notMatching, requireKey } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "hash" }>;

export const HASH_MIN = 8;
export const HASH_MAX = 64;
/** From 16 hex chars (64 bits) collisions are negligible at any table size we clone. */
export const HASH_UNIQUE_MIN = 16;

const hashLength = (spec: Spec): number => spec.length ?? HASH_MAX;

export const hash = {
  name: "hash",
  summary:
    "Deterministic keyed HMAC-SHA256 as lowercase hex, first `length` chars (8..64, default 64); unique from length 16; NULL stays NULL.",
  options: z.strictObject({
    length: z
      .int()
      .min(HASH_MIN)
      .max(HASH_MAX)
      .default(HASH_MAX)
      .describe(`Hex characters kept (${HASH_MIN}..${HASH_MAX}). Default ${HASH_MAX}.`),
  }),
  columnTypes: ["text"],
  output: "lowercase hex HMAC",
  uniqueness: `from length ${HASH_UNIQUE_MIN}`,
  example: { transform: "hash", length: 16 },
  deterministic: true,
  preservesUniqueness: (spec) => hashLength(spec) >= HASH_UNIQUE_MIN,
  references: () => [],
  validate(spec, column) {
    const n = hashLength(spec);
    const out = [...columnProblems(column), ...needText("hash", column)];
    if (!Number.isInteger(n) || n < HASH_MIN || n > HASH_MAX)
      out.push(`hash length ${n} is out of range: use an integer from ${HASH_MIN} to ${HASH_MAX}.`);
    out.push(...needLength("hash", column, n, `output (length ${n})`));
    out.push(...needUniqueSafe("hash", column, hash.preservesUniqueness(spec), `with length ${n} (< ${HASH_UNIQUE_MIN}) can collide`));
    return out;
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "hash");
    const h = ctx.fn.hmacHex(ctx.self, key);
    const n = hashLength(spec);
    return keepNull(ctx.self, n === HASH_MAX ? h : ctx.fn.substr(h, 1, n));
  },
  violation(spec, ctx) {
    return notMatching(ctx, `[0-9a-f]{${hashLength(spec)}}`);
  },
} satisfies TransformDefinition<Spec>;
