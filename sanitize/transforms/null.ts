import { z } from "zod";
import { raw, sql } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "null" }>;

/** Clears the column. NULLs never collide, so unique columns are fine. */
export const nullTransform = {
  name: "null",
  summary: "Sets the column to NULL (the column must allow NULL).",
  options: z.strictObject({}),
  columnTypes: "any",
  columnTypesNote: "the column must allow NULL",
  output: "NULL",
  uniqueness: "yes (NULLs never collide)",
  example: { transform: "null" },
  deterministic: false,
  preservesUniqueness: () => true,
  references: () => [],
  validate(_spec, column) {
    const out = columnProblems(column);
    if (!column.nullable) {
      out.push('is NOT NULL, so transform "null" can\'t be used: use `fixed` with a placeholder value, or make the column nullable.');
    }
    return out;
  },
  render() {
    return raw("NULL");
  },
  violation(_spec, ctx) {
    return sql`(${ctx.self} IS NOT NULL)`;
  },
} satisfies TransformDefinition<Spec>;
