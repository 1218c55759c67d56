import { z } from "zod";
import { raw } from "../core/sql";
import type { TransformSpec } from "../core/types";
import { columnProblems } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "sql" }>;

/**
 * The escape hatch: a raw SQL expression written by the rules author (trusted like `where`).
 * Runs once per row on the original values; declare `unique: true` when it keeps uniqueness.
 */
export const sqlTransform = {
  name: "sql",
  summary:
    "Escape hatch: a raw SQL expression for this engine, evaluated per row on the original values; trusted like `where`. " +
    "Add `unique: true` only if it keeps distinct values distinct.",
  options: z.strictObject({
    expression: z.string().min(1).describe("SQL expression, e.g. concat('user', id)."),
    unique: z.boolean().default(false).describe("The expression keeps distinct values distinct (allowed on unique columns)."),
  }),
  columnTypes: "any",
  columnTypesNote: "the expression must give a value of the column's type",
  output: "whatever the expression gives",
  uniqueness: "if `unique: true`",
  example: { transform: "sql", expression: "concat('user', id)" },
  deterministic: false,
  preservesUniqueness: (spec) => spec.unique === true,
  references: () => [],
  validate(spec, column) {
    const out = columnProblems(column);
    if (!spec.expression.trim())
      out.push("sql transform has an empty expression: write an SQL expression, e.g. `expression: \"concat('user', id)\"`.");
    if (column.unique && spec.unique !== true) {
      out.push(
        "is unique: the sql transform must declare `unique: true` (after checking that the expression keeps distinct values distinct), or use `email`/`hash`/a `template` with `{id}`.",
      );
    }
    return out;
  },
  render(spec) {
    // Parenthesised so the expression composes safely; one statement per call, so a ";"
    // inside it can't start a second statement (see docs/architecture.md).
    return raw(`(${spec.expression})`);
  },
} satisfies TransformDefinition<Spec>;
