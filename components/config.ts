/**
 * Stack config -> typed, validated StagingConfig.
 *
 * Plain functions with no Pulumi imports, so they can be tested directly and run before any
 * resource is declared. Every problem is collected and reported in ONE error: a stack owner
 * fixes their `Pulumi.<stack>.yaml` in one go instead of one `pulumi up` per typo.
 *
 * Raw values may be what `pulumi.runtime.allConfig()` gives (strings; objects and lists as
 * JSON text; numbers and booleans as text) or already-typed values (tests, other callers).
 * Messages never echo the masking key.
 */

import { cronProblem } from "./cron";

export const CONFIG_NAMESPACE = "aurora-staging";

/** Suffix appended to the cluster identifier prefix: "-" + 8 hex chars of the generation. */
export const GENERATION_SUFFIX_LENGTH = 9;
/** Instance identifiers append "-<n>" to the cluster identifier; n <= 16 (Aurora's limit). */
export const MAX_INSTANCE_COUNT = 16;
export const INSTANCE_SUFFIX_LENGTH = 3; // "-16"
/** RDS identifiers are at most 63 characters; the prefix leaves room for both suffixes. */
export const MAX_IDENTIFIER_PREFIX_LENGTH = 63 - GENERATION_SUFFIX_LENGTH - INSTANCE_SUFFIX_LENGTH;

/** Tags the component sets itself; the stack can't override them. */
export const RESERVED_TAGS = ["Environment", "ManagedBy", "SourceCluster", "Team", "CloneGeneration"] as const;

export const DEFAULT_INSTANCE_CLASS = "db.r6g.large";
export const DEFAULT_RULES_FILE = "sanitize/default-rules.yaml";
export const DEFAULT_REFRESH = "initial";
export const DEFAULT_CLUSTER_QUOTA = 40;
export const DEFAULT_SERVERLESS = { minCapacity: 0.5, maxCapacity: 4 } as const;
export const DEFAULT_APP_USER = "staging_app";
export const DEFAULT_LOG_RETENTION_DAYS = 7;
/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Server parameters the component sets in its own parameter groups so that neither statements
 * nor their parameters (HMAC pads of the masking key, sampled original values) reach the
 * server's logs. A stack may not override them: `clusterParameters`/`instanceParameters`
 * naming one of these is refused (see docs/pulumi.md "Parameter groups").
 */
export const LOGGING_PARAMETERS = [
  "log_statement",
  "log_min_duration_statement",
  "log_parameter_max_length",
  "log_parameter_max_length_on_error",
  "pgaudit.log",
  "general_log",
  "slow_query_log",
  "server_audit_logging",
  "event_scheduler",
] as const;

/** Where the clone comes from: a plain identifier, or an ARN (whose region must be ours). */
export type SourceRef =
  | { kind: "identifier"; identifier: string }
  | { kind: "arn"; arn: string; region: string; account: string; identifier: string };

export interface ServerlessScaling {
  /** ACUs, steps of 0.5; 0 enables auto-pause (engine versions permitting). */
  minCapacity: number;
  maxCapacity: number;
  /** Only with minCapacity 0: idle seconds before pausing (300..86400). */
  secondsUntilAutoPause?: number;
}

export interface SanitizeOptionsConfig {
  coverage?: "personal" | "strict" | "off";
  chunkSize?: number;
  parallelism?: number;
  triggers?: "fire" | "disable";
  connectRetrySeconds?: number;
  ssl?: "require" | "verify-full" | "disable";
  /** Connect here instead of the clone's endpoint (e.g. 127.0.0.1 of an SSM port forward). */
  connectHost?: string;
  /** Connect to this port instead of the clone's (SSM port forward). */
  connectPort?: number;
  /** Original values sampled per masked column for the leak check. */
  leakSampleSize?: number;
}

export interface PostCloneCommand {
  /** Used in the Pulumi resource name: lowercase letters, digits, hyphens. */
  name: string;
  /** Shell command; the clone's connection details arrive in its environment only. */
  command: string;
}

/** Pulumi Deployments: the stack's own deployment settings and a `pulumi up` schedule (components/schedule.ts). */
export interface ScheduleConfig {
  /** Five-field cron, UTC, e.g. "0 3 * * *". */
  cron: string;
  /** The git repository Pulumi Deployments checks the project out of. */
  repoUrl: string;
  branch: string;
  /** The project's folder inside the repository. */
  repoDir?: string;
  /** AWS credentials through Pulumi's OIDC issuer: the role the deployment assumes. */
  awsRoleArn?: string;
  /** A self-hosted agent pool (in the VPC, so the runner reaches the clone). */
  agentPoolId?: string;
}

/** Who may connect to the clone (on its port), beyond the machine running `pulumi up`. */
export interface AllowFrom {
  securityGroupIds: string[];
  /** IPv4 or IPv6 CIDR blocks. */
  cidrs: string[];
}

export interface StableHostname {
  zoneId: string;
  name: string;
}

