/**
 * The dynamic provider behind the `Sanitization` resource.
 *
 * Pulumi serializes this object (and every function it reaches) into the stack state as
 * JavaScript text, and the engine's provider host later runs that text with plain `node`, in
 * whatever working directory the engine has, possibly long after this file has changed:
 * `check`, `diff`, `create` and `update` run the NEW serialized code (from the program being
 * deployed), `read` and `delete` the OLD one (from state). Hence the rules of this file:
 *   - no value imports at module level (only `import type`): a captured module object does not
 *     serialize, least of all under vitest's module transform;
 *   - `require(...)` inside the functions, and the sanitizer is the COMPILED library
 *     (`dist/sanitize/index.js`), found at run time from the `sanitizerHome` input the program
 *     recorded (its own project directory), see loadSanitizer();
 *   - no `this`, no captured resources or secrets: helpers are plain module-level functions;
 *   - `delete` and `read` touch nothing, so they can't fail a destroy or a refresh.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Redactor } from "../../sanitize/core/redact";
import type { CheckResult, ClusterRunReport, ClusterSanitizeOptions, ConnectionTarget, EngineName, Rules } from "../../sanitize/core/types";
import type { describeIssues, maskingKeySchema, SanitizeOptionsConfig, sanitizeOptionsSchema } from "../../sanitize/options";

/** The placeholder the engine sends for values not known yet (during preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Tunables of a run; all optional. The shared option schema (sanitize/options) declares them,
 * their limits and messages; `check` validates with it. `connectHost`/`connectPort` connect
 * through an SSM port forward while `forbiddenHosts` is still compared with the real `host`.
 */
export type SanitizationOptions = SanitizeOptionsConfig;

/** The resource's inputs, as the provider sees them (resolved, secrets unwrapped). */
export interface SanitizationInputs {
  host: string;
  port: number;
  engine: EngineName;
  database: string;
  username: string;
  password: string;
  rules: string;
  /** Filled in by `check` from `rules`: SHA-256 of the normalised rules. */
  rulesHash?: string;
  maskingKey: string;
  forbiddenHosts: string[];
  options?: SanitizationOptions;
  /** The physical cluster's resource id: a new one (a recreated clone) replaces the resource, so it runs again. */
  clusterResourceId?: string;
  /** The least-privilege application user published once everything is verified (both or neither). */
  appUserName?: string;
  appUserPassword?: string;
  /**
   * The directory holding dist/sanitize/index.js, recorded by the program from its own files
   * (components/sanitization/locate.ts). Not compared by `diff`: a checkout elsewhere is no change.
   */
  sanitizerHome?: string;
  /** Filled in by `check`: the version of the sanitizer it loaded (see sanitizerVersion()). */
  sanitizerVersion?: string;
}

/**
 * What is stored as the resource's outputs. Deliberately no password, no masking key, no
 * rules text and no data values: names, counts, hashes and pass/fail only.
 */
export interface SanitizationState {
  host: string;
  port: number;
  engine: EngineName;
  database: string;
  username: string;
  forbiddenHosts: string[];
  options: SanitizationOptions;
  rulesHash: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** Rows changed per table by this run (0 for tables a previous run had completed). */
  rowsPerTable: Record<string, number>;
  checks: { name: string; passed: boolean }[];
  verified: boolean;
  /** True when a previous run with the same rules had already finished: nothing was written. */
  alreadyDone: boolean;
  /** True when this run picked up a killed run's work. */
  resumed: boolean;
  clusterResourceId?: string;
  /** The application user's name (never its password). */
  appUserName?: string;
  /** Every database of the cluster and what was done to it. */
  databases: { database: string; action: string; verified?: boolean }[];
  /** What was done to the cluster itself (logins locked, jobs disabled...): names and counts. */
  steps: { name: string; detail: string }[];
  /** The sanitizer this run used: `<package.json version>+<sha256 prefix of dist/sanitize>`. */
  sanitizerVersion: string;
  /** The compiled sanitizer file this run loaded. */
  sanitizerPath: string;
  /** Set when this run used another sanitizer than the previous one: the version recorded before. */
  sanitizerChangedFrom?: string;
}

