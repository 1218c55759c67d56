/**
 * `aurora-staging fleet`: the orchestration driven through a stand-in workspace with the same
 * methods as the Automation API one (fleet/workspace.ts; the Pulumi CLI isn't on this machine),
 * a real HTTP server on 127.0.0.1 for the webhook, and the built CLI for the wiring.
 */
import { createServer, type IncomingMessage } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetCommand } from "../fleet/command";
import type { FleetOperation, FleetWorkspace, StackRunResult } from "../fleet/types";
import { Io } from "../sanitize/cli/io";
import { cli, root, runCli } from "./harness/cli";

const STACKS = ["staging", "team-orders", "team-payments", "team-search", "team-ledger", "sandbox"];

/** Answers like a Pulumi stack would; `fail` stacks reject with Pulumi-style output. */
class StandInWorkspace implements FleetWorkspace {
  running = 0;
  maxRunning = 0;
  readonly calls: { stack: string; op: FleetOperation }[] = [];

  constructor(private readonly o: { clusters?: number; fail?: Record<string, string>; unverified?: string[] } = {}) {}

  async listStacks(): Promise<string[]> {
    return STACKS;
  }

  async run(stack: string, op: FleetOperation, onLine?: (line: string) => void): Promise<StackRunResult> {
    this.calls.push({ stack, op });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      // Yield a few turns of the event loop, so every worker that may start does start.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      onLine?.(`+ aws:rds:Cluster ${stack}-staging-1a2b3c4d creating`);
      const failure = this.o.fail?.[stack];
      if (failure) throw new Error(`code: 255\n stdout: Updating (${stack})\n stderr: error: ${failure}\nerror: update failed`);
      const team = stack.replace(/^team-/, "");
      return {
        summary: op === "up" ? "9 create" : "no changes",
        outputs:
          op === "up"
            ? {
                clusterIdentifier: `${team}-staging-1a2b3c4d`,
                sanitization: {
                  rowsPerTable: { "public.users": 1200, "public.orders": 300 },
                  checks: [
                    { name: "users.email transform", passed: true },
                    { name: "leak check", passed: !this.o.unverified?.includes(stack) },
                  ],
                  verified: !this.o.unverified?.includes(stack),
                },
              }
            : {},
      };
    } finally {
      this.running--;
    }
  }

  async regionClusterCount(): Promise<number> {
    if (this.o.clusters === undefined) throw new Error("unknown");
    return this.o.clusters;
  }
}

/** An Io writing into strings; `tty` makes stderr look like a terminal. */
function captureIo(tty = false) {
  const out = { stdout: "", stderr: "" };
  const stream = (k: "stdout" | "stderr") =>
    ({
      write: (s: string) => {
        out[k] += s;
        return true;
      },
      isTTY: tty && k === "stderr",
      columns: 160,
    }) as unknown as NodeJS.WriteStream;
  return { io: new Io(stream("stdout"), stream("stderr")), out };
}

async function fleet(argv: string[], ws: StandInWorkspace, o: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const { io, out } = captureIo(o.tty);
  const code = await fleetCommand(argv, io, { workspace: () => ws, env: o.env ?? {} });
  return { code, ...out };
}

