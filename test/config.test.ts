/**
 * Stack config validation: every bad value gives an error naming the key, what is wrong and
 * an example; all problems come in one error. Also the clone generation scheme and the checks
 * of the config against the (looked-up) source cluster, which are plain functions too.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  DEFAULT_INSTANCE_CLASS,
  MAX_IDENTIFIER_PREFIX_LENGTH,
  parseStagingConfig,
  StagingConfigError,
  type StagingConfig,
} from "../components/config";
import { supportsAutoPause } from "../components/engine";
import { cloneGeneration, clusterIdentifier, instanceIdentifier } from "../components/naming";
import { readStackConfig } from "../components/program";
import { loadStack } from "../components/stack-config";
import { planClone, type SourceCluster, type SourceLookup } from "../components/source";

const minimal = { team: "payments", sourceCluster: "production-aurora" };

/** Runs `fn` with these environment variables set (undefined: unset), restoring them after. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

/** The problems parseStagingConfig reports for `raw` (fails the test when it doesn't throw). */
function problems(raw: Record<string, unknown>, region?: string): string[] {
  try {
    parseStagingConfig(raw, { region });
  } catch (e) {
    expect(e).toBeInstanceOf(StagingConfigError);
    return (e as StagingConfigError).problems;
  }
  throw new Error("expected a StagingConfigError");
}

/** Exactly one problem, mentioning every fragment. */
function expectOneProblem(raw: Record<string, unknown>, ...fragments: (string | RegExp)[]): string {
  const found = problems(raw);
  expect(found, found.join("\n")).toHaveLength(1);
  for (const f of fragments) expect(found[0]).toMatch(f);
  return found[0];
}

