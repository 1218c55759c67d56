/**
 * The source cluster: looked up once (an invoke, so it runs at preview too), then checked
 * against the stack config by a plain function. Everything the program can know before
 * creating anything is checked here, and all problems are reported together.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StagingConfigError, type StagingConfig } from "./config";
import { supportsAutoPause, type AuroraEngine } from "./engine";
import { cloneGeneration, clusterIdentifier, type Generation } from "./naming";

/** What the clone takes from its source (plain data, resolved before any resource exists). */
export interface SourceCluster {
  identifier: string;
  arn: string;
  region: string;
  engine: string;
  engineMode: string;
  engineVersion: string;
  port: number;
  masterUsername: string;
  /** The cluster's initial database, "" when it was created without one. */
  databaseName: string;
  dbSubnetGroupName: string;
  vpcSecurityGroupIds: string[];
  dbClusterParameterGroupName: string;
  storageEncrypted: boolean;
  kmsKeyId: string;
  enabledCloudwatchLogsExports: string[];
  iamDatabaseAuthenticationEnabled: boolean;
  endpoint: string;
  readerEndpoint: string;
  tags: Record<string, string>;
}

/** The source plus what's in the region: enough to check quotas. */
export interface SourceLookup {
  source: SourceCluster;
  /** Identifiers of every DB cluster in the region (for the cluster quota). */
  regionClusterIds: string[];
}

/** Everything the component needs, resolved and checked. */
export interface ClonePlan {
  generation: Generation;
  clusterIdentifier: string;
  engine: AuroraEngine;
  engineVersion: string;
  subnetGroupName: string;
  securityGroupIds: string[];
  database: string;
  port: number;
  masterUsername: string;
  /** Production endpoints the sanitizer must never write to. */
  forbiddenHosts: string[];
}

/** Reads the source cluster and the region's cluster list; a missing source is a clear error. */
export async function lookupSource(config: StagingConfig, opts?: pulumi.InvokeOptions): Promise<SourceLookup> {
  const wanted = config.source.kind === "arn" ? config.source.arn : config.source.identifier;
  let found: aws.rds.GetClusterResult;
  try {
    found = await aws.rds.getCluster({ clusterIdentifier: wanted }, opts);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim() || "no details";
    throw new StagingConfigError([
      `aurora-staging:sourceCluster: cluster "${wanted}" could not be read${config.region ? ` in ${config.region}` : ""} (${reason}). ` +
        `Check the identifier with \`aws rds describe-db-clusters --db-cluster-identifier ${config.source.identifier}\`, ` +
        "that aws:region is the source's region, and that your credentials allow rds:DescribeDBClusters",
    ]);
  }
  const all = await aws.rds.getClusters({}, opts);
  return {
    source: {
      identifier: found.clusterIdentifier,
      arn: found.arn,
      region: found.region,
      engine: found.engine,
      engineMode: found.engineMode,
      engineVersion: found.engineVersion,
      port: found.port,
      masterUsername: found.masterUsername,
      databaseName: found.databaseName ?? "",
      dbSubnetGroupName: found.dbSubnetGroupName ?? "",
      vpcSecurityGroupIds: found.vpcSecurityGroupIds ?? [],
      dbClusterParameterGroupName: found.dbClusterParameterGroupName ?? "",
      storageEncrypted: found.storageEncrypted ?? false,
      kmsKeyId: found.kmsKeyId ?? "",
      enabledCloudwatchLogsExports: found.enabledCloudwatchLogsExports ?? [],
      iamDatabaseAuthenticationEnabled: found.iamDatabaseAuthenticationEnabled ?? false,
      endpoint: found.endpoint,
      readerEndpoint: found.readerEndpoint,
      tags: found.tags ?? {},
    },
    regionClusterIds: all.clusterIdentifiers ?? [],
  };
}

/**
 * Checks the source against the config and decides the clone's settings; throws a
 * StagingConfigError with every problem. `now` picks the maxCloneAgeDays window.
 */