describe("fleet: selection", () => {
  it("a name pattern picks the matching stacks, in the project's order", async () => {
    const ws = new StandInWorkspace();
    const r = await fleet(["preview", "--stacks", "team-*,staging", "--json"], ws);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual([
      "staging",
      "team-orders",
      "team-payments",
      "team-search",
      "team-ledger",
    ]);
    expect(ws.calls.every((c) => c.op === "preview")).toBe(true);
  });

  it("a stacks file lists them; an unknown name is an error naming it, and nothing runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fleet-"));
    writeFileSync(join(dir, "ok.txt"), "# nightly\nteam-orders\nsandbox  # the demo\n\n");
    writeFileSync(join(dir, "typo.txt"), "team-orders\nteam-order\n");
    const ws = new StandInWorkspace();
    const ok = await fleet(["preview", "--stacks-file", join(dir, "ok.txt"), "--json"], ws);
    expect(JSON.parse(ok.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(["team-orders", "sandbox"]);
    const typo = new StandInWorkspace();
    await expect(fleet(["up", "--stacks-file", join(dir, "typo.txt"), "--region-clusters", "3"], typo)).rejects.toThrow(
      /lists stacks the project doesn't have: team-order\b/,
    );
    expect(typo.calls).toEqual([]);
  });

  it("exactly one of --stacks / --stacks-file, a known operation, and a pattern that matches", async () => {
    await expect(fleet(["preview"], new StandInWorkspace())).rejects.toThrow(/exactly one of --stacks PATTERN .* or --stacks-file FILE/);
    await expect(fleet(["apply", "--stacks", "*"], new StandInWorkspace())).rejects.toThrow(
      /expected one operation, preview, up, destroy; got apply/,
    );
    await expect(fleet(["preview", "--stacks", "prod-*"], new StandInWorkspace())).rejects.toThrow(/no stack matches "prod-\*"/);
  });
});

describe("fleet: concurrency", () => {
  it("never runs more stacks at once than asked", async () => {
    const ws = new StandInWorkspace({ clusters: 0 });
    await fleet(["up", "--stacks", "*", "--concurrency", "3", "--json"], ws);
    expect(ws.calls).toHaveLength(6);
    expect(ws.maxRunning).toBe(3);
  });

  it("up: never more than the cluster quota leaves free, counting the region's clusters", async () => {
    const ws = new StandInWorkspace({ clusters: 38 });
    const r = await fleet(["up", "--stacks", "*", "--concurrency", "5", "--cluster-quota", "40", "--json"], ws);
    expect(ws.maxRunning).toBe(2);
    expect(JSON.parse(r.stdout).concurrency).toBe(2);
    expect(r.stderr).toMatch(/running 2 at a time \(cluster quota 40/);
  });

  it("up: a full region is refused before any stack runs; an unknown count too", async () => {
    const full = new StandInWorkspace({ clusters: 40 });
    await expect(fleet(["up", "--stacks", "*"], full)).rejects.toThrow(
      /the region holds 40 clusters and the quota is 40: no cluster is free/,
    );
    expect(full.calls).toEqual([]);
    await expect(fleet(["up", "--stacks", "*"], new StandInWorkspace())).rejects.toThrow(/pass --region-clusters N/);
  });

  it("preview and destroy create no clusters, so the quota doesn't bound them", async () => {
    const ws = new StandInWorkspace({ clusters: 40 });
    await fleet(["destroy", "--stacks", "*", "--concurrency", "4", "--json"], ws);
    expect(ws.maxRunning).toBe(4);
  });
});

describe("fleet: report and exit code", () => {
  it("every stack runs even when one fails; --json report; exit 5", async () => {
    const ws = new StandInWorkspace({
      clusters: 2,
      fail: { "team-search": "aurora-staging stack config has 1 problem" },
      unverified: ["team-ledger"],
    });
    const r = await fleet(["up", "--stacks", "team-*", "--json"], ws);
    expect(r.code).toBe(5);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ operation: "up", succeeded: 2, failed: 2 });
    const by = Object.fromEntries(report.stacks.map((s: { stack: string }) => [s.stack, s]));
    expect(by["team-orders"]).toMatchObject({
      state: "succeeded",
      cloneId: "orders-staging-1a2b3c4d",
      rowsMasked: 1500,
      checks: { passed: 2, total: 2 },
      verified: true,
    });
    expect(by["team-orders"].durationMs).toBeGreaterThanOrEqual(0);
    expect(by["team-search"]).toMatchObject({ state: "failed", error: "error: aurora-staging stack config has 1 problem" });
    expect(by["team-ledger"]).toMatchObject({ state: "failed", verified: false, error: expect.stringMatching(/not verified/) });
  });

  it("all succeeded: exit 0 and the table on stderr", async () => {
    const r = await fleet(["up", "--stacks", "team-orders", "--region-clusters", "1"], new StandInWorkspace({ clusters: 1 }));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/stack\s+state\s+clone\s+rows masked\s+checks/);
    expect(r.stderr).toMatch(/team-orders\s+succeeded\s+orders-staging-1a2b3c4d\s+1,500\s+2\/2/);
    expect(r.stderr).toMatch(/fleet up: 1 succeeded, 0 failed/);
  });

  it("on a TTY the table is redrawn in place while stacks run", async () => {
    const r = await fleet(["preview", "--stacks", "team-orders,sandbox"], new StandInWorkspace(), { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("\x1b[3F\x1b[J");
    expect(r.stderr).toMatch(/team-orders\s+running/);
    expect(r.stderr).toMatch(/sandbox\s+queued|sandbox\s+running/);
    const last = r.stderr.split("\x1b[J").at(-1)!;
    expect(last).toMatch(/team-orders\s+succeeded/);
    expect(last).toMatch(/sandbox\s+succeeded/);
  });
});