export interface StagingConfig {
  team: string;
  source: SourceRef;
  /** Any change to this value builds a new clone on the next `pulumi up`. */
  refresh: string;
  maxCloneAgeDays?: number;
  clusterIdentifierPrefix: string;
  instanceClass: string;
  instanceCount: number;
  /** Present when instanceClass is db.serverless (defaulted) or when the stack sets it. */
  serverless?: ServerlessScaling;
  subnetGroupName?: string;
  /** The VPC of the clone's security group; default: the subnet group's VPC. */
  vpcId?: string;
  /** Admitted from creation on (the sanitizer and the hooks run from here). */
  runnerCidrs: string[];
  runnerSecurityGroupIds: string[];
  /** Admitted only once the clone is sanitized, verified and hooked. */
  allowFrom: AllowFrom;
  /** Extra parameters for the staging-owned groups (never the logging ones). */
  clusterParameters: Record<string, string>;
  instanceParameters: Record<string, string>;
  /** CloudWatch log exports of the clone; default none. */
  logExports: string[];
  logRetentionDays: number;
  /** Associate the source's IAM roles with the clone (after verification). */
  carryIamRoles: boolean;
  /** Role ARN -> feature name (Aurora PostgreSQL needs one per role, e.g. s3Import). */
  iamRoleFeatures: Record<string, string>;
  /** The least-privilege user the sanitizer creates and the connection secret publishes. */
  appUserName: string;
  /** Only accepted when equal to the source's version (checked against the source). */
  engineVersion?: string;
  tags: Record<string, string>;
  database?: string;
  sanitize: boolean;
  rulesFile: string;
  /** Secret; undefined means "generate a stack-stable key". */
  maskingKey?: string;
  sanitizeOptions: SanitizeOptionsConfig;
  postCloneCommands: PostCloneCommand[];
  stableHostname?: StableHostname;
  connectionSecretName?: string;
  clusterQuota: number;
  schedule?: ScheduleConfig;
  /** The stack's AWS region (`aws:region`), when known. */
  region?: string;
}

