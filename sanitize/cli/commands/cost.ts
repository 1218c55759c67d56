/** `aurora-staging cost`: the storage the clone will own once sanitized, in GB and $/month. Writes nothing. */
import { parseArgs } from "node:util";
import { estimateCost, GB, type CostEstimate } from "../../cost";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import { table } from "../format";
import type { Io } from "../io";
import { connectionOptions, coverageOption, readSanitizeOptions, rulesOptions, runOptions } from "../options";

export const costHelp = `Usage: aurora-staging cost --url URL --rules FILE [--region REGION] [options]

Plans the rules against the database (the same checks as \`plan\`), reads the real table and
index sizes, and estimates the storage an Aurora clone comes to own once sanitized: a clone
shares the source's pages and is billed only for the pages it writes. Masked tables rewrite
their data pages (and the indexes the engine updates), truncated tables and deletes rewrite
nothing, tables without rules stay shared. Shown in GB and $/month from the dated price table
(sanitize/cost/prices.json). Writes nothing.

Options:
  --region REGION   prices of this AWS region (default: $AWS_REGION, else us-east-1)
  --json            the estimate as JSON
  Connection, rules and masking key options: as \`aurora-staging plan --help\`.
`;

export const regionOption = { region: { type: "string" } } as const;

export function defaultRegion(flag: string | undefined): string {
  return flag ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
}

export const costOptions = { ...connectionOptions, ...rulesOptions, ...coverageOption, ...runOptions, ...regionOption } as const;

export async function costCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values } = parseArgs({ args: argv, options: costOptions, strict: true });
  if (values.help) {
    io.out(costHelp);
    return ExitCode.ok;
  }
  const { options } = readSanitizeOptions(values, io);
  const estimate = await estimateCost({ ...options, region: defaultRegion(values.region) });
  if (values.json) io.json(estimate);
  else for (const line of costLines(estimate)) io.out(line);
  return ExitCode.ok;
}

const gb = (bytes: number): string => (bytes / GB).toFixed(bytes >= GB ? 1 : 3);

export function costLines(e: CostEstimate): string[] {
  return [
    `Storage the clone will own (${e.engine}, ${e.region}): ${gb(e.ownedBytes)} GB of ${gb(e.databaseBytes)} GB, ` +
      `$${e.monthlyUsd.toFixed(2)}/month at $${e.storageGbMonth}/GB-month (prices of ${e.priceTable.date})`,
    ...table([
      ["table", "action", "size GB", "owned GB", "why"],
      ...e.tables.map((t) => [t.table, t.action, gb(t.sizeBytes), gb(t.ownedBytes), t.why]),
    ]),
    "Instances are billed separately: see the stack output estimatedMonthlyCost.",
  ];
}
