/**
 * `StagingClone`: one team's sanitized copy-on-write clone of a production Aurora cluster.
 *
 *   source (looked up here, with the component's provider) -> clone cluster (copy-on-write restore, new password)
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
 *
 * Usable from any Pulumi program (see examples/multi-team and docs/pulumi.md): args in the awsx
 * style. The source lookup and the clone plan run inside the component, as children of it, so
 * a `provider`/`providers` option applies to them too. They decide the clone's identifier and
 * which resources exist, so the component declares its children asynchronously (the SDK's
 * `initialize`); its outputs are Outputs, and `getData()` gives the declared resources.
 */
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { hashRules, loadRules } from "../sanitize/rules";
import {
  DEFAULT_APP_USER,
  parseStagingConfig,
  StagingConfigError,
  type AllowFrom,
  type SanitizeOptionsConfig,
  type ServerlessScaling,
} from "./config";
import { sanitizerEngine } from "./engine";
import { hookEnvironment } from "./hooks";
import { defaultParallelism } from "./instance-vcpus";
import { instanceIdentifier } from "./naming";
import { cloneSecurityGroup, ingressRules } from "./network";
import { Sanitization } from "./sanitization";
import { lookupSource, planClone, type ClonePlan, type SourceCluster } from "./source";

export const COMPONENT_TYPE = "aurora-staging:index:StagingClone";

/** Characters RDS accepts in a master password: printable ASCII except / @ " and space. */
export const RDS_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?";

/**
 * The application user's password length. Letters and digits only (special: false): the
 * sanitizer sets it with a quoted literal (CREATE ROLE/USER take no bind parameters).
 */
const APP_PASSWORD_LENGTH = 40;

/**
 * What one clone is made of. `pulumi.Input` values may come from other resources; plain values
 * are the ones the component must know before it declares anything: they make up the clone's
 * identity (its cluster identifier changes with them), are checked against the source cluster,
 * or decide which resources exist. The keys are those of the stack config (docs/pulumi.md).
 */
export interface StagingCloneArgs {
  /** The team owning the clone: its Team tag, descriptions, the default identifier prefix. Lowercase letters, digits, hyphens. */
  team: string;
  /** The production cluster: its identifier, or its ARN (same account and region as the provider). */
  sourceCluster: string;
  /**
   * Any new value builds a new clone on the next `pulumi up` (zero-downtime refresh).
   * @default "initial"
   */
  refresh?: string;
  /** Also build a new clone when the current one is this many days old (a new window starts). */
  maxCloneAgeDays?: number;
  /**
   * The cluster identifier is `<prefix>-<8-char generation>`; at most 51 characters.
   * @default "<team>-staging"
   */
  clusterIdentifierPrefix?: string;
  /**
   * Decides the Serverless v2 default and the sanitizer's default parallelism (one connection per vCPU).
   * @default "db.r6g.large"
   */
  instanceClass?: string;
  /** @default 1 */
  instanceCount?: number;
  /**
   * Serverless v2 scaling, checked against the source's engine version (minCapacity 0: auto-pause).
   * @default { minCapacity: 0.5, maxCapacity: 4 } with instanceClass db.serverless, none otherwise
   */
  serverless?: ServerlessScaling;
  /** @default the source's DB subnet group */
  subnetGroupName?: string;
  /** The VPC of the clone's own security group. @default the subnet group's VPC */
  vpcId?: string;
  /** Admitted from creation on: the machine running `pulumi up` (sanitizer, hooks). @default [] */
  runnerCidrs?: string[];
  /** @default [] */
  runnerSecurityGroupIds?: string[];
  /** The team's access, opened only once the clone is sanitized, verified and hooked. @default none */
  allowFrom?: Partial<AllowFrom>;
  /** Extra parameters for the clone's own groups (never the logging ones). @default {} */
  clusterParameters?: Record<string, string>;
  /** @default {} */
  instanceParameters?: Record<string, string>;
  /** CloudWatch log exports of the clone (one log group each). @default [] */
  logExports?: string[];
  /** @default 7 */
  logRetentionDays?: pulumi.Input<number>;
  /** Associate the source's IAM roles with the clone, after verification. @default false */
  carryIamRoles?: boolean;
  /** Role ARN -> feature name; Aurora PostgreSQL needs one per carried role. @default {} */
  iamRoleFeatures?: Record<string, string>;
  /** The user the sanitizer creates and the connection secret publishes. @default "staging_app" */
  appUserName?: string;
  /** Only accepted when equal to the source's version (a clone starts on the source's). */
  engineVersion?: string;
  /** Added to every resource's tags; the component's own (Team, ManagedBy, ...) win. @default {} */
  tags?: Record<string, string>;
  /** The database to sanitize. @default the source's initial database */
  database?: string;
  /** Run the sanitizer (and verify) before anything is published. @default true */
  sanitize?: boolean;
  /** The rules YAML text; required when sanitizing. Its hash is part of the clone's identity. */
  rules?: string;
  /** Secret. @default a generated, stack-stable key (kept across refreshes) */
  maskingKey?: pulumi.Input<string>;
  /** @default {} (parallelism: one per vCPU of instanceClass) */
  sanitizeOptions?: pulumi.Input<SanitizeOptionsConfig>;
  /** Run in order after sanitization, before publishing; the command is always kept secret. @default [] */
  postCloneCommands?: { name: string; command: pulumi.Input<string> }[];
  /** A Route 53 CNAME repointed at each new, verified clone. @default none */
  stableHostname?: { zoneId: pulumi.Input<string>; name: pulumi.Input<string> };
  /** A Secrets Manager secret with the app user's connection (needs sanitize). @default none */
  connectionSecretName?: pulumi.Input<string>;
  /** The region's RDS "DB clusters" quota (a refresh briefly needs one more). @default 40 */
  clusterQuota?: number;
  /** Picks the maxCloneAgeDays window. @default the current time */
  now?: Date;
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

/** What the component declared (`getData()`), once the source is looked up and the plan made. */
export interface StagingCloneResources {
  source: SourceCluster;
  plan: ClonePlan;
  cluster: aws.rds.Cluster;
  instances: aws.rds.ClusterInstance[];
  /** The clone's own security group (runner until verified, then allowFrom). */
  securityGroup: aws.ec2.SecurityGroup;
  sanitization?: Sanitization;
  hooks: command.local.Command[];
  /** Secret. */
  masterPassword: pulumi.Output<string>;
  stableHostname?: pulumi.Output<string>;
  connectionSecretArn?: pulumi.Output<string>;
  ready: pulumi.Output<boolean>;
}

export class StagingClone extends pulumi.ComponentResource<StagingCloneResources> {
  /** The application user published in the connection secret (when sanitizing). */
  readonly appUsername?: string;

