/**
 * Runs one operation over many stacks, at most `concurrency` at a time, through a
 * FleetWorkspace. One stack failing never stops the others; the report says which failed.
 */
import type { FleetOperation, FleetReport, FleetWorkspace, StackOutcome, StackRunResult } from "./types";

export interface FleetRunOptions {
  workspace: FleetWorkspace;
  op: FleetOperation;
  stacks: string[];
  concurrency: number;
  /** Called on every state change (for the live table); receives all outcomes. */
  onChange?: (outcomes: readonly StackOutcome[]) => void;
  now?: () => number;
}

export async function runFleet(o: FleetRunOptions): Promise<FleetReport> {
  const now = o.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const outcomes: StackOutcome[] = o.stacks.map((stack) => ({ stack, state: "queued" }));
  const changed = () => o.onChange?.(outcomes);
  let next = 0;

  const worker = async (): Promise<void> => {
    while (next < outcomes.length) {
      const outcome = outcomes[next++];
      const t0 = now();
      outcome.state = "running";
      changed();
      try {
        const result = await o.workspace.run(outcome.stack, o.op, (line) => {
          outcome.lastLine = line;
          changed();
        });
        Object.assign(outcome, describeResult(result));
        // Fail closed: an `up` whose sanitization isn't verified is not a success.
        outcome.state = outcome.verified === false ? "failed" : "succeeded";
        if (outcome.verified === false) outcome.error = "the clone's sanitization is not verified; do not hand it out";
      } catch (e) {
        outcome.state = "failed";
        outcome.error = errorLine(e);
      }
      outcome.durationMs = now() - t0;
      outcome.lastLine = undefined;
      changed();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, outcomes.length)) }, worker));

  const failed = outcomes.filter((x) => x.state === "failed").length;
  return {
    operation: o.op,
    startedAt,
    finishedAt: new Date(now()).toISOString(),
    concurrency: o.concurrency,
    stacks: outcomes,
    succeeded: outcomes.length - failed,
    failed,
  };
}

/** Clone id, rows masked and checks from the stack outputs (program.ts names them). */
function describeResult(r: StackRunResult): Partial<StackOutcome> {
  const out: Partial<StackOutcome> = {};
  if (r.summary) out.summary = r.summary;
  if (typeof r.outputs.clusterIdentifier === "string") out.cloneId = r.outputs.clusterIdentifier;
  const s = r.outputs.sanitization as
    | { rowsPerTable?: Record<string, number>; checks?: { passed: boolean }[]; verified?: boolean }
    | undefined;
  if (s && typeof s === "object") {
    if (s.rowsPerTable) out.rowsMasked = Object.values(s.rowsPerTable).reduce((a, b) => a + b, 0);
    if (Array.isArray(s.checks)) out.checks = { passed: s.checks.filter((c) => c.passed).length, total: s.checks.length };
    if (typeof s.verified === "boolean") out.verified = s.verified;
  }
  return out;
}

/**
 * The first meaningful line of a failure. Pulumi's errors carry the whole CLI output; the
 * program's own messages never hold secrets (config errors don't echo secret values).
 */
function errorLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  // Pulumi's CommandError carries "code: ...", "stdout: ...", "stderr: error: <why>", "error: update failed".
  const why = lines.map((l) => /\berror: (?!update failed$)(.+)$/i.exec(l)?.[1]).find(Boolean);
  const line = why ? `error: ${why}` : (lines[0] ?? "failed");
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