/** Thrown with every problem found; `problems` are the individual lines. */
export class StagingConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `aurora-staging stack config has ${problems.length} problem${problems.length === 1 ? "" : "s"} ` +
        `(fix them in Pulumi.<stack>.yaml or with \`pulumi config set\`):\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "StagingConfigError";
  }
}

const KNOWN_KEYS = [
  "team",
  "sourceCluster",
  "refresh",
  "maxCloneAgeDays",
  "clusterIdentifierPrefix",
  "instanceClass",
  "instanceCount",
  "serverless",
  "subnetGroupName",
  "vpcId",
  "runnerCidrs",
  "runnerSecurityGroupIds",
  "allowFrom",
  "clusterParameters",
  "instanceParameters",
  "logExports",
  "logRetentionDays",
  "carryIamRoles",
  "iamRoleFeatures",
  "appUserName",
  "engineVersion",
  "tags",
  "database",
  "sanitize",
  "rulesFile",
  "maskingKey",
  "sanitizeOptions",
  "postCloneCommands",
  "stableHostname",
  "connectionSecretName",
  "clusterQuota",
  "schedule",
] as const;

/** Keys earlier versions accepted; each gets its own message saying what replaced it. */
const REMOVED_KEYS = ["securityGroupIds"] as const;

const RDS_IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?!-))*$/;
const TEAM = /^[a-z][a-z0-9-]*$/;
const INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const SECURITY_GROUP = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const VPC = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const IPV4_CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(?:3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-f:]*:[0-9a-f:]*\/(?:12[0-8]|1[01]\d|[1-9]?\d)$/i;
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const LOG_EXPORT = /^[a-z][a-z-]{0,31}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const FEATURE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** PostgreSQL and MySQL user names both accept this (MySQL allows at most 32 characters). */
const APP_USER = /^[a-z_][a-z0-9_]{0,31}$/;
const SUBNET_GROUP = /^[A-Za-z0-9 ._-]{1,255}$/;
const REFRESH = /^[A-Za-z0-9][A-Za-z0-9._:+=@/-]{0,63}$/;
const ENGINE_VERSION = /^[0-9][0-9A-Za-z._-]{0,63}$/;
const DATABASE = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const HOOK_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):cluster:(.+)$/;

/** Reads and validates the whole config; throws StagingConfigError listing every problem. */
export function parseStagingConfig(raw: Record<string, unknown>, context: { region?: string } = {}): StagingConfig {
  const problems: string[] = [];
  const p = new Reader(raw, problems);

  for (const key of Object.keys(raw)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key) && !(REMOVED_KEYS as readonly string[]).includes(key)) {
      const hint = closest(key, KNOWN_KEYS);
      problems.push(
        `${CONFIG_NAMESPACE}:${key}: unknown config key${hint ? `; did you mean \`${CONFIG_NAMESPACE}:${hint}\`?` : ""} ` +
          `(known keys: ${KNOWN_KEYS.join(", ")})`,
      );
    }
  }

  const region = context.region;
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push(`aws:region: "${region}" is not an AWS region name; e.g. \`pulumi config set aws:region eu-west-1\``);
  }

  const team = p.string("team", { required: true, example: "payments" });
  const teamValid = team !== undefined && TEAM.test(team) && team.length <= 20 && !team.endsWith("-") && !team.includes("--");
  if (team !== undefined && !teamValid) {
    p.bad("team", team, "must be 1-20 lowercase letters, digits or single hyphens, starting with a letter", "payments");
  }

  const source = parseSource(p, region);

  const refresh = p.string("refresh", { example: "2026-11-27" }) ?? DEFAULT_REFRESH;
  if (!REFRESH.test(refresh)) {
    p.bad("refresh", refresh, "must be 1-64 letters, digits or . _ : + = @ / - (e.g. a date), starting with a letter or digit", "2026-11-27");
  }

  const maxCloneAgeDays = p.integer("maxCloneAgeDays", 1, 365, "7");

  // Derived from the team only when the team is valid (else the team's error says it all).
  const defaultPrefix = teamValid ? `${team}-staging` : undefined;
  const clusterIdentifierPrefix = p.string("clusterIdentifierPrefix", { example: "payments-staging" }) ?? defaultPrefix;
  if (clusterIdentifierPrefix !== undefined) {
    const why = rdsIdentifierProblem(clusterIdentifierPrefix, MAX_IDENTIFIER_PREFIX_LENGTH);
    if (why) {
      p.bad(
        raw.clusterIdentifierPrefix === undefined ? "team (via the default prefix <team>-staging)" : "clusterIdentifierPrefix",
        clusterIdentifierPrefix,
        `${why} (the cluster identifier is "<prefix>-<8-char generation>" and instances add "-<n>", and RDS allows 63 characters)`,
        "payments-staging",
      );
    }
  }

  const instanceClass = p.string("instanceClass", { example: DEFAULT_INSTANCE_CLASS }) ?? DEFAULT_INSTANCE_CLASS;
  if (instanceClass !== "db.serverless" && !INSTANCE_CLASS.test(instanceClass)) {
    p.bad("instanceClass", instanceClass, "must look like db.<family>.<size> or be db.serverless", "db.r6g.large");
  }
  const instanceCount = p.integer("instanceCount", 1, MAX_INSTANCE_COUNT, "2") ?? 1;

  let serverless = parseServerless(p);
  if (serverless === undefined && instanceClass === "db.serverless" && raw.serverless === undefined) {
    serverless = { ...DEFAULT_SERVERLESS };
  }

  const subnetGroupName = p.string("subnetGroupName", { example: "staging-private" });
  if (subnetGroupName !== undefined && !SUBNET_GROUP.test(subnetGroupName)) {
    p.bad("subnetGroupName", subnetGroupName, "must be 1-255 letters, digits, spaces, periods, underscores or hyphens", "staging-private");
  }

  if (raw.securityGroupIds !== undefined) {
    // Fail closed: attached groups admit whatever their rules admit, from the clone's first
    // minute, i.e. before it is sanitized. Team access now waits for verification.
    problems.push(
      `${CONFIG_NAMESPACE}:securityGroupIds: is no longer supported: the clone gets its own security group and, until it is ` +
        "sanitized and verified, admits only the machine running `pulumi up`. Remove the key; list the clients' security groups " +
        `or CIDRs in ${CONFIG_NAMESPACE}:allowFrom (admitted after verification) and the runner's in ${CONFIG_NAMESPACE}:runnerCidrs / ` +
        `runnerSecurityGroupIds, e.g. \`pulumi config set --path '${CONFIG_NAMESPACE}:allowFrom.securityGroupIds[0]' sg-0123456789abcdef0\``,
    );
  }
  const vpcId = p.string("vpcId", { example: "vpc-0123456789abcdef0" });
  if (vpcId !== undefined && !VPC.test(vpcId)) {
    p.bad("vpcId", vpcId, 'must be "vpc-" followed by 8 or 17 lowercase hex characters', "vpc-0123456789abcdef0");
  }
  const runnerCidrs = parseCidrs(p, "runnerCidrs", { runner: true });
  const runnerSecurityGroupIds = parseSecurityGroups(p, "runnerSecurityGroupIds");
  const allowFrom = parseAllowFrom(p);
  const clusterParameters = parseParameters(p, "clusterParameters");
  const instanceParameters = parseParameters(p, "instanceParameters");
  const logExports = p.stringList("logExports", '["postgresql"]') ?? [];
  logExports.forEach((t, i) => {
    if (!LOG_EXPORT.test(t)) p.bad(`logExports[${i}]`, t, "is not a CloudWatch log export type", '["postgresql"] or ["error"]');
  });
  if (new Set(logExports).size !== logExports.length) {
    problems.push(`${CONFIG_NAMESPACE}:logExports: lists the same log type twice; list each once`);
  }
  const logRetentionDays = p.integer("logRetentionDays", 1, 3653, "7") ?? DEFAULT_LOG_RETENTION_DAYS;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    p.bad("logRetentionDays", String(logRetentionDays), `must be a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`, "7");
  }
  const carryIamRoles = p.boolean("carryIamRoles") ?? false;
  const iamRoleFeatures = parseIamRoleFeatures(p);
  if (raw.iamRoleFeatures !== undefined && !carryIamRoles) {
    problems.push(`${CONFIG_NAMESPACE}:iamRoleFeatures: is set but ${CONFIG_NAMESPACE}:carryIamRoles is not true; remove it or set carryIamRoles: true`);
  }
  const appUserName = p.string("appUserName", { example: DEFAULT_APP_USER }) ?? DEFAULT_APP_USER;
  if (!APP_USER.test(appUserName)) {
    p.bad("appUserName", appUserName, "must be 1-32 lowercase letters, digits or _, starting with a letter or _", DEFAULT_APP_USER);
  }

  const engineVersion = p.string("engineVersion", { example: "16.4" });
  if (engineVersion !== undefined && !ENGINE_VERSION.test(engineVersion)) {
    p.bad("engineVersion", engineVersion, "is not an engine version", "16.4 or 8.0.mysql_aurora.3.08.0");
  }

  const tags = parseTags(p);

  const database = p.string("database", { example: "app" });
  if (database !== undefined && !DATABASE.test(database)) {
    p.bad("database", database, "must be 1-63 letters, digits, _, $ or -, starting with a letter or _", "app");
  }

  const sanitize = p.boolean("sanitize") ?? true;
  const rulesFile = p.string("rulesFile", { example: DEFAULT_RULES_FILE }) ?? DEFAULT_RULES_FILE;
  if (rulesFile.trim() === "") p.bad("rulesFile", rulesFile, "must be a path to a rules YAML file", DEFAULT_RULES_FILE);

  const maskingKey = p.secretString("maskingKey");
  if (maskingKey !== undefined && maskingKey.length < 16) {
    problems.push(
      `${CONFIG_NAMESPACE}:maskingKey: is shorter than 16 characters (value not shown); set a longer one with ` +
        "`pulumi config set --secret aurora-staging:maskingKey <at least 16 random characters>`, or remove it to let the stack generate one",
    );
  }

  const sanitizeOptions = parseSanitizeOptions(p);
  const postCloneCommands = parsePostCloneCommands(p);
  const stableHostname = parseStableHostname(p);

  const connectionSecretName = p.string("connectionSecretName", { example: "staging/payments/aurora" });
  if (connectionSecretName !== undefined && !SECRET_NAME.test(connectionSecretName)) {
    p.bad("connectionSecretName", connectionSecretName, "must be 1-512 letters, digits or / _ + = . @ -", "staging/payments/aurora");
  }

  const clusterQuota = p.integer("clusterQuota", 1, 1000, "40") ?? DEFAULT_CLUSTER_QUOTA;
  const schedule = parseSchedule(p, raw.schedule);

  if (!sanitize && raw.sanitizeOptions !== undefined) {
    problems.push(
      `${CONFIG_NAMESPACE}:sanitizeOptions: is set but ${CONFIG_NAMESPACE}:sanitize is false; remove sanitizeOptions or enable sanitization`,
    );
  }

  if (!sanitize && connectionSecretName !== undefined) {
    problems.push(
      `${CONFIG_NAMESPACE}:connectionSecretName: needs ${CONFIG_NAMESPACE}:sanitize: the secret publishes the application user, which the ` +
        "sanitizer creates (the master user is never published); enable sanitization or remove connectionSecretName",
    );
  }

  if (problems.length > 0) throw new StagingConfigError(problems);

  return {
    team: team!,
    source: source!,
    refresh,
    maxCloneAgeDays,
    clusterIdentifierPrefix: clusterIdentifierPrefix!,
    instanceClass,
    instanceCount,
    serverless,
    subnetGroupName,
    vpcId,
    runnerCidrs,
    runnerSecurityGroupIds,
    allowFrom,
    clusterParameters,
    instanceParameters,
    logExports,
    logRetentionDays,
    carryIamRoles,
    iamRoleFeatures,
    appUserName,
    engineVersion,
    tags,
    database,
    sanitize,
    rulesFile,
    maskingKey,
    sanitizeOptions,
    postCloneCommands,
    stableHostname,
    connectionSecretName,
    clusterQuota,
    ...(schedule ? { schedule } : {}),
    region,
  };
}

