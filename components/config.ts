/**
 * The stack config, declared once as a zod schema: types, defaults, limits and messages.
 *
 * No Pulumi imports, so it can be tested directly and run before any resource is declared
 * (stack-config.ts reads the values through pulumi.Config). Every problem is collected and
 * reported in ONE error: a stack owner fixes their `Pulumi.<stack>.yaml` in one go instead of
 * one `pulumi up` per typo. Raw values may be Pulumi's text (numbers and booleans as text,
 * objects and lists as JSON) or already typed. Messages never echo the masking key or a hook.
 */
import { z } from "zod";
import { closest } from "../sanitize/core/closest";
import { LIMITS, maskingKeySchema, MIN_MASKING_KEY_LENGTH, sanitizeOptionsSchema, type NumericOption } from "../sanitize/options";
import {
  bad,
  bool,
  CONFIG_NAMESPACE,
  configProblems,
  isPlainObject,
  noDuplicates,
  num,
  numericText,
  quoted,
  requiredMessage,
  requiredText,
  structured,
  text,
} from "./config-fields";
import { cronProblem } from "./cron";

export { CONFIG_NAMESPACE };
export type { SanitizeOptionsConfig } from "../sanitize/options";

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
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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

/** RDS allows 50 tags per resource; ours (RESERVED_TAGS, and Name on the security group) count. */
export const MAX_TAGS_PER_RESOURCE = 50;
/** Tag keys and values: Unicode letters, digits, whitespace and _ . : / = + - @ (RDS's and EC2's rule). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const RDS_IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?!-))*$/;
const TEAM = /^(?=.{1,20}$)[a-z](?:[a-z0-9]|-(?!-))*(?<!-)$/;
const INSTANCE_CLASS = /^(?:db\.serverless|db\.[a-z0-9]+\.[a-z0-9]+)$/;
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
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const ARN_EXAMPLE = "arn:aws:rds:eu-west-1:123456789012:cluster:production-aurora";
const TAGS_EXAMPLE = '{"CostCenter": "1234"}';
const PARAMETERS_EXAMPLE = '{"work_mem": "65536"}';
const ROLES_EXAMPLE = '{"arn:aws:iam::123456789012:role/aurora-s3-import": "s3Import"}';
const HOOKS_EXAMPLE = '[{"name": "grant-readonly", "command": "psql -f grants.sql"}]';
const SCHEDULE_EXAMPLE = '{"cron": "0 3 * * *", "repoUrl": "https://github.com/acme/aurora-staging.git", "branch": "main"}';
const SERVERLESS_EXAMPLE = '{"minCapacity": 0.5, "maxCapacity": 4}';

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

/** The AWS partition a region belongs to (China, GovCloud, the isolated regions, else "aws"). */
export function partitionOf(region: string): string {
  const prefixes: [string, string][] = [
    ["cn-", "aws-cn"],
    ["us-gov-", "aws-us-gov"],
    ["us-isob-", "aws-iso-b"],
    ["us-iso-", "aws-iso"],
    ["eu-isoe-", "aws-iso-e"],
    ["us-isof-", "aws-iso-f"],
  ];
  return prefixes.find(([p]) => region.startsWith(p))?.[1] ?? "aws";
}

/** Where the clone comes from: a plain identifier, or an ARN (whose partition and region must be ours). */
export type SourceRef =
  | { kind: "identifier"; identifier: string }
  | { kind: "arn"; arn: string; partition: string; region: string; account: string; identifier: string };

