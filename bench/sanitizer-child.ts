/** Runs the sanitizer in a child process (dist/bench/run-sanitizer.js) and collects its result. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { SanitizerJob, SanitizerResult } from "./sanitizer-job";

export const BENCH_MASKING_KEY = "bench-only-masking-key-0123456789abcdef";

export function runSanitizer(job: SanitizerJob): Promise<SanitizerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, "run-sanitizer.js")], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, AURORA_STAGING_MASKING_KEY: BENCH_MASKING_KEY },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`sanitizer run failed (exit ${code}) on ${job.target.engine} database ${job.target.database}: ${err.trim().slice(-3000)}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as SanitizerResult);
      } catch {
        reject(new Error(`sanitizer child printed no result; stderr: ${err.trim().slice(-2000)}`));
      }
    });
    child.stdin.end(JSON.stringify(job));
  });
}
