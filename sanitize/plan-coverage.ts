/** Bridge to the coverage guard (sanitize/coverage.ts, engineer B). */
import type { CoverageMode, Rules, SchemaInfo } from "./core/types";

export interface CoverageResult {
  mode: CoverageMode;
  problems: string[];
}

export interface ScanResult {
  /** Personal-looking columns the rules neither transform, keep nor drop. */
  columns: { table: string; column: string; reason: string; suggestion: string }[];
  /** Draft rules YAML covering them (to be reviewed). */
  draft: string;
}

export function runCoverage(_schema: SchemaInfo, _rules: Rules, mode: CoverageMode): CoverageResult {
  return { mode, problems: [] };
}

export function scanSchema(_schema: SchemaInfo, _rules: Rules | undefined, _mode: CoverageMode): ScanResult {
  return { columns: [], draft: "" };
}
