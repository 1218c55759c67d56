/**
 * `StagingClone`: one team's sanitized copy-on-write clone of a production Aurora cluster.
 *
 *   source (looked up before this runs) -> clone cluster (copy-on-write restore, new password)
 *     -> instances -> Sanitization (runs + verifies the rules) -> post-clone hooks
 *     -> publish: Route 53 CNAME and/or Secrets Manager connection secret
 *
 * Zero-downtime refresh: the cluster identifier carries the clone generation (see naming.ts).
 * A new generation changes the identifier, which AWS can't update in place, so Pulumi replaces
 * the cluster the default way: create the new cluster, create everything that depends on it
 * (instances, sanitization, hooks), repoint the stable address, and only then delete the old
 * resources. `deleteBeforeReplace` is never set. If any step fails, the old clone and the
 * published address stay as they were.
 *
 * Quarantine: the clone has its own security group (network.ts). Until Sanitization and the
 * hooks have succeeded it admits only the machine running `pulumi up`; the team's access
 * (allowFrom), the carried IAM roles and the published address all wait for that gate.
 * Its parameter groups are its own too (parameters.ts): no statement or parameter logging.
 */
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StagingConfig } from "./config";
import { sanitizerEngine } from "./engine";
import { hookEnvironment } from "./hooks";
import { defaultParallelism } from "./instance-vcpus";
import { instanceIdentifier } from "./naming";
import { cloneSecurityGroup, ingressRules } from "./network";
import { Sanitization } from "./sanitization";
import type { ClonePlan, SourceCluster } from "./source";

export const COMPONENT_TYPE = "aurora-staging:index:StagingClone";

/** Characters RDS accepts in a master password: printable ASCII except / @ " and space. */
export const RDS_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

/**
 * The application user's password length. Letters and digits only (special: false): the
 * sanitizer sets it with a quoted literal (CREATE ROLE/USER take no bind parameters).
 */
const APP_PASSWORD_LENGTH = 40;

export interface StagingCloneArgs {
  config: StagingConfig;
  source: SourceCluster;
  /** From planClone(config, lookup, now): generation, identifiers, inherited settings. */
  plan: ClonePlan;
  /** Rules YAML text; required when config.sanitize is true. */
  rules?: string;
  /** Secret. Absent: a stack-stable generated key, kept across refreshes. */
  maskingKey?: pulumi.Input<string>;
}

export interface SanitizationSummary {
  rulesHash: pulumi.Output<string>;
  runId: pulumi.Output<string>;
  finishedAt: pulumi.Output<string>;
  checks: pulumi.Output<{ name: string; passed: boolean }[]>;
  /** Rows changed per table (names and counts only). */
  rowsPerTable: pulumi.Output<Record<string, number>>;
  verified: pulumi.Output<boolean>;
}

export class StagingClone extends pulumi.ComponentResource {
  readonly clusterIdentifier: pulumi.Output<string>;
  readonly writerEndpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly masterUsername: pulumi.Output<string>;
  /** Secret. */
  readonly masterPassword: pulumi.Output<string>;
  readonly database: string;
  readonly engine: string;
  readonly engineVersion: pulumi.Output<string>;
  readonly cloneGeneration: string;
  /** With maxCloneAgeDays: when the next `pulumi up` builds a new clone. */
  readonly nextRefreshAfter?: string;
  readonly stableHostname?: pulumi.Output<string>;
  readonly connectionSecretArn?: pulumi.Output<string>;
  readonly sanitization?: SanitizationSummary;
  /** True once the clone is sanitized, verified, hooked and published. */
  readonly ready: pulumi.Output<boolean>;

  readonly cluster: aws.rds.Cluster;
  readonly instances: aws.rds.ClusterInstance[];
  /** The clone's own security group (runner until verified, then allowFrom). */
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** Application user published in the connection secret (when sanitizing). */
  readonly appUsername?: string;

  constructor(name: string, args: StagingCloneArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPE, name, {}, opts);
    const { config, source, plan } = args;
    if (config.sanitize && args.rules === undefined) {
      throw new Error("StagingClone: sanitization is enabled (aurora-staging:sanitize) but no rules text was given");
    }
    const parent = { parent: this };
    const generation = plan.generation.id;

    const tags: Record<string, string> = {
      ...config.tags,
      Environment: "staging",
      ManagedBy: "aurora-staging",
      SourceCluster: source.identifier,
      Team: config.team,
      CloneGeneration: generation,
    };