/** Why `id` is not a valid RDS identifier of at most `max` chars, or undefined when it is. */
export function rdsIdentifierProblem(id: string, max = 63): string | undefined {
  if (id.length === 0 || id.length > max) return `must be 1-${max} characters (is ${id.length})`;
  if (!/^[a-z]/.test(id)) return "must start with a lowercase letter";
  if (!/^[a-z0-9-]+$/.test(id)) return "may only contain lowercase letters, digits and hyphens";
  if (id.includes("--")) return 'must not contain "--"';
  if (id.endsWith("-")) return 'must not end with "-"';
  if (!RDS_IDENTIFIER.test(id)) return "is not a valid RDS identifier";
  return undefined;
}

function parseSource(p: Reader, region: string | undefined): SourceRef | undefined {
  const value = p.string("sourceCluster", { required: true, example: "production-aurora" });
  if (value === undefined) return undefined;
  if (value.startsWith("arn:")) {
    const m = ARN.exec(value);
    if (!m) {
      p.bad("sourceCluster", value, "is not an RDS cluster ARN", "arn:aws:rds:eu-west-1:123456789012:cluster:production-aurora");
      return undefined;
    }
    const [, , arnRegion, account, identifier] = m;
    const why = rdsIdentifierProblem(identifier);
    if (why) p.bad("sourceCluster", value, `names cluster "${identifier}", which ${why}`, "arn:aws:rds:eu-west-1:123456789012:cluster:production-aurora");
    if (region !== undefined && arnRegion !== region) {
      p.bad(
        "sourceCluster",
        value,
        `is in region ${arnRegion} but the stack deploys to ${region} (aws:region); copy-on-write clones stay in the source's region, ` +
          `so set \`pulumi config set aws:region ${arnRegion}\` or pick a source in ${region}`,
        `arn:aws:rds:${region}:${account}:cluster:<name>`,
      );
    }
    return { kind: "arn", arn: value, region: arnRegion, account, identifier };
  }
  const why = rdsIdentifierProblem(value);
  if (why) {
    p.bad("sourceCluster", value, `${why}; give the source cluster's identifier or ARN`, "production-aurora");
    return undefined;
  }
  return { kind: "identifier", identifier: value };
}

