import type { ColumnInfo, Transform, TransformSpec } from "../core/types";
import { columnProblems, needText, requireKey } from "./common";
import { renderDigitMask } from "./digit-mask";

type Spec = Extract<TransformSpec, { transform: "phone" }>;

/**
 * Values of a unique column (alone or in any unique index) must stay distinct, so they get the
 * keyed permutation. `inUniqueIndex` comes with the plan branch's ColumnInfo; read defensively.
 */
export function mustStayDistinct(column: ColumnInfo): boolean {
  return column.unique || (column as { inUniqueIndex?: boolean }).inUniqueIndex === true;
}

export const phone: Transform<Spec> = {
  name: "phone",
  summary:
    "Deterministic: every digit after the first `keepPrefix` chars (default 0, e.g. a country code) becomes a keyed digit; punctuation, spaces and length stay; never the input itself. On unique columns a keyed permutation of the digits, so distinct numbers stay distinct.",
  deterministic: true,
  // Unique columns get the permutation (see render), so uniqueness always holds.
  preservesUniqueness: () => true,
  references: () => [],
  validate(spec, column) {
    const out = [...columnProblems(column), ...needText("phone", column)];
    const k = spec.keepPrefix ?? 0;
    if (!Number.isInteger(k) || k < 0) out.push(`phone keepPrefix ${k} must be a non-negative integer.`);
    return out;
  },
  render(spec, ctx) {
    const key = requireKey(ctx, "phone");
    return renderDigitMask(ctx, key, { keepPrefix: spec.keepPrefix ?? 0, permute: mustStayDistinct(ctx.column) });
  },
};
