/**
 * The dynamic provider behind the `Sanitization` resource.
 *
 * Pulumi serializes this object (and every function it reaches) into the stack state as
 * JavaScript text, and the engine's provider host later runs that text with plain `node`, in
 * the project directory, possibly long after this file has changed: `check`, `diff`, `create`
 * and `update` run the NEW serialized code (from the program being deployed), `read` and
 * `delete` the OLD one (from state). Hence the rules of this file:
 *   - no value imports at module level (only `import type`): a captured module object does not
 *     serialize, least of all under vitest's module transform;
 *   - `require(...)` inside the functions, and the sanitizer is the COMPILED library
 *     (`dist/sanitize/index.js`) resolved from the project directory at run time;
 *   - no `this`, no captured resources or secrets: helpers are plain module-level functions;
 *   - `delete` and `read` touch nothing, so they can't fail a destroy or a refresh.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CheckResult, ClusterRunReport, ClusterSanitizeOptions, ConnectionTarget, CoverageMode, EngineName, Rules } from "../../sanitize/core/types";

/** The placeholder the engine sends for values not known yet (during preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Tunables of a run; all optional. */
export interface SanitizationOptions {
  /** Coverage guard of the sanitizer: "personal" (default), "strict" or "off". */
  coverage?: CoverageMode;
  /** Rows per chunk (one transaction each). */
  chunkSize?: number;
  /** Tables processed at once. */
  parallelism?: number;
  /** Fire triggers (default) or disable them during the run (PostgreSQL only). */
  triggers?: "fire" | "disable";
  /** How long to keep retrying while the clone's instance boots. Default 300 s. */
  connectRetrySeconds?: number;
  /** TLS towards the clone. Default "require". */
  ssl?: "disable" | "require" | "verify-full";
  /** Connect here instead of `host` (e.g. 127.0.0.1 of an SSM port forward). `forbiddenHosts` is still compared with the real `host`. */
  connectHost?: string;
  /** Connect to this port instead of `port` (SSM port forward). */
  connectPort?: number;
  /** Original values sampled per masked column for the leak check. */
  leakSampleSize?: number;
}

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
}

/** The part of the compiled sanitizer this provider uses. */
interface SanitizerModule {
  sanitizeCluster(options: ClusterSanitizeOptions): Promise<ClusterRunReport>;
  loadRules(text: string, source?: string): Rules;
  hashRules(rules: Rules): string;
  assertNotForbidden(target: ConnectionTarget, forbiddenHosts: readonly string[]): Promise<void>;
}

/** Properties whose change means a different database: the resource is replaced. */
const REPLACE_KEYS = ["host", "port", "engine", "database", "clusterResourceId"] as const;

/**
 * Loads the compiled sanitizer from the project directory. The engine's provider host runs
 * plain node (no TypeScript loader) with the project directory as cwd; AURORA_STAGING_HOME
 * overrides it (e.g. when `pulumi` runs from elsewhere).
 */
function loadSanitizer(): SanitizerModule {
  const path = require("path") as typeof import("path");
  const home = process.env.AURORA_STAGING_HOME || process.cwd();
  const file = path.resolve(home, "dist", "sanitize", "index.js");
  try {
    return require(file) as SanitizerModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes(file)) {
      throw new Error(
        `Sanitization: the compiled sanitizer ${file} is missing. Run \`npm ci\` (its prepare step builds dist/) ` +
          `or \`npm run build\` in the project directory, or set AURORA_STAGING_HOME to the directory that holds dist/.`,
      );
    }
    throw e;
  }
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

/** Replaces every occurrence of a secret in a message, so errors can be shown and logged. */
function scrub(message: string, secrets: unknown[]): string {
  let out = message;
  for (const s of secrets) {
    if (typeof s === "string" && s.length >= 4) out = out.split(s).join("<secret>");
  }
  return out;
}