/** A list of security group ids (default []); each valid, none twice. */
function parseSecurityGroups(p: Reader, key: string): string[] {
  const ids = p.stringList(key, '["sg-0123456789abcdef0"]') ?? [];
  ids.forEach((id, i) => {
    if (!SECURITY_GROUP.test(id)) p.bad(`${key}[${i}]`, id, 'must be "sg-" followed by 8 or 17 lowercase hex characters', "sg-0123456789abcdef0");
  });
  if (new Set(ids).size !== ids.length) p.problem(key, "lists the same security group twice; list each once");
  return ids;
}

/** A list of IPv4/IPv6 CIDR blocks (default []). The runner's may not be a whole address space. */
function parseCidrs(p: Reader, key: string, o: { runner: boolean }): string[] {
  const cidrs = p.stringList(key, '["203.0.113.10/32"]') ?? [];
  cidrs.forEach((c, i) => {
    if (!IPV4_CIDR.test(c) && !IPV6_CIDR.test(c)) {
      p.bad(`${key}[${i}]`, c, "is not an IPv4 or IPv6 CIDR block", "203.0.113.10/32");
    } else if (o.runner && /\/0$/.test(c)) {
      p.bad(`${key}[${i}]`, c, "admits every address, so the unsanitized clone would not be quarantined; name the machine running `pulumi up`", "203.0.113.10/32");
    }
  });
  if (new Set(cidrs).size !== cidrs.length) p.problem(key, "lists the same CIDR block twice; list each once");
  return cidrs;
}

function parseAllowFrom(p: Reader): AllowFrom {
  const obj = p.object("allowFrom", '{"securityGroupIds": ["sg-0123456789abcdef0"], "cidrs": ["10.20.0.0/16"]}');
  if (obj === undefined) return { securityGroupIds: [], cidrs: [] };
  const sub = p.child("allowFrom", obj);
  sub.unknownKeys(["securityGroupIds", "cidrs"]);
  return { securityGroupIds: parseSecurityGroups(sub, "securityGroupIds"), cidrs: parseCidrs(sub, "cidrs", { runner: false }) };
}

/** name -> value (numbers and booleans as text); the logging parameters are ours. */
function parseParameters(p: Reader, key: string): Record<string, string> {
  const obj = p.object(key, '{"work_mem": "65536"}');
  if (obj === undefined) return {};
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(obj)) {
    if (!PARAMETER_NAME.test(name)) {
      p.bad(`${key}.${name}`, name, "is not a parameter name", '{"work_mem": "65536"}');
    } else if ((LOGGING_PARAMETERS as readonly string[]).includes(name)) {
      p.problem(
        `${key}.${name}`,
        "is set by aurora-staging itself: statement and parameter logging stay off on a clone so the masking key's pads and original " +
          `values never reach the server's logs (reserved: ${LOGGING_PARAMETERS.join(", ")}); remove it`,
      );
    } else if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      p.bad(`${key}.${name}`, JSON.stringify(v), "must be a string, number or boolean", '{"work_mem": "65536"}');
    } else {
      out[name] = String(v);
    }
  }
  return out;
}

function parseIamRoleFeatures(p: Reader): Record<string, string> {
  const example = '{"arn:aws:iam::123456789012:role/aurora-s3-import": "s3Import"}';
  const obj = p.object("iamRoleFeatures", example);
  if (obj === undefined) return {};
  const out: Record<string, string> = {};
  for (const [arn, feature] of Object.entries(obj)) {
    if (!ROLE_ARN.test(arn)) p.bad(`iamRoleFeatures.${arn}`, arn, "is not an IAM role ARN", example);
    else if (typeof feature !== "string" || !FEATURE_NAME.test(feature)) p.bad(`iamRoleFeatures.${arn}`, String(feature), "is not a feature name", example);
    else out[arn] = feature;
  }
  return out;
}

