/**
 * `aurora-staging:schedule`: a cron checked at preview, and the stack's own Pulumi Deployments
 * settings plus a `pulumi up` schedule, declared by the program (under mocks).
 */
import { describe, expect, it } from "vitest";
import { parseStagingConfig, StagingConfigError } from "../components/config";
import { cronProblem } from "../components/cron";
import { stagingProgram } from "../components/program";
import { byType, one, plain, REGION, resolve, runWithMocks } from "./harness/pulumi-mocks";
import { NOW } from "./harness/staging-stack";

const SETTINGS = "pulumiservice:index:DeploymentSettings";
const SCHEDULE = "pulumiservice:index:DeploymentSchedule";
const minimal = { team: "payments", sourceCluster: "prod-pg" };
const schedule = {
  cron: "0 3 * * *",
  repoUrl: "https://github.com/acme/aurora-staging.git",
  branch: "main",
  repoDir: "infra/staging",
  awsRoleArn: "arn:aws:iam::123456789012:role/pulumi-deployments",
  agentPoolId: "a1b2c3d4-0000-1111-2222-333344445555",
};

function configError(raw: Record<string, unknown>): string {
  try {
    parseStagingConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(StagingConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a config error");
}

describe("cron expressions", () => {
  it.each(["0 3 * * *", "*/15 * * * *", "0 2 * * 1-5", "30 1 1,15 * 0", "0 0-23/6 * 1-12/3 7"])("accepts %s", (expr) => {
    expect(cronProblem(expr)).toBeUndefined();
  });
  it.each([
    ["0 3 * *", /must have 5 fields/],
    ["60 3 * * *", /minute field "60": 60 is outside 0-59/],
    ["0 24 * * *", /hour field "24": 24 is outside 0-23/],
    ["0 3 0 * *", /day of month field "0": 0 is outside 1-31/],
    ["0 3 * 13 *", /month field "13"/],
    ["0 3 * * 8", /day of week field "8"/],
    ["0 5-3 * * *", /range 5-3 runs backwards/],
    ["*/0 * * * *", /a step of 0/],
    ["@daily", /must have 5 fields/],
    ["0 3 * * MON", /day of week field "MON" must be \*/],
  ])("refuses %s", (expr, why) => {
    expect(cronProblem(expr)).toMatch(why);
  });
});

describe("schedule config", () => {
  it("parses the object, with main as the default branch", () => {
    const c = parseStagingConfig({ ...minimal, schedule: JSON.stringify({ cron: " 0 3 * * * ", repoUrl: schedule.repoUrl }) });
    expect(c.schedule).toEqual({ cron: "0 3 * * *", repoUrl: schedule.repoUrl, branch: "main" });
    expect(parseStagingConfig(minimal).schedule).toBeUndefined();
  });

  it("a bad cron names the key, the field and gives an example", () => {
    expect(configError({ ...minimal, schedule: { ...schedule, cron: "0 25 * * *" } })).toMatch(
      /aurora-staging:schedule\.cron: "0 25 \* \* \*" is not a cron expression: hour field "25": 25 is outside 0-23; e\.g\. "0 3 \* \* \*"/,
    );
  });

  it("a bare cron string says the repository is needed too", () => {
    expect(configError({ ...minimal, schedule: "0 3 * * *" })).toMatch(
      /aurora-staging:schedule: must be an object: a deployment needs the cron and the repository/,
    );
  });

  it("reports missing and bad keys together", () => {
    const message = configError({ ...minimal, schedule: { cron: "0 3 * * *", repoDir: "../up", awsRoleArn: "role", agentPool: "x" } });
    expect(message).toMatch(/schedule\.repoUrl: is required/);
    expect(message).toMatch(/schedule\.repoDir: "\.\.\/up" must be a relative folder/);
    expect(message).toMatch(/schedule\.awsRoleArn: "role" is not an IAM role ARN/);
    expect(message).toMatch(/schedule\.agentPool: unknown key; did you mean "agentPoolId"\?/);
  });
});

describe("the program declares the stack's deployment settings and schedule", () => {
  const allConfig = (extra: Record<string, string>) => ({
    "aws:region": REGION,
    "aurora-staging:team": "payments",
    "aurora-staging:sourceCluster": "prod-pg",
    "aurora-staging:runnerCidrs": JSON.stringify(["203.0.113.10/32"]),
    ...extra,
  });

  it("with schedule: settings (code, npm ci, OIDC, agent pool) and an update schedule after them", async () => {
    const run = await runWithMocks(
      () => stagingProgram({ allConfig: allConfig({ "aurora-staging:schedule": JSON.stringify(schedule) }), secretKeys: [], now: NOW }),
      { preview: true },
    );
    const settings = one(run.resources, SETTINGS);
    const cron = one(run.resources, SCHEDULE);
    const stack = { organization: "acme", project: "aurora-staging", stack: "team-test" };
    expect(plain(settings.inputs)).toMatchObject({
      ...stack,
      agentPoolId: schedule.agentPoolId,
      sourceContext: { git: { repoUrl: schedule.repoUrl, branch: "main", repoDir: "infra/staging" } },
      operationContext: {
        preRunCommands: ["npm ci"],
        oidc: { aws: { roleARN: schedule.awsRoleArn, sessionName: "aurora-staging-team-test" } },
      },
    });
    expect(plain(cron.inputs)).toMatchObject({ ...stack, scheduleCron: "0 3 * * *", pulumiOperation: "update" });
    expect(cron.dependencies).toContain(settings.urn);
    expect((await resolve((run.result as { refreshSchedule: unknown }).refreshSchedule)).value).toBe("0 3 * * *");
  });

  it("without it: no Pulumi Service resources, no output", async () => {
    const run = await runWithMocks(() => stagingProgram({ allConfig: allConfig({}), secretKeys: [], now: NOW }), { preview: true });
    expect(byType(run.resources, SETTINGS)).toEqual([]);
    expect(byType(run.resources, SCHEDULE)).toEqual([]);
    expect(run.result).not.toHaveProperty("refreshSchedule");
  });

  it("a bad schedule stops the program before anything is declared", async () => {
    let error: unknown;
    const run = await runWithMocks(
      () =>
        stagingProgram({
          allConfig: allConfig({ "aurora-staging:schedule": JSON.stringify({ ...schedule, cron: "0 3 * *" }) }),
          secretKeys: [],
          now: NOW,
        }),
      { preview: true },
    ).catch((e) => {
      error = e;
      return undefined;
    });
    expect(run).toBeUndefined();
    expect(String(error)).toMatch(/schedule\.cron: "0 3 \* \*" is not a cron expression: must have 5 fields/);
  });
});
