/**
 * Runs Pulumi programs under `pulumi.runtime.setMocks` and records what the engine would get:
 * every registered resource with its type, name, inputs (secrets still wrapped, as the engine
 * sees them), parent and dependencies. The dependencies come from the real registration
 * request (the mock monitor's own callback doesn't expose them), so `dependsOn` is testable.
 *
 * Provider functions are answered by realistic fake AWS data: an aurora-postgresql 16.4 and
 * an aurora-mysql 8.0.mysql_aurora.3.08.0 production cluster in eu-west-1.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** How the engine marks a secret value on the wire: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SECRET_SIG = specialSecretSig;
const SIG_KEY = specialSigKey;

export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  /** As the engine receives them: secrets are `{ [sig]: SECRET_SIG, value }`. */
  inputs: Record<string, unknown>;
  parent: string;
  /** URNs from dependsOn and from inputs that are outputs of other resources. */
  dependencies: string[];
  deleteBeforeReplace: boolean;
  additionalSecretOutputs: string[];
  /** The `replacementTrigger` option as sent (undefined when not set). */
  replacementTrigger: unknown;
  replaceOnChanges: string[];
}

export function isSecret(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value with every secret wrapper removed. */
export function plain(v: unknown): unknown {
  if (isSecret(v)) return plain((v as { value: unknown }).value);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";

/** The fake account's DB subnet groups and their VPCs. */
export const SUBNET_GROUP_VPCS: Record<string, string> = {
  "prod-private": "vpc-0aaaaaaaaaaaaaaaa",
  "staging-private": "vpc-0bbbbbbbbbbbbbbbb",
};

type FakeCluster = Record<string, unknown> & { clusterIdentifier: string };

export function fakeCluster(
  id: string,
  engine: string,
  engineVersion: string,
  port: number,
  extra: Record<string, unknown> = {},
): FakeCluster {
  return {
    id,
    arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${id}`,
    clusterIdentifier: id,
    clusterResourceId: `cluster-${id.toUpperCase().replace(/-/g, "")}`,
    engine,
    engineVersion,
    engineMode: "provisioned",
    port,
    masterUsername: engine === "aurora-postgresql" ? "postgres" : "admin",
    databaseName: "app",
    dbSubnetGroupName: "prod-private",
    vpcSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa", "sg-0bbbbbbbbbbbbbbbb"],
    dbClusterParameterGroupName: engine === "aurora-postgresql" ? "prod-pg16" : "prod-mysql80",
    storageEncrypted: true,
    kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd`,
    enabledCloudwatchLogsExports: engine === "aurora-postgresql" ? ["postgresql"] : ["error", "slowquery"],
    iamDatabaseAuthenticationEnabled: false,
    iamRoles: [],
    endpoint: `${id}.cluster-c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
    readerEndpoint: `${id}.cluster-ro-c1a2b3c4d5e6.${REGION}.rds.amazonaws.com`,
    availabilityZones: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    backupRetentionPeriod: 7,
    deletionProtection: true,
    region: REGION,
    tags: { Environment: "production" },
    ...extra,
  };
}

/** The production clusters the fake AWS account holds, by identifier. */
export const SOURCES: Record<string, FakeCluster> = {
  "prod-pg": fakeCluster("prod-pg", "aurora-postgresql", "16.4", 5432),
  "prod-mysql": fakeCluster("prod-mysql", "aurora-mysql", "8.0.mysql_aurora.3.08.0", 3306),
  "prod-pg-old": fakeCluster("prod-pg-old", "aurora-postgresql", "15.4", 5432),
  "prod-nodb": fakeCluster("prod-nodb", "aurora-postgresql", "16.4", 5432, { databaseName: "" }),
};

export interface MockOptions {
  /** Identifiers of all clusters in the region; default: the SOURCES. */
  regionClusters?: string[];
  preview?: boolean;
  /** Extra state per resource type (merged over the inputs). */
  state?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Like a first `pulumi preview`: resources report only their inputs, so every computed
   * output (endpoints, ids' dependents, generated passwords) is unknown.
   */
  computedUnknown?: boolean;
  /** The clusters getCluster can find; default SOURCES. */
  sources?: Record<string, FakeCluster>;
  /**
   * Plays a provider: called for every resource before its state is returned; may do real
   * work (run the serialized Sanitization provider, run a command) and return extra state,
   * or throw to fail the resource. A failure is handled the way the engine does: the failed
   * resource never completes, so nothing that depends on it is ever created; runWithMocks
   * then returns at once with `failure` set.
   */
  provider?: (args: pulumi.runtime.MockResourceArgs) => Promise<Record<string, unknown> | undefined>;
  /** The account the credentials belong to (aws.getCallerIdentity); default ACCOUNT. */
  account?: string;
}

/** A provider function call (invoke) as the engine got it. */
export interface Invoke {
  token: string;
  inputs: Record<string, unknown>;
  /** The provider reference (`<urn>::<id>`), "" for the default provider. */
  provider: string;
}

/** Computed outputs AWS (or the provider) would add to each resource we declare. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "aws:rds/cluster:Cluster": {
      const id = String(inputs.clusterIdentifier);
      const source = Object.values(SOURCES).find(
        (s) => s.clusterIdentifier === (plain(inputs.restoreToPointInTime) as { sourceClusterIdentifier: string }).sourceClusterIdentifier,
      );
      return {
        endpoint: `${id}.cluster-c9f8e7d6c5b4.${REGION}.rds.amazonaws.com`,
        readerEndpoint: `${id}.cluster-ro-c9f8e7d6c5b4.${REGION}.rds.amazonaws.com`,
        arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${id}`,
        masterUsername: source?.masterUsername ?? "postgres",
        // AWS's immutable id of the physical cluster (a re-created cluster gets a new one).
        clusterResourceId: `cluster-${createHash("sha256").update(id).digest("hex").slice(0, 26).toUpperCase()}`,
        engineVersion: source?.engineVersion ?? "16.4",
        availabilityZones: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
      };
    }
    case "aws:rds/clusterParameterGroup:ClusterParameterGroup":
    case "aws:rds/parameterGroup:ParameterGroup":
      // The provider's auto-name: the prefix plus a suffix.
      return { name: `${String(inputs.namePrefix ?? `${name}-`)}20261126` };
    case "aws:rds/clusterInstance:ClusterInstance":
      return { endpoint: `${String(inputs.identifier)}.c9f8e7d6c5b4.${REGION}.rds.amazonaws.com` };
    case "random:index/randomPassword:RandomPassword":
      // A deterministic "random" value, marked secret as the random provider does.
      return { result: { [SIG_KEY]: SECRET_SIG, value: `pw-${name}-${JSON.stringify(inputs.keepers ?? {})}` } };
    case "pulumi-nodejs:dynamic/aurora-staging:Sanitization":
      return {
        rulesHash: "a".repeat(64),
        runId: `run-${name}`,
        finishedAt: "2026-11-26T14:00:00.000Z",
        rowsPerTable: { "public.users": 3 },
        checks: [{ name: "users.email transform", passed: true }],
        verified: true,
      };
    case "aws:route53/record:Record":
      return { fqdn: String(inputs.name) };
    case "aws:secretsmanager/secret:Secret":
      return { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${String(inputs.name)}-AbCdEf` };
    case "aws:secretsmanager/secretVersion:SecretVersion":
      return { arn: `${String(inputs.secretId)}`, versionId: "v1" };
    case "command:local:Command":
      return { stdout: "", stderr: "" };
    default:
      return {};
  }
}

/**
 * Sets up mocks (a fresh mock monitor, so runs don't share state), runs `program`, waits for
 * every registration, and returns what was registered.
 */
export async function runWithMocks<T>(
  program: () => T | Promise<T>,
  options: MockOptions = {},
): Promise<{
  result: T;
  resources: RegisteredResource[];
  failure?: unknown;
  invokes: Invoke[];
  outputs: Map<string, Record<string, unknown>>;
}> {
  const resources: RegisteredResource[] = [];
  const invokes: Invoke[] = [];
  /** registerOutputs per URN (component outputs), as the engine got them. */
  const outputs = new Map<string, Record<string, unknown>>();
  let failed: ((e: unknown) => void) | undefined;
  const failure = new Promise<{ failure: unknown }>((res) => (failed = (e) => res({ failure: e })));
  await pulumi.runtime.setMocks(
    {
      async newResource(args: pulumi.runtime.MockResourceArgs) {
        let played: Record<string, unknown>;
        try {
          played = (await options.provider?.(args)) ?? {};
        } catch (e) {
          failed!(e);
          // Like the engine after a failed step: this resource never completes.
          return new Promise<never>(() => undefined);
        }
        const state = {
          ...args.inputs,
          ...(options.computedUnknown ? {} : computedState(args.type, args.name, args.inputs)),
          ...(options.state?.(args.type, args.name, args.inputs) ?? {}),
          ...played,
        };
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        invokes.push({ token: args.token, inputs: args.inputs, provider: args.provider ?? "" });
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          const account = options.account ?? ACCOUNT;
          return { id: account, accountId: account, arn: `arn:aws:iam::${account}:user/deployer`, userId: "AIDAEXAMPLE" };
        }
        if (args.token === "aws:index/getRegion:getRegion") {
          return { id: REGION, name: REGION, region: REGION, description: "Europe (Ireland)", endpoint: `ec2.${REGION}.amazonaws.com` };
        }
        if (args.token === "aws:rds/getCluster:getCluster") {
          const wanted = String(args.inputs.clusterIdentifier);
          const found = Object.values(options.sources ?? SOURCES).find((s) => s.clusterIdentifier === wanted || s.arn === wanted);
          if (!found) {
            // As the engine reports a failed invoke over gRPC: the message is in `details`.
            const message = `invoking aws:rds/getCluster:getCluster: 1 error occurred:\n\t* reading RDS Cluster (${wanted}): couldn't find resource`;
            throw Object.assign(new Error(message), { details: message });
          }
          return found;
        }
        if (args.token === "aws:rds/getSubnetGroup:getSubnetGroup") {
          const vpcId = SUBNET_GROUP_VPCS[String(args.inputs.name)];
          if (!vpcId) {
            const message = `invoking aws:rds/getSubnetGroup:getSubnetGroup: 1 error occurred:\n\t* reading DB Subnet Group (${String(args.inputs.name)}): couldn't find resource`;
            throw Object.assign(new Error(message), { details: message });
          }
          return { id: args.inputs.name, name: args.inputs.name, vpcId, subnetIds: ["subnet-0a", "subnet-0b"], region: REGION };
        }
        if (args.token === "aws:rds/getClusters:getClusters") {
          const ids = options.regionClusters ?? Object.keys(SOURCES);
          return {
            id: REGION,
            region: REGION,
            clusterIdentifiers: ids,
            clusterArns: ids.map((i) => `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${i}`),
          };
        }
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    "aurora-staging",
    "team-test",
    options.preview ?? false,
    // The Pulumi Cloud organization (the deployment schedule names it).
    "acme",
  );

  // Wrap the mock monitor to see the registration requests themselves.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: (err: unknown, resp?: { getUrn(): string }) => void): void;
    registerResourceOutputs(req: RegisterOutputsRequest, cb: (err: unknown, resp?: unknown) => void): void;
  };
  const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    outputs.set(req.getUrn(), deserialize(req.getOutputs()?.toJavaScript() ?? {}));
    originalOutputs(req, cb);
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    original(req, (err, resp) => {
      if (!err && resp) {
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: resp.getUrn(),
          inputs: deserialize(req.getObject()?.toJavaScript() ?? {}),
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          deleteBeforeReplace: req.getDeletebeforereplace(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          replacementTrigger: req.hasReplacementTrigger() ? deserialize({ v: req.getReplacementTrigger()!.toJavaScript() }).v : undefined,
          replaceOnChanges: req.getReplaceonchangesList(),
        });
      }
      cb(err, resp);
    });

  const result = await program();
  const done = (async () => {
    await settleOutputs(result);
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { failure: undefined };
  })();
  const outcome = await Promise.race([done, failure]);
  return { result, resources: [...resources], failure: outcome.failure, invokes: [...invokes], outputs };
}

