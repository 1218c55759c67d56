/**
 * `aurora-staging fleet preview|up|destroy`: one operation over many team stacks. Loaded
 * lazily by sanitize/cli/main.ts, so the sanitizer CLI doesn't load Pulumi for its own commands.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { ExitCode, type ExitCodeValue } from "../sanitize/cli/exit-codes";
import type { Io } from "../sanitize/cli/io";
import { UsageError } from "../sanitize/cli/usage-error";
import { allowedConcurrency } from "./quota";
import { runFleet } from "./run";
import { readStackFile, selectStacks } from "./select";
import { LiveTable, statusRows } from "./status";
import type { FleetOperation, FleetWorkspace } from "./types";
import { notify } from "./webhook";

export const fleetHelp = `Usage: aurora-staging fleet preview|up|destroy (--stacks PATTERN | --stacks-file FILE) [options]

Runs pulumi preview / up / destroy over many stacks of this project through the Pulumi
Automation API (the Pulumi CLI must be installed and logged in), a few at a time.

Options:
  --stacks PATTERN        stack names to run: * and ? wildcards, commas between alternatives ('team-*')
  --stacks-file FILE      or a file listing the stacks, one per line (# comments)
  --concurrency N         stacks at a time (default 2)
  --region-clusters N     Aurora clusters already in the region (required for up), e.g.
                          $(aws rds describe-db-clusters --query 'length(DBClusters)')
  --cluster-quota N       the region's DB cluster quota (default 40): up never runs more stacks
                          at once than the quota leaves free
  --work-dir DIR          the Pulumi project directory (default: the current directory)
  --webhook URL           POST each stack's outcome (Slack-compatible JSON); or AURORA_STAGING_WEBHOOK_URL
  --json                  print the report as JSON (stdout)

Exit codes: 0 every stack succeeded, 5 any stack failed, 2 usage error.
`;

const OPERATIONS = ["preview", "up", "destroy"] as const;

export interface FleetDeps {
  /** The workspace to drive; default: the Automation API over --work-dir. */
  workspace?: (o: { workDir: string; regionClusters?: number }) => FleetWorkspace;
  env?: NodeJS.ProcessEnv;
}

export async function fleetCommand(argv: string[], io: Io, deps: FleetDeps = {}): Promise<ExitCodeValue> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      stacks: { type: "string" },
      "stacks-file": { type: "string" },
      concurrency: { type: "string" },
      "region-clusters": { type: "string" },
      "cluster-quota": { type: "string" },
      "work-dir": { type: "string" },
      webhook: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(fleetHelp);
    return ExitCode.ok;
  }
  const op = positionals[0] as FleetOperation | undefined;
  if (positionals.length !== 1 || !OPERATIONS.includes(op!)) {
    throw new UsageError(
      `fleet: expected one operation, ${OPERATIONS.join(", ")}; got ${positionals.length ? positionals.join(" ") : "none"} (see aurora-staging fleet --help)`,
    );
  }
  const concurrency = count(values.concurrency, "--concurrency", 1) ?? 2;
  const quota = count(values["cluster-quota"], "--cluster-quota", 1) ?? 40;
  const regionClusters = count(values["region-clusters"], "--region-clusters", 0);
  const webhook = values.webhook ?? (deps.env ?? process.env).AURORA_STAGING_WEBHOOK_URL;
  if (webhook !== undefined && !/^https?:\/\/\S+$/.test(webhook))
    throw new UsageError("fleet: --webhook must be an http(s) URL (not shown)");
  // A webhook URL is a credential (Slack's carry their token in the path).
  io.redactor.add(webhook);
  const listed = values["stacks-file"] !== undefined ? readStackFile(values["stacks-file"]) : undefined;

  const workspace = (deps.workspace ?? automationWorkspace)({ workDir: resolve(values["work-dir"] ?? "."), regionClusters });
  const stacks = selectStacks(await workspace.listStacks(), { pattern: values.stacks, listed });
  const allowed = allowedConcurrency({
    op: op!,
    requested: concurrency,
    stacks: stacks.length,
    quota,
    regionClusters: op === "up" ? await workspace.regionClusterCount().catch(() => undefined) : undefined,
  });
  if (allowed < Math.min(concurrency, stacks.length)) {
    io.err(`fleet ${op}: running ${allowed} at a time (cluster quota ${quota}, the rest is in use)`);
  }

  const live = !values.json && io.stderrIsTTY ? new LiveTable(io) : undefined;
  const report = await runFleet({ workspace, op: op!, stacks, concurrency: allowed, onChange: live?.draw });
  if (values.json) io.json(report);
  else {
    if (!live) for (const line of statusRows(report.stacks)) io.err(line);
    io.err(`fleet ${op}: ${report.succeeded} succeeded, ${report.failed} failed`);
  }
  if (webhook) {
    const sent = await notify(webhook, report);
    io.err(
      sent.ok
        ? `fleet ${op}: webhook notified (${sent.detail})`
        : `fleet ${op}: the webhook was not delivered (${sent.detail}); the outcome above stands`,
    );
  }
  return report.failed > 0 ? ExitCode.failed : ExitCode.ok;
}

function automationWorkspace(o: { workDir: string; regionClusters?: number }): FleetWorkspace {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AutomationWorkspace } = require("./workspace") as typeof import("./workspace");
  return new AutomationWorkspace(o.workDir, o.regionClusters);
}

function count(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`fleet: ${flag} "${v}" must be a whole number >= ${min}`);
  return Number(v);
}