  private readonly declaration: Promise<StagingCloneResources>;
  private readonly lifted = new Map<string, pulumi.Output<unknown>>();
  private readonly has: { sanitization: boolean; stableHostname: boolean; connectionSecret: boolean };

  constructor(name: string, args: StagingCloneArgs, opts?: pulumi.ComponentResourceOptions) {
    // No args to the engine: the component's state stays as it was (no rules text, no secrets).
    super(COMPONENT_TYPE, name, {}, opts);
    const sanitize = args.sanitize ?? true;
    this.has = {
      sanitization: sanitize,
      stableHostname: args.stableHostname !== undefined,
      connectionSecret: args.connectionSecretName !== undefined,
    };
    this.appUsername = sanitize ? (args.appUserName ?? DEFAULT_APP_USER) : undefined;
    this.declaration = this.declare(name, args);
  }

  /** Called by the SDK from super(), before the constructor has run: waits for it, then for the declaration. */
  protected override async initialize(): Promise<StagingCloneResources> {
    await Promise.resolve();
    return this.declaration;
  }

  /**
   * The declared resources, once the source is looked up and the clone planned. Rejects with
   * what was wrong (a StagingConfigError listing every problem, or a ResourceError): a program
   * that awaits it fails with that error at preview.
   */
  declared(): Promise<StagingCloneResources> {
    return this.getData();
  }