    // A new password per generation: without it the clone would accept production's master
    // password. The keeper makes each refresh rotate it too, so an old clone's password
    // never opens the new one.
    const password = new random.RandomPassword(
      `${name}-master-password`,
      {
        length: 32,
        special: true,
        overrideSpecial: RDS_PASSWORD_SPECIALS,
        minLower: 1,
        minUpper: 1,
        minNumeric: 1,
        keepers: { generation },
      },
      parent,
    );

    const securityGroup = cloneSecurityGroup(
      `${name}-security-group`,
      { clusterIdentifier: plan.clusterIdentifier, vpcId: plan.vpcId, tags },
      parent,
    );
    const runnerRules = ingressRules(
      {
        group: securityGroup,
        port: plan.port,
        sources: { cidrs: config.runnerCidrs, securityGroupIds: config.runnerSecurityGroupIds },
        prefix: `${name}-runner`,
        description: "pulumi up runner (sanitizer, hooks)",
        tags,
      },
      parent,
    );

    // Staging-owned parameter groups (production's may log statements with their parameters).
    // Auto-named with a prefix: a new family (source major upgrade) replaces them without a clash.
    // Shared by the generations (they hold no data): no generation tag, so a refresh leaves them be.
    const { CloneGeneration: _generation, ...parameterTags } = tags;
    const clusterParameters = new aws.rds.ClusterParameterGroup(
      `${name}-cluster-parameters`,
      {
        namePrefix: `${config.clusterIdentifierPrefix}-cluster-`,
        family: plan.parameterFamily,
        description: "aurora-staging clone: statement and parameter logging off",
        parameters: plan.parameters.cluster,
        tags: parameterTags,
      },
      parent,
    );
    const instanceParameters = new aws.rds.ParameterGroup(
      `${name}-instance-parameters`,
      {
        namePrefix: `${config.clusterIdentifierPrefix}-instance-`,
        family: plan.parameterFamily,
        description: "aurora-staging clone: statement logging off",
        parameters: plan.parameters.instance,
        tags: parameterTags,
      },
      parent,
    );

    // Declared before the cluster so RDS writes into groups with a retention that
    // `pulumi destroy` (and a refresh's delete of the old clone) removes.
    const logGroups = plan.logExports.map(
      (type) =>
        new aws.cloudwatch.LogGroup(
          `${name}-log-${type}`,
          { name: `/aws/rds/cluster/${plan.clusterIdentifier}/${type}`, retentionInDays: config.logRetentionDays, tags },
          { parent: this, deleteBeforeReplace: false },
        ),
    );

    const cluster = new aws.rds.Cluster(
      `${name}-cluster`,
      {
        clusterIdentifier: plan.clusterIdentifier,
        engine: plan.engine,
        // No engineVersion: the restore never sends it (the clone starts on the source's
        // version); pinning it only drifts after the source's minor upgrades.
        // AWS rejects a restore time for copy-on-write: always the latest restorable time.
        restoreToPointInTime: {
          sourceClusterIdentifier: source.identifier,
          restoreType: "copy-on-write",
          useLatestRestorableTime: true,
        },
        port: plan.port,
        dbSubnetGroupName: plan.subnetGroupName,
        // Only its own group: never the source's, never the VPC's default.
        vpcSecurityGroupIds: [securityGroup.id],
        masterPassword: password.result,
        dbClusterParameterGroupName: clusterParameters.name,
        // A clone shares the source's storage, so it has the source's encryption and key;
        // stating them keeps the provider's diff empty.
        storageEncrypted: source.storageEncrypted,
        kmsKeyId: source.storageEncrypted && source.kmsKeyId ? source.kmsKeyId : undefined,
        // None by default: production's exports are not inherited.
        enabledCloudwatchLogsExports: plan.logExports,
        iamDatabaseAuthenticationEnabled: source.iamDatabaseAuthenticationEnabled,
        serverlessv2ScalingConfiguration: config.serverless,
        backupRetentionPeriod: 1,
        copyTagsToSnapshot: true,
        // So `pulumi destroy` and refreshes finish and leave no snapshot behind.
        skipFinalSnapshot: true,
        deletionProtection: false,
        applyImmediately: true,
        // No availabilityZones: setting it makes the AWS provider replace the cluster forever.
        tags,
      },
      {
        parent: this,
        deleteBeforeReplace: false,
        // A new identifier replaces the cluster, whatever the provider thinks of the field.
        replacementTrigger: plan.clusterIdentifier,
        dependsOn: [...runnerRules, ...logGroups],
      },
    );

