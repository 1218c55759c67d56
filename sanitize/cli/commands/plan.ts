/** `aurora-staging plan`: what sanitize would do, as SQL, and the coverage report. Writes nothing. */
import { parseArgs } from "node:util";
import { plan, planCluster } from "../../index";
import { clusterPlanLines } from "../cluster-output";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import type { Plan } from "../../plan";
import { table } from "../format";
import type { Io } from "../io";
import { clusterOption, connectionOptions, coverageOption, readSanitizeOptions, rulesOptions, runOptions } from "../options";
import { estimateForPlan } from "../../cost";
import { costLines, defaultRegion, regionOption } from "./cost";

export const planHelp = `Usage: aurora-staging plan --url URL --rules FILE [options]

Connects, reads the schema and validates the rules against it (tables, columns, types,
lengths, uniqueness, foreign keys, coverage), then prints the SQL of every change sanitize
would make to the data (masking key shown as <secret>; not the run's own bookkeeping: the
progress record, lock, trial and checks) and the coverage report. Writes nothing. Exits 0
when the plan is valid, 2/3 with every problem listed when it is not (see docs/cli.md).

Also prints the storage cost estimate of \`aurora-staging cost\` (--region REGION for its prices).

Options: same as \`aurora-staging sanitize --help\`, plus:
  --full-sql   print every literal whole (by default a literal longer than 64 characters
               shows as '<2,048 chars>', a list of more than 8 items as its count)
  --region R   prices of region R for the cost estimate
With --cluster: every database of the server and what happens to it, each one planned.
`;

export const planOptions = {
  ...connectionOptions,
  ...rulesOptions,
  ...coverageOption,
  ...runOptions,
  ...clusterOption,
  ...regionOption,
  "full-sql": { type: "boolean" },
} as const;

export async function planCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values } = parseArgs({ args: argv, options: planOptions, strict: true });
  if (values.help) {
    io.out(planHelp);
    return ExitCode.ok;
  }
  const { options, url, rulesFile } = readSanitizeOptions(values, io);
  if (values.cluster) {
    const c = await planCluster(options);
    if (values.json)
      io.json({ databases: c.databases.map((d) => ({ database: d.database, action: d.action, plan: d.plan && planJson(d.plan) })) });
    else for (const line of clusterPlanLines(c.databases, details)) io.out(line);
    return ExitCode.ok;
  }
  const p = await plan(options);
  // The estimate is information: when it can't be made (e.g. no privilege on the size statistics) the plan still stands.
  const cost = await estimateForPlan(p, options, defaultRegion(values.region)).catch((e: unknown) => ({
    unavailable: e instanceof Error ? e.message : String(e),
  }));
  if (values.json) {
    io.json({ ...(planJson(p) as object), cost });
    return ExitCode.ok;
  }
  io.out(`Plan for ${url} (${p.engine}), rules ${rulesFile} (hash ${p.rulesHash.slice(0, 12)})`);
  io.out("");
  io.out("Tables:");
  for (const line of table([["table", "action", "details"], ...p.tables.map((t) => [t.table.qualified, t.action, details(t)])]))
    io.out(line);
  io.out("");
  io.out("Coverage:");
  for (const line of coverageLines(p.coverage)) io.out("  " + line);
  if (p.warnings.length) {
    io.out("");
    io.out("Warnings:");
    for (const w of p.warnings) io.out(`  - ${w}`);
  }
  io.out("");
  const full = values["full-sql"] === true;
  io.out(
    `SQL (${p.statements.length} statements; chunk bounds shown as parameters, masking key as <secret>${full ? "" : "; long literals as their length, --full-sql prints them"}):`,
  );
  for (const s of full ? p.statements : p.briefStatements) io.out(s.trimEnd().endsWith(";") ? s : `${s};`);
  io.out("");
  io.out("Cost estimate:");
  for (const line of "unavailable" in cost ? [`  unavailable: ${cost.unavailable}`] : costLines(cost))
    io.out(line.startsWith("  ") ? line : `  ${line}`);
  io.out("");
  io.out("Nothing was written. Run the same command with `sanitize` to apply it.");
  return ExitCode.ok;
}

function details(t: Plan["tables"][number]): string {
  const parts: string[] = [];
  if (t.truncate) {
    const via = {
      truncate: "",
      "truncate-fk-off": " with foreign key checks off (every referencing table is truncated too)",
      "delete-all": " as DELETE (honours foreign key actions)",
    }[t.truncate.via];
    parts.push(`truncate${t.truncate.cascade ? " cascade" : ""}${via}`);
  }
  if (t.delete) parts.push(`delete where ${t.delete}`);
  if (t.mask) {
    if (t.mask.where) parts.push(`only where ${t.mask.where}`);
    parts.push(t.mask.columns.map((c) => `${c.name}: ${c.spec.transform}`).join(", "));
    parts.push(t.mask.chunkKey ? `chunks by ${t.mask.chunkKey}` : "one transaction (no single-column primary key)");
  }
  return parts.join("; ");
}

/**
 * The plan for machines. Built field by field on purpose: the Plan object holds Sql fragments
 * whose parameters include the masking key's HMAC pads, which must never be serialised.
 */
function planJson(p: Plan): unknown {
  return {
    engine: p.engine,
    rulesHash: p.rulesHash,
    triggers: p.triggers,
    tables: p.tables.map((t) => ({
      key: t.key,
      table: t.table.qualified,
      action: t.action,
      truncate: t.truncate,
      delete: t.delete,
      where: t.mask?.where,
      chunkKey: t.mask?.chunkKey,
      columns: t.mask?.columns.map((c) => ({ name: c.name, ...c.spec })),
    })),
    coverage: p.coverage,
    warnings: p.warnings,
    statements: p.statements,
  };
}

/** The coverage report: mode, how columns are classified (counts), and what is not. */
function coverageLines(coverage: Plan["coverage"]): string[] {
  const c = coverage as Plan["coverage"] & {
    classified?: { table: string; column: string; as: string }[];
    unclassified?: { table: string; column: string; category?: string }[];
    unusedKeep?: string[];
  };
  const lines = [`mode: ${c.mode}`];
  if (c.classified) {
    const byKind = new Map<string, number>();
    for (const x of c.classified) byKind.set(x.as, (byKind.get(x.as) ?? 0) + 1);
    lines.push(`classified columns: ${c.classified.length} (${[...byKind].map(([k, n]) => `${n} ${k}`).join(", ") || "none"})`);
  }
  if (c.unclassified) {
    lines.push(`unclassified columns: ${c.unclassified.length}${c.unclassified.length ? " (copied as is)" : ""}`);
    for (const u of c.unclassified) lines.push(`  - ${u.table}.${u.column}${u.category ? ` (looks like: ${u.category})` : ""}`);
  }
  for (const k of c.unusedKeep ?? []) lines.push(`keep entry matches no column: ${k}`);
  const problems = (c.problems as unknown[]).map((p) =>
    typeof p === "string" ? p : String((p as { message?: string }).message ?? JSON.stringify(p)),
  );
  lines.push(`problems: ${problems.length}`);
  for (const p of problems) lines.push(`  - ${p}`);
  return lines;
}
