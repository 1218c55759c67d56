/** Human-readable rendering of `--cluster` plans and reports (names and counts only). */
import type { ClusterRunReport } from "../core/types";
import type { Plan } from "../plan";
import { checksLines, reportLines, table } from "./format";

export function clusterPlanLines(
  databases: { database: string; action: string; plan?: Plan }[],
  details: (t: Plan["tables"][number]) => string,
): string[] {
  const lines = [
    "Databases:",
    ...table([
      ["database", "action", "tables"],
      ...databases.map((d) => [d.database, d.action, d.plan ? String(d.plan.tables.length) : ""]),
    ]),
  ];
  for (const d of databases) {
    if (!d.plan?.tables.length) continue;
    lines.push(
      "",
      `${d.database}:`,
      ...table([["table", "action", "details"], ...d.plan.tables.map((t) => [t.table.qualified, t.action, details(t)])]),
    );
  }
  lines.push("", "Nothing was written. Run the same command with `sanitize --cluster` to apply it.");
  return lines;
}

export function clusterReportLines(report: ClusterRunReport): string[] {
  const lines = [
    "Databases:",
    ...table([
      ["database", "action", "verified"],
      ...report.databases.map((d) => [d.database, d.action, d.report ? String(d.report.verified) : ""]),
    ]),
  ];
  for (const d of report.databases) {
    if (d.report) lines.push("", `${d.database}:`, ...reportLines(d.report).map((l) => `  ${l}`));
  }
  lines.push("", "Cluster:", ...table(report.steps.map((s) => [s.name, s.detail])));
  const failed = report.checks.filter((c) => !c.passed);
  lines.push(`Cluster checks (${report.checks.length - failed.length}/${report.checks.length} passed):`, ...checksLines(report.checks));
  lines.push(
    report.verified
      ? "VERIFIED: every database and every cluster check passed."
      : "NOT VERIFIED: a database or a cluster check failed (see above). Do not hand this cluster out.",
  );
  return lines;
}