    const instances: aws.rds.ClusterInstance[] = [];
    for (let i = 0; i < config.instanceCount; i++) {
      instances.push(
        new aws.rds.ClusterInstance(
          `${name}-instance-${i + 1}`,
          {
            identifier: instanceIdentifier(plan.clusterIdentifier, i),
            clusterIdentifier: cluster.clusterIdentifier,
            engine: plan.engine,
            instanceClass: config.instanceClass,
            dbSubnetGroupName: plan.subnetGroupName,
            dbParameterGroupName: instanceParameters.name,
            publiclyAccessible: false,
            applyImmediately: true,
            promotionTier: i,
            tags,
          },
          { parent: this, deleteBeforeReplace: false },
        ),
      );
    }

    const engine = sanitizerEngine(plan.engine);
    let sanitization: Sanitization | undefined;
    let appPassword: pulumi.Output<string> | undefined;
    if (config.sanitize) {
      // The user the connection secret publishes; new per generation, like the master's.
      appPassword = new random.RandomPassword(
        `${name}-app-password`,
        { length: APP_PASSWORD_LENGTH, special: false, minLower: 1, minUpper: 1, minNumeric: 1, keepers: { generation } },
        parent,
      ).result;
      const maskingKey =
        args.maskingKey !== undefined
          ? pulumi.secret(args.maskingKey)
          : // Stack-stable: no keepers, so refreshes keep it and masked values stay the same.
            new random.RandomPassword(`${name}-masking-key`, { length: 48, special: false }, parent).result;
      sanitization = new Sanitization(
        `${name}-sanitization`,
        {
          host: cluster.endpoint,
          port: cluster.port,
          engine,
          database: plan.database,
          username: cluster.masterUsername,
          password: password.result,
          rules: args.rules!,
          maskingKey,
          forbiddenHosts: plan.forbiddenHosts,
          // Unset parallelism: one masking connection per vCPU of the instance class (Aurora
          // shows a session no CPU count; instance-vcpus.ts).
          options:
            config.sanitizeOptions.parallelism === undefined && defaultParallelism(config.instanceClass) !== undefined
              ? { ...config.sanitizeOptions, parallelism: defaultParallelism(config.instanceClass) }
              : config.sanitizeOptions,
          // The physical cluster: a clone re-created under the same identifier gets a new
          // resource id, which replaces (re-runs) the Sanitization.
          clusterResourceId: cluster.clusterResourceId,
          appUserName: config.appUserName,
          appUserPassword: appPassword,
        },
        { parent: this, dependsOn: instances },
      );
    }

    // Hooks run in the listed order, after sanitization, before publishing.
    const hooks: command.local.Command[] = [];
    const env = hookEnvironment({
      engine,
      host: cluster.endpoint,
      readerHost: cluster.readerEndpoint,
      port: cluster.port,
      username: cluster.masterUsername,
      password: password.result,
      database: plan.database,
      clusterIdentifier: cluster.clusterIdentifier,
      connectHost: config.sanitizeOptions.connectHost,
      connectPort: config.sanitizeOptions.connectPort,
    });
    for (const hook of config.postCloneCommands) {
      const previous: pulumi.Resource[] = hooks.length > 0 ? [hooks[hooks.length - 1]] : sanitization ? [sanitization] : instances;
      hooks.push(
        new command.local.Command(
          `${name}-hook-${hook.name}`,
          {
            // Always a secret: a command may carry a token (config read as plain text can't tell).
            create: pulumi.secret(hook.command),
            environment: env,
            // Re-run for every new physical clone (a re-created cluster keeps its identifier).
            triggers: [cluster.clusterResourceId],
            addPreviousOutputInEnv: false,
            // A command that prints a secret must not put it in logs or (plain) state.
            logging: "none",
          },
          { parent: this, dependsOn: previous, additionalSecretOutputs: ["stdout", "stderr"] },
        ),
      );
    }

    // What every published thing waits for: sanitization (or the instances, when disabled)
    // and the last hook (which waited for the ones before it).
    const gate: pulumi.CustomResource[] = [
      ...(sanitization ? [sanitization] : instances),
      ...(hooks.length > 0 ? [hooks[hooks.length - 1]] : []),
    ];
    const verified = sanitization ? sanitization.verified : pulumi.output(true);
    const readyEndpoint = pulumi.all([cluster.endpoint, verified]).apply(([endpoint, ok]) => {
      if (!ok) {
        throw new Error(
          `aurora-staging: clone ${plan.clusterIdentifier} failed sanitization verification; it is not published. ` +
            "See the Sanitization resource's checks and fix the rules",
        );
      }
      return endpoint;
    });

    const published: pulumi.Input<unknown>[] = [readyEndpoint, ...gate.map((r) => r.id)];

