/**
 * kill -9 of a sanitize run at a known point: runs the BUILT library in a child
 * (test/fixtures/run-sanitize.js), which freezes synchronously after reporting a table's
 * `killAfterChunks`-th committed chunk; the parent then SIGKILLs it. Resolves with the lines
 * the child printed. Chunks other connections were committing at that moment may still land:
 * that is what a real kill does.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const ROOT = join(__dirname, "..", "..");

export function runUntilKilled(
  options: Record<string, unknown>,
  killAfterChunks: number,
): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [join(ROOT, "test/fixtures/run-sanitize.js"), JSON.stringify(options)], {
    env: { ...process.env, FREEZE_AFTER_CHUNKS: String(killAfterChunks) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    const m = /^progress \S+ (\d+) /.exec(line);
    if (m && Number(m[1]) >= killAfterChunks) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("exit", (_code, signal) => resolve({ lines, signal })));
}