/** The part of the compiled sanitizer this provider uses. */
interface SanitizerModule {
  sanitizeCluster(options: ClusterSanitizeOptions): Promise<ClusterRunReport>;
  loadRules(text: string, source?: string): Rules;
  hashRules(rules: Rules): string;
  assertNotForbidden(target: ConnectionTarget, forbiddenHosts: readonly string[]): Promise<void>;
  sanitizeOptionsSchema: typeof sanitizeOptionsSchema;
  maskingKeySchema: typeof maskingKeySchema;
  describeIssues: typeof describeIssues;
  SANITIZE_OPTION_KEYS: readonly string[];
  MIN_MASKING_KEY_LENGTH: number;
  Redactor: typeof Redactor;
}

/** The exports loadSanitizer() insists on: a dist built before one of them existed is refused. */
const REQUIRED_EXPORTS = [
  "sanitizeCluster",
  "loadRules",
  "hashRules",
  "assertNotForbidden",
  "sanitizeOptionsSchema",
  "maskingKeySchema",
  "describeIssues",
  "SANITIZE_OPTION_KEYS",
  "MIN_MASKING_KEY_LENGTH",
  "Redactor",
];

/** The compiled sanitizer as loaded: the module, where it came from and which build it is. */
interface LoadedSanitizer {
  module: SanitizerModule;
  /** The dist/sanitize/index.js file that was required. */
  file: string;
  version: string;
}

/** Properties whose change means a different database: the resource is replaced. */
const REPLACE_KEYS = ["host", "port", "engine", "database", "clusterResourceId"] as const;

/**
 * Loads the compiled sanitizer (`<home>/dist/sanitize/index.js`). The engine's provider host
 * runs plain node (no TypeScript loader) in a working directory that need not be the project,
 * so the home comes, in this order, from:
 *   1. AURORA_STAGING_HOME, when set: the operator's explicit choice, used ALONE (a wrong one is
 *      an error, never silently replaced by another sanitizer);
 *   2. the `sanitizerHome` input: the program's own project directory, recorded when the
 *      program ran (components/sanitization/locate.ts);
 *   3. the provider host's working directory (the project directory under a plain `pulumi up`).
 * Nothing found: one error naming every path tried and how to fix it.
 */
function loadSanitizer(recordedHome?: unknown): LoadedSanitizer {
  const path = require("node:path") as typeof import("path");
  const fs = require("node:fs") as typeof import("fs");
  const override = process.env.AURORA_STAGING_HOME;
  const candidates: { home: string; why: string }[] = override
    ? [{ home: override, why: "AURORA_STAGING_HOME" }]
    : [
        ...(typeof recordedHome === "string" && recordedHome !== "" && !isUnknown(recordedHome)
          ? [{ home: recordedHome, why: "the program's project directory, input sanitizerHome" }]
          : []),
        { home: process.cwd(), why: "the provider host's working directory" },
      ];
  const tried: string[] = [];
  for (const c of candidates) {
    const home = path.resolve(c.home);
    const file = path.join(home, "dist", "sanitize", "index.js");
    if (tried.some((t) => t.startsWith(`${file} `))) continue;
    if (!fs.existsSync(file)) {
      tried.push(`${file} (${c.why})`);
      continue;
    }
    let module: SanitizerModule;
    try {
      module = require(file) as SanitizerModule;
    } catch (e) {
      throw new Error(
        `Sanitization: the compiled sanitizer ${file} (${c.why}) failed to load: ${(e as Error)?.message ?? String(e)}. ` +
          `Run \`npm ci\` in ${home} (dependencies and dist/), or \`npm run build\` after changing sanitize/.`,
      );
    }
    const missing = REQUIRED_EXPORTS.filter((k) => (module as unknown as Record<string, unknown>)[k] === undefined);
    if (missing.length)
      throw new Error(
        `Sanitization: the compiled sanitizer ${file} (${c.why}) is older than this provider: it lacks ${missing.join(", ")}. ` +
          `Run \`npm run build\` in ${home}.`,
      );
    return { module, file, version: sanitizerVersion(home) };
  }
  if (override)
    throw new Error(
      `Sanitization: the compiled sanitizer ${path.resolve(override, "dist", "sanitize", "index.js")} is missing ` +
        `(AURORA_STAGING_HOME=${override}, which is used alone when set). Run \`npm run build\` there, ` +
        `or point AURORA_STAGING_HOME at the project directory that holds dist/, or unset it.`,
    );
  throw new Error(
    `Sanitization: the compiled sanitizer is missing; tried ${tried.join("; ")}. Run \`npm ci\` (its prepare step builds dist/) ` +
      `or \`npm run build\` in the project directory, or set AURORA_STAGING_HOME to the directory that holds dist/.`,
  );
}

