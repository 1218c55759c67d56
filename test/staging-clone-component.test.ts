/**
 * StagingClone as a component people use from their own programs (issue 10): awsx-style args
 * with the stack config's defaults, the source lookup inside the component (so a caller's
 * provider looks the source up too), every output registered, errors about the component as
 * pulumi.ResourceError, and an ARN of another account refused instead of read as a bare name.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { StagingConfigError } from "../components/config";
import { COMPONENT_TYPE, StagingClone, type StagingCloneArgs } from "../components/staging-clone";
import { ACCOUNT, isSecret, one, plain, REGION, runWithMocks } from "./harness/pulumi-mocks";
import { build, CLUSTER, inputsOf, mysqlStack, NOW, pgStack, RULES } from "./harness/staging-stack";

/** Declares one clone with `args` (rules and time fixed) and waits for its declaration. */
function direct(
  args: Omit<StagingCloneArgs, "rules" | "now"> & { rules?: string },
  opts?: pulumi.ComponentResourceOptions,
  mock: { account?: string } = {},
) {
  return runWithMocks(async () => {
    const clone = new StagingClone("staging", { rules: RULES, now: NOW, ...args }, opts);
    const error = await clone.declared().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { clone, error };
  }, mock);
}

describe("args: the stack config's defaults, documented on the args", () => {
  it("team, source and rules alone declare exactly what the program declares for the minimal stack config", async () => {
    const program = await build(pgStack);
    const own = await direct({ team: "payments", sourceCluster: "prod-pg", refresh: "2026-11-26" });
    expect(own.result.error).toBeUndefined();
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    expect(own.resources.map(key).sort()).toEqual(program.resources.map(key).sort());
    for (const r of own.resources) {
      const twin = program.resources.find((p) => key(p) === key(r))!;
      expect(JSON.stringify(inputsOf(r)), r.name).toBe(JSON.stringify(inputsOf(twin)));
      expect(r.urn).toBe(twin.urn);
    }
  });
});

describe("Inputs may come from other resources", () => {
  it("Outputs reach the resources as given (dependencies kept), and still count for the checks", async () => {
    const { resources, result } = await runWithMocks(async () => {
      const zone = new aws.route53.Zone("zone", { name: "staging.example.com" });
      const clone = new StagingClone("staging", {
        team: "payments",
        sourceCluster: "prod-pg",
        rules: RULES,
        now: NOW,
        runnerCidrs: ["203.0.113.10/32"],
        logExports: ["postgresql"],
        logRetentionDays: pulumi.output(14),
        sanitizeOptions: pulumi.output({ coverage: "strict" as const }),
        postCloneCommands: [{ name: "grants", command: pulumi.output("psql -f grants.sql") }],
        stableHostname: { zoneId: zone.id, name: pulumi.interpolate`payments.${zone.name}` },
        connectionSecretName: pulumi.output("staging/payments/aurora"),
      });
      await clone.declared();
      const refused = new StagingClone("refused", {
        team: "payments",
        sourceCluster: "prod-pg",
        sanitize: false,
        connectionSecretName: pulumi.output("staging/payments/aurora"),
      });
      return {
        zone: zone.urn,
        error: await refused.declared().then(
          () => undefined,
          (e: unknown) => e,
        ),
      };
    });
    const named = (n: string) => resources.find((r) => r.name === n)!;
    const record = named("staging-stable-hostname");
    expect(plain(record.inputs)).toMatchObject({ zoneId: "zone-id", name: "payments.staging.example.com" });
    expect(record.dependencies).toContain(await new Promise((res) => pulumi.output(result.zone).apply(res)));
    expect(plain(named("staging-connection-secret").inputs)).toMatchObject({ name: "staging/payments/aurora" });
    expect(plain(named("staging-log-postgresql").inputs)).toMatchObject({ retentionInDays: 14 });
    // The default parallelism (one per vCPU of db.r6g.large) is added to the given options.
    expect(plain(named("staging-sanitization").inputs)).toMatchObject({ options: { coverage: "strict", parallelism: 2 } });
    const hook = named("staging-hook-grants");
    expect(isSecret(hook.inputs.create)).toBe(true);
    expect(plain(hook.inputs.create)).toBe("psql -f grants.sql");
    // A secret name not known yet still needs sanitize.
    expect(result.error).toBeInstanceOf(StagingConfigError);
    expect(String(result.error)).toMatch(/aurora-staging:connectionSecretName: needs aurora-staging:sanitize/);
  });
});