function parseServerless(p: Reader): ServerlessScaling | undefined {
  const obj = p.object("serverless", '{"minCapacity": 0.5, "maxCapacity": 4}');
  if (obj === undefined) return undefined;
  const sub = p.child("serverless", obj);
  sub.unknownKeys(["minCapacity", "maxCapacity", "secondsUntilAutoPause"]);
  const acu = (k: "minCapacity" | "maxCapacity", min: number): number | undefined => {
    const v = sub.number(k, min, 256, k === "minCapacity" ? "0.5" : "4", true);
    if (v !== undefined && !Number.isInteger(v * 2)) {
      sub.bad(k, String(v), "must be a multiple of 0.5 ACU", k === "minCapacity" ? "0.5" : "4");
      return undefined;
    }
    return v;
  };
  const minCapacity = acu("minCapacity", 0);
  const maxCapacity = acu("maxCapacity", 1);
  if (minCapacity !== undefined && maxCapacity !== undefined && minCapacity > maxCapacity) {
    sub.bad("minCapacity", String(minCapacity), `must not exceed maxCapacity (${maxCapacity})`, String(Math.min(0.5, maxCapacity)));
  }
  const secondsUntilAutoPause = sub.integer("secondsUntilAutoPause", 300, 86_400, "3600");
  if (secondsUntilAutoPause !== undefined && minCapacity !== undefined && minCapacity !== 0) {
    sub.bad("secondsUntilAutoPause", String(secondsUntilAutoPause), "only applies with minCapacity 0 (auto-pause)", '{"minCapacity": 0, "maxCapacity": 4, "secondsUntilAutoPause": 3600}');
  }
  if (minCapacity === undefined || maxCapacity === undefined) return undefined;
  return { minCapacity, maxCapacity, ...(secondsUntilAutoPause !== undefined ? { secondsUntilAutoPause } : {}) };
}

function parseTags(p: Reader): Record<string, string> {
  const obj = p.object("tags", '{"CostCenter": "1234"}');
  if (obj === undefined) return {};
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    const where = `tags.${k}`;
    if ((RESERVED_TAGS as readonly string[]).includes(k)) {
      p.bad(where, String(v), `is set by aurora-staging itself (reserved: ${RESERVED_TAGS.join(", ")}); use another tag name`, '{"CostCenter": "1234"}');
      continue;
    }
    if (k.length === 0 || k.length > 128 || k.toLowerCase().startsWith("aws:")) {
      p.bad(where, k, 'tag keys must be 1-128 characters and not start with "aws:"', '{"CostCenter": "1234"}');
      continue;
    }
    if (typeof v !== "string" || v.length > 256) {
      p.bad(where, JSON.stringify(v), "tag values must be strings of at most 256 characters", '{"CostCenter": "1234"}');
      continue;
    }
    tags[k] = v;
  }
  return tags;
}

function parseSanitizeOptions(p: Reader): SanitizeOptionsConfig {
  const obj = p.object("sanitizeOptions", '{"coverage": "personal", "chunkSize": 50000, "parallelism": 2}');
  if (obj === undefined) return {};
  const sub = p.child("sanitizeOptions", obj);
  sub.unknownKeys(["coverage", "chunkSize", "parallelism", "triggers", "connectRetrySeconds", "ssl", "connectHost", "connectPort", "leakSampleSize"]);
  const out: SanitizeOptionsConfig = {};
  const coverage = sub.choice("coverage", ["personal", "strict", "off"] as const);
  if (coverage) out.coverage = coverage;
  const chunkSize = sub.integer("chunkSize", 1, 10_000_000, "50000");
  if (chunkSize !== undefined) out.chunkSize = chunkSize;
  const parallelism = sub.integer("parallelism", 1, 64, "2");
  if (parallelism !== undefined) out.parallelism = parallelism;
  const triggers = sub.choice("triggers", ["fire", "disable"] as const);
  if (triggers) out.triggers = triggers;
  const connectRetrySeconds = sub.integer("connectRetrySeconds", 0, 3600, "600");
  if (connectRetrySeconds !== undefined) out.connectRetrySeconds = connectRetrySeconds;
  const ssl = sub.choice("ssl", ["require", "verify-full", "disable"] as const);
  if (ssl) out.ssl = ssl;
  const connectHost = sub.string("connectHost", { example: "127.0.0.1" });
  if (connectHost !== undefined) {
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(connectHost)) sub.bad("connectHost", connectHost, "must be a host name or IP address", "127.0.0.1");
    else out.connectHost = connectHost;
  }
  const connectPort = sub.integer("connectPort", 1, 65_535, "15432");
  if (connectPort !== undefined) out.connectPort = connectPort;
  const leakSampleSize = sub.integer("leakSampleSize", 1, 1_000_000, "100");
  if (leakSampleSize !== undefined) out.leakSampleSize = leakSampleSize;
  return out;
}

