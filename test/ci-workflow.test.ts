/**
 * examples/ci/nightly-staging.yml: a valid nightly schedule, every stack of its matrix has a
 * complete Pulumi.<stack>.yaml the program accepts, AWS credentials come through OIDC, and
 * its steps run the README's commands (`npm ci`, then `pulumi up` for the stack).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { parseStagingConfig } from "../components/config";
import { cronProblem } from "../components/cron";
import { readStackConfig } from "../components/program";

const ROOT = path.join(__dirname, "..");
interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: { schedule: { cron: string }[] };
  permissions: Record<string, string>;
  jobs: Record<string, { strategy: { matrix: { stack: string[] }; "max-parallel": number }; steps: Step[] }>;
}
const workflow = YAML.parse(fs.readFileSync(path.join(ROOT, "examples/ci/nightly-staging.yml"), "utf8")) as Workflow;
const job = workflow.jobs.refresh;

/** Pulumi.<stack>.yaml as Pulumi hands it to the program: scalars as text, structures as JSON. */
function stackConfig(stack: string) {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const all = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
  pulumi.runtime.setAllConfig(all);
  const { raw, region } = readStackConfig();
  return parseStagingConfig(raw, { region });
}

/** The command lines of the README's "Adding a team" block. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /## One stack per team[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme);
  expect(block, "README has the Adding a team block").not.toBeNull();
  return block![1]
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

describe("the GitHub Actions example", () => {
  it("runs nightly on a valid cron", () => {
    expect(workflow.on.schedule).toHaveLength(1);
    expect(cronProblem(workflow.on.schedule[0].cron)).toBeUndefined();
  });

  it("every stack of the matrix has a complete Pulumi.<stack>.yaml the program accepts", () => {
    const stacks = job.strategy.matrix.stack;
    expect(stacks.length).toBeGreaterThanOrEqual(2);
    for (const stack of stacks) {
      expect(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)), `Pulumi.${stack}.yaml`).toBe(true);
      const c = stackConfig(stack);
      expect(c.team).toMatch(/^[a-z]/);
      expect(c.region).toBe("eu-west-1");
    }
    // Distinct teams: two stacks on one prefix would fight over the same clone identifiers.
    expect(new Set(stacks.map((s) => stackConfig(s).clusterIdentifierPrefix)).size).toBe(stacks.length);
  });

  it("the nightly team stack re-clones every day", () => {
    expect(stackConfig("team-orders").maxCloneAgeDays).toBe(1);
  });

  it("takes AWS credentials through OIDC, never stored keys", () => {
    expect(workflow.permissions["id-token"]).toBe("write");
    const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
    expect(aws?.with?.["role-to-assume"]).toBeDefined();
    expect(aws?.with).not.toHaveProperty("aws-access-key-id");
    expect(JSON.stringify(workflow)).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
  });

  it("runs the README's commands: npm ci, then pulumi up for the matrix stack", () => {
    const commands = readmeCommands();
    expect(commands[0]).toBe("npm ci");
    expect(commands.at(-1)).toBe("pulumi up");
    const runs = job.steps.map((s) => s.run ?? "");
    const install = runs.findIndex((r) =>
      r
        .split("\n")
        .map((l) => l.trim())
        .includes(commands[0]),
    );
    const up = runs.findIndex((r) => /^pulumi up --yes --stack "\$\{\{ matrix\.stack \}\}"$/m.test(r));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(install);
  });

  it("bounds the parallel clones", () => {
    expect(job.strategy["max-parallel"]).toBeGreaterThanOrEqual(1);
    expect(job.strategy["max-parallel"]).toBeLessThanOrEqual(job.strategy.matrix.stack.length);
  });
});
