/**
 * The whole clone is safe (issue 9, Pulumi side), under mocks:
 *   - quarantine: its own security group, only the runner until verified, team access after;
 *   - staging-owned parameter groups with logging off, no log exports unless asked;
 *   - the Sanitization follows the physical cluster (clusterResourceId); identifiers cover
 *     every input that forces a new cluster; the engine version is never pinned;
 *   - the application user is what the connection secret publishes;
 *   - log groups, IAM roles, secret hook commands, what can't take effect.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { parseStagingConfig, StagingConfigError } from "../components/config";
import { SANITIZATION_TOKEN } from "../components/sanitization";
import { lookupSource, planClone } from "../components/source";
import {
  byType,
  fakeCluster,
  isSecret,
  one,
  plain,
  REGION,
  resolve,
  runWithMocks,
  SOURCES,
  type RegisteredResource,
} from "./harness/pulumi-mocks";
import {
  build,
  CLUSTER,
  CLUSTER_PARAMETERS,
  COMMAND,
  EGRESS,
  INGRESS,
  INSTANCE,
  INSTANCE_PARAMETERS,
  inputsOf,
  LOG_GROUP,
  MASKING_KEY,
  mysqlStack,
  NOW,
  pgStack,
  RECORD,
  ROLE_ASSOCIATION,
  RULES,
  SECRET_VERSION,
  SECURITY_GROUP,
} from "./harness/staging-stack";

const RUNNER = "203.0.113.10/32";
const RUNNER_SG = "sg-0cccccccccccccccc";
const TEAM_SG = "sg-0dddddddddddddddd";
const quarantined = {
  ...pgStack,
  runnerCidrs: [RUNNER],
  runnerSecurityGroupIds: [RUNNER_SG],
  allowFrom: { securityGroupIds: [TEAM_SG], cidrs: ["10.20.0.0/16", "2001:db8::/32"] },
  postCloneCommands: [{ name: "grants", command: "psql -f grants.sql" }],
  stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
  connectionSecretName: "staging/payments/aurora",
};

/** Every URN `r` depends on, directly or through other resources. */
function dependsOnTransitively(resources: RegisteredResource[], r: RegisteredResource): Set<string> {
  const byUrn = new Map(resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const walk = (urn: string) => {
    for (const d of byUrn.get(urn)?.dependencies ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        walk(d);
      }
    }
  };
  walk(r.urn);
  return seen;
}

const inputs = (r: RegisteredResource) => plain(r.inputs) as Record<string, unknown>;
const named = (resources: RegisteredResource[], name: string) => resources.find((r) => r.name === name)!;
const parameterValues = (r: RegisteredResource) =>
  Object.fromEntries((inputs(r).parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]));