    // Team access and the carried IAM roles only for a verified clone.
    const teamRules = ingressRules(
      {
        group: securityGroup,
        port: plan.port,
        sources: config.allowFrom,
        prefix: `${name}-allow`,
        description: `team ${config.team} (after verification)`,
        tags,
      },
      { parent: this, dependsOn: gate },
    );
    const roles = plan.iamRoles.map(
      (role, i) =>
        new aws.rds.ClusterRoleAssociation(
          `${name}-iam-role-${i + 1}`,
          { dbClusterIdentifier: cluster.clusterIdentifier, roleArn: role.roleArn, ...(role.featureName ? { featureName: role.featureName } : {}) },
          { parent: this, dependsOn: gate },
        ),
    );
    // The group has no egress (the AWS provider drops the default rule): a raw copy can't call
    // out. The carried roles' features (S3 import/export, Lambda) need it: with the roles, after the gate.
    const egress =
      roles.length > 0
        ? [
            new aws.vpc.SecurityGroupEgressRule(
              `${name}-egress`,
              { securityGroupId: securityGroup.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "carried IAM role features (after verification)", tags },
              { parent: this, dependsOn: gate },
            ),
          ]
        : [];
    published.push(...teamRules.map((r) => r.id), ...roles.map((r) => r.id), ...egress.map((r) => r.id));
    let stableHostname: pulumi.Output<string> | undefined;
    if (config.stableHostname) {
      const record = new aws.route53.Record(
        `${name}-stable-hostname`,
        {
          zoneId: config.stableHostname.zoneId,
          name: config.stableHostname.name,
          type: "CNAME",
          // Low TTL: clients follow a refresh within a minute.
          ttl: 30,
          records: [readyEndpoint],
        },
        { parent: this, dependsOn: gate },
      );
      stableHostname = record.fqdn;
      published.push(record.id);
    }

    let connectionSecretArn: pulumi.Output<string> | undefined;
    if (config.connectionSecretName) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-connection-secret`,
        {
          name: config.connectionSecretName,
          description: `aurora-staging connection for team ${config.team} (sanitized clone of ${source.identifier})`,
          // Staging credentials: no recovery window, so destroy + re-create of a stack works.
          recoveryWindowInDays: 0,
          tags: { ...config.tags, Environment: "staging", ManagedBy: "aurora-staging", Team: config.team },
        },
        parent,
      );
      const version = new aws.secretsmanager.SecretVersion(
        `${name}-connection`,
        {
          secretId: secret.id,
          // RDS's JSON connection format (as RDS-managed secrets use).
          secretString: pulumi.secret(
            pulumi
              .all([readyEndpoint, cluster.port, appPassword!, cluster.clusterIdentifier])
              .apply(([host, port, pw, id]) =>
                // The application user, never the master (config.ts requires sanitize here).
                JSON.stringify({ engine, host, port, username: config.appUserName, password: pw, dbname: plan.database, dbClusterIdentifier: id }),
              ),
          ),
        },
        { parent: this, dependsOn: gate },
      );
      connectionSecretArn = secret.arn;
      published.push(version.id);
    }

    this.cluster = cluster;
    this.instances = instances;
    this.securityGroup = securityGroup;
    this.appUsername = config.sanitize ? config.appUserName : undefined;
    this.clusterIdentifier = cluster.clusterIdentifier;
    this.writerEndpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.port = cluster.port;
    this.masterUsername = cluster.masterUsername;
    this.masterPassword = pulumi.secret(password.result);
    this.database = plan.database;
    this.engine = plan.engine;
    this.engineVersion = cluster.engineVersion;
    this.cloneGeneration = generation;
    this.nextRefreshAfter = plan.generation.windowEndsAt;
    this.stableHostname = stableHostname;
    this.connectionSecretArn = connectionSecretArn;
    this.sanitization = sanitization && {
      rulesHash: sanitization.rulesHash,
      runId: sanitization.runId,
      finishedAt: sanitization.finishedAt,
      checks: sanitization.checks,
      rowsPerTable: sanitization.rowsPerTable,
      verified: sanitization.verified,
    };
    // Resolves once everything gating and published exists (ids resolve after creation).
    this.ready = pulumi.all(published).apply(() => true);

    this.registerOutputs({
      clusterIdentifier: this.clusterIdentifier,
      writerEndpoint: this.writerEndpoint,
      readerEndpoint: this.readerEndpoint,
      port: this.port,
      masterUsername: this.masterUsername,
      masterPassword: this.masterPassword,
      cloneGeneration: this.cloneGeneration,
      stableHostname: this.stableHostname,
      connectionSecretArn: this.connectionSecretArn,
      ready: this.ready,
    });
  }
}