const sourceCluster = requiredText("production-aurora").transform((value, ctx): SourceRef => {
  const refuse = (what: string, example: string) => {
    ctx.issues.push({ code: "custom", input: value, message: `${quoted(value)} ${what}; e.g. ${example}` });
    return z.NEVER;
  };
  if (!value.startsWith("arn:")) {
    const why = rdsIdentifierProblem(value);
    return why
      ? refuse(`${why}; give the source cluster's identifier or ARN`, "production-aurora")
      : { kind: "identifier", identifier: value };
  }
  const m = ARN.exec(value);
  if (!m) return refuse("is not an RDS cluster ARN", ARN_EXAMPLE);
  const [, partition, region, account, identifier] = m;
  const why = rdsIdentifierProblem(identifier);
  if (why) return refuse(`names cluster "${identifier}", which ${why}`, ARN_EXAMPLE);
  if (partitionOf(region) !== partition) {
    return refuse(
      `is not a valid ARN: region ${region} is in partition ${partitionOf(region)}, not ${partition}`,
      `arn:${partitionOf(region)}:rds:${region}:${account}:cluster:${identifier}`,
    );
  }
  return { kind: "arn", arn: value, partition, region, account, identifier };
});

/** ACUs: steps of 0.5. */
const acu = (min: number, example: string) =>
  num(min, 256, example).refine((v) => Number.isInteger(v * 2), bad("must be a multiple of 0.5 ACU", example));

const serverlessScaling = z
  .strictObject({
    /** ACUs, steps of 0.5; 0 enables auto-pause (engine versions permitting). */
    minCapacity: acu(0, "0.5"),
    maxCapacity: acu(1, "4"),
    /** Only with minCapacity 0: idle seconds before pausing (300..86400). */
    secondsUntilAutoPause: num(300, 86_400, "3600", { whole: true }).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.minCapacity > s.maxCapacity) {
      ctx.addIssue({
        code: "custom",
        path: ["minCapacity"],
        input: s.minCapacity,
        message: `${quoted(String(s.minCapacity))} must not exceed maxCapacity (${s.maxCapacity}); e.g. ${Math.min(0.5, s.maxCapacity)}`,
      });
    }
    if (s.secondsUntilAutoPause !== undefined && s.minCapacity !== 0) {
      const example = '{"minCapacity": 0, "maxCapacity": 4, "secondsUntilAutoPause": 3600}';
      ctx.addIssue({
        code: "custom",
        path: ["secondsUntilAutoPause"],
        input: s.secondsUntilAutoPause,
        message: `"${s.secondsUntilAutoPause}" only applies with minCapacity 0 (auto-pause); e.g. ${example}`,
      });
    }
  });

function securityGroups() {
  const item = z.string().regex(SECURITY_GROUP, bad('must be "sg-" followed by 8 or 17 lowercase hex characters', "sg-0123456789abcdef0"));
  return structured("strings", '["sg-0123456789abcdef0"]', z.array(item).superRefine(noDuplicates("security group"))).default([]);
}

/** IPv4/IPv6 CIDR blocks. The runner's may not be a whole address space (the clone is unsanitized then). */
function cidrs(o: { runner: boolean }) {
  const example = "203.0.113.10/32";
  const item = z
    .string()
    .refine((c) => IPV4_CIDR.test(c) || IPV6_CIDR.test(c), { ...bad("is not an IPv4 or IPv6 CIDR block", example), abort: true })
    .refine(
      (c) => !o.runner || !c.endsWith("/0"),
      bad("admits every address, so the unsanitized clone would not be quarantined; name the machine running `pulumi up`", example),
    );
  return structured("strings", `["${example}"]`, z.array(item).superRefine(noDuplicates("CIDR block"))).default([]);
}

/** name -> value (numbers and booleans as text); the logging parameters are ours. */
function parameters() {
  const name = z
    .string()
    .regex(PARAMETER_NAME, bad("is not a parameter name", PARAMETERS_EXAMPLE))
    .refine((n) => !(LOGGING_PARAMETERS as readonly string[]).includes(n), {
      error:
        "is set by aurora-staging itself: statement and parameter logging stay off on a clone so the masking key's pads and original " +
        `values never reach the server's logs (reserved: ${LOGGING_PARAMETERS.join(", ")}); remove it`,
    });
  const value = z
    .union([z.string(), z.number(), z.boolean()], bad("must be a string, number or boolean", PARAMETERS_EXAMPLE))
    .transform(String);
  return structured("map", PARAMETERS_EXAMPLE, z.record(name, value)).default({});
}

