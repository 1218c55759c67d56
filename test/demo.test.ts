/**
 * `aurora-staging demo` end to end, as a newcomer runs it: its own throwaway server, sample
 * data, clone, sanitize, verify, production proven untouched, server removed afterwards.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, root, runCli, type CliResult } from "./harness/cli";

/** A private TMPDIR: the demo's server dir is created there, so we can see it removed. */
function run(args: string[], tmp: string): Promise<CliResult> {
  return runCli(args, { TMPDIR: tmp });
}

beforeAll(() => {
  // dist/ is built once by test/harness/global-setup.ts, before any test file starts.
  expect(existsSync(cli)).toBe(true);
});

const demoEngines = ["postgres", "mysql"];

describe.each(demoEngines)("aurora-staging demo --engine %s", (engine) => {
  it("runs the whole rehearsal and prints a verified report", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "demo-test-"));
    chmodSync(tmp, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its dir
    const r = await run(["demo", "--engine", engine, "--rows", "500"], tmp);
    expect(r.stderr).not.toContain("Error");
    expect(r.code).toBe(0);
    // The steps a newcomer should see, in order.
    const steps = [
      "1. Starting a throwaway",
      "2. Loading the sample",
      "3. Cloning production -> staging",
      "4. Sanitizing staging",
      "5. Before -> after",
      "6. Pointing the sanitizer at production",
      "7. Production untouched",
    ];
    let at = -1;
    for (const s of steps) {
      const i = r.stdout.indexOf(s);
      expect(i, s).toBeGreaterThan(at);
      at = i;
    }
    expect(r.stdout).toContain("copy-on-write clone");
    expect(r.stdout).toContain("fake data");
    expect(r.stdout).toContain("refused before connecting");
    expect(r.stdout).toContain("VERIFIED: every check passed.");
    expect(r.stdout).toContain("DEMO OK");
    // Before/after: real-looking addresses become @example.com, copies in orders follow.
    expect(r.stdout).toMatch(/email\s+\S+@(gmail|yahoo|outlook|proton|icloud|fastmail)\.\w+\s+->\s+\S+@example\.com/);
    expect(r.stdout).toContain("(same as users.email)");
    expect(r.stdout).toMatch(/session_tokens rows: 250 -> 0/);
    // The server's temp dir is gone.
    expect(readdirSync(tmp)).toEqual([]);
  }, 240_000);
});

describe("aurora-staging demo interrupted", () => {
  it("Ctrl-C while loading stops the server and removes its temp dir (exit 130)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "demo-int-"));
    chmodSync(tmp, 0o755);
    const child = spawn(process.execPath, [cli, "demo", "--rows", "300000"], { cwd: root, env: { ...process.env, TMPDIR: tmp } });
    let stdout = "";
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Synchronise on the demo's own output: interrupt once the server is up and loading.
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("2. Loading")) resolve();
      });
    });
    expect(readdirSync(tmp).length).toBe(1); // the running server's dir
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stdout).toContain("SIGINT: stopping the demo server");
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});

describe("aurora-staging demo --keep", () => {
  it("Ctrl-C while the kept server waits stops it, removes its temp dir and exits 130", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "demo-keep-"));
    chmodSync(tmp, 0o755);
    const child = spawn(process.execPath, [cli, "demo", "--rows", "200", "--keep"], { cwd: root, env: { ...process.env, TMPDIR: tmp } });
    let stdout = "";
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Synchronise on the demo's own output: the last line it prints before waiting for the signal.
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("the password of this throwaway local server")) resolve();
      });
    });
    expect(stdout).toContain("--keep: the server is still running");
    expect(readdirSync(tmp).length).toBe(1); // the kept server's dir
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stdout).toContain("Server stopped, temp dir removed.");
    expect(stdout).toContain("DEMO OK");
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});
