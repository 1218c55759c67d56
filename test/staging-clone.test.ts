/**
 * The StagingClone component and the program, under Pulumi's unit-testing mocks: the source
 * lookup answered by realistic aurora-postgresql 16.4 / aurora-mysql 3.08 data, every
 * registered resource recorded with its inputs (secrets still marked) and dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parseStagingConfig, StagingConfigError } from "../components/config";
import { cloneArgs, stagingProgram } from "../components/program";
import { lookupSource, planClone } from "../components/source";
import { RDS_PASSWORD_SPECIALS, StagingClone } from "../components/staging-clone";
import { SANITIZATION_TOKEN } from "../components/sanitization";
import { byType, isSecret, one, plain, REGION, resolve, runWithMocks, SOURCES, type RegisteredResource } from "./harness/pulumi-mocks";
import {
  build,
  CLUSTER,
  CLUSTER_PARAMETERS,
  COMMAND,
  INSTANCE,
  INSTANCE_PARAMETERS,
  inputsOf,
  MASKING_KEY,
  mysqlStack,
  NOW,
  PASSWORD,
  pgStack,
  RECORD,
  RULES,
  SECRET,
  SECRET_VERSION,
  SECURITY_GROUP,
  UNKNOWN,
} from "./harness/staging-stack";

describe("StagingClone on an aurora-postgresql 16.4 source (defaults)", () => {
  it("declares a copy-on-write restore with the source's engine, network, a new secret password and safe deletion settings", async () => {
    const { resources } = await build(pgStack);
    const cluster = one(resources, CLUSTER);
    const src = SOURCES["prod-pg"];
    const inputs = plain(cluster.inputs) as Record<string, unknown>;

    expect(inputs.restoreToPointInTime).toEqual({
      sourceClusterIdentifier: "prod-pg",
      restoreType: "copy-on-write",
      useLatestRestorableTime: true,
    });
    expect(inputs.engine).toBe("aurora-postgresql");
    // Not pinned: the restore starts on the source's version; pinning only drifts later.
    expect(inputs).not.toHaveProperty("engineVersion");
    expect(inputs.port).toBe(5432);
    expect(inputs.dbSubnetGroupName).toBe(src.dbSubnetGroupName);
    // Its own security group and parameter group, not production's.
    expect(inputs.vpcSecurityGroupIds).toEqual([one(resources, SECURITY_GROUP).name + "-id"]);
    expect(inputs.dbClusterParameterGroupName).toMatch(/^payments-staging-cluster-/);
    expect(inputs.enabledCloudwatchLogsExports).toEqual([]);
    expect(inputs.storageEncrypted).toBe(true);
    expect(inputs.kmsKeyId).toBe(src.kmsKeyId);
    expect(inputs.skipFinalSnapshot).toBe(true);
    expect(inputs.deletionProtection).toBe(false);
    expect(inputs.applyImmediately).toBe(true);
    expect(inputs.copyTagsToSnapshot).toBe(true);
    expect(inputs).not.toHaveProperty("availabilityZones");
    expect(inputs).not.toHaveProperty("finalSnapshotIdentifier");
    expect(inputs).not.toHaveProperty("serverlessv2ScalingConfiguration");
    expect(inputs.clusterIdentifier).toMatch(/^payments-staging-[0-9a-f]{8}$/);
    const generation = String(inputs.clusterIdentifier).slice(-8);
    expect(inputs.tags).toEqual({
      Environment: "staging",
      ManagedBy: "aurora-staging",
      SourceCluster: "prod-pg",
      Team: "payments",
      CloneGeneration: generation,
    });
    // Create-before-delete is what makes the refresh zero-downtime.
    expect(cluster.deleteBeforeReplace).toBe(false);

    // The master password: generated, RDS-safe characters, and secret all the way.
    expect(isSecret(cluster.inputs.masterPassword)).toBe(true);
    const pw = byType(resources, PASSWORD).find((r) => r.name === "staging-master-password")!;
    expect(plain(pw.inputs)).toMatchObject({ length: 32, special: true, overrideSpecial: RDS_PASSWORD_SPECIALS });
    expect(RDS_PASSWORD_SPECIALS).not.toMatch(/[/@" ]/);
    expect(inputs.masterPassword).toBe(`pw-staging-master-password-${JSON.stringify({ generation })}`);
  });

  it("declares one db.r6g.large instance, not publicly accessible, in the same subnet group", async () => {
    const { resources } = await build(pgStack);
    const instances = byType(resources, INSTANCE);
    expect(instances).toHaveLength(1);
    const i = plain(instances[0].inputs) as Record<string, unknown>;
    const clusterId = String((plain(one(resources, CLUSTER).inputs) as Record<string, unknown>).clusterIdentifier);
    expect(i).toMatchObject({
      instanceClass: "db.r6g.large",
      publiclyAccessible: false,
      engine: "aurora-postgresql",
      dbSubnetGroupName: "prod-private",
      identifier: `${clusterId}-1`,
      clusterIdentifier: clusterId,
    });
    // The instance waits for the cluster (its clusterIdentifier is the cluster's id output).
    expect(instances[0].dependencies).toContain(one(resources, CLUSTER).urn);
  });

  it("sanitizes the clone after the instances exist, never pointing at production", async () => {
    const { resources } = await build(pgStack);
    const s = one(resources, SANITIZATION_TOKEN);
    const inputs = plain(s.inputs) as Record<string, unknown>;
    const src = SOURCES["prod-pg"];
    expect(inputs).toMatchObject({
      engine: "postgres",
      database: "app",
      port: 5432,
      username: "postgres",
      rules: RULES,
      forbiddenHosts: [src.endpoint, src.readerEndpoint],
    });
    expect(String(inputs.host)).toMatch(/^payments-staging-[0-9a-f]{8}\.cluster-/);
    expect(inputs.host).not.toBe(src.endpoint);
    expect(isSecret(s.inputs.password)).toBe(true);
    expect(isSecret(s.inputs.maskingKey)).toBe(true);
    for (const inst of byType(resources, INSTANCE)) expect(s.dependencies).toContain(inst.urn);
    // No masking key configured: a generated one (48 chars) feeds the sanitizer.
    const key = byType(resources, PASSWORD).find((r) => r.name === "staging-masking-key")!;
    expect(plain(key.inputs)).toMatchObject({ length: 48, special: false });
    expect(key.inputs).not.toHaveProperty("keepers");
  });

  it("exposes outputs, with the password only as a secret", async () => {
    const { result } = await build(pgStack);
    const c = result.clone;
    expect((await resolve(c.clusterIdentifier)).value).toMatch(/^payments-staging-[0-9a-f]{8}$/);
    expect((await resolve(c.writerEndpoint)).value).toMatch(/\.cluster-c9f8e7d6c5b4\./);
    expect((await resolve(c.readerEndpoint)).value).toMatch(/\.cluster-ro-c9f8e7d6c5b4\./);
    expect((await resolve(c.port)).value).toBe(5432);
    expect((await resolve(c.masterUsername)).value).toBe("postgres");
    expect((await resolve(c.cloneGeneration)).value).toMatch(/^[0-9a-f]{8}$/);
    const pw = await resolve(c.masterPassword);
    expect(pw.secret).toBe(true);
    expect(pw.value).toMatch(/^pw-staging-master-password/);
    expect((await resolve(c.clusterIdentifier)).secret).toBe(false);
    expect((await resolve(c.sanitization!.rulesHash)).value).toMatch(/^[0-9a-f]{64}$/);
    expect((await resolve(c.sanitization!.checks)).value).toEqual([{ name: "users.email transform", passed: true }]);
    expect((await resolve(c.ready)).value).toBe(true);
    expect(c.stableHostname).toBeUndefined();
    expect(c.connectionSecretArn).toBeUndefined();
  });
});

describe("StagingClone on an aurora-mysql 3.08 source (ARN, overrides, Serverless v2)", () => {
  it("uses the stack's network, two db.serverless instances and an auto-pausing scaling range", async () => {
    const { resources } = await build(mysqlStack);
    const cluster = plain(one(resources, CLUSTER).inputs) as Record<string, unknown>;
    expect(cluster).toMatchObject({
      engine: "aurora-mysql",
      port: 3306,
      dbSubnetGroupName: "staging-private",
      restoreToPointInTime: { sourceClusterIdentifier: "prod-mysql", restoreType: "copy-on-write", useLatestRestorableTime: true },
      serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 900 },
    });
    expect(cluster.tags).toMatchObject({ CostCenter: "4711", Team: "orders", SourceCluster: "prod-mysql", ManagedBy: "aurora-staging" });
    expect(cluster).not.toHaveProperty("engineVersion");
    // The security group lives in the configured subnet group's VPC.
    expect(plain(one(resources, SECURITY_GROUP).inputs)).toMatchObject({ vpcId: "vpc-0bbbbbbbbbbbbbbbb", name: cluster.clusterIdentifier });
    const instances = byType(resources, INSTANCE).map((r) => plain(r.inputs) as Record<string, unknown>);
    expect(instances).toHaveLength(2);
    expect(instances.map((i) => i.instanceClass)).toEqual(["db.serverless", "db.serverless"]);
    expect(instances.every((i) => i.publiclyAccessible === false)).toBe(true);
    expect(instances.map((i) => i.identifier)).toEqual([
      `${String(cluster.clusterIdentifier)}-1`,
      `${String(cluster.clusterIdentifier)}-2`,
    ]);
    expect(plain(one(resources, SANITIZATION_TOKEN).inputs)).toMatchObject({
      engine: "mysql",
      username: "admin",
      port: 3306,
      options: { coverage: "strict", chunkSize: 1000, connectRetrySeconds: 900 },
    });
  });
});

describe("a first pulumi preview (computed outputs unknown)", () => {
  it("declares the whole plan without needing any endpoint or password value", async () => {
    const stack = {
      ...pgStack,
      postCloneCommands: [{ name: "grants", command: "psql -f grants.sql" }],
      stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
      connectionSecretName: "staging/payments/aurora",
    };
    const { resources } = await runWithMocks(
      async () => {
        const config = parseStagingConfig(stack, { region: REGION });
        await new StagingClone("staging", cloneArgs(config, RULES, NOW)).declared();
        return {};
      },
      { preview: true, computedUnknown: true },
    );
    expect(resources.map((r) => r.type).sort()).toEqual(
      [
        COMMAND,
        CLUSTER,
        INSTANCE,
        PASSWORD,
        PASSWORD,
        PASSWORD,
        RECORD,
        SECRET,
        SECRET_VERSION,
        SANITIZATION_TOKEN,
        SECURITY_GROUP,
        CLUSTER_PARAMETERS,
        INSTANCE_PARAMETERS,
        "aurora-staging:index:StagingClone",
      ].sort(),
    );
    // The endpoint really was unknown (the engine's placeholder) when the sanitizer was declared.
    expect(one(resources, SANITIZATION_TOKEN).inputs.host).toBe(UNKNOWN);
    // What is known at preview is already right: the identifier and the restore block.
    expect(plain(one(resources, CLUSTER).inputs)).toMatchObject({
      clusterIdentifier: expect.stringMatching(/^payments-staging-[0-9a-f]{8}$/),
      restoreToPointInTime: { sourceClusterIdentifier: "prod-pg", restoreType: "copy-on-write", useLatestRestorableTime: true },
    });
  });
});

describe("the source lookup", () => {
  it("a missing source fails at preview with a clear error, before any resource is declared", async () => {
    let error: unknown;
    const run = build({ ...pgStack, sourceCluster: "prod-typo" }, { preview: true }).catch((e) => {
      error = e;
    });
    await run;
    expect(error).toBeInstanceOf(StagingConfigError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/aurora-staging:sourceCluster: cluster "prod-typo" could not be read in eu-west-1/);
    expect(msg).toMatch(/couldn't find resource/);
    expect(msg).toMatch(/aws rds describe-db-clusters --db-cluster-identifier prod-typo/);
  });

  it("an engineVersion that differs from the source's fails before any resource is declared", async () => {
    const { resources } = await runWithMocks(async () => {
      const config = parseStagingConfig({ ...pgStack, engineVersion: "16.6" }, { region: REGION });
      const lookup = await lookupSource(config);
      expect(() => planClone(config, lookup, NOW)).toThrow(/aurora-staging:engineVersion: "16.6" differs from the source's 16.4/);
      return {};
    });
    expect(resources).toEqual([]);
  });
});

describe("refresh: a new generation replaces the clone; unchanged config is a no-op", () => {
  function byName(resources: RegisteredResource[]): Map<string, RegisteredResource> {
    return new Map(resources.map((r) => [r.name, r]));
  }

  /** Top-level input keys whose values differ between two registrations. */
  function changedKeys(a: RegisteredResource, b: RegisteredResource): string[] {
    const ia = inputsOf(a);
    const ib = inputsOf(b);
    const keys = new Set([...Object.keys(ia), ...Object.keys(ib)]);
    return [...keys].filter((k) => JSON.stringify(ia[k]) !== JSON.stringify(ib[k])).sort();
  }

  it("unchanged config gives identical resources and inputs across two runs", async () => {
    const stack = {
      ...pgStack,
      postCloneCommands: [{ name: "grants", command: "psql -f grants.sql" }],
      connectionSecretName: "staging/payments/aurora",
      stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
    };
    const first = await build(stack);
    const second = await build(stack, { now: new Date("2026-12-24T09:00:00Z") });
    expect(second.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual(first.resources.map((r) => `${r.type}::${r.name}`).sort());
    const a = byName(first.resources);
    for (const r of second.resources) {
      expect(changedKeys(a.get(r.name)!, r), r.name).toEqual([]);
      expect(r.dependencies.sort(), r.name).toEqual(a.get(r.name)!.dependencies.sort());
    }
    // Even the serialized sanitization provider is identical: no spurious diff.
    expect(one(second.resources, SANITIZATION_TOKEN).inputs.__provider).toBe(one(first.resources, SANITIZATION_TOKEN).inputs.__provider);
  });

  it("changing only the refresh value changes the cluster identifier (forcing replacement) and nothing else that matters", async () => {
    const stack = {
      ...pgStack,
      connectionSecretName: "staging/payments/aurora",
      stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
    };
    const before = byName((await build(stack)).resources);
    const afterRun = await build({ ...stack, refresh: "2026-11-27" });
    const after = byName(afterRun.resources);

    // Same Pulumi resource names: Pulumi replaces the resources instead of adding a second set.
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());

    const cluster = (m: Map<string, RegisteredResource>) => plain(m.get("staging-cluster")!.inputs) as Record<string, unknown>;
    expect(cluster(after).clusterIdentifier).not.toBe(cluster(before).clusterIdentifier);
    expect(String(cluster(after).clusterIdentifier)).toMatch(/^payments-staging-[0-9a-f]{8}$/);
    // The cluster: identifier, its generation tag and the per-generation password; nothing else.
    expect(changedKeys(before.get("staging-cluster")!, after.get("staging-cluster")!)).toEqual([
      "clusterIdentifier",
      "masterPassword",
      "tags",
    ]);
    // The new clone gets a new security group, without the live clone's team access.
    expect(changedKeys(before.get("staging-security-group")!, after.get("staging-security-group")!)).toEqual(["name", "tags"]);
    expect(after.get("staging-cluster")!.replacementTrigger).toBe(cluster(after).clusterIdentifier);
    const tagsBefore = cluster(before).tags as Record<string, string>;
    const tagsAfter = cluster(after).tags as Record<string, string>;
    expect({ ...tagsAfter, CloneGeneration: "x" }).toEqual({ ...tagsBefore, CloneGeneration: "x" });
    expect(changedKeys(before.get("staging-instance-1")!, after.get("staging-instance-1")!)).toEqual([
      "clusterIdentifier",
      "identifier",
      "tags",
    ]);
    expect(changedKeys(before.get("staging-master-password")!, after.get("staging-master-password")!)).toEqual(["keepers"]);
    // The sanitizer follows the new clone (so it is replaced with it) and nothing else moves.
    expect(changedKeys(before.get("staging-sanitization")!, after.get("staging-sanitization")!)).toEqual([
      "appUserPassword",
      "clusterResourceId",
      "host",
      "password",
    ]);
    expect(changedKeys(before.get("staging-app-password")!, after.get("staging-app-password")!)).toEqual(["keepers"]);
    // Shared by generations: the parameter groups stay.
    expect(changedKeys(before.get("staging-cluster-parameters")!, after.get("staging-cluster-parameters")!)).toEqual([]);
    // The masking key is stack-stable: masked values stay the same across refreshes.
    expect(changedKeys(before.get("staging-masking-key")!, after.get("staging-masking-key")!)).toEqual([]);
    // The stable address is repointed in place (same record name, same secret name).
    expect(changedKeys(before.get("staging-stable-hostname")!, after.get("staging-stable-hostname")!)).toEqual(["records"]);
    expect(changedKeys(before.get("staging-connection-secret")!, after.get("staging-connection-secret")!)).toEqual([]);
    expect(changedKeys(before.get("staging-connection")!, after.get("staging-connection")!)).toEqual(["secretString"]);
    // No resource asks for delete-before-replace.
    expect(afterRun.resources.filter((r) => r.deleteBeforeReplace)).toEqual([]);
  });

  it("maxCloneAgeDays: a new window gives a new clone, the same window the same one", async () => {
    const stack = { ...pgStack, maxCloneAgeDays: 7 };
    const id = async (now: Date) => {
      const { resources } = await build(stack, { now });
      return (plain(one(resources, CLUSTER).inputs) as Record<string, unknown>).clusterIdentifier;
    };
    const windowStart = new Date(Math.floor(NOW.getTime() / (7 * 86_400_000)) * 7 * 86_400_000);
    const sameWindow = new Date(windowStart.getTime() + 6 * 86_400_000);
    const nextWindow = new Date(windowStart.getTime() + 7 * 86_400_000);
    expect(await id(sameWindow)).toBe(await id(windowStart));
    expect(await id(nextWindow)).not.toBe(await id(windowStart));
  });
});