const tagKey = z
  .string()
  .refine((k) => !(RESERVED_TAGS as readonly string[]).includes(k), {
    ...bad(`is set by aurora-staging itself (reserved: ${RESERVED_TAGS.join(", ")}); use another tag name`, TAGS_EXAMPLE),
    abort: true,
  })
  .refine((k) => k.length >= 1 && k.length <= 128 && !/^(aws|rds):/i.test(k), {
    ...bad('tag keys must be 1-128 characters and not start with "aws:" (nor "rds:")', TAGS_EXAMPLE),
    abort: true,
  })
  .regex(TAG_CHARACTERS, bad("tag keys may only hold Unicode letters, digits, spaces and _ . : / = + - @", TAGS_EXAMPLE));
const tagValue = z
  .string(bad("tag values must be strings of at most 256 characters", TAGS_EXAMPLE))
  .max(256, { ...bad("tag values must be strings of at most 256 characters", TAGS_EXAMPLE), abort: true })
  .regex(TAG_CHARACTERS, bad("tag values may only hold Unicode letters, digits, spaces and _ . : / = + - @", TAGS_EXAMPLE));
const tags = structured(
  "map",
  TAGS_EXAMPLE,
  z.record(tagKey, tagValue).superRefine((t, ctx) => {
    // Every resource also carries RESERVED_TAGS; the security group Name as well.
    const ours = RESERVED_TAGS.length + ("Name" in t ? 0 : 1);
    const total = Object.keys(t).length + ours;
    if (total > MAX_TAGS_PER_RESOURCE) {
      ctx.addIssue({
        code: "custom",
        input: t,
        message:
          `has ${Object.keys(t).length} tags; with the ${ours} aurora-staging sets (${RESERVED_TAGS.join(", ")}, Name) ` +
          "a resource would carry " +
          `${total}, and AWS allows ${MAX_TAGS_PER_RESOURCE}; remove ${total - MAX_TAGS_PER_RESOURCE}`,
      });
    }
  }),
).default({});

const postCloneCommand = z.strictObject(
  {
    /** Used in the Pulumi resource name: lowercase letters, digits, hyphens. */
    name: requiredText("grant-readonly").regex(
      HOOK_NAME,
      bad("must be 1-40 lowercase letters, digits or hyphens, starting with a letter", "grant-readonly"),
    ),
    /** Shell command; the clone's connection details arrive in its environment only. Never shown (may carry a token). */
    command: z
      .string({
        error: (iss) =>
          iss.input === undefined ? requiredMessage("'psql -f grants.sql'") : "must be a string (value not shown); e.g. psql -f grants.sql",
      })
      .refine((v) => v.trim() !== "", { error: "must not be empty; e.g. psql -f grants.sql" }),
  },
  {
    error: (iss) =>
      iss.code === "invalid_type"
        ? `must be an object with name and command, got ${Array.isArray(iss.input) ? "a list" : typeof iss.input}; ` +
          'e.g. {"name": "grant-readonly", "command": "psql -f grants.sql"}'
        : undefined,
  },
);
const postCloneCommands = structured(
  "list",
  HOOKS_EXAMPLE,
  z.array(postCloneCommand).superRefine((hooks, ctx) => {
    const seen = new Set<string>();
    hooks.forEach(({ name }, i) => {
      if (seen.has(name)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          input: name,
          message: `"${name}" is used by another post-clone command; names must be unique; e.g. ${name}-2`,
        });
      }
      seen.add(name);
    });
  }),
).default([]);