describe("quarantine: the clone's own security group; team access only after verification", () => {
  it("attaches only its own group, in the source's VPC, and no source security group appears anywhere", async () => {
    const { resources } = await build(quarantined);
    const sg = one(resources, SECURITY_GROUP);
    const cluster = inputs(one(resources, CLUSTER));
    expect(inputs(sg)).toMatchObject({ vpcId: "vpc-0aaaaaaaaaaaaaaaa", name: cluster.clusterIdentifier });
    expect(cluster.vpcSecurityGroupIds).toEqual([`${sg.name}-id`]);
    for (const source of SOURCES["prod-pg"].vpcSecurityGroupIds as string[]) {
      for (const r of resources) expect(JSON.stringify(inputsOf(r)), r.name).not.toContain(source);
    }
  });

  it("admits the runner from creation on (before the cluster) and the team only after Sanitization and the hooks", async () => {
    const { resources } = await build(quarantined);
    const sg = one(resources, SECURITY_GROUP);
    const cluster = one(resources, CLUSTER);
    const sanitization = one(resources, SANITIZATION_TOKEN);
    const hook = one(resources, COMMAND);
    const rules = byType(resources, INGRESS);
    const runner = rules.filter((r) => r.name.startsWith("staging-runner-"));
    const team = rules.filter((r) => r.name.startsWith("staging-allow-"));
    expect(runner.map(inputs)).toEqual([
      expect.objectContaining({ securityGroupId: `${sg.name}-id`, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: RUNNER }),
      expect.objectContaining({ securityGroupId: `${sg.name}-id`, fromPort: 5432, toPort: 5432, referencedSecurityGroupId: RUNNER_SG }),
    ]);
    expect(team.map(inputs)).toEqual([
      expect.objectContaining({ securityGroupId: `${sg.name}-id`, fromPort: 5432, cidrIpv4: "10.20.0.0/16" }),
      expect.objectContaining({ fromPort: 5432, cidrIpv6: "2001:db8::/32" }),
      expect.objectContaining({ fromPort: 5432, referencedSecurityGroupId: TEAM_SG }),
    ]);
    // The cluster waits for the runner's rules (so the sanitizer can connect) ...
    for (const r of runner) {
      expect(cluster.dependencies).toContain(r.urn);
      expect(dependsOnTransitively(resources, r).has(sanitization.urn)).toBe(false);
    }
    // ... and every team rule waits for the verification gate: Sanitization and the last hook.
    for (const r of team) {
      const deps = dependsOnTransitively(resources, r);
      expect(deps.has(sanitization.urn), r.name).toBe(true);
      expect(deps.has(hook.urn), r.name).toBe(true);
    }
    // No inline rules on the group (they would fight with the separate rule resources).
    expect(inputs(sg)).not.toHaveProperty("ingress");
  });

  it("a failed sanitization leaves the clone reachable by the runner only: no team rule is created", async () => {
    const { resources, failure } = await build(quarantined, {
      provider: async (args) => {
        if (args.type === SANITIZATION_TOKEN) throw new Error("verification failed");
        return undefined;
      },
    });
    expect(String(failure)).toMatch(/verification failed/);
    const names = resources.map((r) => r.name);
    expect(names.filter((n) => n.startsWith("staging-runner-"))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith("staging-allow-"))).toEqual([]);
    for (const type of [RECORD, SECRET_VERSION, COMMAND]) expect(byType(resources, type)).toEqual([]);
  });

  it("vpcId config is used as is; an unreadable subnet group is a clear error", async () => {
    const { resources } = await build({ ...quarantined, vpcId: "vpc-0eeeeeeeeeeeeeeee" });
    expect(inputs(one(resources, SECURITY_GROUP)).vpcId).toBe("vpc-0eeeeeeeeeeeeeeee");
    await expect(build({ ...quarantined, subnetGroupName: "nope" })).rejects.toThrow(
      /aurora-staging:subnetGroupName: DB subnet group "nope" could not be read .*aurora-staging:vpcId/,
    );
  });
});