describe("publishing: the stable address waits for sanitization and the hooks", () => {
  const stack = {
    ...pgStack,
    postCloneCommands: [
      { name: "grants", command: "psql -v ON_ERROR_STOP=1 -f grants.sql" },
      { name: "smoke", command: "psql -c 'select 1'" },
    ],
    stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
    connectionSecretName: "staging/payments/aurora",
  };

  it("the Route 53 record and the secret version depend on the Sanitization resource and the last hook", async () => {
    const { resources, result } = await build(stack);
    const sanitization = one(resources, SANITIZATION_TOKEN);
    const hooks = byType(resources, COMMAND);
    expect(hooks.map((h) => h.name)).toEqual(["staging-hook-grants", "staging-hook-smoke"]);
    const record = one(resources, RECORD);
    const version = one(resources, SECRET_VERSION);
    for (const r of [record, version]) {
      expect(r.dependencies).toContain(sanitization.urn);
      expect(r.dependencies).toContain(hooks[1].urn);
    }
    expect(plain(record.inputs)).toMatchObject({
      zoneId: "Z0123456789ABC",
      name: "payments.db.staging.example.com",
      type: "CNAME",
      ttl: 30,
    });
    const writer = (await resolve(result.clone.writerEndpoint)).value;
    expect((plain(record.inputs) as Record<string, unknown>).records).toEqual([writer]);
    expect((await resolve(result.clone.stableHostname!)).value).toBe("payments.db.staging.example.com");

    // The secret: stable name, RDS JSON format, stored as a secret.
    expect(plain(one(resources, SECRET).inputs)).toMatchObject({ name: "staging/payments/aurora", recoveryWindowInDays: 0 });
    expect(isSecret(version.inputs.secretString)).toBe(true);
    const json = JSON.parse(String(plain(version.inputs.secretString)));
    expect(json).toEqual({
      engine: "postgres",
      host: writer,
      port: 5432,
      // The application user, never the master (its password stays a stack output only).
      username: "staging_app",
      password: plain(one(resources, SANITIZATION_TOKEN).inputs.appUserPassword),
      dbname: "app",
      dbClusterIdentifier: (await resolve(result.clone.clusterIdentifier)).value,
    });
    expect((await resolve(result.clone.connectionSecretArn!)).value).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:.*:secret:staging\/payments\/aurora-/,
    );
  });

  it("hooks run after sanitization, in order, and get the password only through a secret environment", async () => {
    const { resources, result } = await build(stack);
    const password = (await resolve(result.clone.masterPassword)).value;
    const [grants, smoke] = byType(resources, COMMAND);
    expect(grants.dependencies).toContain(one(resources, SANITIZATION_TOKEN).urn);
    expect(smoke.dependencies).toContain(grants.urn);
    for (const hook of [grants, smoke]) {
      expect(String(plain(hook.inputs.create))).not.toContain(password);
      expect(JSON.stringify(plain(hook.inputs.create))).not.toMatch(/pw-/);
      const env = hook.inputs.environment as Record<string, unknown>;
      // The whole environment (or at least the password) travels as a secret.
      expect(isSecret(env) || isSecret(env.PGPASSWORD)).toBe(true);
      const plainEnv = plain(env) as Record<string, string>;
      expect(plainEnv.PGPASSWORD).toBe(password);
      expect(plainEnv.AURORA_STAGING_PASSWORD).toBe(password);
      expect(plainEnv).toMatchObject({ PGPORT: "5432", PGUSER: "postgres", PGDATABASE: "app", AURORA_STAGING_ENGINE: "postgres" });
      expect(plainEnv.PGHOST).toBe((await resolve(result.clone.writerEndpoint)).value);
      expect(plain(hook.inputs.logging)).toBe("none");
      expect(plain(hook.inputs.addPreviousOutputInEnv)).toBe(false);
      expect(hook.additionalSecretOutputs.sort()).toEqual(["stderr", "stdout"]);
    }
  });

  it("with sanitization disabled, publishing waits for the instances instead", async () => {
    const { resources } = await build({ ...stack, sanitize: false, postCloneCommands: [], connectionSecretName: undefined });
    expect(byType(resources, SANITIZATION_TOKEN)).toEqual([]);
    expect(byType(resources, PASSWORD).map((r) => r.name)).toEqual(["staging-master-password"]);
    const record = one(resources, RECORD);
    for (const inst of byType(resources, INSTANCE)) expect(record.dependencies).toContain(inst.urn);
  });

  it("a configured masking key is passed to the sanitizer as a secret and nothing is generated", async () => {
    const { resources } = await build(pgStack, { maskingKey: MASKING_KEY });
    expect(
      byType(resources, PASSWORD)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["staging-app-password", "staging-master-password"]);
    const s = one(resources, SANITIZATION_TOKEN);
    expect(isSecret(s.inputs.maskingKey)).toBe(true);
    expect(plain(s.inputs.maskingKey)).toBe(MASKING_KEY);
  });
});