/** Problems with the inputs, as (property, reason) pairs; unknown values are skipped. */
function validateInputs(news: Record<string, unknown>): { property: string; reason: string }[] {
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
    failures.push({ property: "engine", reason: `engine must be "postgres" or "mysql" (aurora-postgresql / aurora-mysql), got "${String(news.engine)}".` });
  if (known("port")) {
    const p = Number(news.port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) failures.push({ property: "port", reason: `port must be an integer 1-65535, got ${String(news.port)}.` });
  }
  // Never echo the key or password: only say what is wrong with it.
  if (known("maskingKey") && (typeof news.maskingKey !== "string" || news.maskingKey.length < 16))
    failures.push({ property: "maskingKey", reason: "maskingKey must be a string of at least 16 characters (set it with `pulumi config set --secret maskingKey ...`)." });
  if (news.password === undefined) failures.push({ property: "password", reason: "password is required: the clone's master password (secret)." });
  if ((news.appUserName === undefined) !== (news.appUserPassword === undefined))
    failures.push({ property: news.appUserName === undefined ? "appUserName" : "appUserPassword", reason: "appUserName and appUserPassword go together: give both (the published application user) or neither." });
  if (known("appUserName") && (typeof news.appUserName !== "string" || !/^[a-z_][a-z0-9_]{0,31}$/.test(news.appUserName)))
    failures.push({ property: "appUserName", reason: `appUserName must be 1-32 lowercase letters, digits or _ (not starting with a digit), got "${String(news.appUserName)}".` });
  if (known("appUserPassword") && (typeof news.appUserPassword !== "string" || news.appUserPassword.length < 16 || !/^[\x20-\x7e]+$/.test(news.appUserPassword)))
    failures.push({ property: "appUserPassword", reason: "appUserPassword must be at least 16 printable ASCII characters (e.g. a random.RandomPassword with special: false)." });
  if (known("clusterResourceId") && (typeof news.clusterResourceId !== "string" || news.clusterResourceId.trim() === ""))
    failures.push({ property: "clusterResourceId", reason: "clusterResourceId must be the clone cluster's resource id (cluster-...)." });

  const fh = news.forbiddenHosts;
  if (fh !== undefined && !isUnknown(fh) && (!Array.isArray(fh) || fh.some((f) => typeof f !== "string")))
    failures.push({ property: "forbiddenHosts", reason: "forbiddenHosts must be a list of host names (the source cluster's writer and reader endpoints)." });

  const o = news.options;
  if (o !== undefined && o !== null && !isUnknown(o)) {
    if (typeof o !== "object" || Array.isArray(o)) failures.push({ property: "options", reason: "options must be an object." });
    else failures.push(...validateOptions(o as Record<string, unknown>));
  }
  return failures;
}

function validateOptions(o: Record<string, unknown>): { property: string; reason: string }[] {
  const failures: { property: string; reason: string }[] = [];
  const allowed = ["coverage", "chunkSize", "parallelism", "triggers", "connectRetrySeconds", "ssl", "connectHost", "connectPort", "leakSampleSize"];
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) failures.push({ property: `options.${k}`, reason: `options.${k} is not a known option; known: ${allowed.join(", ")}.` });
  }
  const oneOf = (k: string, values: string[]) => {
    if (o[k] !== undefined && !isUnknown(o[k]) && !values.includes(o[k] as string))
      failures.push({ property: `options.${k}`, reason: `options.${k} must be one of ${values.map((v) => `"${v}"`).join(", ")}, got "${String(o[k])}".` });
  };
  const positiveInt = (k: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (o[k] === undefined || isUnknown(o[k])) return;
    const n = Number(o[k]);
    if (typeof o[k] !== "number" || !Number.isInteger(n) || n < min || n > max)
      failures.push({ property: `options.${k}`, reason: `options.${k} must be an integer ${min}-${max}, got ${String(o[k])}.` });
  };
  oneOf("coverage", ["personal", "strict", "off"]);
  oneOf("triggers", ["fire", "disable"]);
  oneOf("ssl", ["disable", "require", "verify-full"]);
  positiveInt("chunkSize", 1);
  positiveInt("parallelism", 1, 64);
  positiveInt("connectRetrySeconds", 0, 3600);
  positiveInt("connectPort", 1, 65535);
  positiveInt("leakSampleSize", 1, 1_000_000);
  if (o.connectHost !== undefined && !isUnknown(o.connectHost) && (typeof o.connectHost !== "string" || o.connectHost.trim() === ""))
    failures.push({ property: "options.connectHost", reason: "options.connectHost must be a non-empty host name (e.g. 127.0.0.1 for an SSM port forward)." });
  return failures;
}

