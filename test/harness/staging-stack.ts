/**
 * A StagingClone stack under mocks: the resource types it declares, the example stacks the
 * tests use, and build(): validate the raw config and declare the component with the args the
 * program gives it (the component looks up the source and plans the clone itself).
 */
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { parseStagingConfig } from "../../components/config";
import { cloneArgs } from "../../components/program";
import { StagingClone } from "../../components/staging-clone";
import { type fakeCluster, REGION, runWithMocks, type MockOptions, type RegisteredResource } from "./pulumi-mocks";

export const CLUSTER = "aws:rds/cluster:Cluster";
export const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const PASSWORD = "random:index/randomPassword:RandomPassword";
export const RECORD = "aws:route53/record:Record";
export const SECRET = "aws:secretsmanager/secret:Secret";
export const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
export const COMMAND = "command:local:Command";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
export const CLUSTER_PARAMETERS = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
export const INSTANCE_PARAMETERS = "aws:rds/parameterGroup:ParameterGroup";
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const ROLE_ASSOCIATION = "aws:rds/clusterRoleAssociation:ClusterRoleAssociation";

export const NOW = new Date("2026-11-26T14:00:00Z");
/** The engine's placeholder for a value not known yet (pulumi.runtime.unknownValue). */
export const UNKNOWN = unknownValue;
export const RULES = "tables:\n  users:\n    columns:\n      email: { transform: email }\n";
export const MASKING_KEY = "a-stack-masking-key-0123456789";

export const pgStack = { team: "payments", sourceCluster: "prod-pg", refresh: "2026-11-26" };
export const mysqlStack = {
  team: "orders",
  sourceCluster: "arn:aws:rds:eu-west-1:123456789012:cluster:prod-mysql",
  refresh: "2026-11-26",
  instanceClass: "db.serverless",
  instanceCount: 2,
  serverless: { minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 900 },
  subnetGroupName: "staging-private",
  runnerSecurityGroupIds: ["sg-0123456789abcdef0"],
  tags: { CostCenter: "4711" },
  sanitizeOptions: { coverage: "strict", chunkSize: 1000, connectRetrySeconds: 900 },
};

export interface BuildOptions {
  now?: Date;
  maskingKey?: string;
  preview?: boolean;
  regionClusters?: string[];
  rules?: string;
  sources?: Record<string, ReturnType<typeof fakeCluster>>;
  state?: MockOptions["state"];
  provider?: MockOptions["provider"];
  account?: MockOptions["account"];
}

/** Validates `raw`, looks up the source and declares the component, all under fresh mocks. */
export async function build(raw: Record<string, unknown>, o: BuildOptions = {}) {
  return runWithMocks(
    async () => {
      const config = parseStagingConfig(raw, { region: REGION });
      const rules = config.sanitize ? (o.rules ?? RULES) : undefined;
      const clone = new StagingClone("staging", {
        ...cloneArgs(config, rules, o.now ?? NOW),
        maskingKey: o.maskingKey !== undefined ? pulumi.secret(o.maskingKey) : undefined,
      });
      // The lookup and plan run inside the component: their errors reject here.
      const declared = await clone.declared();
      return { clone, declared, ready: clone.ready, id: clone.clusterIdentifier, password: clone.masterPassword };
    },
    { preview: o.preview, regionClusters: o.regionClusters, sources: o.sources, state: o.state, provider: o.provider, account: o.account },
  );
}

/** Inputs without the serialized dynamic provider (code text, compared separately). */
export function inputsOf(r: RegisteredResource): Record<string, unknown> {
  const { __provider: _ignored, ...rest } = r.inputs;
  return rest;
}