export function planClone(config: StagingConfig, lookup: SourceLookup, now: Date): ClonePlan {
  const { source, regionClusterIds } = lookup;
  const problems: string[] = [];
  const key = (k: string) => `aurora-staging:${k}`;

  const engine = source.engine;
  if (engine !== "aurora-postgresql" && engine !== "aurora-mysql") {
    problems.push(
      `${key("sourceCluster")}: cluster "${source.identifier}" runs engine "${engine}"; only aurora-postgresql and aurora-mysql ` +
        'clusters can be cloned and sanitized (MySQL 5.6-compatible "aurora" and non-Aurora engines are not supported)',
    );
  }
  if (source.engineMode && source.engineMode !== "provisioned") {
    problems.push(
      `${key("sourceCluster")}: cluster "${source.identifier}" uses engine mode "${source.engineMode}"; only provisioned ` +
        "clusters (including Serverless v2) are supported; Serverless v1 and other modes can't be cloned by this program",
    );
  }
  if (source.tags.ManagedBy === "aurora-staging") {
    problems.push(
      `${key("sourceCluster")}: cluster "${source.identifier}" is itself an aurora-staging clone (tag ManagedBy=aurora-staging); ` +
        "clone the production cluster instead",
    );
  }
  if (config.region !== undefined && source.region && source.region !== config.region) {
    problems.push(
      `${key("sourceCluster")}: cluster "${source.identifier}" is in ${source.region} but the stack deploys to ${config.region}; ` +
        `clones stay in the source's region: \`pulumi config set aws:region ${source.region}\``,
    );
  }
  if (config.source.kind === "arn" && source.region && config.source.region !== source.region) {
    problems.push(
      `${key("sourceCluster")}: the ARN names region ${config.source.region} but the cluster was found in ${source.region}; ` +
        `clones stay in the source's region: \`pulumi config set aws:region ${config.source.region}\``,
    );
  }
  if (config.engineVersion !== undefined && config.engineVersion !== source.engineVersion) {
    problems.push(
      `${key("engineVersion")}: "${config.engineVersion}" differs from the source's ${source.engineVersion}; a copy-on-write clone ` +
        `always starts on the source's version: remove the key or set it to ${source.engineVersion}`,
    );
  }
  if (config.serverless?.minCapacity === 0 && !supportsAutoPause(engine, source.engineVersion)) {
    problems.push(
      `${key("serverless")}.minCapacity: 0 (auto-pause) needs Aurora PostgreSQL 13.15+/14.12+/15.7+/16.3+ or Aurora MySQL 3.08+, ` +
        `but the source runs ${engine} ${source.engineVersion}; use minCapacity 0.5 or upgrade the source`,
    );
  }
  const subnetGroupName = config.subnetGroupName ?? source.dbSubnetGroupName;
  if (!subnetGroupName) {
    problems.push(
      `${key("subnetGroupName")}: the source has no DB subnet group to inherit; set one: \`pulumi config set ${key("subnetGroupName")} staging-private\``,
    );
  }
  const securityGroupIds = config.securityGroupIds ?? source.vpcSecurityGroupIds;
  if (securityGroupIds.length === 0) {
    problems.push(
      `${key("securityGroupIds")}: the source has no VPC security groups to inherit (the clone would land in the VPC's default group); ` +
        `set them: \`pulumi config set --path '${key("securityGroupIds")}[0]' sg-0123456789abcdef0\``,
    );
  }
  const database = config.database ?? source.databaseName;
  if (!database) {
    problems.push(
      `${key("database")}: the source was created without an initial database, so the database to sanitize is unknown; ` +
        `set it: \`pulumi config set ${key("database")} app\``,
    );
  }

  const generation = cloneGeneration(config.refresh, config.maxCloneAgeDays, now);
  const id = clusterIdentifier(config.clusterIdentifierPrefix, generation);
  if (id === source.identifier) {
    problems.push(`${key("clusterIdentifierPrefix")}: would make the clone's identifier equal the source's; choose another prefix`);
  }
  // During a refresh old and new clones exist together: the new one needs a free slot.
  const needed = regionClusterIds.includes(id) ? 0 : 1;
  if (regionClusterIds.length + needed > config.clusterQuota) {
    problems.push(
      `${key("clusterQuota")}: the region already has ${regionClusterIds.length} DB clusters and the quota is ${config.clusterQuota}, ` +
        "so the new clone would not fit (a refresh briefly needs one more cluster while old and new coexist); destroy unused " +
        `clusters or raise the RDS "DB clusters" service quota and then \`pulumi config set ${key("clusterQuota")} <new quota>\``,
    );
  }

  if (problems.length > 0) throw new StagingConfigError(problems);
  return {
    generation,
    clusterIdentifier: id,
    engine: engine as AuroraEngine,
    engineVersion: source.engineVersion,
    subnetGroupName,
    securityGroupIds,
    database,
    port: source.port,
    masterUsername: source.masterUsername,
    forbiddenHosts: [source.endpoint, source.readerEndpoint].filter((h) => h),
  };
}