/** Pulumi Deployments: the stack's own deployment settings and a `pulumi up` schedule (components/schedule.ts). */
const scheduleObject = z.strictObject({
  /** Five-field cron, UTC, e.g. "0 3 * * *". */
  cron: requiredText("'0 3 * * *'")
    .superRefine((cron, ctx) => {
      const why = cronProblem(cron);
      if (why)
        ctx.addIssue({
          code: "custom",
          input: cron,
          message: `${quoted(cron)} is not a cron expression: ${why}; e.g. "0 3 * * *" (03:00 UTC daily)`,
        });
    })
    .transform((cron) => cron.trim()),
  /** The git repository Pulumi Deployments checks the project out of. */
  repoUrl: requiredText("https://github.com/acme/aurora-staging.git").regex(
    /^(https:\/\/|git@)[^\s]+$/,
    bad("must be an https:// or git@ repository URL", "https://github.com/acme/aurora-staging.git"),
  ),
  branch: text("main")
    .regex(/^[A-Za-z0-9._/-]{1,255}$/, bad("is not a git branch name", "main"))
    .default("main"),
  /** The project's folder inside the repository. */
  repoDir: text("infra/aurora-staging")
    .refine(
      (d) => !d.startsWith("/") && !d.split("/").includes(".."),
      bad("must be a relative folder inside the repository", "infra/aurora-staging"),
    )
    .optional(),
  /** AWS credentials through Pulumi's OIDC issuer: the role the deployment assumes. */
  awsRoleArn: text("arn:aws:iam::123456789012:role/pulumi-deployments")
    .regex(ROLE_ARN, bad("is not an IAM role ARN", "arn:aws:iam::123456789012:role/pulumi-deployments"))
    .optional(),
  /** A self-hosted agent pool (in the VPC, so the runner reaches the clone). */
  agentPoolId: text("a1b2c3d4-0000-1111-2222-333344445555")
    .regex(/^[A-Za-z0-9-]{1,64}$/, bad("is not an agent pool id", "a1b2c3d4-0000-1111-2222-333344445555"))
    .optional(),
});
const schedule = z.preprocess(
  (v, ctx) => {
    // A bare cron: the deployment also needs to know where the project's code is.
    if (typeof v === "string" && !v.trim().startsWith("{")) {
      ctx.issues.push({
        code: "custom",
        input: v,
        message: `must be an object: a deployment needs the cron and the repository it checks out, e.g. ${SCHEDULE_EXAMPLE}`,
      });
      return z.NEVER;
    }
    return v;
  },
  structured("object", SCHEDULE_EXAMPLE, scheduleObject),
);

const stableHostname = z.strictObject({
  zoneId: requiredText("Z0123456789ABCDEFGHIJ").regex(ZONE_ID, bad("is not a Route 53 hosted zone id", "Z0123456789ABCDEFGHIJ")),
  name: requiredText("payments.staging.example.com")
    .refine(
      (name) => {
        const labels = name.replace(/\.$/, "").split(".");
        return name.length <= 253 && labels.length >= 2 && labels.every((l) => DNS_LABEL.test(l));
      },
      bad("must be a lowercase DNS name inside the hosted zone", "payments.staging.example.com"),
    )
    .transform((name) => name.replace(/\.$/, "")),
});

/** The masking key (a secret): a string, never an object's or a list's JSON text; its value is never shown. */
const maskingKey = z
  .string({ error: "must be a string (value not shown); set it with `pulumi config set --secret aurora-staging:maskingKey <value>`" })
  .refine((v) => !isJsonStructure(v), {
    error:
      "is an object or a list in the stack config, not a string (value not shown); " +
      "set it with `pulumi config set --secret aurora-staging:maskingKey <value>`",
    abort: true,
  })
  .pipe(maskingKeySchema);

/** Pulumi hands objects and lists over as JSON text: such a text is not a key someone meant. */
function isJsonStructure(v: string): boolean {
  if (!/^\s*[[{]/.test(v)) return false;
  try {
    return typeof JSON.parse(v) === "object";
  } catch {
    return false;
  }
}

/** sanitizeOptions: the shared schema (sanitize/options), numbers also as text. */
const sanitizeOptions = structured(
  "object",
  '{"coverage": "personal", "chunkSize": 50000, "parallelism": 2}',
  z.preprocess(
    (o) => (isPlainObject(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, numericText(v)])) : o),
    sanitizeOptionsSchema,
  ),
).default({});

