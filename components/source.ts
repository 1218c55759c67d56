/**
 * The source cluster: looked up once (an invoke, so it runs at preview too), then checked
 * against the stack config by a plain function. Everything the program can know before
 * creating anything is checked here, and all problems are reported together.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { StagingConfigError, type StagingConfig } from "./config";
import { LOG_EXPORT_TYPES, parameterGroupFamily, supportsAutoPause, type AuroraEngine } from "./engine";
import { cloneGeneration, clusterIdentifier, type Generation } from "./naming";
import { parameterSets, type ParameterSets } from "./parameters";

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
  /** ARNs of the IAM roles associated with the source (getCluster gives no feature names). */
  iamRoles: string[];
  endpoint: string;
  readerEndpoint: string;
  tags: Record<string, string>;
}

/** The source plus what's in the region: enough to check quotas. */
export interface SourceLookup {
  source: SourceCluster;
  /** Identifiers of every DB cluster in the region (for the cluster quota). */
  regionClusterIds: string[];
  /** The clone's VPC: config vpcId, else the subnet group's (undefined when unknown). */
  vpcId?: string;
}

/** Everything the component needs, resolved and checked. */
export interface ClonePlan {
  generation: Generation;
  clusterIdentifier: string;
  engine: AuroraEngine;
  /** The source's version, for checks only: the clone is never pinned to it. */
  engineVersion: string;
  /** Parameter group family, e.g. aurora-postgresql16, aurora-mysql8.0. */
  parameterFamily: string;
  /** The staging-owned parameter groups' parameters (logging off, plus the stack's). */
  parameters: ParameterSets;
  subnetGroupName: string;
  /** Where the clone's own security group lives. */
  vpcId: string;
  logExports: string[];
  /** Source roles to associate after verification (carryIamRoles). */
  iamRoles: { roleArn: string; featureName?: string }[];
  database: string;
  port: number;
  masterUsername: string;
  /** Production endpoints the sanitizer must never write to. */
  forbiddenHosts: string[];
  /** Shown at preview (pulumi.log.warn): settings that won't take effect as asked. */
  warnings: string[];
}

/** What the source lookup reads of the settings (a StagingConfig has them all). */
export type LookupSettings = Pick<StagingConfig, "source" | "region" | "subnetGroupName" | "vpcId">;

/** What planClone reads of the settings (a StagingConfig has them all; StagingClone builds them from its args). */
export type PlanSettings = Pick<
  StagingConfig,
  | "source"
  | "region"
  | "refresh"
  | "maxCloneAgeDays"
  | "clusterIdentifierPrefix"
  | "serverless"
  | "subnetGroupName"
  | "runnerCidrs"
  | "runnerSecurityGroupIds"
  | "clusterParameters"
  | "instanceParameters"
  | "logExports"
  | "carryIamRoles"
  | "iamRoleFeatures"
  | "appUserName"
  | "engineVersion"
  | "database"
  | "sanitize"
  | "clusterQuota"
> & { postCloneCommands: readonly unknown[] };

/**
 * Reads the source cluster and the region's cluster list; a missing source is a clear error.
 * `opts` should carry the caller's parent (StagingClone passes `{ parent: this }`), so a
 * provider given to the component looks the source up too.
 */
export async function lookupSource(config: LookupSettings, opts?: pulumi.InvokeOptions): Promise<SourceLookup> {
  const wanted = config.source.kind === "arn" ? config.source.arn : config.source.identifier;
  if (config.source.kind === "arn") {
    // An ARN in another account would be read as the bare name in ours: a same-named cluster
    // of the deploying account would be cloned instead. Refused until cross-account works.
    const account = (await aws.getCallerIdentity({}, opts)).accountId;
    if (account && config.source.account !== account) {
      throw new StagingConfigError([
        `aurora-staging:sourceCluster: the ARN "${config.source.arn}" is in account ${config.source.account}, but the stack deploys ` +
          `with account ${account}; cross-account cloning is not supported yet. Deploy with credentials of account ` +
          `${config.source.account}, or name a cluster of account ${account}, e.g. \`pulumi config set aurora-staging:sourceCluster prod-db\``,
      ]);
    }
  }
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
  let vpcId = config.vpcId;
  const subnetGroupName = config.subnetGroupName ?? found.dbSubnetGroupName;
  if (vpcId === undefined && subnetGroupName) {
    try {
      vpcId = (await aws.rds.getSubnetGroup({ name: subnetGroupName }, opts)).vpcId;
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim() || "no details";
      throw new StagingConfigError([
        `aurora-staging:subnetGroupName: DB subnet group "${subnetGroupName}" could not be read (${reason}); the clone's security group ` +
          "goes into its VPC. Check the name, or set the VPC: `pulumi config set aurora-staging:vpcId vpc-0123456789abcdef0`",
      ]);
    }
  }
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
      iamRoles: found.iamRoles ?? [],
      endpoint: found.endpoint,
      readerEndpoint: found.readerEndpoint,
      tags: found.tags ?? {},
    },
    regionClusterIds: all.clusterIdentifiers ?? [],
    vpcId: vpcId || undefined,
  };
}

/**
 * Checks the source against the config and decides the clone's settings; throws a
 * StagingConfigError with every problem. `now` picks the maxCloneAgeDays window; `rulesHash`
 * (when sanitizing) is part of the generation, so new rules sanitize a fresh clone.
 */