/**
 * Refuses a forbidden (production) host BEFORE anything connects, with the sanitizer's own
 * `assertNotForbidden` (by name and by resolved address; entries `host`, `host:port`,
 * `host/db`, `host:port/db`). It is given the REAL endpoint (`host`/`port`), so it still
 * protects when the connection goes through a forwarded local port (`options.connectHost`);
 * `sanitize()` then checks the address it actually connects to as well.
 */
async function refuseForbiddenHost(sanitizer: SanitizerModule, inputs: SanitizationInputs): Promise<void> {
  try {
    await sanitizer.assertNotForbidden(
      { engine: inputs.engine, host: inputs.host, port: Number(inputs.port), user: inputs.username, database: inputs.database },
      inputs.forbiddenHosts || [],
    );
  } catch (e) {
    throw new Error(`Sanitization refused, nothing was written: ${(e as Error).message}`);
  }
}

/** Runs the sanitizer against the clone and turns the report into state, or throws. */
async function runSanitization(inputs: SanitizationInputs): Promise<SanitizationState> {
  const secrets = [inputs.password, inputs.maskingKey, inputs.appUserPassword];
  const options: SanitizationOptions = inputs.options || {};
  const where = `database "${inputs.database}" on ${inputs.host}:${inputs.port}`;
  const sanitizer = loadSanitizer();
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
    throw new Error(scrub(`Sanitization of ${where}${via} failed: ${err && err.message ? err.message : String(e)}${hint}`, secrets));
  }

  // The target's own database reports its tables and checks as before; the others' carry their name.
  const own = (db: string) => db === inputs.database;
  const allChecks: CheckResult[] = [
    ...report.databases.flatMap((d) => (d.report ? d.report.checks.map((c) => (own(d.database) ? c : { ...c, name: `${d.database}: ${c.name}` })) : [])),
    ...report.checks,
  ];
  const runs = report.databases.flatMap((d) => (d.report ? [d.report] : []));
  const failed = allChecks.filter((c: CheckResult) => !c.passed);
  if (!report.verified || failed.length > 0) {
    const list = failed.length ? failed.map((c) => `${c.name} (${c.detail})`).join("; ") : "the run reported verified=false without a failed check";
    throw new Error(
      scrub(
        `Sanitization of ${where} FAILED verification (run ${report.runId}): failed check(s): ${list}. ` +
          `The clone is not published. Fix the rules (or the data) and run \`pulumi up\` again; the retry resumes from the progress record in the clone.`,
        secrets,
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
    databases: report.databases.map((d) => ({ database: d.database, action: d.action, ...(d.report ? { verified: d.report.verified } : {}) })),
    steps: report.steps.map((st) => ({ name: st.name, detail: st.detail })),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = canon((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(canon(a ?? null)) === JSON.stringify(canon(b ?? null));
}

export const sanitizationProvider: pulumi.dynamic.ResourceProvider = {
  /** Validates the inputs and the rules (so bad rules fail `pulumi preview`), and adds `rulesHash`. */
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    const failures = validateInputs(news);
    const inputs: Record<string, unknown> = { ...news };
    delete inputs.rulesHash; // always recomputed from the rules text
    const sanitizer = loadSanitizer();
    if (typeof news.rules === "string" && !isUnknown(news.rules)) {
      try {
        inputs.rulesHash = sanitizer.hashRules(sanitizer.loadRules(news.rules, "rules"));
      } catch (e) {
        const err = e as Error;
        failures.push({ property: "rules", reason: `rules are invalid: ${err && err.message ? err.message : String(e)}` });
      }
    } else if (isUnknown(news.rules)) {
      inputs.rulesHash = UNKNOWN;
    } else {
      failures.push({ property: "rules", reason: news.rules === undefined ? "rules is required: the rules YAML text." : "rules must be the rules YAML text (a string)." });
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

  /** Replace on a different database; update (re-run, usually a no-op) when rules, options or forbidden hosts change. */
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const replaces = REPLACE_KEYS.filter((k) =>
      isUnknown(news[k]) ? true : k === "port" ? Number(olds[k]) !== Number(news[k]) : olds[k] !== news[k],
    );
    const updates = ["rulesHash", "username", "options", "forbiddenHosts", "appUserName"].filter((k) =>
      containsUnknown(news[k]) ? true : !sameJson(olds[k], news[k]),
    );
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

  async update(_id: string, _olds: SanitizationState, news: SanitizationInputs) {
    return { outs: await runSanitization(news) };
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