describe("parameter groups and log exports", () => {
  it("aurora-postgresql: staging-owned groups in the source's family, logging off, the stack's parameters added", async () => {
    const { resources } = await build({
      ...pgStack,
      clusterParameters: { work_mem: "65536" },
      instanceParameters: { random_page_cost: 1.1 },
    });
    const clusterGroup = one(resources, CLUSTER_PARAMETERS);
    const instanceGroup = one(resources, INSTANCE_PARAMETERS);
    expect(inputs(clusterGroup).family).toBe("aurora-postgresql16");
    expect(inputs(instanceGroup).family).toBe("aurora-postgresql16");
    expect(parameterValues(clusterGroup)).toEqual({
      log_statement: "none",
      log_min_duration_statement: "-1",
      log_parameter_max_length: "0",
      log_parameter_max_length_on_error: "0",
      "pgaudit.log": "none",
      work_mem: "65536",
    });
    expect(parameterValues(instanceGroup)).toEqual({ log_statement: "none", log_min_duration_statement: "-1", random_page_cost: "1.1" });
    const params = inputs(clusterGroup).parameters as { name: string; applyMethod: string }[];
    expect(params.find((p) => p.name === "work_mem")!.applyMethod).toBe("pending-reboot");
    // Attached: the cluster to the cluster group, every instance to the instance group.
    expect(inputs(one(resources, CLUSTER)).dbClusterParameterGroupName).toMatch(/^payments-staging-cluster-/);
    for (const i of byType(resources, INSTANCE)) expect(inputs(i).dbParameterGroupName).toMatch(/^payments-staging-instance-/);
    // The source exports its postgresql log; the clone doesn't by default.
    expect(inputs(one(resources, CLUSTER)).enabledCloudwatchLogsExports).toEqual([]);
    expect(byType(resources, LOG_GROUP)).toEqual([]);
  });

  it("aurora-mysql: general, slow and audit logs off, event scheduler off", async () => {
    const { resources } = await build(mysqlStack);
    expect(inputs(one(resources, CLUSTER_PARAMETERS)).family).toBe("aurora-mysql8.0");
    expect(parameterValues(one(resources, CLUSTER_PARAMETERS))).toEqual({
      general_log: "0",
      slow_query_log: "0",
      server_audit_logging: "0",
      event_scheduler: "OFF",
    });
    expect(parameterValues(one(resources, INSTANCE_PARAMETERS))).toEqual({ general_log: "0", slow_query_log: "0" });
  });

  it("logExports: one log group per type, with the retention, that the cluster depends on", async () => {
    const { resources } = await build({ ...pgStack, logExports: ["postgresql"], logRetentionDays: 14 });
    const cluster = one(resources, CLUSTER);
    const group = one(resources, LOG_GROUP);
    expect(inputs(group)).toMatchObject({
      name: `/aws/rds/cluster/${String(inputs(cluster).clusterIdentifier)}/postgresql`,
      retentionInDays: 14,
    });
    expect(cluster.dependencies).toContain(group.urn);
    expect(inputs(cluster).enabledCloudwatchLogsExports).toEqual(["postgresql"]);
    await expect(build({ ...pgStack, logExports: ["slowquery"] })).rejects.toThrow(
      /aurora-staging:logExports\[0\]: "slowquery" is not a log export of aurora-postgresql/,
    );
  });
});

describe("the Sanitization follows the physical cluster; identifiers cover what forces a new cluster", () => {
  it("clusterResourceId is wired into the Sanitization (replacement trigger) and the hooks' triggers", async () => {
    const { resources, result } = await build(quarantined);
    const s = one(resources, SANITIZATION_TOKEN);
    const resourceId = (await resolve(result.declared.cluster.clusterResourceId)).value;
    expect(resourceId).toMatch(/^cluster-[0-9A-F]+$/);
    expect(inputs(s).clusterResourceId).toBe(resourceId);
    expect(s.replacementTrigger).toBe(resourceId);
    expect(inputs(one(resources, COMMAND)).triggers).toEqual([resourceId]);
  });

  it("a cluster re-created under the same identifier (new clusterResourceId) replaces the Sanitization and re-runs the hooks", async () => {
    const first = await build(quarantined);
    const second = await build(quarantined, {
      state: (type) => (type === CLUSTER ? { clusterResourceId: "cluster-RECREATEDOUTSIDEPULUMI0001" } : {}),
    });
    const changed = (name: string) => {
      const a = inputsOf(named(first.resources, name));
      const b = inputsOf(named(second.resources, name));
      return Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    };
    expect(inputs(named(second.resources, "staging-cluster")).clusterIdentifier).toBe(
      inputs(named(first.resources, "staging-cluster")).clusterIdentifier,
    );
    expect(changed("staging-sanitization")).toEqual(["clusterResourceId"]);
    expect(named(second.resources, "staging-sanitization").replacementTrigger).toBe("cluster-RECREATEDOUTSIDEPULUMI0001");
    expect(changed("staging-hook-grants")).toEqual(["triggers"]);
  });

  it("changing the source, the subnet group, the KMS key or the rules changes the identifier; a comment in the rules doesn't", async () => {
    const id = async (raw: Record<string, unknown>, o: Parameters<typeof build>[1] = {}) =>
      String(inputs(one((await build(raw, o)).resources, CLUSTER)).clusterIdentifier);
    const base = await id(pgStack);
    const otherSource = fakeCluster("prod-pg-2", "aurora-postgresql", "16.4", 5432);
    expect(await id({ ...pgStack, sourceCluster: "prod-pg-2" }, { sources: { ...SOURCES, "prod-pg-2": otherSource } })).not.toBe(base);
    expect(await id({ ...pgStack, subnetGroupName: "staging-private" })).not.toBe(base);
    expect(await id(pgStack, { rules: `${RULES}      phone: { transform: "null" }\n` })).not.toBe(base);
    expect(await id(pgStack, { rules: `# reviewed 2026-11-27\n${RULES}` })).toBe(base);
    const rekeyed = { ...SOURCES, "prod-pg": { ...SOURCES["prod-pg"], kmsKeyId: `arn:aws:kms:${REGION}:123456789012:key/other` } };
    expect(await id(pgStack, { sources: rekeyed })).not.toBe(base);
  });

  it("a source minor-version upgrade leaves every resource and input identical", async () => {
    const upgraded = { ...SOURCES, "prod-pg": { ...SOURCES["prod-pg"], engineVersion: "16.6" } };
    const before = await build(quarantined);
    const after = await build(quarantined, { sources: upgraded });
    expect(after.resources.map((r) => r.name).sort()).toEqual(before.resources.map((r) => r.name).sort());
    for (const r of after.resources) {
      expect(JSON.stringify(r.inputs), r.name).toBe(JSON.stringify(named(before.resources, r.name).inputs));
    }
    expect(inputs(one(after.resources, CLUSTER))).not.toHaveProperty("engineVersion");
  });
});