export function planClone(config: PlanSettings, lookup: SourceLookup, now: Date, rulesHash?: string): ClonePlan {
  const { source, regionClusterIds } = lookup;
  const problems: string[] = [];
  const warnings: string[] = [];
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
  if (config.serverless?.minCapacity === 0) warnings.push(...autoPauseWarnings(config));
  const subnetGroupName = config.subnetGroupName ?? source.dbSubnetGroupName;
  if (!subnetGroupName) {
    problems.push(
      `${key("subnetGroupName")}: the source has no DB subnet group to inherit; set one: \`pulumi config set ${key("subnetGroupName")} staging-private\``,
    );
  }
  const vpcId = lookup.vpcId;
  if (subnetGroupName && !vpcId) {
    problems.push(
      `${key("vpcId")}: the VPC of subnet group "${subnetGroupName}" is unknown, so the clone's security group has nowhere to go; ` +
        `set it: \`pulumi config set ${key("vpcId")} vpc-0123456789abcdef0\``,
    );
  }
  const family = parameterGroupFamily(engine, source.engineVersion);
  if (!family && (engine === "aurora-postgresql" || engine === "aurora-mysql")) {
    problems.push(`${key("sourceCluster")}: can't tell the parameter group family from ${engine} version "${source.engineVersion}"`);
  }
  const exportTypes = LOG_EXPORT_TYPES[engine as AuroraEngine] ?? [];
  config.logExports.forEach((t, i) => {
    if (exportTypes.length > 0 && !exportTypes.includes(t)) {
      problems.push(`${key("logExports")}[${i}]: "${t}" is not a log export of ${engine}; choose from ${exportTypes.join(", ")}`);
    }
  });
  const iamRoles = config.carryIamRoles ? carriedRoles(config, source, problems) : [];
  if (config.sanitize && config.appUserName === source.masterUsername) {
    problems.push(`${key("appUserName")}: "${config.appUserName}" is the master user's name; choose another, e.g. staging_app`);
  }
  if ((config.sanitize || config.postCloneCommands.length > 0) && config.runnerCidrs.length + config.runnerSecurityGroupIds.length === 0) {
    warnings.push(
      `${key("runnerCidrs")}: neither runnerCidrs nor runnerSecurityGroupIds is set, so until the clone is verified nothing can reach it, ` +
        "including the sanitizer and the hooks run by this `pulumi up` (unless they connect from inside the clone's own security group); " +
        `set e.g. \`pulumi config set --path '${key("runnerCidrs")}[0]' 203.0.113.10/32\``,
    );
  }
  const database = config.database ?? source.databaseName;
  if (!database) {
    problems.push(
      `${key("database")}: the source was created without an initial database, so the database to sanitize is unknown; ` +
        `set it: \`pulumi config set ${key("database")} app\``,
    );
  }

  const generation = cloneGeneration(config.refresh, config.maxCloneAgeDays, now, {
    source: source.arn || source.identifier,
    subnetGroup: subnetGroupName,
    kmsKey: source.storageEncrypted ? source.kmsKeyId : "",
    storageEncrypted: source.storageEncrypted,
    engine,
    family,
    rules: config.sanitize ? rulesHash : undefined,
  });
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
    parameterFamily: family!,
    parameters: parameterSets(engine as AuroraEngine, family!, { cluster: config.clusterParameters, instance: config.instanceParameters }),
    subnetGroupName,
    vpcId: vpcId!,
    logExports: config.logExports,
    iamRoles,
    database,
    port: source.port,
    masterUsername: source.masterUsername,
    forbiddenHosts: [source.endpoint, source.readerEndpoint].filter((h) => h),
    warnings,
  };
}

/**
 * Auto-pause is asked for (minCapacity 0) but something keeps the instances awake: replication
 * from the binlog or logical replication, and CloudWatch log exports. Warnings, not errors:
 * the clone still works, it only costs more than asked.
 */
function autoPauseWarnings(config: Pick<PlanSettings, "clusterParameters" | "logExports">): string[] {
  const out: string[] = [];
  const why = "so minCapacity 0 (auto-pause) may not take effect and the clone may keep running at its minimum ACUs";
  const binlog = config.clusterParameters.binlog_format;
  if (binlog !== undefined && binlog.toUpperCase() !== "OFF") {
    out.push(`aurora-staging:clusterParameters.binlog_format: "${binlog}" turns on the binary log (replication), ${why}`);
  }
  if (config.clusterParameters["rds.logical_replication"] === "1") {
    out.push(`aurora-staging:clusterParameters.rds.logical_replication: "1" turns on logical replication, ${why}`);
  }
  if (config.logExports.length > 0) {
    out.push(`aurora-staging:logExports: exports ${config.logExports.join(", ")} to CloudWatch, ${why}; remove logExports to let it pause`);
  }
  return out;
}

/** The source's roles with their feature names; Aurora PostgreSQL needs a name for each. */
function carriedRoles(
  config: Pick<PlanSettings, "iamRoleFeatures">,
  source: SourceCluster,
  problems: string[],
): { roleArn: string; featureName?: string }[] {
  for (const arn of Object.keys(config.iamRoleFeatures)) {
    if (!source.iamRoles.includes(arn)) {
      problems.push(
        `aurora-staging:iamRoleFeatures.${arn}: the source has no such role (its roles: ${source.iamRoles.join(", ") || "none"}); remove the entry`,
      );
    }
  }
  return source.iamRoles.map((roleArn) => {
    const featureName = config.iamRoleFeatures[roleArn];
    if (featureName === undefined && source.engine === "aurora-postgresql") {
      problems.push(
        `aurora-staging:iamRoleFeatures: Aurora PostgreSQL needs the feature of source role ${roleArn} (the source lookup doesn't return it); ` +
          `e.g. \`pulumi config set --path 'aurora-staging:iamRoleFeatures["${roleArn}"]' s3Import\``,
      );
    }
    return featureName !== undefined ? { roleArn, featureName } : { roleArn };
  });
}