  get clusterIdentifier(): pulumi.Output<string> {
    return this.lift("clusterIdentifier", (d) => d.cluster.clusterIdentifier);
  }
  get writerEndpoint(): pulumi.Output<string> {
    return this.lift("writerEndpoint", (d) => d.cluster.endpoint);
  }
  get readerEndpoint(): pulumi.Output<string> {
    return this.lift("readerEndpoint", (d) => d.cluster.readerEndpoint);
  }
  get port(): pulumi.Output<number> {
    return this.lift("port", (d) => d.cluster.port);
  }
  get masterUsername(): pulumi.Output<string> {
    return this.lift("masterUsername", (d) => d.cluster.masterUsername);
  }
  /** Secret. */
  get masterPassword(): pulumi.Output<string> {
    return this.lift("masterPassword", (d) => d.masterPassword);
  }
  get database(): pulumi.Output<string> {
    return this.lift("database", (d) => d.plan.database);
  }
  get engine(): pulumi.Output<string> {
    return this.lift("engine", (d) => d.plan.engine);
  }
  get engineVersion(): pulumi.Output<string> {
    return this.lift("engineVersion", (d) => d.cluster.engineVersion);
  }
  get cloneGeneration(): pulumi.Output<string> {
    return this.lift("cloneGeneration", (d) => d.plan.generation.id);
  }
  /** With maxCloneAgeDays: when the next `pulumi up` builds a new clone. */
  get nextRefreshAfter(): pulumi.Output<string | undefined> {
    return this.lift("nextRefreshAfter", (d) => d.plan.generation.windowEndsAt);
  }
  /** The source cluster's identifier. */
  get sourceCluster(): pulumi.Output<string> {
    return this.lift("sourceCluster", (d) => d.source.identifier);
  }
  get securityGroupId(): pulumi.Output<string> {
    return this.lift("securityGroupId", (d) => d.securityGroup.id);
  }
  get stableHostname(): pulumi.Output<string> | undefined {
    return this.has.stableHostname ? this.lift("stableHostname", (d) => d.stableHostname!) : undefined;
  }
  get connectionSecretArn(): pulumi.Output<string> | undefined {
    return this.has.connectionSecret ? this.lift("connectionSecretArn", (d) => d.connectionSecretArn!) : undefined;
  }
  get sanitization(): SanitizationSummary | undefined {
    if (!this.has.sanitization) return undefined;
    const field = <K extends keyof SanitizationSummary>(k: K) =>
      this.lift<unknown>(`sanitization.${k}`, (d) => d.sanitization![k] as pulumi.Input<unknown>) as SanitizationSummary[K];
    return {
      rulesHash: field("rulesHash"),
      runId: field("runId"),
      finishedAt: field("finishedAt"),
      checks: field("checks"),
      rowsPerTable: field("rowsPerTable"),
      verified: field("verified"),
    };
  }
  /** True once the clone is sanitized, verified, hooked and published. */
  get ready(): pulumi.Output<boolean> {
    return this.lift("ready", (d) => d.ready);
  }

  /**
   * An output of the declared resources. Made on first use: a declaration that failed (its
   * error reaches the program through declared()) then rejects only the outputs someone reads.
   */
  private lift<T>(key: string, pick: (d: StagingCloneResources) => pulumi.Input<T>): pulumi.Output<T> {
    let out = this.lifted.get(key);
    if (out === undefined) {
      out = pulumi.output(this.declaration.then(pick)) as pulumi.Output<unknown>;
      this.lifted.set(key, out);
    }
    return out as pulumi.Output<T>;
  }

  private async declare(name: string, args: StagingCloneArgs): Promise<StagingCloneResources> {
    const parent = { parent: this };
    const sanitize = args.sanitize ?? true;
    if (sanitize && args.rules === undefined) {
      throw new pulumi.ResourceError(
        `StagingClone ${name}: sanitize is on (the default) but no rules were given; pass the rules YAML text as rules`,
        this,
      );
    }
    let rulesHash: string | undefined;
    if (sanitize) {
      try {
        rulesHash = hashRules(loadRules(args.rules!, "rules"));
      } catch (e) {
        throw new pulumi.ResourceError(`StagingClone ${name}: the rules are not valid: ${(e as Error).message}`, this);
      }
    }
    // The provider in effect (the caller's, through the parent) says where we deploy.
    const region = (await aws.getRegion({}, parent)).region;
    // The args are the stack config's keys: the same checks (every problem at once) and the same defaults.
    let checked: ReturnType<typeof parseStagingConfig>;
    try {
      checked = parseStagingConfig(argsAsConfig(args), { region });
    } catch (e) {
      if (!(e instanceof StagingConfigError)) throw e;
      // Same problems, but said of the args: a program declaring the component has no stack config to fix.
      throw new StagingConfigError(e.problems, `StagingClone ${name}: its args have {n} (each named by the stack config key it matches)`);
    }
    const lookup = await lookupSource(checked, parent);
    const plan = planClone(checked, lookup, args.now ?? new Date(), rulesHash);
    for (const warning of plan.warnings) void pulumi.log.warn(warning, this);
    const source = lookup.source;
    // The checked args with their defaults, and the Inputs the check couldn't see (Outputs, promises) as given.
    const config = {
      ...checked,
      logRetentionDays:
        args.logRetentionDays === undefined || isKnown(args.logRetentionDays) ? checked.logRetentionDays : args.logRetentionDays,
      sanitizeOptions: args.sanitizeOptions === undefined || isKnown(args.sanitizeOptions) ? checked.sanitizeOptions : args.sanitizeOptions,
      postCloneCommands: (args.postCloneCommands ?? []).map((hook, i) => ({ ...checked.postCloneCommands[i], command: hook.command })),
      stableHostname: args.stableHostname,
      connectionSecretName: args.connectionSecretName,
    };
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
          options: pulumi
            .output(config.sanitizeOptions)
            .apply((o) =>
              o.parallelism === undefined && defaultParallelism(config.instanceClass) !== undefined
                ? { ...o, parallelism: defaultParallelism(config.instanceClass) }
                : o,
            ),
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
      connectHost: pulumi.output(config.sanitizeOptions).apply((o) => o?.connectHost),
      connectPort: pulumi.output(config.sanitizeOptions).apply((o) => o?.connectPort),
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
        throw new pulumi.ResourceError(
          `aurora-staging: clone ${plan.clusterIdentifier} failed sanitization verification; it is not published. ` +
            "See the Sanitization resource's checks and fix the rules",
          this,
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
          {
            dbClusterIdentifier: cluster.clusterIdentifier,
            roleArn: role.roleArn,
            ...(role.featureName ? { featureName: role.featureName } : {}),
          },
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
              {
                securityGroupId: securityGroup.id,
                ipProtocol: "-1",
                cidrIpv4: "0.0.0.0/0",
                description: "carried IAM role features (after verification)",
                tags,
              },
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
    if (config.connectionSecretName !== undefined) {
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
            pulumi.all([readyEndpoint, cluster.port, appPassword!, cluster.clusterIdentifier]).apply(([host, port, pw, id]) =>
              // The application user, never the master (declare() requires sanitize here).
              JSON.stringify({
                engine,
                host,
                port,
                username: config.appUserName,
                password: pw,
                dbname: plan.database,
                dbClusterIdentifier: id,
              }),
            ),
          ),
        },
        { parent: this, dependsOn: gate },
      );
      connectionSecretArn = secret.arn;
      published.push(version.id);
    }

