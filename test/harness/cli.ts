/**
 * The built CLI (dist/ is built once by global-setup.ts) run as a child process, without
 * blocking the test process: the test's own servers answer on other sockets meanwhile.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const root = join(__dirname, "..", "..");
export const cli = join(root, "dist", "sanitize", "cli", "main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `env` is laid over the test's environment, from which the CLI's own variables are removed. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: { ...process.env, AURORA_STAGING_MASKING_KEY: undefined, AURORA_STAGING_FORBIDDEN_HOSTS: undefined, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
