import type { Transform, TransformSpec } from "../core/types";
import { digitProblems, renderDigits } from "./digits";

type Spec = Extract<TransformSpec, { transform: "phone" }>;

/** A preset of `digits` under the name people look for: same options, same outputs. */
export const phone: Transform<Spec> = {
  name: "phone",
  summary:
    "Deterministic: every digit after the first `keepPrefix` chars (default 0, e.g. a country code) becomes a keyed digit; punctuation, spaces and length stay; never the input itself. On unique columns a keyed permutation of the digits, so distinct numbers stay distinct. Same as `digits`.",
  deterministic: true,
  preservesUniqueness: () => true,
  references: () => [],
  validate: (spec, column) => digitProblems("phone", spec.keepPrefix, column),
  render: (spec, ctx) => renderDigits("phone", spec.keepPrefix, ctx),
};