describe("registerOutputs covers every output", () => {
  it("the component's registered outputs are its outputs, with the password secret", async () => {
    const { resources, outputs, result } = await build({
      ...pgStack,
      maxCloneAgeDays: 7,
      stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
      connectionSecretName: "staging/payments/aurora",
    });
    const registered = outputs.get(one(resources, COMPONENT_TYPE).urn)!;
    expect(Object.keys(registered).sort()).toEqual(
      [
        "clusterIdentifier",
        "writerEndpoint",
        "readerEndpoint",
        "port",
        "masterUsername",
        "masterPassword",
        "database",
        "engine",
        "engineVersion",
        "cloneGeneration",
        "nextRefreshAfter",
        "sourceCluster",
        "securityGroupId",
        "appUsername",
        "stableHostname",
        "connectionSecretArn",
        "sanitization",
        "ready",
      ].sort(),
    );
    const cluster = plain(one(resources, CLUSTER).inputs) as Record<string, unknown>;
    expect(plain(registered)).toMatchObject({
      clusterIdentifier: cluster.clusterIdentifier,
      port: 5432,
      masterUsername: "postgres",
      database: "app",
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      cloneGeneration: String(cluster.clusterIdentifier).slice(-8),
      nextRefreshAfter: result.declared.plan.generation.windowEndsAt,
      sourceCluster: "prod-pg",
      appUsername: "staging_app",
      stableHostname: "payments.db.staging.example.com",
      sanitization: { rulesHash: "a".repeat(64), verified: true, rowsPerTable: { "public.users": 3 } },
      ready: true,
    });
    expect(String(registered.nextRefreshAfter)).toMatch(/^2026-\d\d-\d\dT00:00:00/);
    expect(isSecret(registered.masterPassword)).toBe(true);
    // Each registered output is also one the component exposes.
    for (const k of Object.keys(registered)) expect(result.clone, k).toHaveProperty(k);
  });
});

