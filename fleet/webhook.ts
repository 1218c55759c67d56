/**
 * Posts the fleet's outcome to a Slack-compatible incoming webhook: `text` (what Slack shows in
 * notifications) plus one block per stack, and the same facts as plain fields under `stacks`
 * for other receivers. Names, ids and counts only: never config values or data.
 */
import { fmtInt, fmtMs } from "../sanitize/cli/format";
import type { FleetReport, StackOutcome } from "./types";

export function webhookPayload(report: FleetReport): Record<string, unknown> {
  const head = `aurora-staging fleet ${report.operation}: ${report.succeeded} succeeded, ${report.failed} failed`;
  return {
    text: head,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${head}*` } },
      ...report.stacks.map((s) => ({ type: "section", text: { type: "mrkdwn", text: stackLine(s) } })),
    ],
    stacks: report.stacks.map((s) => ({
      stack: s.stack,
      state: s.state,
      cloneId: s.cloneId ?? null,
      rowsMasked: s.rowsMasked ?? null,
      checks: s.checks ?? null,
      durationMs: s.durationMs ?? null,
      error: s.error ?? null,
    })),
  };
}

function stackLine(s: StackOutcome): string {
  const parts = [`${s.state === "succeeded" ? ":white_check_mark:" : ":x:"} \`${s.stack}\` ${s.state}`];
  if (s.cloneId) parts.push(`clone ${s.cloneId}`);
  if (s.rowsMasked !== undefined) parts.push(`${fmtInt(s.rowsMasked)} rows masked`);
  if (s.checks) parts.push(`checks ${s.checks.passed}/${s.checks.total}`);
  if (s.durationMs !== undefined) parts.push(fmtMs(s.durationMs));
  if (s.error) parts.push(`error: ${s.error}`);
  return parts.join(" · ");
}

/** POSTs the payload; a failed delivery is reported, it never changes the fleet's outcome. */
export async function notify(url: string, report: FleetReport): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(webhookPayload(report)),
      signal: AbortSignal.timeout(15_000),
    });
    return { ok: res.ok, detail: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}
