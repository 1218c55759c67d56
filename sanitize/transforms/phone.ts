import { z } from "zod";
import type { TransformSpec } from "../core/types";
import { digitProblems, renderDigits } from "./digits";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "phone" }>;

/** A preset of `digits` under the name people look for: same options, same outputs. */
export const phone = {
  name: "phone",
  summary:
    "Deterministic: every digit after the first `keepPrefix` chars (default 0, e.g. a country code) becomes a keyed digit; punctuation, spaces and length stay; never the input itself. On unique columns a keyed permutation of the digits, so distinct numbers stay distinct. Same as `digits`.",
  options: z.strictObject({
    keepPrefix: z.int().min(0).default(0).describe('Leading characters kept as they are (e.g. 2 for "+1"). Default 0.'),
  }),
  columnTypes: ["text"],
  output: "same format, other digits",
  uniqueness: "yes (a keyed permutation on unique columns)",
  example: { transform: "phone", keepPrefix: 2 },
  deterministic: true,
  preservesUniqueness: () => true,
  references: () => [],
  validate: (spec, column) => digitProblems("phone", spec.keepPrefix, column),
  render: (spec, ctx) => renderDigits("phone", spec.keepPrefix, ctx),
} satisfies TransformDefinition<Spec>;