/** The shared schema words its messages for every front end; the stack config's read `"<value>" ...; e.g.`. */
function sanitizeOptionMessage(issue: z.core.$ZodIssue): string | undefined {
  const key = String(issue.path[0]);
  const value = quoted(issue.input);
  if (issue.code === "invalid_value") return `${value} must be one of ${issue.values.join(", ")}; e.g. ${String(issue.values[0])}`;
  if (key in LIMITS && (issue.code === "too_small" || issue.code === "too_big" || issue.code === "invalid_type")) {
    const { min, max, example } = LIMITS[key as NumericOption];
    const whole = issue.code === "invalid_type" && issue.expected === "int";
    return `${value} must be a ${whole ? "whole " : ""}number from ${min} to ${max}; e.g. ${example}`;
  }
  if (issue.code === "invalid_format") return `${value} ${issue.message}`;
  return undefined;
}

/** The shared schemas' messages, worded for the stack config. */
const RENDER: Record<string, (issue: z.core.$ZodIssue) => string | undefined> = {
  sanitizeOptions: sanitizeOptionMessage,
  maskingKey: (issue) =>
    issue.code === "too_small"
      ? `${issue.message}; set a longer one with \`pulumi config set --secret aurora-staging:maskingKey <at least ` +
        `${MIN_MASKING_KEY_LENGTH} random characters>\`, or remove it to let the stack generate one`
      : undefined,
};

