/**
 * `scan`: the coverage guard (sanitize/coverage.ts) run without failing, listing every
 * personal-looking column the rules leave uncovered with a suggested rule, plus a draft rules
 * file. (plan.ts runs the same guard and turns each problem into a planning error.)
 */
import type { CoverageMode, Rules, SchemaInfo } from "./core/types";
import { coverage, draftRules } from "./coverage";

export interface ScanResult {
  /** Personal-looking columns the rules neither transform, keep nor drop. */
  columns: { table: string; column: string; reason: string; suggestion: string }[];
  /** Draft rules YAML covering them (to be reviewed). */
  draft: string;
}

export function scanSchema(schema: SchemaInfo, rules: Rules | undefined, mode: CoverageMode): ScanResult {
  const report = coverage(schema, rules ?? { tables: {}, keep: [], verify: [] }, mode === "off" ? "personal" : mode);
  return {
    columns: report.problems.map((p) => ({ table: p.table, column: p.column, reason: p.category ?? "not classified by the rules", suggestion: p.suggestion })),
    draft: draftRules(schema, rules),
  };
}