describe("the application user is published, the master user isn't", () => {
  it("a per-generation app password reaches the Sanitization as a secret; the secret holds the app user", async () => {
    const { resources, result } = await build({ ...quarantined, appUserName: "payments_app" });
    expect(inputs(named(resources, "staging-app-password"))).toMatchObject({
      special: false,
      keepers: { generation: (await resolve(result.clone.cloneGeneration)).value },
    });
    const s = one(resources, SANITIZATION_TOKEN);
    expect(inputs(s).appUserName).toBe("payments_app");
    expect(isSecret(s.inputs.appUserPassword)).toBe(true);
    const version = one(resources, SECRET_VERSION);
    expect(isSecret(version.inputs.secretString)).toBe(true);
    const json = JSON.parse(String(plain(version.inputs.secretString))) as Record<string, unknown>;
    expect(json.username).toBe("payments_app");
    expect(json.password).toBe(plain(s.inputs.appUserPassword));
    expect(JSON.stringify(json)).not.toContain((await resolve(result.clone.masterPassword)).value);
  });

  it("the app user may not be the master user", async () => {
    await expect(build({ ...pgStack, appUserName: "postgres" })).rejects.toThrow(
      /aurora-staging:appUserName: "postgres" is the master user's name/,
    );
  });
});

describe("IAM roles and secret hook commands", () => {
  const roles = ["arn:aws:iam::123456789012:role/aurora-s3-import", "arn:aws:iam::123456789012:role/aurora-lambda"];
  const withRoles = (engine: "prod-pg" | "prod-mysql") => ({ ...SOURCES, [engine]: { ...SOURCES[engine], iamRoles: roles } });

  it("carryIamRoles associates each source role after verification; Aurora PostgreSQL needs each role's feature", async () => {
    const { resources } = await build({ ...mysqlStack, carryIamRoles: true }, { sources: withRoles("prod-mysql") });
    const associations = byType(resources, ROLE_ASSOCIATION);
    expect(associations.map((a) => inputs(a).roleArn)).toEqual(roles);
    const sanitization = one(resources, SANITIZATION_TOKEN);
    for (const a of associations) {
      expect(inputs(a).dbClusterIdentifier).toBe(inputs(one(resources, CLUSTER)).clusterIdentifier);
      expect(dependsOnTransitively(resources, a).has(sanitization.urn)).toBe(true);
    }
    // Their features call out of the VPC: egress opens with them, after verification.
    const egress = one(resources, EGRESS);
    expect(inputs(egress)).toMatchObject({
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
      securityGroupId: `${one(resources, SECURITY_GROUP).name}-id`,
    });
    expect(dependsOnTransitively(resources, egress).has(sanitization.urn)).toBe(true);
    // Not configured: nothing carried, and the group has no egress at all.
    const plainStack = (await build(mysqlStack, { sources: withRoles("prod-mysql") })).resources;
    expect(byType(plainStack, ROLE_ASSOCIATION)).toEqual([]);
    expect(byType(plainStack, EGRESS)).toEqual([]);
    expect(inputs(one(plainStack, SECURITY_GROUP))).not.toHaveProperty("egress");

    await expect(build({ ...pgStack, carryIamRoles: true }, { sources: withRoles("prod-pg") })).rejects.toThrow(
      /aurora-staging:iamRoleFeatures: Aurora PostgreSQL needs the feature of source role arn:aws:iam::123456789012:role\/aurora-s3-import/,
    );
    const pg = await build(
      { ...pgStack, carryIamRoles: true, iamRoleFeatures: { [roles[0]]: "s3Import", [roles[1]]: "Lambda" } },
      { sources: withRoles("prod-pg") },
    );
    expect(byType(pg.resources, ROLE_ASSOCIATION).map((a) => inputs(a).featureName)).toEqual(["s3Import", "Lambda"]);
  });

  /** A stack whose masking key is set (the tests mark it secret). */
  const SECRET_KEY_STACK: Record<string, string> = {
    "aws:region": REGION,
    "aurora-staging:team": "payments",
    "aurora-staging:sourceCluster": "prod-pg",
    "aurora-staging:maskingKey": MASKING_KEY,
    "aurora-staging:runnerCidrs": JSON.stringify([RUNNER]),
  };
  /** A resource's inputs as text, with every secret-wrapped value blanked out. */
  const outsideSecrets = (v: unknown): string =>
    isSecret(v) ? "<secret>" : typeof v === "object" && v !== null ? Object.values(v).map(outsideSecrets).join(" ") : String(v);

  it("a hook command from a secret config value reaches the Command resource only as a secret", async () => {
    const token = "ghp_secretTokenInsideAHook0123456789";
    const allConfig: Record<string, string> = {
      ...SECRET_KEY_STACK,
      "aurora-staging:postCloneCommands": JSON.stringify([
        { name: "notify", command: `curl -H 'Authorization: ${token}' https://ci.example.com/hook` },
      ]),
    };
    const mod = (await import("../index")) as unknown as
      | (() => Promise<Record<string, unknown>>)
      | { default: () => Promise<Record<string, unknown>> };
    const main = typeof mod === "function" ? mod : mod.default;
    const { resources } = await runWithMocks(() => {
      pulumi.runtime.setAllConfig(allConfig, ["aurora-staging:maskingKey", "aurora-staging:postCloneCommands"]);
      return main();
    });
    const hook = one(resources, COMMAND);
    expect(isSecret(hook.inputs.create)).toBe(true);
    expect(String(plain(hook.inputs.create))).toContain(token);
    // Nowhere in plain text: only inside secret-wrapped values.
    for (const r of resources) expect(outsideSecrets(inputsOf(r)), r.name).not.toContain(token);
  });

  it("the stack's masking key reaches the Sanitization only as a secret (read with getSecret, never a plain config field)", async () => {
    const { stagingProgram } = await import("../components/program");
    const { resources } = await runWithMocks(() => stagingProgram({ allConfig: SECRET_KEY_STACK, secretKeys: ["maskingKey"], now: NOW }));
    const s = one(resources, SANITIZATION_TOKEN);
    expect(isSecret(s.inputs.maskingKey)).toBe(true);
    expect(plain(s.inputs.maskingKey)).toBe(MASKING_KEY);
    for (const r of resources) expect(outsideSecrets(inputsOf(r)), r.name).not.toContain(MASKING_KEY);
  });
});