/**
 * Which sanitizer build is at `home`: `<package.json version>+<first 16 hex of a SHA-256 over
 * every .js and .json file of dist/sanitize (relative path and content, in path order)>`.
 * The content hash catches a rebuild from changed sources under the same package version; the
 * same sources built the same way give the same version on every machine and checkout.
 */
function sanitizerVersion(home: string): string {
  const path = require("node:path") as typeof import("path");
  const fs = require("node:fs") as typeof import("fs");
  const crypto = require("node:crypto") as typeof import("crypto");
  let version = "unversioned";
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(home, "package.json"), "utf8")) as { version?: unknown };
    if (typeof pkg.version === "string" && pkg.version !== "") version = pkg.version;
  } catch {
    // No readable package.json: the content hash alone tells builds apart.
  }
  const root = path.join(home, "dist", "sanitize");
  const hash = crypto.createHash("sha256");
  const walk = (rel: string): void => {
    const entries = fs
      .readdirSync(path.join(root, rel), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (/\.(js|json)$/.test(e.name)) {
        hash.update(`${child}\0`);
        hash.update(fs.readFileSync(path.join(root, child)));
        hash.update("\0");
      }
    }
  };
  walk("");
  return `${version}+${hash.digest("hex").slice(0, 16)}`;
}

function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v as Record<string, unknown>).some(containsUnknown);
  return false;
}

/** Problems with the inputs, as (property, reason) pairs; unknown values are skipped. */
function validateInputs(sanitizer: SanitizerModule, news: Record<string, unknown>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const known = (k: string) => news[k] !== undefined && !isUnknown(news[k]);
  const nonEmpty = (k: string, what: string) => {
    if (news[k] === undefined) failures.push({ property: k, reason: `${k} is required: ${what}.` });
    else if (known(k) && (typeof news[k] !== "string" || (news[k] as string).trim() === ""))
      failures.push({ property: k, reason: `${k} must be a non-empty string: ${what}.` });
  };
  nonEmpty("host", "the clone's writer endpoint");
  nonEmpty("database", "the database inside the clone to sanitize");
  nonEmpty("username", "the clone's master username");
  if (known("engine") && news.engine !== "postgres" && news.engine !== "mysql")
    failures.push({
      property: "engine",
      reason: `engine must be "postgres" or "mysql" (aurora-postgresql / aurora-mysql), got "${String(news.engine)}".`,
    });
  if (known("port")) {
    const p = Number(news.port);
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      failures.push({ property: "port", reason: `port must be an integer 1-65535, got ${String(news.port)}.` });
  }
  // The shared masking key schema; its messages never echo the key.
  if (known("maskingKey")) {
    const key = sanitizer.maskingKeySchema.safeParse(news.maskingKey);
    if (!key.success)
      failures.push({
        property: "maskingKey",
        reason:
          `${sanitizer.describeIssues(key.error, { where: "maskingKey" }).join("; ")}: the masking key must be a string of at least ` +
          `${sanitizer.MIN_MASKING_KEY_LENGTH} characters, e.g. made with \`openssl rand -hex 32\`.`,
      });
  }
  if (news.password === undefined)
    failures.push({ property: "password", reason: "password is required: the clone's master password (secret)." });
  if ((news.appUserName === undefined) !== (news.appUserPassword === undefined))
    failures.push({
      property: news.appUserName === undefined ? "appUserName" : "appUserPassword",
      reason: "appUserName and appUserPassword go together: give both (the published application user) or neither.",
    });
  if (known("appUserName") && (typeof news.appUserName !== "string" || !/^[a-z_][a-z0-9_]{0,31}$/.test(news.appUserName)))
    failures.push({
      property: "appUserName",
      reason: `appUserName must be 1-32 lowercase letters, digits or _ (not starting with a digit), got "${String(news.appUserName)}".`,
    });
  if (
    known("appUserPassword") &&
    (typeof news.appUserPassword !== "string" || news.appUserPassword.length < 16 || !/^[\x20-\x7e]+$/.test(news.appUserPassword))
  )
    failures.push({
      property: "appUserPassword",
      reason: "appUserPassword must be at least 16 printable ASCII characters (e.g. a random.RandomPassword with special: false).",
    });
  if (known("clusterResourceId") && (typeof news.clusterResourceId !== "string" || news.clusterResourceId.trim() === ""))
    failures.push({ property: "clusterResourceId", reason: "clusterResourceId must be the clone cluster's resource id (cluster-...)." });

  const fh = news.forbiddenHosts;
  if (fh !== undefined && !isUnknown(fh) && (!Array.isArray(fh) || fh.some((f) => typeof f !== "string")))
    failures.push({
      property: "forbiddenHosts",
      reason: "forbiddenHosts must be a list of host names (the source cluster's writer and reader endpoints).",
    });

  const o = news.options;
  if (o !== undefined && o !== null && !isUnknown(o)) {
    if (typeof o !== "object" || Array.isArray(o)) failures.push({ property: "options", reason: "options must be an object." });
    else failures.push(...validateOptions(sanitizer, o as Record<string, unknown>));
  }
  return failures;
}