describe("parseStagingConfig: valid config and defaults", () => {
  it("fills defaults for a minimal stack", () => {
    const c = parseStagingConfig(minimal);
    expect(c).toMatchObject({
      team: "payments",
      source: { kind: "identifier", identifier: "production-aurora" },
      refresh: "initial",
      clusterIdentifierPrefix: "payments-staging",
      instanceClass: DEFAULT_INSTANCE_CLASS,
      instanceCount: 1,
      sanitize: true,
      rulesFile: "sanitize/default-rules.yaml",
      tags: {},
      postCloneCommands: [],
      sanitizeOptions: {},
      clusterQuota: 40,
    });
    expect(c.serverless).toBeUndefined();
    expect(c).not.toHaveProperty("maskingKey");
  });

  it("accepts Pulumi's string-encoded values (numbers, booleans, JSON objects and lists)", () => {
    const c = parseStagingConfig({
      ...minimal,
      instanceCount: "3",
      maxCloneAgeDays: "7",
      sanitize: "false",
      instanceClass: "db.serverless",
      serverless: '{"minCapacity":0,"maxCapacity":8,"secondsUntilAutoPause":600}',
      runnerSecurityGroupIds: '["sg-0123456789abcdef0","sg-01234567"]',
      allowFrom: '{"cidrs":["10.20.0.0/16","2001:db8::/32"]}',
      clusterParameters: '{"work_mem":65536,"rds.force_ssl":true}',
      logExports: '["postgresql"]',
      logRetentionDays: "14",
      carryIamRoles: "true",
      tags: '{"CostCenter":"4711"}',
      postCloneCommands: '[{"name":"grants","command":"psql -f g.sql"}]',
      stableHostname: '{"zoneId":"Z0123456789ABC","name":"pay.staging.example.com."}',
    });
    expect(c.instanceCount).toBe(3);
    expect(c.maxCloneAgeDays).toBe(7);
    expect(c.sanitize).toBe(false);
    expect(c.serverless).toEqual({ minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600 });
    expect(c.runnerSecurityGroupIds).toEqual(["sg-0123456789abcdef0", "sg-01234567"]);
    expect(c.allowFrom).toEqual({ securityGroupIds: [], cidrs: ["10.20.0.0/16", "2001:db8::/32"] });
    expect(c.clusterParameters).toEqual({ work_mem: "65536", "rds.force_ssl": "true" });
    expect(c.logExports).toEqual(["postgresql"]);
    expect(c.logRetentionDays).toBe(14);
    expect(c.carryIamRoles).toBe(true);
    expect(c.tags).toEqual({ CostCenter: "4711" });
    expect(c.postCloneCommands).toEqual([{ name: "grants", command: "psql -f g.sql" }]);
    expect(c.stableHostname).toEqual({ zoneId: "Z0123456789ABC", name: "pay.staging.example.com" });
  });

  it("gives db.serverless a default scaling range", () => {
    expect(parseStagingConfig({ ...minimal, instanceClass: "db.serverless" }).serverless).toEqual({ minCapacity: 0.5, maxCapacity: 4 });
  });

  it("parses an ARN in the stack's region", () => {
    const c = parseStagingConfig(
      { ...minimal, sourceCluster: "arn:aws:rds:eu-west-1:123456789012:cluster:prod-pg" },
      { region: "eu-west-1" },
    );
    expect(c.source).toEqual({
      kind: "arn",
      arn: "arn:aws:rds:eu-west-1:123456789012:cluster:prod-pg",
      partition: "aws",
      region: "eu-west-1",
      account: "123456789012",
      identifier: "prod-pg",
    });
  });

  it("the worked example Pulumi.staging.yaml is valid (as Pulumi hands it to the program)", () => {
    const file = path.join(__dirname, "..", "Pulumi.staging.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    // Pulumi passes scalars as strings and structured values as JSON text.
    const all = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
    pulumi.runtime.setAllConfig(all);
    const { raw, region } = readStackConfig();
    expect(region).toBe("eu-west-1");
    const c = parseStagingConfig(raw, { region });
    expect(c.team).toBe("payments");
    expect(c.instanceClass).toBe("db.serverless");
    expect(c.serverless).toEqual({ minCapacity: 0.5, maxCapacity: 8 });
    expect(c.stableHostname?.zoneId).toMatch(/^Z/);
    expect(c.connectionSecretName).toBe("staging/payments/aurora");
  });

  it("readStackConfig keeps only our namespace and falls back to AWS_REGION", () => {
    pulumi.runtime.setAllConfig({ "aurora-staging:team": "x", "other:team": "y" });
    const r = withEnv({ AWS_REGION: "us-east-2", AWS_DEFAULT_REGION: undefined }, () => readStackConfig());
    expect(r).toEqual({ raw: { team: "x" }, region: "us-east-2" });
  });
});

describe("parseStagingConfig: each bad value names the key, the problem and an example", () => {
  it("required keys", () => {
    const found = problems({});
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/aurora-staging:team: is required; e.g. `pulumi config set aurora-staging:team payments`/);
    expect(found[1]).toMatch(/aurora-staging:sourceCluster: is required/);
  });

  it("unknown keys, with a suggestion for typos", () => {
    expectOneProblem(
      { ...minimal, instanceClas: "db.r6g.large" },
      /aurora-staging:instanceClas: unknown config key; did you mean `aurora-staging:instanceClass`\?/,
    );
    expectOneProblem({ ...minimal, flavour: "x" }, /aurora-staging:flavour: unknown config key \(known keys: team/);
  });

  it("team", () => {
    expectOneProblem({ ...minimal, team: "Payments" }, /aurora-staging:team: "Payments" must be 1-20 lowercase/, /e\.g\. payments/);
    expectOneProblem({ ...minimal, team: "a".repeat(21) }, /aurora-staging:team/);
    expectOneProblem({ ...minimal, team: 42 }, /aurora-staging:team: must be a string, got number 42/);
  });

  it("sourceCluster: identifier shape, ARN shape, ARN region", () => {
    expectOneProblem(
      { ...minimal, sourceCluster: "Prod_DB" },
      /aurora-staging:sourceCluster: "Prod_DB" must start with a lowercase letter/,
    );
    expectOneProblem({ ...minimal, sourceCluster: "prod--db" }, /must not contain "--"/);
    expectOneProblem(
      { ...minimal, sourceCluster: "arn:aws:rds:eu-west-1:123:cluster:x" },
      /is not an RDS cluster ARN/,
      /arn:aws:rds:eu-west-1:123456789012:cluster:production-aurora/,
    );
    const msg = problems({ ...minimal, sourceCluster: "arn:aws:rds:us-east-1:123456789012:cluster:prod" }, "eu-west-1");
    expect(msg).toHaveLength(1);
    expect(msg[0]).toMatch(/aurora-staging:sourceCluster: .* is in region us-east-1 but the stack deploys to eu-west-1/);
    expect(msg[0]).toMatch(/pulumi config set aws:region us-east-1/);
  });

  it("aws:region", () => {
    expect(problems(minimal, "Europe")).toEqual([expect.stringMatching(/aws:region: "Europe" is not an AWS region name; e\.g\./)]);
  });

  it("refresh and maxCloneAgeDays", () => {
    expectOneProblem({ ...minimal, refresh: "next week!" }, /aurora-staging:refresh: "next week!" must be 1-64/, /2026-11-27/);
    expectOneProblem({ ...minimal, maxCloneAgeDays: 0 }, /aurora-staging:maxCloneAgeDays: "0" must be a number from 1 to 365/);
    expectOneProblem({ ...minimal, maxCloneAgeDays: "2.5" }, /aurora-staging:maxCloneAgeDays: "2.5" must be a whole number/);
    expectOneProblem({ ...minimal, maxCloneAgeDays: "weekly" }, /aurora-staging:maxCloneAgeDays: "weekly" must be a number/);
  });

  it("identifier prefix: RDS rules and room for the generation and instance suffixes", () => {
    const long = "a".repeat(MAX_IDENTIFIER_PREFIX_LENGTH + 1);
    expectOneProblem(
      { ...minimal, clusterIdentifierPrefix: long },
      /aurora-staging:clusterIdentifierPrefix: .* must be 1-51 characters \(is 52\)/,
      /generation/,
    );
    expectOneProblem({ ...minimal, clusterIdentifierPrefix: "staging-" }, /must not end with "-"/);
    expectOneProblem({ ...minimal, clusterIdentifierPrefix: "1staging" }, /must start with a lowercase letter/);
    expectOneProblem({ ...minimal, clusterIdentifierPrefix: "pay--staging" }, /must not contain "--"/);
    expectOneProblem({ ...minimal, clusterIdentifierPrefix: "pay_staging" }, /only contain lowercase letters, digits and hyphens/);
    // The longest allowed prefix really fits: cluster and instance identifiers <= 63.
    const c = parseStagingConfig({ ...minimal, clusterIdentifierPrefix: "a".repeat(MAX_IDENTIFIER_PREFIX_LENGTH), instanceCount: 16 });
    const id = clusterIdentifier(c.clusterIdentifierPrefix, cloneGeneration(c.refresh, undefined, new Date()));
    expect(instanceIdentifier(id, 15).length).toBeLessThanOrEqual(63);
  });

  it("instanceClass and instanceCount", () => {
    expectOneProblem(
      { ...minimal, instanceClass: "r6g.large" },
      /aurora-staging:instanceClass: "r6g.large" must look like db\.<family>\.<size>/,
      /db\.r6g\.large/,
    );
    expectOneProblem({ ...minimal, instanceClass: "db.R6G.large" }, /aurora-staging:instanceClass/);
    expectOneProblem({ ...minimal, instanceCount: 0 }, /aurora-staging:instanceCount: "0" must be a number from 1 to 16/);
    expectOneProblem({ ...minimal, instanceCount: 17 }, /aurora-staging:instanceCount/);
    expectOneProblem({ ...minimal, instanceCount: "two" }, /aurora-staging:instanceCount: "two"/);
  });

  it("serverless scaling: ranges, 0.5 ACU steps, min <= max, auto-pause only at 0", () => {
    const minimal = { team: "payments", sourceCluster: "production-aurora", instanceClass: "db.serverless" };
    expectOneProblem(
      { ...minimal, serverless: { minCapacity: 0.25, maxCapacity: 4 } },
      /aurora-staging:serverless\.minCapacity: "0.25" must be a multiple of 0\.5 ACU/,
    );
    expectOneProblem(
      { ...minimal, serverless: { minCapacity: 8, maxCapacity: 4 } },
      /serverless\.minCapacity: "8" must not exceed maxCapacity \(4\)/,
    );
    expectOneProblem(
      { ...minimal, serverless: { minCapacity: 0.5, maxCapacity: 512 } },
      /serverless\.maxCapacity: "512" must be a number from 1 to 256/,
    );
    expectOneProblem({ ...minimal, serverless: { minCapacity: 0.5 } }, /serverless\.maxCapacity: is required/);
    expectOneProblem(
      { ...minimal, serverless: { minCapacity: 0.5, maxCapacity: 4, secondsUntilAutoPause: 600 } },
      /secondsUntilAutoPause: "600" only applies with minCapacity 0/,
    );
    expectOneProblem(
      { ...minimal, serverless: { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 60 } },
      /secondsUntilAutoPause: "60" must be a number from 300 to 86400/,
    );
    expectOneProblem(
      { ...minimal, serverless: { min: 1, minCapacity: 0.5, maxCapacity: 4 } },
      /serverless\.min: unknown key; did you mean "minCapacity"\?/,
    );
    expectOneProblem({ ...minimal, serverless: "{min" }, /aurora-staging:serverless: is not valid JSON/);
    expectOneProblem({ ...minimal, serverless: "[1,2]" }, /aurora-staging:serverless: must be an object, got a list/);
  });

  it("network: subnet group and security groups", () => {
    expectOneProblem({ ...minimal, subnetGroupName: "bad/name" }, /aurora-staging:subnetGroupName: "bad\/name"/);
    expectOneProblem(
      { ...minimal, runnerSecurityGroupIds: ["sg-123"] },
      /aurora-staging:runnerSecurityGroupIds\[0\]: "sg-123" must be "sg-" followed by 8 or 17/,
    );
    expectOneProblem(
      { ...minimal, allowFrom: { securityGroupIds: ["sg-0123456789ABCDEF0"] } },
      /aurora-staging:allowFrom\.securityGroupIds\[0\]/,
    );
    expectOneProblem(
      { ...minimal, runnerSecurityGroupIds: ["sg-01234567", "sg-01234567"] },
      /runnerSecurityGroupIds: lists the same security group twice/,
    );
    expectOneProblem(
      { ...minimal, runnerSecurityGroupIds: "sg-01234567" },
      /aurora-staging:runnerSecurityGroupIds: is not valid JSON|must be a list/,
    );
    expectOneProblem({ ...minimal, allowFrom: { securityGroupIds: [1] } }, /allowFrom\.securityGroupIds: must be a list of strings/);
    expectOneProblem({ ...minimal, vpcId: "vpc-12" }, /aurora-staging:vpcId: "vpc-12" must be "vpc-" followed by 8 or 17/);
  });

  it("quarantine: the source's security groups can't be attached; runner and team CIDRs are checked", () => {
    // The old key attached groups from the clone's first minute: refused, pointing at allowFrom.
    expectOneProblem(
      { ...minimal, securityGroupIds: ["sg-0123456789abcdef0"] },
      /aurora-staging:securityGroupIds: is no longer supported/,
      /allowFrom/,
      /runnerCidrs/,
    );
    expectOneProblem({ ...minimal, runnerCidrs: ["0.0.0.0/0"] }, /aurora-staging:runnerCidrs\[0\]: "0\.0\.0\.0\/0" admits every address/);
    expectOneProblem({ ...minimal, runnerCidrs: ["::/0"] }, /runnerCidrs\[0\]: "::\/0" admits every address/);
    expectOneProblem(
      { ...minimal, runnerCidrs: ["203.0.113.300/32"] },
      /runnerCidrs\[0\]: "203\.0\.113\.300\/32" is not an IPv4 or IPv6 CIDR block/,
    );
    expectOneProblem(
      { ...minimal, allowFrom: { cidrs: ["10.0.0.0/8", "10.0.0.0/8"] } },
      /allowFrom\.cidrs: lists the same CIDR block twice/,
    );
    expectOneProblem({ ...minimal, allowFrom: { groups: [] } }, /allowFrom\.groups: unknown key/);
    // A team may open to a whole range after verification; only the runner's is quarantine.
    expect(
      parseStagingConfig({ ...minimal, allowFrom: { cidrs: ["0.0.0.0/0"] }, runnerCidrs: ["203.0.113.10/32"] }).allowFrom.cidrs,
    ).toEqual(["0.0.0.0/0"]);
    const c = parseStagingConfig(minimal);
    expect(c.runnerCidrs).toEqual([]);
    expect(c.allowFrom).toEqual({ securityGroupIds: [], cidrs: [] });
  });

  it("parameters, log exports, IAM roles and the app user", () => {
    const c = parseStagingConfig(minimal);
    expect(c).toMatchObject({
      clusterParameters: {},
      instanceParameters: {},
      logExports: [],
      logRetentionDays: 7,
      carryIamRoles: false,
      appUserName: "staging_app",
    });
    // Our logging settings can't be overridden: refused, with the reason.
    expectOneProblem(
      { ...minimal, clusterParameters: { log_statement: "all" } },
      /aurora-staging:clusterParameters\.log_statement: is set by aurora-staging itself/,
      /never reach the server's logs/,
    );
    expectOneProblem(
      { ...minimal, instanceParameters: { general_log: 1 } },
      /aurora-staging:instanceParameters\.general_log: is set by aurora-staging itself/,
    );
    expectOneProblem(
      { ...minimal, clusterParameters: { work_mem: { a: 1 } } },
      /clusterParameters\.work_mem: .* must be a string, number or boolean/,
    );
    expectOneProblem(
      { ...minimal, logExports: ["Postgres!"] },
      /aurora-staging:logExports\[0\]: "Postgres!" is not a CloudWatch log export type/,
    );
    expectOneProblem(
      { ...minimal, logRetentionDays: 10 },
      /aurora-staging:logRetentionDays: "10" must be a CloudWatch Logs retention period/,
    );
    expectOneProblem(
      { ...minimal, iamRoleFeatures: { "arn:aws:iam::123456789012:role/r": "s3Import" } },
      /iamRoleFeatures: is set but aurora-staging:carryIamRoles is not true/,
    );
    expectOneProblem(
      { ...minimal, carryIamRoles: true, iamRoleFeatures: { "role/r": "s3Import" } },
      /iamRoleFeatures\.role\/r: "role\/r" is not an IAM role ARN/,
    );
    expectOneProblem({ ...minimal, appUserName: "App-User" }, /aurora-staging:appUserName: "App-User" must be 1-32 lowercase/);
    expectOneProblem(
      { ...minimal, sanitize: false, connectionSecretName: "staging/x" },
      /aurora-staging:connectionSecretName: needs aurora-staging:sanitize/,
    );
  });

  it("engineVersion, database, rulesFile, sanitize", () => {
    expectOneProblem({ ...minimal, engineVersion: "latest" }, /aurora-staging:engineVersion: "latest" is not an engine version/);
    expectOneProblem({ ...minimal, database: "my db" }, /aurora-staging:database: "my db"/);
    expectOneProblem({ ...minimal, rulesFile: " " }, /aurora-staging:rulesFile/);
    expectOneProblem({ ...minimal, sanitize: "yes" }, /aurora-staging:sanitize: "yes" must be true or false/);
  });

  it("tags: reserved names, aws: prefix, non-string values", () => {
    expectOneProblem({ ...minimal, tags: { Team: "x" } }, /aurora-staging:tags\.Team: .* is set by aurora-staging itself/);
    expectOneProblem({ ...minimal, tags: { "aws:foo": "x" } }, /tag keys must be 1-128 characters and not start with "aws:"/);
    expectOneProblem({ ...minimal, tags: { Count: 3 } }, /aurora-staging:tags\.Count: "3" tag values must be strings/);
    // An empty YAML value is not a tag left out.
    expectOneProblem({ ...minimal, tags: '{"Owner": null}' }, /aurora-staging:tags\.Owner: "null" tag values must be strings/);
  });

  it("maskingKey: too short, and the value never appears in the message", () => {
    const msg = expectOneProblem(
      { ...minimal, maskingKey: "hunter2-secret" },
      /aurora-staging:maskingKey: is shorter than 16 characters \(value not shown\)/,
    );
    expect(msg).not.toContain("hunter2-secret");
    try {
      parseStagingConfig({ ...minimal, maskingKey: "hunter2-secret" });
    } catch (e) {
      expect(String(e)).not.toContain("hunter2");
    }
    expectOneProblem({ ...minimal, maskingKey: 1234567890123456 }, /maskingKey: must be a string \(value not shown\)/);
  });

  it("sanitizeOptions", () => {
    expectOneProblem(
      { ...minimal, sanitizeOptions: { coverage: "some" } },
      /sanitizeOptions\.coverage: "some" must be one of personal, strict, off/,
    );
    expectOneProblem(
      { ...minimal, sanitizeOptions: { parallelism: 0 } },
      /sanitizeOptions\.parallelism: "0" must be a number from 1 to 64/,
    );
    expectOneProblem(
      { ...minimal, sanitizeOptions: { chunksize: 10 } },
      /sanitizeOptions\.chunksize: unknown key; did you mean "chunkSize"\?/,
    );
    expectOneProblem(
      { ...minimal, sanitizeOptions: { connectPort: 70000 } },
      /sanitizeOptions\.connectPort: "70000" must be a number from 1 to 65535/,
    );
    expectOneProblem(
      { ...minimal, sanitizeOptions: { connectHost: "host name" } },
      /sanitizeOptions\.connectHost: "host name" must be a host name or IP address/,
    );
    expectOneProblem(
      { ...minimal, sanitizeOptions: { ssl: "off" } },
      /sanitizeOptions\.ssl: "off" must be one of require, verify-full, disable/,
    );
    // The sanitizer needs at least one sample per masked column for its per-row leak check.
    expectOneProblem(
      { ...minimal, sanitizeOptions: { leakSampleSize: 0 } },
      /sanitizeOptions\.leakSampleSize: "0" must be a number from 1 to 1000000/,
    );
    expectOneProblem(
      { ...minimal, sanitize: false, sanitizeOptions: { coverage: "strict" } },
      /sanitizeOptions: is set but aurora-staging:sanitize is false/,
    );
  });

  it("postCloneCommands", () => {
    expectOneProblem(
      { ...minimal, postCloneCommands: [{ name: "Grants", command: "x" }] },
      /postCloneCommands\[0\]\.name: "Grants" must be 1-40 lowercase/,
    );
    expectOneProblem(
      { ...minimal, postCloneCommands: [{ name: "g" }] },
      /postCloneCommands\[0\]\.command: is required; e\.g\. `pulumi config set --path 'aurora-staging:postCloneCommands\[0\]\.command'/,
    );
    expectOneProblem(
      {
        ...minimal,
        postCloneCommands: [
          { name: "g", command: "a" },
          { name: "g", command: "b" },
        ],
      },
      /postCloneCommands\[1\]\.name: "g" is used by another post-clone command/,
    );
    // The item isn't echoed (a command may carry a token).
    const msg = expectOneProblem(
      { ...minimal, postCloneCommands: ["psql -h x --password=tok3n"] },
      /postCloneCommands\[0\]: must be an object with name and command, got string/,
    );
    expect(msg).not.toContain("tok3n");
    // Nor is a whole list given as one string (postCloneCommands may be a secret).
    const whole = expectOneProblem(
      { ...minimal, postCloneCommands: '"psql --password=tok3n"' },
      /postCloneCommands: must be a list, got string/,
    );
    expect(whole).not.toContain("tok3n");
    expectOneProblem(
      { ...minimal, postCloneCommands: [{ name: "g", command: "  " }] },
      /postCloneCommands\[0\]\.command: must not be empty/,
    );
  });

  it("stableHostname and connectionSecretName", () => {
    expectOneProblem(
      { ...minimal, stableHostname: { zoneId: "zone-1", name: "a.example.com" } },
      /stableHostname\.zoneId: "zone-1" is not a Route 53 hosted zone id/,
    );
    expectOneProblem(
      { ...minimal, stableHostname: { zoneId: "Z123", name: "localhost" } },
      /stableHostname\.name: "localhost" must be a lowercase DNS name/,
    );
    expectOneProblem({ ...minimal, stableHostname: { zoneId: "Z123" } }, /stableHostname\.name: is required/);
    expectOneProblem({ ...minimal, connectionSecretName: "staging payments" }, /aurora-staging:connectionSecretName: "staging payments"/);
  });

  it("clusterQuota", () => {
    expectOneProblem({ ...minimal, clusterQuota: 0 }, /aurora-staging:clusterQuota: "0" must be a number from 1 to 1000/);
  });
});

describe("parseStagingConfig: all problems at once", () => {
  it("reports every problem in one error, each on its own line", () => {
    let error: StagingConfigError | undefined;
    try {
      parseStagingConfig({
        team: "Payments",
        instanceClass: "large",
        instanceCount: 0,
        runnerSecurityGroupIds: ["sg-1"],
        serverless: { minCapacity: 3, maxCapacity: 2 },
        maskingKey: "short-key",
        colour: "blue",
      });
    } catch (e) {
      error = e as StagingConfigError;
    }
    expect(error).toBeInstanceOf(StagingConfigError);
    const keys = [
      "colour",
      "team",
      "sourceCluster",
      "instanceClass",
      "instanceCount",
      "serverless.minCapacity",
      "runnerSecurityGroupIds[0]",
      "maskingKey",
    ];
    for (const k of keys)
      expect(
        error!.problems.some((p) => p.startsWith(`aurora-staging:${k}:`)),
        k,
      ).toBe(true);
    expect(error!.problems).toHaveLength(keys.length);
    expect(error!.message).toMatch(/^aurora-staging stack config has 8 problems/);
    expect(error!.message.split("\n  - ")).toHaveLength(9);
    expect(error!.message).not.toContain("short-key");
  });
});

describe("clone generation", () => {
  const now = new Date("2026-11-26T14:00:00Z");

  it("is deterministic for the same refresh value and changes with it", () => {
    const a = cloneGeneration("2026-11-26", undefined, now);
    expect(cloneGeneration("2026-11-26", undefined, new Date("2030-01-01T00:00:00Z"))).toEqual(a);
    expect(a.id).toMatch(/^[0-9a-f]{8}$/);
    expect(cloneGeneration("2026-11-27", undefined, now).id).not.toBe(a.id);
  });

  it("with maxCloneAgeDays, changes exactly at the window boundary (00:00 UTC, epoch-aligned)", () => {
    const g = cloneGeneration("r1", 7, now);
    // 2026-11-26 is day 20783 since the epoch; window 2969 = days 20783..20789.
    expect(g.window).toBe(Math.floor(Math.floor(now.getTime() / 86_400_000) / 7));
    expect(g.windowEndsAt).toBe(new Date((g.window! + 1) * 7 * 86_400_000).toISOString());
    const justBefore = new Date(Date.parse(g.windowEndsAt!) - 1);
    const atBoundary = new Date(g.windowEndsAt!);
    expect(cloneGeneration("r1", 7, justBefore).id).toBe(g.id);
    expect(cloneGeneration("r1", 7, atBoundary).id).not.toBe(g.id);
    // The refresh value still matters inside a window.
    expect(cloneGeneration("r2", 7, now).id).not.toBe(g.id);
  });
});

describe("checks against the source cluster (planClone)", () => {
  const pg: SourceCluster = {
    identifier: "prod-pg",
    arn: "arn:aws:rds:eu-west-1:123456789012:cluster:prod-pg",
    region: "eu-west-1",
    engine: "aurora-postgresql",
    engineMode: "provisioned",
    engineVersion: "16.4",
    port: 5432,
    masterUsername: "postgres",
    databaseName: "app",
    dbSubnetGroupName: "prod-private",
    vpcSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"],
    dbClusterParameterGroupName: "prod-pg16",
    storageEncrypted: true,
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
    enabledCloudwatchLogsExports: [],
    iamDatabaseAuthenticationEnabled: false,
    iamRoles: [],
    endpoint: "prod-pg.cluster-x.eu-west-1.rds.amazonaws.com",
    readerEndpoint: "prod-pg.cluster-ro-x.eu-west-1.rds.amazonaws.com",
    tags: {},
  };
  const lookup = (
    s: Partial<SourceCluster> = {},
    regionClusterIds = ["prod-pg"],
    vpcId: string | undefined = "vpc-0aaaaaaaaaaaaaaaa",
  ): SourceLookup => ({
    source: { ...pg, ...s },
    regionClusterIds,
    vpcId,
  });
  const cfg = (raw: Record<string, unknown> = {}, region = "eu-west-1"): StagingConfig =>
    parseStagingConfig({ team: "payments", sourceCluster: "prod-pg", ...raw }, { region });
  const now = new Date("2026-11-26T14:00:00Z");
  function planProblems(c: StagingConfig, l: SourceLookup): string[] {
    try {
      planClone(c, l, now);
    } catch (e) {
      return (e as StagingConfigError).problems;
    }
    throw new Error("expected planClone to throw");
  }

  it("inherits network, database, port and forbidden hosts from the source", () => {
    const plan = planClone(cfg(), lookup(), now);
    expect(plan).toMatchObject({
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      subnetGroupName: "prod-private",
      vpcId: "vpc-0aaaaaaaaaaaaaaaa",
      parameterFamily: "aurora-postgresql16",
      logExports: [],
      iamRoles: [],
      database: "app",
      port: 5432,
      forbiddenHosts: [pg.endpoint, pg.readerEndpoint],
    });
    expect(plan.clusterIdentifier).toMatch(/^payments-staging-[0-9a-f]{8}$/);
  });

  it("engineVersion must equal the source's", () => {
    expect(planProblems(cfg({ engineVersion: "16.6" }), lookup())).toEqual([
      expect.stringMatching(/aurora-staging:engineVersion: "16.6" differs from the source's 16.4; .* set it to 16.4/),
    ]);
    expect(planClone(cfg({ engineVersion: "16.4" }), lookup(), now).engineVersion).toBe("16.4");
  });

  it("auto-pause (minCapacity 0) only on engine versions that support it", () => {
    const c = cfg({ instanceClass: "db.serverless", serverless: { minCapacity: 0, maxCapacity: 4 } });
    expect(planProblems(c, lookup({ engineVersion: "15.4" }))).toEqual([
      expect.stringMatching(/serverless\.minCapacity: 0 \(auto-pause\) needs .* runs aurora-postgresql 15\.4/),
    ]);
    expect(planClone(c, lookup({ engineVersion: "15.7" }), now).engineVersion).toBe("15.7");
    expect(supportsAutoPause("aurora-postgresql", "13.14")).toBe(false);
    expect(supportsAutoPause("aurora-postgresql", "13.15")).toBe(true);
    expect(supportsAutoPause("aurora-postgresql", "14.12")).toBe(true);
    expect(supportsAutoPause("aurora-postgresql", "16.2")).toBe(false);
    expect(supportsAutoPause("aurora-postgresql", "17.1")).toBe(true);
    expect(supportsAutoPause("aurora-mysql", "8.0.mysql_aurora.3.07.1")).toBe(false);
    expect(supportsAutoPause("aurora-mysql", "8.0.mysql_aurora.3.08.0")).toBe(true);
  });

  it("reports unsupported engines, missing network/database, region mismatch and the quota together", () => {
    const found = planProblems(
      cfg({}, "eu-west-1"),
      lookup(
        {
          engine: "aurora",
          engineMode: "serverless",
          dbSubnetGroupName: "",
          vpcSecurityGroupIds: [],
          databaseName: "",
          region: "eu-central-1",
          tags: { ManagedBy: "aurora-staging" },
        },
        Array.from({ length: 40 }, (_, i) => `c${i}`),
      ),
    );
    const expected = [
      /sourceCluster: cluster "prod-pg" runs engine "aurora"/,
      /uses engine mode "serverless"/,
      /is itself an aurora-staging clone/,
      /is in eu-central-1 but the stack deploys to eu-west-1/,
      /aurora-staging:subnetGroupName: the source has no DB subnet group/,
      /aurora-staging:database: the source was created without an initial database/,
      /aurora-staging:clusterQuota: the region already has 40 DB clusters and the quota is 40/,
    ];
    expect(found).toHaveLength(expected.length);
    for (const [i, re] of expected.entries()) expect(found[i]).toMatch(re);
  });

  it("the quota counts the new clone only when its identifier doesn't exist yet", () => {
    const c = cfg({ clusterQuota: 2 });
    const id = planClone(c, lookup(), now).clusterIdentifier;
    // Current generation already exists: no new cluster needed, so 2 of 2 is fine.
    expect(planClone(c, lookup({}, ["prod-pg", id]), now).clusterIdentifier).toBe(id);
    // A refresh (new identifier) needs a third slot.
    expect(planProblems(cfg({ clusterQuota: 2, refresh: "r2" }), lookup({}, ["prod-pg", id]))).toEqual([
      expect.stringMatching(/clusterQuota/),
    ]);
  });

  it("an ARN whose region differs from where the cluster was found", () => {
    const c = parseStagingConfig({ team: "payments", sourceCluster: "arn:aws:rds:us-east-1:123456789012:cluster:prod-pg" });
    expect(planProblems(c, lookup())).toEqual([
      expect.stringMatching(/the ARN names region us-east-1 but the cluster was found in eu-west-1/),
    ]);
  });
});

describe("holes a fuzz of stack configurations found", () => {
  const stack = { "aws:region": "eu-west-1", "aurora-staging:team": "payments", "aurora-staging:sourceCluster": "prod-pg" };
  // A project folder of its own: the shipped default rules, and the rules files of each case.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aurora-staging-config-"));
  fs.mkdirSync(path.join(dir, "sanitize"));
  fs.copyFileSync(path.join(__dirname, "..", "sanitize", "default-rules.yaml"), path.join(dir, "sanitize", "default-rules.yaml"));
  const rulesFile = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return name;
  };

  /** The problems loadStack reports for this stack config (fails the test when it doesn't throw). */
  function stackProblems(allConfig: Record<string, string>, secretKeys: string[] = []): string[] {
    try {
      loadStack({ allConfig, secretKeys, baseDir: dir });
    } catch (e) {
      expect(e).toBeInstanceOf(StagingConfigError);
      return (e as StagingConfigError).problems;
    }
    throw new Error("expected a StagingConfigError");
  }

  it("the rules file's content and existence are reported with the config's problems, in one report", () => {
    const cases: [string, RegExp][] = [
      [
        rulesFile("unknown.yaml", "tables:\n  users:\n    columns:\n      email: { transform: emial }\n"),
        /rulesFile: "unknown\.yaml" is not valid rules: .*emial/,
      ],
      [rulesFile("broken.yaml", "tables:\n  users: [\n"), /rulesFile: "broken\.yaml" is not valid rules: .*invalid YAML/],
      [rulesFile("empty.yaml", ""), /rulesFile: "empty\.yaml" is not valid rules: .*the rules file is empty/],
      ["missing.yaml", /rulesFile: "missing\.yaml" can't be read \(ENOENT/],
    ];
    for (const [file, why] of cases) {
      const found = stackProblems({ ...stack, "aurora-staging:team": "Payments", "aurora-staging:rulesFile": file });
      expect(found, found.join("\n")).toEqual([expect.stringMatching(/^aurora-staging:team: "Payments"/), expect.stringMatching(why)]);
    }
    // Without config problems the rules still fail the load; with sanitize off they aren't read.
    expect(stackProblems({ ...stack, "aurora-staging:rulesFile": "empty.yaml" })).toEqual([
      expect.stringMatching(/the rules file is empty/),
    ]);
    expect(
      loadStack({
        allConfig: { ...stack, "aurora-staging:sanitize": "false", "aurora-staging:rulesFile": "missing.yaml" },
        secretKeys: [],
        baseDir: dir,
      }).rules,
    ).toBeUndefined();
  });

  it("a key in a misspelt namespace is flagged with a did-you-mean; other packages' namespaces are not", () => {
    expect(stackProblems({ ...stack, "aurora-stagin:refresh": "2026-12-01" })).toEqual([
      expect.stringMatching(
        /^aurora-stagin:refresh: is in namespace "aurora-stagin", which this program doesn't read .*did you mean `aurora-staging:refresh`/,
      ),
    ]);
    const { "aurora-staging:team": _team, ...noTeam } = stack;
    const found = stackProblems({ ...noTeam, "aws-staging:team": "payments" });
    expect(found).toEqual([
      expect.stringMatching(/^aws-staging:team: .*did you mean `aurora-staging:team`\?/),
      expect.stringMatching(/^aurora-staging:team: is required/),
    ]);
    // The value is never shown (it could be a secret).
    expect(stackProblems({ ...stack, "aurora-stagingg:maskingKey": "a-secret-masking-key-0123456789" }).join("\n")).not.toContain(
      "a-secret",
    );
    const others = {
      "aws:profile": "x",
      "pulumi:tags": "{}",
      "random:x": "1",
      "command:y": "2",
      "aws:team": "z",
      "myproject:refresh": "r",
    };
    expect(loadStack({ allConfig: { ...stack, ...others }, secretKeys: [], baseDir: process.cwd() }).config.team).toBe("payments");
  });

  it("a masking key given as an object or a list is refused, its value not shown", () => {
    for (const key of ['{"key": "0123456789abcdef"}', '["0123456789abcdef"]']) {
      const msg = expectOneProblem(
        { ...minimal, maskingKey: key },
        /aurora-staging:maskingKey: is an object or a list in the stack config, not a string \(value not shown\)/,
      );
      expect(msg).not.toContain("0123456789abcdef");
    }
    expectOneProblem({ ...minimal, maskingKey: { key: "0123456789abcdef" } }, /maskingKey: must be a string \(value not shown\)/);
    // Text that merely starts like JSON is a key.
    // Accepted (no problem), and not carried in the plain config object: the program reads it as a secret.
    expect(parseStagingConfig({ ...minimal, maskingKey: "{not-json-0123456789" })).not.toHaveProperty("maskingKey");
  });

  it("no region (neither aws:region nor AWS_REGION/AWS_DEFAULT_REGION) is refused; the environment's is used", () => {
    const { "aws:region": _region, ...noRegion } = stack;
    const none = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };
    expect(withEnv(none, () => stackProblems(noRegion))).toEqual([
      expect.stringMatching(
        /^aws:region: is not set, and neither is AWS_REGION nor AWS_DEFAULT_REGION; .*e\.g\. `pulumi config set aws:region eu-west-1`/,
      ),
    ]);
    expect(
      withEnv({ ...none, AWS_DEFAULT_REGION: "eu-central-1" }, () =>
        loadStack({ allConfig: noRegion, secretKeys: [], baseDir: process.cwd() }),
      ).config.region,
    ).toBe("eu-central-1");
    expect(
      withEnv({ AWS_REGION: "us-east-2", AWS_DEFAULT_REGION: "eu-central-1" }, () => loadStack({ allConfig: noRegion, secretKeys: [] }))
        .config.region,
    ).toBe("us-east-2");
    // The stack's own setting wins over the environment.
    expect(withEnv({ AWS_REGION: "us-east-2" }, () => loadStack({ allConfig: stack, secretKeys: [] })).config.region).toBe("eu-west-1");
  });

  it("RDS's tag rules: 50 per resource counting ours, lengths, characters, no aws: prefix", () => {
    const many = (n: number, extra: Record<string, string> = {}) => ({
      ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`Tag${i}`, "v"])),
      ...extra,
    });
    // 5 reserved tags on every resource, and Name on the security group: 44 of the stack's own fit.
    expect(Object.keys(parseStagingConfig({ ...minimal, tags: many(44) }).tags)).toHaveLength(44);
    expectOneProblem({ ...minimal, tags: many(45) }, /aurora-staging:tags: has 45 tags; .* would carry 51, and AWS allows 50; remove 1/);
    expect(Object.keys(parseStagingConfig({ ...minimal, tags: many(44, { Name: "pay" }) }).tags)).toHaveLength(45);
    expectOneProblem(
      { ...minimal, tags: { "Cost#Center": "1" } },
      /aurora-staging:tags\.Cost#Center: "Cost#Center" tag keys may only hold Unicode letters, digits, spaces and/,
    );
    expectOneProblem({ ...minimal, tags: { "a<b>|c": "1" } }, /tags\.a<b>\|c: "a<b>\|c" tag keys may only hold/);
    expectOneProblem({ ...minimal, tags: { Owner: "a<b>|c" } }, /tags\.Owner: "a<b>\|c" tag values may only hold/);
    expectOneProblem({ ...minimal, tags: { "AWS:Owner": "x" } }, /not start with "aws:"/);
    expectOneProblem({ ...minimal, tags: { ["k".repeat(129)]: "x" } }, /tag keys must be 1-128 characters/);
    expectOneProblem(
      { ...minimal, tags: { Owner: "v".repeat(257) } },
      /tags\.Owner: .* tag values must be strings of at most 256 characters/,
    );
    const ok = { "Kostenstelle Ä": "Zürich/42", "team:owner": "a_b.c=d+e-f@g", Empty: "", ["k".repeat(128)]: "v".repeat(256) };
    expect(parseStagingConfig({ ...minimal, tags: ok }).tags).toEqual(ok);
  });

  it("an ARN source whose partition doesn't fit the region is refused clearly, keeping account and partition", () => {
    const cn = "arn:aws-cn:rds:cn-north-1:123456789012:cluster:prod-pg";
    expect(problems({ ...minimal, sourceCluster: cn }, "eu-west-1")).toEqual([
      expect.stringMatching(
        /sourceCluster: "arn:aws-cn:.*" is in partition aws-cn, but the stack deploys to eu-west-1 \(partition aws, aws:region\)/,
      ),
    ]);
    expectOneProblem(
      { ...minimal, sourceCluster: "arn:aws:rds:cn-north-1:123456789012:cluster:prod-pg" },
      /region cn-north-1 is in partition aws-cn, not aws/,
      /arn:aws-cn:rds:cn-north-1/,
    );
    expectOneProblem(
      { ...minimal, sourceCluster: "arn:aws-us-gov:rds:eu-west-1:123456789012:cluster:prod-pg" },
      /region eu-west-1 is in partition aws, not aws-us-gov/,
    );
    const gov = "arn:aws-us-gov:rds:us-gov-west-1:210987654321:cluster:prod-pg";
    expect(parseStagingConfig({ ...minimal, sourceCluster: gov }, { region: "us-gov-west-1" }).source).toEqual({
      kind: "arn",
      arn: gov,
      partition: "aws-us-gov",
      region: "us-gov-west-1",
      account: "210987654321",
      identifier: "prod-pg",
    });
    expect(parseStagingConfig({ ...minimal, sourceCluster: cn }, { region: "cn-north-1" }).source).toMatchObject({
      partition: "aws-cn",
      account: "123456789012",
    });
  });

  it("serverless scaling with a provisioned instance class is refused", () => {
    expectOneProblem(
      { ...minimal, serverless: { minCapacity: 0.5, maxCapacity: 4 } },
      /aurora-staging:serverless: is set but aurora-staging:instanceClass is "db\.r6g\.large", a provisioned class/,
      /pulumi config set aurora-staging:instanceClass db\.serverless/,
    );
    expectOneProblem(
      { ...minimal, instanceClass: "db.r7g.xlarge", serverless: '{"minCapacity":0.5,"maxCapacity":4}' },
      /instanceClass is "db\.r7g\.xlarge"/,
    );
    expect(
      parseStagingConfig({ ...minimal, instanceClass: "db.serverless", serverless: { minCapacity: 1, maxCapacity: 4 } }).serverless,
    ).toEqual({ minCapacity: 1, maxCapacity: 4 });
  });

  it("namespace, region, secret, config and rules problems all come in one report", () => {
    const { "aws:region": _region, ...noRegion } = stack;
    const found = withEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, () =>
      stackProblems(
        {
          ...noRegion,
          "aurora-stagin:refresh": "r",
          "aurora-staging:tags": '{"CostCenter":"4711"}',
          "aurora-staging:instanceCount": "0",
          "aurora-staging:rulesFile": "missing.yaml",
        },
        ["tags"],
      ),
    );
    expect(found).toEqual([
      expect.stringMatching(/^aurora-stagin:refresh:/),
      expect.stringMatching(/^aws:region: is not set/),
      expect.stringMatching(/^aurora-staging:tags: is set as a secret/),
      expect.stringMatching(/^aurora-staging:instanceCount: "0"/),
      expect.stringMatching(/^aurora-staging:rulesFile: "missing\.yaml" can't be read/),
    ]);
    expect(found.join("\n")).not.toContain("4711");
  });
});