describe("secret config stays secret", () => {
  const allConfig = {
    "aws:region": REGION,
    "aurora-staging:team": "payments",
    "aurora-staging:sourceCluster": "prod-pg",
    "aurora-staging:maskingKey": MASKING_KEY,
    "aurora-staging:tags": JSON.stringify({ CostCenter: "secret-cost-center-4711" }),
  };

  it("the SDK tells which keys are secret (pinned 3.248: runtime isConfigSecret)", async () => {
    const { result } = await runWithMocks(async () => {
      pulumi.runtime.setAllConfig(allConfig, ["aurora-staging:maskingKey"]);
      const { secretConfigKeys } = await import("../components/program");
      return secretConfigKeys({ maskingKey: "x", tags: "{}" });
    });
    expect(result).toEqual(["maskingKey"]);
  });

  it("a secret value the program can't keep secret, or a plain-text masking key, is refused before anything is declared", async () => {
    const { stagingProgram } = await import("../components/program");
    const { resources } = await runWithMocks(async () => {
      await expect(stagingProgram({ allConfig, secretKeys: ["maskingKey", "tags"], now: NOW })).rejects.toThrow(
        /aurora-staging:tags: is set as a secret, but its value would end up in plain resource inputs/,
      );
      await expect(stagingProgram({ allConfig, secretKeys: ["maskingKey", "tags"], now: NOW })).rejects.not.toThrow(/secret-cost-center/);
      await expect(stagingProgram({ allConfig, secretKeys: [], now: NOW })).rejects.toThrow(
        /aurora-staging:maskingKey: is stored in plain text in the stack config \(value not shown\); set it as a secret/,
      );
      await expect(stagingProgram({ allConfig, secretKeys: [], now: NOW })).rejects.not.toThrow(new RegExp(MASKING_KEY));
      return {};
    });
    expect(resources).toEqual([]);
  });
});

