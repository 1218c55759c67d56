/**
 * Child-process runner for contenders (c) and (d): runs the sanitizer library once, in its
 * own process, so the peak RSS it reports is the sanitizer's alone (not the bench's).
 *
 * Input: one JSON SanitizerJob on stdin (no secrets in argv, which `ps` shows to everyone);
 * the masking key comes from AURORA_STAGING_MASKING_KEY. Output: one JSON SanitizerResult line
 * on stdout. Data values never appear in either.
 */
import type { ProgressEvent, RunReport, SanitizeOptions } from "../sanitize/core/types";
import type { SanitizerJob, SanitizerResult } from "./sanitizer-job";

// The library entry point is written concurrently by another engineer; it is loaded at
// run time against the contract in core/types.ts, so the bench builds while it is in progress.
interface SanitizerLibrary {
  sanitize(options: SanitizeOptions): Promise<RunReport>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as SanitizerJob;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require("../sanitize/index") as SanitizerLibrary;
  // Per-chunk durations, from the progress events: where the time goes inside a table.
  const chunkMs: Record<string, number[]> = {};
  const last: Record<string, number> = {};
  // Wall-clock span of the masking phase (first chunk's start to last chunk's end), so the
  // time before it (start-up, introspection, planning, truncates, counts, leak sample) and
  // after it (verification) can be told apart.
  let maskStart = Infinity;
  let maskEnd = 0;
  const onProgress = (e: ProgressEvent): void => {
    if (e.action !== "mask") return;
    const now = Date.now();
    maskStart = Math.min(maskStart, now - e.elapsedMs);
    maskEnd = Math.max(maskEnd, now);
    const prev = last[e.table] ?? 0;
    if (e.elapsedMs > prev) {
      chunkMs[e.table] ??= [];
      chunkMs[e.table].push(e.elapsedMs - prev);
    }
    last[e.table] = e.elapsedMs;
  };
  const startedAt = Date.now();
  const started = process.hrtime.bigint();
  const report = await lib.sanitize({
    target: job.target,
    rules: job.rules,
    maskingKey: process.env.AURORA_STAGING_MASKING_KEY || undefined,
    ...(job.parallelism ? { parallelism: job.parallelism } : {}),
    ...(job.chunkSize ? { chunkSize: job.chunkSize } : {}),
    onProgress,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const endedAt = Date.now();
  const phases =
    maskEnd > 0 ? { beforeMaskMs: maskStart - startedAt, maskSpanMs: maskEnd - maskStart, afterMaskMs: endedAt - maskEnd } : undefined;
  const result: SanitizerResult = { report, ms, peakRssKb: process.resourceUsage().maxRSS, chunkMs, phases };
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err: unknown) => {
  const e = err as { message?: string; kind?: string; problems?: string[] };
  // SanitizeError messages name tables/columns and fixes, never values: safe to pass on.
  process.stderr.write(JSON.stringify({ error: e?.message ?? String(err), kind: e?.kind, problems: e?.problems }) + "\n");
  process.exit(1);
});