describe("the source lookup runs inside the component", () => {
  it("with the caller's provider: every lookup goes through it, none through the default provider", async () => {
    const run = await runWithMocks(async () => {
      const provider = new aws.Provider("staging-account", { region: REGION });
      const clone = new StagingClone(
        "staging",
        { team: "orders", sourceCluster: mysqlStack.sourceCluster, rules: RULES, now: NOW },
        { provider },
      );
      await clone.declared();
      return {};
    });
    const provider = run.resources.find((r) => r.type === "pulumi:providers:aws")!;
    const tokens = run.invokes.map((i) => i.token);
    expect(tokens).toEqual(
      expect.arrayContaining([
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:rds/getCluster:getCluster",
        "aws:rds/getClusters:getClusters",
      ]),
    );
    for (const call of run.invokes) expect(call.provider, call.token).toBe(`${provider.urn}::${provider.name}-id`);
  });

  it("an ARN in another account is refused (cross-account cloning isn't supported), before the cluster is looked up", async () => {
    const other = "210987654321";
    let error: unknown;
    const run = await build({ ...mysqlStack, sourceCluster: `arn:aws:rds:eu-west-1:${other}:cluster:prod-mysql` }).catch((e) => {
      error = e;
    });
    expect(run).toBeUndefined();
    expect(error).toBeInstanceOf(StagingConfigError);
    expect((error as StagingConfigError).problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^aurora-staging:sourceCluster: the ARN "arn:aws:rds:eu-west-1:${other}:cluster:prod-mysql" is in account ${other}, but the stack deploys with account ${ACCOUNT}; cross-account cloning is not supported yet`,
        ),
      ),
    ]);
    // The deploying account is the ARN's: accepted.
    const { resources } = await build(mysqlStack, { account: "123456789012" });
    expect(plain(one(resources, CLUSTER).inputs)).toMatchObject({ restoreToPointInTime: { sourceClusterIdentifier: "prod-mysql" } });
  });

  it("with another account's credentials the same-named cluster of that account is never read", async () => {
    const { result, resources, invokes } = await direct({ team: "orders", sourceCluster: mysqlStack.sourceCluster }, undefined, {
      account: "210987654321",
    });
    expect(String(result.error)).toMatch(/is in account 123456789012, but the stack deploys with account 210987654321/);
    expect(invokes.map((i) => i.token)).not.toContain("aws:rds/getCluster:getCluster");
    expect(resources.map((r) => r.type)).toEqual([COMPONENT_TYPE]);
  });
});

describe("errors: ResourceErrors naming the component for its rules, the stack config's checks for the other args", () => {
  it("sanitizing without rules or with invalid rules is refused before anything is declared; bad args like bad stack config", async () => {
    const noRules = await direct({ team: "payments", sourceCluster: "prod-pg", rules: undefined });
    expect(pulumi.ResourceError.isInstance(noRules.result.error)).toBe(true);
    expect((noRules.result.error as pulumi.ResourceError).resource).toBe(noRules.result.clone);
    expect(String(noRules.result.error)).toMatch(/StagingClone staging: sanitize is on \(the default\) but no rules were given/);
    expect(noRules.resources.map((r) => r.type)).toEqual([COMPONENT_TYPE]);

    // The args are checked as stack config (config.ts): every problem at once, before anything is declared.
    const secret = await direct({
      team: "Payments",
      sourceCluster: "prod-pg",
      sanitize: false,
      connectionSecretName: "staging/payments/aurora",
    });
    expect(secret.result.error).toBeInstanceOf(StagingConfigError);
    expect((secret.result.error as StagingConfigError).problems).toEqual([
      expect.stringMatching(/^aurora-staging:team: .*must be 1-20 lowercase letters/),
      expect.stringMatching(/^aurora-staging:connectionSecretName: needs aurora-staging:sanitize/),
    ]);
    expect(secret.resources.map((r) => r.type)).toEqual([COMPONENT_TYPE]);
    // Said of the component's args, not of a stack config the program doesn't have.
    expect(String(secret.result.error)).toMatch(/StagingClone staging: its args have 2 problems/);
    expect(String(secret.result.error)).not.toMatch(/Pulumi\.<stack>\.yaml/);

    const badRules = await direct({ team: "payments", sourceCluster: "prod-pg", rules: "tables: [" });
    expect(pulumi.ResourceError.isInstance(badRules.result.error)).toBe(true);
    expect(String(badRules.result.error)).toMatch(/StagingClone staging: the rules are not valid/);
  });

  it("args are checked like stack config: a logging parameter is refused for a program using the component directly", async () => {
    const { result, resources } = await direct({
      team: "payments",
      sourceCluster: "prod-pg",
      clusterParameters: { log_statement: "all" },
      instanceParameters: { general_log: "1" },
    });
    expect(result.error).toBeInstanceOf(StagingConfigError);
    expect((result.error as StagingConfigError).problems).toEqual([
      expect.stringMatching(
        /^aurora-staging:clusterParameters\.log_statement: is set by aurora-staging itself: statement and parameter logging stay off/,
      ),
      expect.stringMatching(
        /^aurora-staging:instanceParameters\.general_log: is set by aurora-staging itself: statement and parameter logging stay off/,
      ),
    ]);
    expect(resources.map((r) => r.type)).toEqual([COMPONENT_TYPE]);
  });
});
