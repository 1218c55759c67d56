/** Runs the sanitizer in a child process (dist/bench/run-sanitizer.js) and collects its result. */
import { join } from "node:path";
import type { SanitizerJob, SanitizerResult } from "./sanitizer-job";
import { spawnNode } from "./spawn-node";

export const BENCH_MASKING_KEY = "bench-only-masking-key-0123456789abcdef";

export async function runSanitizer(job: SanitizerJob): Promise<SanitizerResult> {
  const { code, out, err } = await spawnNode(
    [join(__dirname, "run-sanitizer.js")],
    { ...process.env, AURORA_STAGING_MASKING_KEY: BENCH_MASKING_KEY },
    JSON.stringify(job),
  );
  if (code !== 0)
    throw new Error(
      `sanitizer run failed (exit ${code}) on ${job.target.engine} database ${job.target.database}: ${err.trim().slice(-3000)}`,
    );
  try {
    return JSON.parse(out.trim().split("\n").pop() ?? "") as SanitizerResult;
  } catch {
    throw new Error(`sanitizer child printed no result; stderr: ${err.trim().slice(-2000)}`);
  }
}
