import type { Transform, TransformSpec } from "../core/types";
import { columnProblems, digitMap, keepNull, needText, needUniqueSafe, requireKey } from "./common";

type Spec = Extract<TransformSpec, { transform: "phone" }>;

export const phone: Transform<Spec> = {
  name: "phone",
  summary: "Deterministic: replaces every digit through a per-value digit map from the HMAC, keeping punctuation, spaces and length; `keepPrefix` leading chars stay (e.g. a country code).",
  deterministic: true,
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column) {
    const out = [...columnProblems(column), ...needText("phone", column)];
    const k = spec.keepPrefix ?? 0;
    if (!Number.isInteger(k) || k < 0) out.push(`phone keepPrefix ${k} must be a non-negative integer.`);
    out.push(...needUniqueSafe("phone", column, false, "can map two numbers to the same digits"));
    return out;
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "phone");
    const { fn } = ctx;
    const map = digitMap(ctx, fn.hmacHex(ctx.self, key));
    const k = spec.keepPrefix ?? 0;
    const masked = k > 0 ? fn.concat([fn.substr(ctx.self, 1, k), fn.mapDigits(fn.substr(ctx.self, k + 1), map)]) : fn.mapDigits(ctx.self, map);
    return keepNull(ctx.self, masked);
  },
};