interface RegisterOutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getDeletebeforereplace(): boolean;
  getAdditionalsecretoutputsList(): string[];
  hasReplacementTrigger(): boolean;
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getReplaceonchangesList(): string[];
}

function deserialize(obj: Record<string, unknown>): Record<string, unknown> {
  // Same shape the mocks' newResource sees; drop "unknown" sentinels and keep secret wrappers.
  return JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
}

/** Waits until every Output inside `v` (objects, arrays) has resolved. */
async function settleOutputs(v: unknown): Promise<void> {
  if (pulumi.Output.isInstance(v)) {
    await new Promise<void>((resolve) => (v as pulumi.Output<unknown>).apply(() => resolve()));
    return;
  }
  if (Array.isArray(v)) await Promise.all(v.map(settleOutputs));
  else if (typeof v === "object" && v !== null && !(v instanceof pulumi.Resource)) {
    await Promise.all(Object.values(v).map(settleOutputs));
  }
}

/** The value of an Output, and whether it is secret. */
export async function resolve<T>(o: pulumi.Output<T> | T): Promise<{ value: T; secret: boolean }> {
  const out = pulumi.output(o) as pulumi.Output<T>;
  const value = await new Promise<T>((res) => out.apply((v) => res(v as T)));
  const secret = await pulumi.isSecret(out);
  return { value, secret };
}

export function byType(resources: RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((r) => r.type === type);
}

export function one(resources: RegisteredResource[], type: string): RegisteredResource {
  const found = byType(resources, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
  return found[0];
}
