import { raw } from "../core/sql";
import type { Transform, TransformSpec } from "../core/types";
import { columnProblems } from "./common";

type Spec = Extract<TransformSpec, { transform: "sql" }>;

/**
 * The escape hatch: a raw SQL expression written by the rules author (trusted like `where`).
 * Runs once per row on the original values; declare `unique: true` when it keeps uniqueness.
 */
export const sqlTransform: Transform<Spec> = {
  name: "sql",
  summary: "Raw SQL expression written by you (engine-specific, trusted like `where`); add `unique: true` if it keeps distinct values distinct.",
  deterministic: false,
  preservesUniqueness: (spec) => spec.unique === true,
  references: () => [],
  validate(spec, column) {
    const out = columnProblems(column);
    if (!spec.expression.trim()) out.push("sql transform has an empty expression: write an SQL expression, e.g. `expression: \"concat('user', id)\"`.");
    if (column.unique && spec.unique !== true) {
      out.push("is unique: the sql transform must declare `unique: true` (after checking that the expression keeps distinct values distinct), or use `email`/`hash`/a `template` with `{id}`.");
    }
    return out;
  },
  render(spec) {
    // Parenthesised so the expression composes safely; one statement per call, so a ";"
    // inside it can't start a second statement (see docs/architecture.md).
    return raw(`(${spec.expression})`);
  },
};
