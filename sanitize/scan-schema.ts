/**
 * `scan()`'s result: the coverage guard (sanitize/coverage.ts) run without failing, listing every
 * personal-looking column the rules leave uncovered with a suggested rule, plus a draft rules
 * file. (plan.ts runs the same guard and turns each problem into a planning error.)
 */
import type { CoverageMode, Rules, SchemaInfo } from "./core/types";
import { coverage, draftEntries, draftRules } from "./coverage";
import type { Samples } from "./scan-sample";

export interface ScanResult {
  /** Personal-looking columns the rules neither transform, keep nor drop. */
  columns: { table: string; column: string; reason: string; suggestion: string }[];
  /** Lookup-table columns the draft keeps, with the reason (never a value). */
  kept: { entry: string; reason: string }[];
  /** Draft rules YAML covering them (to be reviewed). */
  draft: string;
}

export function scanSchema(
  schema: SchemaInfo,
  rules: Rules | undefined,
  mode: CoverageMode,
  samples?: Samples,
  schemaRef?: string,
): ScanResult {
  if (mode !== "strict") {
    // What the draft masks, by name and (given samples) by content; lookup tables are kept.
    const { columns, keep } = draftEntries(schema, rules, samples);
    return {
      columns: columns.map((e) => ({ table: e.table, column: e.column, reason: e.reason, suggestion: e.line })),
      kept: keep,
      draft: draftRules(schema, rules, schemaRef, samples),
    };
  }
  const report = coverage(schema, rules ?? { tables: {}, keep: [], verify: [] }, mode);
  return {
    columns: report.problems.map((p) => ({
      table: p.table,
      column: p.column,
      reason: p.category ?? "not classified by the rules",
      suggestion: p.suggestion,
    })),
    kept: [],
    draft: draftRules(schema, rules, schemaRef, samples),
  };
}
