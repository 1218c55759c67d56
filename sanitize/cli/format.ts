/** Human-readable rendering of reports and checks (names and counts only, never data values). */
import type { CheckResult, RunReport, TableReport } from "../core/types";

export const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");

export function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][], indent = "  "): string[] {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
  );
}

export function tablesLines(tables: TableReport[]): string[] {
  if (!tables.length) return ["  (no tables)"];
  return table([
    ["table", "action", "rows", "chunks", "time", ""],
    ...tables.map((t) => [t.table, t.action, fmtInt(t.rows), fmtInt(t.chunks), fmtMs(t.ms), t.skipped ? "(nothing to write now)" : ""]),
  ]);
}

export function checksLines(checks: CheckResult[]): string[] {
  if (!checks.length) return ["  (no checks)"];
  return checks.map((c) => `  ${c.passed ? "ok  " : "FAIL"}  ${c.name}${c.detail ? ` - ${c.detail}` : ""}`);
}

export function reportLines(report: RunReport): string[] {
  const lines: string[] = [];
  if (report.alreadyDone)
    lines.push("Nothing needed writing: every table was already sanitized. Every check below ran now, against the data as it is.");
  if (report.resumed) lines.push("Resumed an interrupted run: chunks committed before were not applied again.");
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  const failed = report.checks.filter((c) => !c.passed);
  lines.push(`Tables (${report.tables.length}, ${fmtInt(rows)} rows changed):`, ...tablesLines(report.tables));
  lines.push(
    `Checks run now, at ${report.checkedAt} (${report.checks.length - failed.length}/${report.checks.length} passed):`,
    ...checksLines(report.checks),
  );
  lines.push(
    `Run ${report.runId}, rules ${report.rulesHash.slice(0, 12)}, ${report.engine}, ${report.startedAt} -> ${report.finishedAt}`,
    report.verified
      ? "VERIFIED: every check passed."
      : `NOT VERIFIED: ${failed.length} check(s) failed: ${failed.map((c) => c.name).join(", ")}. Do not hand this database out.`,
  );
  return lines;
}