describe("fleet: webhook", () => {
  const received: { body: unknown; contentType?: string }[] = [];
  let url = "";
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push({ body: JSON.parse(body), contentType: req.headers["content-type"] });
      res.writeHead(req.url?.includes("broken") ? 500 : 200).end("ok");
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/services/T000/B000/s3cr3t-token`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("posts each stack's outcome as Slack-compatible JSON; the URL is never printed", async () => {
    received.length = 0;
    const ws = new StandInWorkspace({ clusters: 0, fail: { "team-search": "cannot connect to the clone" } });
    const r = await fleet(["up", "--stacks", "team-orders,team-search", "--webhook", url], ws);
    expect(r.code).toBe(5);
    expect(received).toHaveLength(1);
    const body = received[0].body as { text: string; blocks: { text: { text: string } }[]; stacks: Record<string, unknown>[] };
    expect(received[0].contentType).toBe("application/json");
    expect(body.text).toBe("aurora-staging fleet up: 1 succeeded, 1 failed");
    expect(body.blocks.map((b) => b.text.text).join("\n")).toMatch(
      /`team-orders` succeeded · clone orders-staging-1a2b3c4d · 1,500 rows masked · checks 2\/2/,
    );
    expect(body.stacks).toEqual([
      {
        stack: "team-orders",
        state: "succeeded",
        cloneId: "orders-staging-1a2b3c4d",
        rowsMasked: 1500,
        checks: { passed: 2, total: 2 },
        durationMs: expect.any(Number),
        error: null,
      },
      {
        stack: "team-search",
        state: "failed",
        cloneId: null,
        rowsMasked: null,
        checks: null,
        durationMs: expect.any(Number),
        error: "error: cannot connect to the clone",
      },
    ]);
    expect(r.stderr).toMatch(/webhook notified \(HTTP 200\)/);
    expect(r.stderr + r.stdout).not.toContain("s3cr3t-token");
  });

  it("a failed delivery is reported and doesn't change the exit code; the env variable works too", async () => {
    received.length = 0;
    const r = await fleet(["preview", "--stacks", "sandbox"], new StandInWorkspace(), {
      env: { AURORA_STAGING_WEBHOOK_URL: `${url}/broken` },
    });
    expect(received).toHaveLength(1);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the webhook was not delivered \(HTTP 500\); the outcome above stands/);
  });
});

describe("fleet: the CLI", () => {
  it("`aurora-staging fleet` is a command of the built CLI, with its help", async () => {
    const help = await runCli(["fleet", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: aurora-staging fleet preview\|up\|destroy/);
    const bad = await runCli(["fleet", "up", "--stacks", "*", "--concurrency", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--concurrency "0" must be a whole number >= 1/);
  });

  it("the sanitizer's own commands don't load Pulumi", () => {
    const script =
      `const m=require(${JSON.stringify(cli)});m.main(["--help"],{out(){},err(){}}).then(()=>{` +
      `console.log(JSON.stringify(Object.keys(require.cache).filter(k=>k.includes("@pulumi"))))})`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