function parsePostCloneCommands(p: Reader): PostCloneCommand[] {
  const list = p.list("postCloneCommands", '[{"name": "grant-readonly", "command": "psql -f grants.sql"}]');
  if (list === undefined) return [];
  const out: PostCloneCommand[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const where = `postCloneCommands[${i}]`;
    if (!isPlainObject(item)) {
      // The value isn't echoed: a command may carry a secret.
      p.problem(where, `must be an object with name and command, got ${Array.isArray(item) ? "a list" : typeof item}; e.g. {"name": "grant-readonly", "command": "psql -f grants.sql"}`);
      return;
    }
    const sub = p.child(where, item);
    sub.unknownKeys(["name", "command"]);
    const name = sub.string("name", { required: true, example: "grant-readonly" });
    const command = sub.string("command", { required: true, example: "psql -f grants.sql" });
    if (name !== undefined && !HOOK_NAME.test(name)) {
      sub.bad("name", name, "must be 1-40 lowercase letters, digits or hyphens, starting with a letter", "grant-readonly");
    } else if (name !== undefined && seen.has(name)) {
      sub.bad("name", name, "is used by another post-clone command; names must be unique", `${name}-2`);
    }
    if (name !== undefined) seen.add(name);
    if (name !== undefined && command !== undefined) out.push({ name, command });
  });
  return out;
}

function parseSchedule(p: Reader, value: unknown): ScheduleConfig | undefined {
  const example = '{"cron": "0 3 * * *", "repoUrl": "https://github.com/acme/aurora-staging.git", "branch": "main"}';
  if (typeof value === "string" && !value.trim().startsWith("{")) {
    // A bare cron: the deployment also needs to know where the project's code is.
    p.problem("schedule", `must be an object: a deployment needs the cron and the repository it checks out, e.g. ${example}`);
    return undefined;
  }
  const obj = p.object("schedule", example);
  if (obj === undefined) return undefined;
  const sub = p.child("schedule", obj);
  sub.unknownKeys(["cron", "repoUrl", "branch", "repoDir", "awsRoleArn", "agentPoolId"]);
  const cron = sub.string("cron", { required: true, example: "0 3 * * *" });
  const cronWhy = cron !== undefined ? cronProblem(cron) : undefined;
  if (cronWhy) sub.bad("cron", cron!, `is not a cron expression: ${cronWhy}`, '"0 3 * * *" (03:00 UTC daily)');
  const repoUrl = sub.string("repoUrl", { required: true, example: "https://github.com/acme/aurora-staging.git" });
  if (repoUrl !== undefined && !/^(https:\/\/|git@)[^\s]+$/.test(repoUrl)) {
    sub.bad("repoUrl", repoUrl, "must be an https:// or git@ repository URL", "https://github.com/acme/aurora-staging.git");
  }
  const branch = sub.string("branch", { example: "main" }) ?? "main";
  if (!/^[A-Za-z0-9._/-]{1,255}$/.test(branch)) sub.bad("branch", branch, "is not a git branch name", "main");
  const repoDir = sub.string("repoDir", { example: "infra/aurora-staging" });
  if (repoDir !== undefined && (repoDir.startsWith("/") || repoDir.split("/").includes(".."))) {
    sub.bad("repoDir", repoDir, "must be a relative folder inside the repository", "infra/aurora-staging");
  }
  const awsRoleArn = sub.string("awsRoleArn", { example: "arn:aws:iam::123456789012:role/pulumi-deployments" });
  if (awsRoleArn !== undefined && !ROLE_ARN.test(awsRoleArn)) {
    sub.bad("awsRoleArn", awsRoleArn, "is not an IAM role ARN", "arn:aws:iam::123456789012:role/pulumi-deployments");
  }
  const agentPoolId = sub.string("agentPoolId", { example: "a1b2c3d4-0000-1111-2222-333344445555" });
  if (agentPoolId !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(agentPoolId)) {
    sub.bad("agentPoolId", agentPoolId, "is not an agent pool id", "a1b2c3d4-0000-1111-2222-333344445555");
  }
  if (cron === undefined || cronWhy || repoUrl === undefined) return undefined;
  return {
    cron: cron.trim(),
    repoUrl,
    branch,
    ...(repoDir !== undefined ? { repoDir } : {}),
    ...(awsRoleArn !== undefined ? { awsRoleArn } : {}),
    ...(agentPoolId !== undefined ? { agentPoolId } : {}),
  };
}

function parseStableHostname(p: Reader): StableHostname | undefined {
  const obj = p.object("stableHostname", '{"zoneId": "Z0123456789ABCDEFGHIJ", "name": "payments.staging.example.com"}');
  if (obj === undefined) return undefined;
  const sub = p.child("stableHostname", obj);
  sub.unknownKeys(["zoneId", "name"]);
  const zoneId = sub.string("zoneId", { required: true, example: "Z0123456789ABCDEFGHIJ" });
  const name = sub.string("name", { required: true, example: "payments.staging.example.com" });
  if (zoneId !== undefined && !ZONE_ID.test(zoneId)) {
    sub.bad("zoneId", zoneId, "is not a Route 53 hosted zone id", "Z0123456789ABCDEFGHIJ");
  }
  if (name !== undefined) {
    const labels = name.replace(/\.$/, "").split(".");
    if (name.length > 253 || labels.length < 2 || !labels.every((l) => DNS_LABEL.test(l))) {
      sub.bad("name", name, "must be a lowercase DNS name inside the hosted zone", "payments.staging.example.com");
    }
  }
  return zoneId !== undefined && name !== undefined ? { zoneId, name: name.replace(/\.$/, "") } : undefined;
}

