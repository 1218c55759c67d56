import { z } from "zod";
import type { ColumnInfo, MaskingKey, TransformContext, TransformSpec } from "../core/types";
import type { Sql } from "../core/sql";
import { columnProblems, needText, requireKey } from "./common";
import type { TransformDefinition } from "./definition";
import { renderDigitMask } from "./digit-mask";

type Spec = Extract<TransformSpec, { transform: "digits" }>;

/**
 * Values of a unique column (alone or in any unique index) must stay distinct, so they get the
 * keyed permutation. `inUniqueIndex` comes with the plan branch's ColumnInfo; read defensively.
 */
export function mustStayDistinct(column: ColumnInfo): boolean {
  return column.unique || (column as { inUniqueIndex?: boolean }).inUniqueIndex === true;
}

/** Shared by `digits` and its preset `phone`: same options, same outputs. */
export function digitProblems(transform: string, keepPrefix: number | undefined, column: ColumnInfo): string[] {
  const out = [...columnProblems(column), ...needText(transform, column)];
  const k = keepPrefix ?? 0;
  if (!Number.isInteger(k) || k < 0) out.push(`${transform} keepPrefix ${k} must be a non-negative integer.`);
  return out;
}

export function renderDigits(transform: string, keepPrefix: number | undefined, ctx: TransformContext): Sql {
  const key: MaskingKey = requireKey(ctx, transform);
  return renderDigitMask(ctx, key, { keepPrefix: keepPrefix ?? 0, permute: mustStayDistinct(ctx.column) });
}

export const digits = {
  name: "digits",
  summary:
    "Deterministic: every digit after the first `keepPrefix` chars becomes a keyed digit, everything else stays (postcodes, account and document numbers); never the input itself; on unique columns a keyed permutation, so distinct values stay distinct; NULL stays NULL.",
  options: z.strictObject({
    keepPrefix: z.int().min(0).default(0).describe("Leading characters kept as they are. Default 0."),
  }),
  columnTypes: ["text"],
  output: "same format, other digits (postcodes, account numbers)",
  uniqueness: "yes (a keyed permutation on unique columns)",
  example: { transform: "digits" },
  deterministic: true,
  // Unique columns get the permutation (see renderDigits), so uniqueness always holds.
  preservesUniqueness: () => true,
  references: () => [],
  validate: (spec, column) => digitProblems("digits", spec.keepPrefix, column),
  render: (spec, ctx) => renderDigits("digits", spec.keepPrefix, ctx),
} satisfies TransformDefinition<Spec>;