/**
 * `options` through the shared schema (sanitize/options, from the compiled sanitizer), so the
 * resource, the stack config and the CLI accept exactly the same values with the same messages.
 * Values the engine doesn't know yet (preview) are left out; the update that knows them checks them.
 */
function validateOptions(sanitizer: SanitizerModule, o: Record<string, unknown>): { property: string; reason: string }[] {
  const known: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!isUnknown(v)) known[k] = v;
  const parsed = sanitizer.sanitizeOptionsSchema.safeParse(known);
  if (parsed.success) return [];
  const ctx = { where: "options", knownKeys: (p: readonly PropertyKey[]) => (p.length === 0 ? sanitizer.SANITIZE_OPTION_KEYS : undefined) };
  const property = (p: readonly PropertyKey[]) => ["options", ...p.map(String)].join(".");
  const failures: { property: string; reason: string }[] = [];
  for (const issue of parsed.error.issues) {
    // One issue at a time, so each line keeps its own property (an unknown-keys issue gives a line per key).
    const lines = sanitizer.describeIssues({ issues: [issue] } as unknown as Parameters<typeof describeIssues>[0], ctx);
    const props = issue.code === "unrecognized_keys" ? issue.keys.map((k) => property([...issue.path, k])) : [property(issue.path)];
    for (const [n, reason] of lines.entries()) failures.push({ property: props[n] ?? props[0], reason });
  }
  return failures;
}

/**
 * Refuses a forbidden (production) host BEFORE anything connects, with the sanitizer's own
 * `assertNotForbidden` (by name and by resolved address; entries `host`, `host:port`,
 * `host/db`, `host:port/db`). It is given the REAL endpoint (`host`/`port`), so it still
 * protects when the connection goes through a forwarded local port (`options.connectHost`);
 * `sanitize()` then checks the address it actually connects to as well.
 */
async function refuseForbiddenHost(
  sanitizer: SanitizerModule,
  inputs: Pick<SanitizationInputs, "engine" | "host" | "port" | "username" | "database" | "forbiddenHosts">,
): Promise<void> {
  try {
    await sanitizer.assertNotForbidden(
      { engine: inputs.engine, host: inputs.host, port: Number(inputs.port), user: inputs.username, database: inputs.database },
      inputs.forbiddenHosts || [],
    );
  } catch (e) {
    throw new Error(`Sanitization refused, nothing was written: ${(e as Error).message}`);
  }
}

/**
 * Runs the sanitizer against the clone and turns the report into state, or throws. `previous`
 * is the state before an update (its sanitizerVersion is reported when this run's differs).
 */