/** Every key of the stack config, in the order problems are reported. */
const fields = {
  team: requiredText("payments").regex(
    TEAM,
    bad("must be 1-20 lowercase letters, digits or single hyphens, starting with a letter", "payments"),
  ),
  sourceCluster,
  /** Any change to this value builds a new clone on the next `pulumi up`. */
  refresh: text("2026-11-27")
    .regex(REFRESH, bad("must be 1-64 letters, digits or . _ : + = @ / - (e.g. a date), starting with a letter or digit", "2026-11-27"))
    .default(DEFAULT_REFRESH),
  maxCloneAgeDays: num(1, 365, "7", { whole: true }).optional(),
  /** Default: `<team>-staging`. */
  clusterIdentifierPrefix: text("payments-staging")
    .superRefine((prefix, ctx) => {
      const why = rdsIdentifierProblem(prefix, MAX_IDENTIFIER_PREFIX_LENGTH);
      const room = '(the cluster identifier is "<prefix>-<8-char generation>" and instances add "-<n>", and RDS allows 63 characters)';
      if (why) ctx.addIssue({ code: "custom", input: prefix, message: `${quoted(prefix)} ${why} ${room}; e.g. payments-staging` });
    })
    .optional(),
  instanceClass: text(DEFAULT_INSTANCE_CLASS)
    .regex(INSTANCE_CLASS, bad("must look like db.<family>.<size> or be db.serverless", "db.r6g.large"))
    .default(DEFAULT_INSTANCE_CLASS),
  instanceCount: num(1, MAX_INSTANCE_COUNT, "2", { whole: true }).default(1),
  /** Defaulted for db.serverless; only for db.serverless. */
  serverless: structured("object", SERVERLESS_EXAMPLE, serverlessScaling).optional(),
  subnetGroupName: text("staging-private")
    .regex(SUBNET_GROUP, bad("must be 1-255 letters, digits, spaces, periods, underscores or hyphens", "staging-private"))
    .optional(),
  /** The VPC of the clone's security group; default: the subnet group's VPC. */
  vpcId: text("vpc-0123456789abcdef0")
    .regex(VPC, bad('must be "vpc-" followed by 8 or 17 lowercase hex characters', "vpc-0123456789abcdef0"))
    .optional(),
  /** Admitted from creation on (the sanitizer and the hooks run from here). */
  runnerCidrs: cidrs({ runner: true }),
  runnerSecurityGroupIds: securityGroups(),
  /** Admitted only once the clone is sanitized, verified and hooked. */
  allowFrom: structured(
    "object",
    '{"securityGroupIds": ["sg-0123456789abcdef0"], "cidrs": ["10.20.0.0/16"]}',
    z.strictObject({ securityGroupIds: securityGroups(), cidrs: cidrs({ runner: false }) }),
  ).default({ securityGroupIds: [], cidrs: [] }),
  /** Extra parameters for the staging-owned groups (never the logging ones). */
  clusterParameters: parameters(),
  instanceParameters: parameters(),
  /** CloudWatch log exports of the clone; default none. */
  logExports: structured(
    "strings",
    '["postgresql"]',
    z
      .array(z.string().regex(LOG_EXPORT, bad("is not a CloudWatch log export type", '["postgresql"] or ["error"]')))
      .superRefine(noDuplicates("log type")),
  ).default([]),
  logRetentionDays: num(1, 3653, "7", { whole: true })
    .refine(
      (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
      bad(`must be a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`, "7"),
    )
    .default(DEFAULT_LOG_RETENTION_DAYS),
  /** Associate the source's IAM roles with the clone (after verification). */
  carryIamRoles: bool().default(false),
  /** Role ARN -> feature name (Aurora PostgreSQL needs one per role, e.g. s3Import). */
  iamRoleFeatures: structured(
    "map",
    ROLES_EXAMPLE,
    z.record(
      z.string().regex(ROLE_ARN, bad("is not an IAM role ARN", ROLES_EXAMPLE)),
      z.string(bad("is not a feature name", ROLES_EXAMPLE)).regex(FEATURE_NAME, bad("is not a feature name", ROLES_EXAMPLE)),
    ),
  ).default({}),
  /** The least-privilege user the sanitizer creates and the connection secret publishes. */
  appUserName: text(DEFAULT_APP_USER)
    .regex(APP_USER, bad("must be 1-32 lowercase letters, digits or _, starting with a letter or _", DEFAULT_APP_USER))
    .default(DEFAULT_APP_USER),
  /** Only accepted when equal to the source's version (checked against the source). */
  engineVersion: text("16.4").regex(ENGINE_VERSION, bad("is not an engine version", "16.4 or 8.0.mysql_aurora.3.08.0")).optional(),
  tags,
  database: text("app").regex(DATABASE, bad("must be 1-63 letters, digits, _, $ or -, starting with a letter or _", "app")).optional(),
  sanitize: bool().default(true),
  rulesFile: text(DEFAULT_RULES_FILE)
    .refine((f) => f.trim() !== "", bad("must be a path to a rules YAML file", DEFAULT_RULES_FILE))
    .default(DEFAULT_RULES_FILE),
  /** Secret; undefined means "generate a stack-stable key". */
  maskingKey: maskingKey.optional(),
  sanitizeOptions,
  postCloneCommands,
  stableHostname: structured(
    "object",
    '{"zoneId": "Z0123456789ABCDEFGHIJ", "name": "payments.staging.example.com"}',
    stableHostname,
  ).optional(),
  connectionSecretName: text("staging/payments/aurora")
    .regex(SECRET_NAME, bad("must be 1-512 letters, digits or / _ + = . @ -", "staging/payments/aurora"))
    .optional(),
  clusterQuota: num(1, 1000, "40", { whole: true }).default(DEFAULT_CLUSTER_QUOTA),
  schedule: schedule.optional(),
};

/** The stack config's schema (each key checked on its own, then the checks across keys in checkStagingConfig). */
export const stackConfigSchema = z.object(fields);
type Fields = z.output<typeof stackConfigSchema>;

export const KNOWN_KEYS = Object.keys(fields) as (keyof Fields)[];

/** Keys earlier versions accepted, each with what replaced it. */
const REMOVED_KEYS: Record<string, string> = {
  // Fail closed: attached groups admit whatever their rules admit, from the clone's first
  // minute, i.e. before it is sanitized. Team access now waits for verification.
  securityGroupIds:
    "is no longer supported: the clone gets its own security group and, until it is sanitized and verified, admits only the machine " +
    `running \`pulumi up\`. Remove the key; list the clients' security groups or CIDRs in ${CONFIG_NAMESPACE}:allowFrom (admitted after ` +
    `verification) and the runner's in ${CONFIG_NAMESPACE}:runnerCidrs / runnerSecurityGroupIds, e.g. ` +
    `\`pulumi config set --path '${CONFIG_NAMESPACE}:allowFrom.securityGroupIds[0]' sg-0123456789abcdef0\``,
};
/** The order problems are reported in: the schema's, with removed keys where they used to be. */
const CHECK_ORDER = [
  ...KNOWN_KEYS.slice(0, KNOWN_KEYS.indexOf("vpcId")),
  "securityGroupIds",
  ...KNOWN_KEYS.slice(KNOWN_KEYS.indexOf("vpcId")),
];

export type ServerlessScaling = z.output<typeof serverlessScaling>;
export type PostCloneCommand = z.output<typeof postCloneCommand>;
export type ScheduleConfig = z.output<typeof scheduleObject>;
/** Who may connect to the clone (on its port), beyond the machine running `pulumi up`. */
export type AllowFrom = Fields["allowFrom"];
export type StableHostname = z.output<typeof stableHostname>;

/**
 * The checked config. No `maskingKey`: it is validated here, but travels only as the secret
 * Output the program reads with `pulumi.Config.getSecret` (stack-config.ts), never as a plain
 * string in this object.
 */
export type StagingConfig = Omit<Fields, "sourceCluster" | "clusterIdentifierPrefix" | "maskingKey"> & {
  source: SourceRef;
  clusterIdentifierPrefix: string;
  /** The stack's AWS region (`aws:region`), when known. */
  region?: string;
};

/** Thrown with every problem found; `problems` are the individual lines. */
export class StagingConfigError extends Error {
  /**
   * `subject` says where the values came from: the stack config (default) or, for a program
   * declaring StagingClone itself, the component's args (named by the config key they match).
   */
  constructor(
    readonly problems: string[],
    subject = "aurora-staging stack config has {n} (fix them in Pulumi.<stack>.yaml or with `pulumi config set`)",
  ) {
    const n = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    super(`${subject.replace("{n}", n)}:\n  - ${problems.join("\n  - ")}`);
    this.name = "StagingConfigError";
  }
}

export interface CheckedConfig {
  /** Present when there are no problems. */
  config?: StagingConfig;
  problems: string[];
  /** The keys that are valid on their own (defaults filled), for checks that go on despite problems (the rules file). */
  valid: Partial<Fields>;
}

/** Checks the whole config, collecting every problem (nothing thrown). */
export function checkStagingConfig(raw: Record<string, unknown>, context: { region?: string } = {}): CheckedConfig {
  const problems: string[] = [];
  const given = (key: string) => raw[key] !== undefined && raw[key] !== null;

  for (const key of Object.keys(raw)) {
    if (!CHECK_ORDER.includes(key)) {
      const hint = closest(key, KNOWN_KEYS, 3);
      problems.push(
        `${CONFIG_NAMESPACE}:${key}: unknown config key${hint ? `; did you mean \`${CONFIG_NAMESPACE}:${hint}\`?` : ""} ` +
          `(known keys: ${KNOWN_KEYS.join(", ")})`,
      );
    }
  }

  const region = context.region;
  if (region !== undefined && !REGION.test(region)) {
    problems.push(`aws:region: "${region}" is not an AWS region name; e.g. \`pulumi config set aws:region eu-west-1\``);
  }

  const valid: Record<string, unknown> = {};
  for (const key of CHECK_ORDER) {
    if (key in REMOVED_KEYS) {
      if (given(key)) problems.push(`${CONFIG_NAMESPACE}:${key}: ${REMOVED_KEYS[key]}`);
      continue;
    }
    const schema = fields[key as keyof Fields];
    const result = schema.safeParse(given(key) ? raw[key] : undefined, { reportInput: true });
    if (result.success) valid[key] = result.data;
    else problems.push(...configProblems(result.error, key, schema, RENDER[key]));
  }
  const v = valid as Partial<Fields>;

  // Across keys: each check runs when the keys it reads are valid.
  const source = v.sourceCluster;
  if (source?.kind === "arn" && region !== undefined && REGION.test(region)) {
    if (source.partition !== partitionOf(region)) {
      problems.push(
        `${CONFIG_NAMESPACE}:sourceCluster: "${source.arn}" is in partition ${source.partition}, but the stack deploys to ${region} ` +
          `(partition ${partitionOf(region)}, aws:region); a copy-on-write clone stays in its source's account and region, so pick a ` +
          `source in ${region}; e.g. arn:${partitionOf(region)}:rds:${region}:${source.account}:cluster:<name>`,
      );
    } else if (source.region !== region) {
      problems.push(
        `${CONFIG_NAMESPACE}:sourceCluster: "${source.arn}" is in region ${source.region} but the stack deploys to ${region} ` +
          "(aws:region); copy-on-write clones stay in the source's region, so set " +
          `\`pulumi config set aws:region ${source.region}\` or pick a source in ` +
          `${region}; e.g. arn:${source.partition}:rds:${region}:${source.account}:cluster:<name>`,
      );
    }
  }
  if (given("serverless") && v.instanceClass !== undefined && v.instanceClass !== "db.serverless") {
    problems.push(
      `${CONFIG_NAMESPACE}:serverless: is set but ${CONFIG_NAMESPACE}:instanceClass is "${v.instanceClass}", a provisioned class, where ` +
        "scaling in ACUs has no effect; set instanceClass to db.serverless or remove serverless, e.g. " +
        `\`pulumi config set ${CONFIG_NAMESPACE}:instanceClass db.serverless\``,
    );
  }
  if (given("iamRoleFeatures") && v.carryIamRoles === false) {
    problems.push(
      `${CONFIG_NAMESPACE}:iamRoleFeatures: is set but ${CONFIG_NAMESPACE}:carryIamRoles is not true; remove it or set carryIamRoles: true`,
    );
  }
  if (v.sanitize === false && given("sanitizeOptions")) {
    problems.push(
      `${CONFIG_NAMESPACE}:sanitizeOptions: is set but ${CONFIG_NAMESPACE}:sanitize is false; ` +
        "remove sanitizeOptions or enable sanitization",
    );
  }
  if (v.sanitize === false && v.connectionSecretName !== undefined) {
    problems.push(
      `${CONFIG_NAMESPACE}:connectionSecretName: needs ${CONFIG_NAMESPACE}:sanitize: ` +
        "the secret publishes the application user, which the " +
        "sanitizer creates (the master user is never published); enable sanitization or remove connectionSecretName",
    );
  }

  if (problems.length > 0) return { problems, valid: v };
  const { sourceCluster: _source, clusterIdentifierPrefix, serverless, maskingKey: _key, ...rest } = v as Fields;
  const config: StagingConfig = {
    ...rest,
    source: source!,
    clusterIdentifierPrefix: clusterIdentifierPrefix ?? `${rest.team}-staging`,
    ...(serverless !== undefined
      ? { serverless }
      : rest.instanceClass === "db.serverless"
        ? { serverless: { ...DEFAULT_SERVERLESS } }
        : {}),
    region,
  };
  return { config, problems, valid: v };
}

/** Reads and validates the whole config; throws StagingConfigError listing every problem. */
export function parseStagingConfig(raw: Record<string, unknown>, context: { region?: string } = {}): StagingConfig {
  const { config, problems } = checkStagingConfig(raw, context);
  if (!config) throw new StagingConfigError(problems);
  return config;
}
