/**
 * The coverage guard (sanitize/coverage.ts) as the planner and `scan` use it: the plan turns
 * every coverage problem into a planning error; scan lists them with a suggested rule and a
 * draft rules file.
 */
import type { CoverageMode, Rules, SchemaInfo } from "./core/types";
import { coverage, defaultResolver, draftRules, type CoverageReport } from "./coverage";

export type CoverageResult = CoverageReport;

export interface ScanResult {
  /** Personal-looking columns the rules neither transform, keep nor drop. */
  columns: { table: string; column: string; reason: string; suggestion: string }[];
  /** Draft rules YAML covering them (to be reviewed). */
  draft: string;
}

/** `users` -> `<defaultSchema>.users`, `app.users` as is (case-insensitive fallback); undefined when unknown. */
export function tableResolver(schema: SchemaInfo): (key: string) => string | undefined {
  return defaultResolver(schema);
}

export function runCoverage(schema: SchemaInfo, rules: Rules, mode: CoverageMode): CoverageResult {
  return coverage(schema, rules, mode, tableResolver(schema));
}

export function scanSchema(schema: SchemaInfo, rules: Rules | undefined, mode: CoverageMode): ScanResult {
  const report = coverage(schema, rules ?? { tables: {}, keep: [], verify: [] }, mode === "off" ? "personal" : mode, tableResolver(schema));
  return {
    columns: report.problems.map((p) => ({ table: p.table, column: p.column, reason: p.category ?? "not classified by the rules", suggestion: p.suggestion })),
    draft: draftRules(schema, rules),
  };
}