async function runSanitization(inputs: SanitizationInputs, previous?: Partial<SanitizationState>): Promise<SanitizationState> {
  const options: SanitizationOptions = inputs.options || {};
  const where = `database "${inputs.database}" on ${inputs.host}:${inputs.port}`;
  const loaded = loadSanitizer(inputs.sanitizerHome);
  const sanitizer = loaded.module;
  // Fail closed when the sanitizer changed after `check` validated the rules and options with
  // it (dist rebuilt during the update): nothing has been written yet, the next `pulumi up`
  // checks with the new one.
  if (typeof inputs.sanitizerVersion === "string" && !isUnknown(inputs.sanitizerVersion) && inputs.sanitizerVersion !== loaded.version)
    throw new Error(
      `Sanitization refused, nothing was written: the sanitizer changed after check validated the inputs with it ` +
        `(checked with ${inputs.sanitizerVersion}, ${loaded.file} is now ${loaded.version}). Run \`pulumi up\` again.`,
    );
  const redactor = new sanitizer.Redactor({ placeholder: "<secret>" });
  for (const secret of [inputs.password, inputs.maskingKey, inputs.appUserPassword]) redactor.add(secret);
  await refuseForbiddenHost(sanitizer, inputs);
  let report: ClusterRunReport;
  try {
    report = await sanitizer.sanitizeCluster({
      target: {
        engine: inputs.engine,
        host: options.connectHost || inputs.host,
        port: Number(options.connectPort || inputs.port),
        user: inputs.username,
        password: inputs.password,
        database: inputs.database,
        ssl: options.ssl || "require",
      },
      rules: inputs.rules,
      maskingKey: inputs.maskingKey,
      forbiddenHosts: inputs.forbiddenHosts || [],
      coverage: options.coverage,
      chunkSize: options.chunkSize,
      parallelism: options.parallelism,
      triggers: options.triggers,
      leakSampleSize: options.leakSampleSize,
      connect: { retryForMs: (options.connectRetrySeconds ?? 300) * 1000 },
      appUser: inputs.appUserName && inputs.appUserPassword ? { name: inputs.appUserName, password: inputs.appUserPassword } : undefined,
    });
  } catch (e) {
    const err = e as Error & { kind?: string };
    const via = options.connectHost ? ` (connecting through ${options.connectHost}:${options.connectPort || inputs.port})` : "";
    // The sanitizer's message already says where it tried and how to reach a private cluster;
    // add only how those knobs are spelled on this resource.
    const hint =
      err && err.kind === "connection"
        ? " On the Sanitization resource, connect.retryForMs is options.connectRetrySeconds; for an SSM port forward set " +
          "options.connectHost/connectPort to the forwarded local address and keep host the real writer endpoint."
        : "";
    throw new Error(redactor.scrub(`Sanitization of ${where}${via} failed: ${err?.message ? err.message : String(e)}${hint}`));
  }

  // The target's own database reports its tables and checks as before; the others' carry their name.
  const own = (db: string) => db === inputs.database;
  const allChecks: CheckResult[] = [
    ...report.databases.flatMap((d) =>
      d.report ? d.report.checks.map((c) => (own(d.database) ? c : { ...c, name: `${d.database}: ${c.name}` })) : [],
    ),
    ...report.checks,
  ];
  const runs = report.databases.flatMap((d) => (d.report ? [d.report] : []));
  const failed = allChecks.filter((c: CheckResult) => !c.passed);
  if (!report.verified || failed.length > 0) {
    const list = failed.length
      ? failed.map((c) => `${c.name} (${c.detail})`).join("; ")
      : "the run reported verified=false without a failed check";
    throw new Error(
      redactor.scrub(
        `Sanitization of ${where} FAILED verification (run ${report.runId}): failed check(s): ${list}. ` +
          `The clone is not published. Fix the rules (or the data) and run \`pulumi up\` again; the retry resumes from the progress record in the clone.`,
      ),
    );
  }

  const rowsPerTable: Record<string, number> = {};
  for (const d of report.databases) {
    for (const t of d.report ? d.report.tables : []) {
      const key = own(d.database) ? t.table : `${d.database}: ${t.table}`;
      rowsPerTable[key] = (rowsPerTable[key] || 0) + t.rows;
    }
  }
  return {
    host: inputs.host,
    port: Number(inputs.port),
    engine: inputs.engine,
    database: inputs.database,
    username: inputs.username,
    forbiddenHosts: inputs.forbiddenHosts || [],
    options,
    // The hash of the whole rules file (every database), as `check` computed it.
    rulesHash: inputs.rulesHash || sanitizer.hashRules(sanitizer.loadRules(inputs.rules, "rules")),
    runId: report.runId,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    rowsPerTable,
    checks: allChecks.map((c) => ({ name: c.name, passed: c.passed })),
    verified: report.verified,
    alreadyDone: runs.length > 0 && runs.every((r) => r.alreadyDone),
    resumed: runs.some((r) => r.resumed),
    ...(inputs.clusterResourceId ? { clusterResourceId: inputs.clusterResourceId } : {}),
    ...(inputs.appUserName ? { appUserName: inputs.appUserName } : {}),
    databases: report.databases.map((d) => ({
      database: d.database,
      action: d.action,
      ...(d.report ? { verified: d.report.verified } : {}),
    })),
    steps: report.steps.map((st) => ({ name: st.name, detail: st.detail })),
    sanitizerVersion: loaded.version,
    sanitizerPath: loaded.file,
    ...(typeof previous?.sanitizerVersion === "string" && previous.sanitizerVersion !== loaded.version
      ? { sanitizerChangedFrom: previous.sanitizerVersion }
      : {}),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort())
        if ((v as Record<string, unknown>)[k] !== undefined) out[k] = canon((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(canon(a ?? null)) === JSON.stringify(canon(b ?? null));
}

export const sanitizationProvider: pulumi.dynamic.ResourceProvider = {
  /** Validates the inputs and the rules (so bad rules fail `pulumi preview`), and adds `rulesHash`. */
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    // Throws when no sanitizer can be found (the message names every path tried).
    const loaded = loadSanitizer(news.sanitizerHome);
    const sanitizer = loaded.module;
    const failures = validateInputs(sanitizer, news);
    const inputs: Record<string, unknown> = { ...news };
    delete inputs.rulesHash; // always recomputed from the rules text
    // Always the sanitizer found now: `diff` compares it with the one recorded in state.
    inputs.sanitizerVersion = loaded.version;
    const home = news.sanitizerHome;
    if (home !== undefined && !isUnknown(home) && (typeof home !== "string" || home === ""))
      failures.push({
        property: "sanitizerHome",
        reason: "sanitizerHome must be the directory that holds dist/sanitize/index.js (the project directory).",
      });
    if (typeof news.rules === "string" && !isUnknown(news.rules)) {
      try {
        inputs.rulesHash = sanitizer.hashRules(sanitizer.loadRules(news.rules, "rules"));
      } catch (e) {
        const err = e as Error;
        failures.push({ property: "rules", reason: `rules are invalid: ${err?.message ? err.message : String(e)}` });
      }
    } else if (isUnknown(news.rules)) {
      inputs.rulesHash = UNKNOWN;
    } else {
      failures.push({
        property: "rules",
        reason: news.rules === undefined ? "rules is required: the rules YAML text." : "rules must be the rules YAML text (a string).",
      });
    }
    // Catch a production endpoint already at preview, when the endpoint is known.
    const endpointKnown = ["host", "port", "database", "username"].every((k) => news[k] !== undefined && !isUnknown(news[k]));
    const endpointValid = !failures.some((f) => ["host", "port", "database", "username", "forbiddenHosts"].includes(f.property));
    if (endpointKnown && endpointValid && Array.isArray(news.forbiddenHosts) && !containsUnknown(news.forbiddenHosts)) {
      try {
        await refuseForbiddenHost(sanitizer, news as unknown as SanitizationInputs);
      } catch (e) {
        failures.push({ property: "host", reason: `${(e as Error).message} Point host at the clone's writer endpoint.` });
      }
    }
    return { inputs, failures };
  },

  /**
   * Replace on a different database; update (re-run, usually a no-op) when rules, options or
   * forbidden hosts change, or when the sanitizer is another build than the one recorded in
   * state (the run re-verifies the clone with it and records it). `sanitizerHome` is not
   * compared: the same sanitizer checked out elsewhere is no change.
   */
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const replaces = REPLACE_KEYS.filter((k) =>
      isUnknown(news[k]) ? true : k === "port" ? Number(olds[k]) !== Number(news[k]) : olds[k] !== news[k],
    );
    const updates = ["rulesHash", "username", "options", "forbiddenHosts", "appUserName"].filter((k) =>
      containsUnknown(news[k]) ? true : !sameJson(olds[k], news[k]),
    );
    // A state written before versions were recorded has none: not a change by itself (it is
    // recorded at the next run), so upgrading this provider does not re-run every clone.
    const [was, now] = [olds.sanitizerVersion, news.sanitizerVersion];
    if (typeof was === "string" && typeof now === "string" && was !== now) updates.push("sanitizerVersion");
    // An old state without a passed verification (older provider code) is re-run too.
    const unverified = olds.verified !== true;
    return {
      changes: replaces.length > 0 || updates.length > 0 || unverified,
      replaces: [...replaces],
      deleteBeforeReplace: false,
    };
  },

  async create(inputs: SanitizationInputs) {
    const outs = await runSanitization(inputs);
    return { id: `${outs.engine}://${outs.host}:${outs.port}/${outs.database}`, outs };
  },

  async update(_id: string, olds: SanitizationState, news: SanitizationInputs) {
    return { outs: await runSanitization(news, olds) };
  },

  /** The state is what the last run reported; there is nothing to look up without the password. */
  async read(id: string, props: SanitizationState) {
    return { id, props };
  },

  /** Nothing to undo: the clone itself goes away. Must never fail a destroy. */
  async delete() {
    return;
  },
};
