/**
 * Runs the CLI as a user would (`node dist/sanitize/cli/main.js sanitize|verify ...`), as a
 * whole process: the bench times it from spawn to exit, so Node start-up, module loading,
 * argument and rules-file parsing and the exit are all in the figure.
 *
 * No secret in argv (which `ps` shows): the password goes in PGPASSWORD / MYSQL_PWD, the
 * masking key in AURORA_STAGING_MASKING_KEY, the rules in a temp file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionTarget } from "../sanitize/core/types";
import { BENCH_MASKING_KEY } from "./sanitizer-child";
import { spawnNode } from "./spawn-node";

export interface CliJob {
  command: "sanitize" | "verify";
  target: ConnectionTarget;
  rules: string;
  /** Undefined: the sanitizer's default (the server's CPU count where readable). */
  parallelism?: number;
  chunkSize?: number;
}

export interface CliResult {
  verified: boolean;
  alreadyDone?: boolean;
  /** sanitize --json only: the process's peak RSS (KiB). */
  peakRssKb?: number;
  failedChecks: string[];
}

export async function runCli(job: CliJob): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-cli-"));
  const rulesFile = join(dir, "rules.yaml");
  writeFileSync(rulesFile, job.rules);
  const t = job.target;
  const url = `${t.engine === "postgres" ? "postgres" : "mysql"}://${encodeURIComponent(t.user)}@${t.host}:${t.port}/${encodeURIComponent(t.database)}`;
  const args = [join(__dirname, "..", "sanitize", "cli", "main.js"), job.command, "--url", url, "--rules", rulesFile, "--json"];
  if (job.command === "sanitize") {
    if (job.parallelism !== undefined) args.push("--parallel", String(job.parallelism));
    if (job.chunkSize !== undefined) args.push("--chunk-size", String(job.chunkSize));
  }
  const env = { ...process.env, AURORA_STAGING_MASKING_KEY: BENCH_MASKING_KEY, PGPASSWORD: t.password ?? "", MYSQL_PWD: t.password ?? "" };
  let run: Awaited<ReturnType<typeof spawnNode>>;
  try {
    run = await spawnNode(args, env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let parsed: { verified?: boolean; alreadyDone?: boolean; peakRssKb?: number; checks?: { name: string; passed: boolean }[] };
  try {
    parsed = JSON.parse(run.out);
  } catch {
    throw new Error(
      `aurora-staging ${job.command} exited ${run.code} without a JSON result on ${t.engine} database ${t.database}: ${run.err.trim().slice(-2000)}`,
    );
  }
  return {
    verified: parsed.verified === true && run.code === 0,
    alreadyDone: parsed.alreadyDone,
    peakRssKb: parsed.peakRssKb,
    failedChecks: (parsed.checks ?? []).filter((c) => !c.passed).map((c) => c.name),
  };
}