/** Reads one level of keys, coercing Pulumi's string config values, recording problems. */
class Reader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly problems: string[],
    private readonly prefix = `${CONFIG_NAMESPACE}:`,
  ) {}

  child(key: string, obj: Record<string, unknown>): Reader {
    return new Reader(obj, this.problems, `${this.prefix}${key}.`);
  }

  /** A problem with `key` that needs no value or example. */
  problem(key: string, what: string): void {
    this.problems.push(`${this.prefix}${key}: ${what}`);
  }

  bad(key: string, value: string, what: string, example: string): void {
    this.problems.push(`${this.prefix}${key}: "${value}" ${what}; e.g. ${example}`);
  }

  unknownKeys(known: readonly string[]): void {
    for (const k of Object.keys(this.raw)) {
      if (!known.includes(k)) {
        const hint = closest(k, known);
        this.problems.push(`${this.prefix}${k}: unknown key${hint ? `; did you mean "${hint}"?` : ""} (known: ${known.join(", ")})`);
      }
    }
  }

  string(key: string, o: { required?: boolean; example: string }): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (o.required) {
        const nested = this.prefix !== `${CONFIG_NAMESPACE}:`;
        this.problems.push(
          `${this.prefix}${key}: is required; e.g. \`pulumi config set ${nested ? "--path '" : ""}${this.prefix}${key}${nested ? "'" : ""} ${o.example}\``,
        );
      }
      return undefined;
    }
    if (typeof v !== "string") {
      this.problems.push(`${this.prefix}${key}: must be a string, got ${describe(v)}; e.g. ${o.example}`);
      return undefined;
    }
    if (o.required && v.trim() === "") {
      this.problems.push(`${this.prefix}${key}: must not be empty; e.g. ${o.example}`);
      return undefined;
    }
    return v;
  }

  /** Like string(), but never puts the value in a message. */
  secretString(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") {
      this.problems.push(`${this.prefix}${key}: must be a string (value not shown); set it with \`pulumi config set --secret ${this.prefix}${key} <value>\``);
      return undefined;
    }
    return v;
  }

  number(key: string, min: number, max: number, example: string, required = false): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (required) this.problems.push(`${this.prefix}${key}: is required; e.g. ${example}`);
      return undefined;
    }
    const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${this.prefix}${key}: "${String(v)}" must be a number from ${min} to ${max}; e.g. ${example}`);
      return undefined;
    }
    return n;
  }

  integer(key: string, min: number, max: number, example: string): number | undefined {
    const v = this.raw[key];
    const n = this.number(key, min, max, example);
    if (n !== undefined && !Number.isInteger(n)) {
      this.problems.push(`${this.prefix}${key}: "${String(v)}" must be a whole number from ${min} to ${max}; e.g. ${example}`);
      return undefined;
    }
    return n;
  }

  boolean(key: string): boolean | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    this.problems.push(`${this.prefix}${key}: "${String(v)}" must be true or false; e.g. \`pulumi config set ${this.prefix}${key} false\``);
    return undefined;
  }

  choice<T extends string>(key: string, options: readonly T[]): T | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string" && (options as readonly string[]).includes(v)) return v as T;
    this.problems.push(`${this.prefix}${key}: "${String(v)}" must be one of ${options.join(", ")}; e.g. ${options[0]}`);
    return undefined;
  }

  private structured(key: string, example: string): unknown {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      this.problems.push(`${this.prefix}${key}: is not valid JSON/YAML structure; e.g. ${example}`);
      return undefined;
    }
  }

  object(key: string, example: string): Record<string, unknown> | undefined {
    const v = this.structured(key, example);
    if (v === undefined) return undefined;
    if (!isPlainObject(v)) {
      this.problems.push(`${this.prefix}${key}: must be an object, got ${describe(v)}; e.g. ${example}`);
      return undefined;
    }
    return v;
  }

  list(key: string, example: string): unknown[] | undefined {
    const v = this.structured(key, example);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.problems.push(`${this.prefix}${key}: must be a list, got ${describe(v)}; e.g. ${example}`);
      return undefined;
    }
    return v;
  }

  stringList(key: string, example: string): string[] | undefined {
    const v = this.list(key, example);
    if (v === undefined) return undefined;
    if (!v.every((x): x is string => typeof x === "string")) {
      this.problems.push(`${this.prefix}${key}: must be a list of strings; e.g. ${example}`);
      return undefined;
    }
    return v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

/** The known key closest to a typo (edit distance <= 3), for "did you mean". */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    // A prefix ("min" for "minCapacity") counts as a near miss too.
    const prefix = k.toLowerCase().startsWith(key.toLowerCase()) && key.length >= 3;
    const d = prefix ? 1 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= 3 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

export { KNOWN_KEYS };