    const resources: StagingCloneResources = {
      source,
      plan,
      cluster,
      instances,
      securityGroup,
      sanitization,
      hooks,
      masterPassword: pulumi.secret(password.result),
      stableHostname,
      connectionSecretArn,
      // Resolves once everything gating and published exists (ids resolve after creation).
      ready: pulumi.all(published).apply(() => true),
    };
    this.registerOutputs({
      clusterIdentifier: cluster.clusterIdentifier,
      writerEndpoint: cluster.endpoint,
      readerEndpoint: cluster.readerEndpoint,
      port: cluster.port,
      masterUsername: cluster.masterUsername,
      masterPassword: resources.masterPassword,
      database: plan.database,
      engine: plan.engine,
      engineVersion: cluster.engineVersion,
      cloneGeneration: generation,
      nextRefreshAfter: plan.generation.windowEndsAt,
      sourceCluster: source.identifier,
      securityGroupId: securityGroup.id,
      appUsername: this.appUsername,
      stableHostname,
      connectionSecretArn,
      sanitization: sanitization && {
        rulesHash: sanitization.rulesHash,
        runId: sanitization.runId,
        finishedAt: sanitization.finishedAt,
        checks: sanitization.checks,
        rowsPerTable: sanitization.rowsPerTable,
        verified: sanitization.verified,
      },
      ready: resources.ready,
    });
    return resources;
  }
}

/** A value the config check can read now (not an Output or a promise, nor an object holding one). */
function isKnown(v: unknown): boolean {
  if (v === undefined || pulumi.Output.isInstance(v) || v instanceof Promise) return false;
  return typeof v !== "object" || v === null || Object.values(v).every((x) => x === undefined || isKnown(x));
}

/**
 * The args as stack config values, for config.ts's checks and defaults. Inputs that aren't
 * known yet are left out (the component uses them as given); the masking key is never read.
 */
function argsAsConfig(args: StagingCloneArgs): Record<string, unknown> {
  const { rules: _rules, maskingKey: _key, now: _now, postCloneCommands, stableHostname, connectionSecretName, ...plain } = args;
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plain)) if (isKnown(v)) raw[k] = v;
  // A command not known yet still counts (its name is checked): "true" stands in for it.
  if (postCloneCommands)
    raw.postCloneCommands = postCloneCommands.map((h) => ({ name: h.name, command: isKnown(h.command) ? h.command : "true" }));
  if (isKnown(stableHostname)) raw.stableHostname = stableHostname;
  if (isKnown(connectionSecretName)) raw.connectionSecretName = connectionSecretName;
  // A name not known yet still asks for a secret (which needs sanitize): a valid name stands in for it.
  else if (connectionSecretName !== undefined) raw.connectionSecretName = "pending/output";
  return raw;
}