describe("the program (index.ts) with stack config", () => {
  it("index.ts validates config, reads the rules file, declares the clone and exports the outputs", async () => {
    const allConfig: Record<string, string> = {
      "aws:region": REGION,
      "aurora-staging:team": "payments",
      "aurora-staging:sourceCluster": "prod-pg",
      "aurora-staging:refresh": "2026-11-26",
      "aurora-staging:maskingKey": MASKING_KEY,
      "aurora-staging:connectionSecretName": "staging/payments/aurora",
    };
    // index.ts itself, reading the config the way `pulumi up` provides it.
    const mod = (await import("../index")) as unknown as
      | (() => Promise<Record<string, unknown>>)
      | { default: () => Promise<Record<string, unknown>> };
    const main = typeof mod === "function" ? mod : mod.default;
    const { result, resources } = await runWithMocks(() => {
      pulumi.runtime.setAllConfig(allConfig, ["aurora-staging:maskingKey"]);
      return main();
    });
    expect(Object.keys(result).sort()).toEqual(
      [
        "clusterIdentifier",
        "writerEndpoint",
        "readerEndpoint",
        "port",
        "database",
        "engine",
        "engineVersion",
        "masterUsername",
        "masterPassword",
        "appUsername",
        "securityGroupId",
        "cloneGeneration",
        "nextRefreshAfter",
        "sourceCluster",
        "stableHostname",
        "connectionSecretArn",
        "sanitization",
        "ready",
        "estimatedMonthlyCost",
      ].sort(),
    );
    const out = result as Record<string, pulumi.Output<unknown>>;
    expect((await resolve(out.masterPassword)).secret).toBe(true);
    expect((await resolve(out.clusterIdentifier)).value).toMatch(/^payments-staging-[0-9a-f]{8}$/);
    expect(result.sourceCluster).toBe("prod-pg");
    expect((await resolve(out.clusterIdentifier)).value).toBe(`payments-staging-${String(result.cloneGeneration)}`);
    // The shipped default rules went to the sanitizer; the configured key as a secret.
    const s = plain(one(resources, SANITIZATION_TOKEN).inputs) as Record<string, unknown>;
    expect(String(s.rules)).toMatch(/Default sanitization rules/);
    expect(s.maskingKey).toBe(MASKING_KEY);
    expect(isSecret(one(resources, SANITIZATION_TOKEN).inputs.maskingKey)).toBe(true);
    // The key's plain value appears nowhere but in secret-wrapped inputs.
    for (const r of resources) {
      const { maskingKey: _k, __provider: _p, ...rest } = r.inputs;
      expect(JSON.stringify(rest), r.name).not.toContain(MASKING_KEY);
    }
  });

  it("reports a bad config and a missing rules file before declaring anything", async () => {
    const bad = await runWithMocks(async () => {
      await expect(stagingProgram({ allConfig: { "aws:region": REGION, "aurora-staging:team": "Payments" }, now: NOW })).rejects.toThrow(
        /2 problems[\s\S]*aurora-staging:team[\s\S]*aurora-staging:sourceCluster: is required/,
      );
      await expect(
        stagingProgram({
          allConfig: {
            "aws:region": REGION,
            "aurora-staging:team": "payments",
            "aurora-staging:sourceCluster": "prod-pg",
            "aurora-staging:rulesFile": "nope.yaml",
          },
          now: NOW,
          baseDir: __dirname,
        }),
      ).rejects.toThrow(/aurora-staging:rulesFile: "nope.yaml" can't be read \(ENOENT/);
      return {};
    });
    expect(bad.resources).toEqual([]);
  });
});