describe("what can't take effect is said at preview; new keys are validated with the others", () => {
  it("auto-pause with log exports or binlog replication warns; no runner access warns", async () => {
    const { result } = await runWithMocks(async () => {
      const warnings = async (raw: Record<string, unknown>) => {
        const config = parseStagingConfig({ ...mysqlStack, ...raw }, { region: REGION });
        return planClone(config, await lookupSource(config), NOW).warnings;
      };
      return {
        quiet: await warnings({}),
        exports: await warnings({ logExports: ["error"] }),
        binlog: await warnings({ clusterParameters: { binlog_format: "ROW" } }),
        noRunner: await warnings({ runnerSecurityGroupIds: [], serverless: { minCapacity: 0.5, maxCapacity: 8 } }),
      };
    });
    expect(result.quiet).toEqual([]);
    expect(result.exports).toEqual([
      expect.stringMatching(/aurora-staging:logExports: exports error to CloudWatch, so minCapacity 0 \(auto-pause\) may not take effect/),
    ]);
    expect(result.binlog).toEqual([expect.stringMatching(/clusterParameters\.binlog_format: "ROW" turns on the binary log/)]);
    expect(result.noRunner).toEqual([
      expect.stringMatching(/aurora-staging:runnerCidrs: neither runnerCidrs nor runnerSecurityGroupIds is set/),
    ]);
  });

  it("the program shows the warnings at preview with pulumi.log.warn", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue(undefined);
    try {
      const { stagingProgram } = await import("../components/program");
      await runWithMocks(
        () =>
          stagingProgram({
            allConfig: {
              "aws:region": REGION,
              "aurora-staging:team": "orders",
              "aurora-staging:sourceCluster": "prod-mysql",
              "aurora-staging:instanceClass": "db.serverless",
              "aurora-staging:serverless": JSON.stringify({ minCapacity: 0, maxCapacity: 4 }),
              "aurora-staging:logExports": JSON.stringify(["error"]),
              "aurora-staging:runnerCidrs": JSON.stringify([RUNNER]),
            },
            secretKeys: [],
            now: NOW,
          }),
        { preview: true },
      );
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        expect.stringMatching(/logExports: exports error to CloudWatch, so minCapacity 0/),
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it("reports problems of the new keys together, before anything is declared", async () => {
    let error: unknown;
    const run = await build({
      ...pgStack,
      securityGroupIds: ["sg-0123456789abcdef0"],
      runnerCidrs: ["0.0.0.0/0"],
      clusterParameters: { log_statement: "all" },
    }).catch((e) => {
      error = e;
      return undefined;
    });
    expect(run).toBeUndefined();
    expect(error).toBeInstanceOf(StagingConfigError);
    expect((error as StagingConfigError).problems.map((p) => p.slice(0, p.indexOf(": ")))).toEqual([
      "aurora-staging:securityGroupIds",
      "aurora-staging:runnerCidrs[0]",
      "aurora-staging:clusterParameters.log_statement",
    ]);
  });
});
