/**
 * Flags shared by plan / sanitize / verify / scan, and their translation into the library's
 * SanitizeOptions. Secrets are registered with the Io's redactor as soon as they are read.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { loadRules, parseDatabaseUrl } from "../index";
import { MASKING_KEY_ENV } from "../core/masking-key";
import { SanitizeError, type ConnectionTarget, type Rules, type SanitizeOptions } from "../core/types";
import { maskingKeySchema } from "../options";
import { parseForbiddenEntry } from "../safety";
import type { Io } from "./io";
import { readOptionFlags } from "./option-flags";
import { UsageError } from "./usage-error";

type Options = NonNullable<ParseArgsConfig["options"]>;

export const connectionOptions = {
  url: { type: "string" },
  "retry-for": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies Options;

export const rulesOptions = {
  rules: { type: "string" },
  "masking-key-file": { type: "string" },
  "masking-key": { type: "string" },
  forbid: { type: "string", multiple: true },
} satisfies Options;

/** plan / sanitize / cost: the coverage guard runs while planning, before any write (verify doesn't plan coverage). */
export const coverageOption = {
  coverage: { type: "string" },
} satisfies Options;

/** plan / sanitize / verify: the whole cluster (every database, logins, jobs), not only the URL's database. */
export const clusterOption = {
  cluster: { type: "boolean" },
} satisfies Options;

export const runOptions = {
  "chunk-size": { type: "string" },
  "leak-sample-size": { type: "string" },
  parallel: { type: "string" },
  triggers: { type: "string" },
} satisfies Options;

export interface CommonValues {
  url?: string;
  "retry-for"?: string;
  rules?: string;
  "masking-key-file"?: string;
  "masking-key"?: string;
  forbid?: string[];
  coverage?: string;
  "chunk-size"?: string;
  "leak-sample-size"?: string;
  parallel?: string;
  triggers?: string;
}

export const env = {
  url: "AURORA_STAGING_URL",
  maskingKey: MASKING_KEY_ENV,
  forbiddenHosts: "AURORA_STAGING_FORBIDDEN_HOSTS",
} as const;

/** The database to work on: `--url`, else $AURORA_STAGING_URL (keeps the URL out of `ps`). */
export function readTarget(values: CommonValues, io: Io): { target: ConnectionTarget; url: string } {
  const url = values.url ?? process.env[env.url];
  if (!url) throw new UsageError(`missing --url (or ${env.url}): the database to work on, e.g. postgres://user@host:5432/app`);
  let target: ConnectionTarget;
  try {
    target = parseDatabaseUrl(url);
  } catch (e) {
    // A malformed URL is a command-line mistake (exit 2), not a connection failure.
    if (e instanceof SanitizeError) throw new UsageError(`bad --url: ${e.problems.join("; ")}`);
    throw e;
  }
  io.redactor.add(target.password);
  // parseDatabaseUrl falls back to PGPASSWORD / MYSQL_PWD; those are secrets too.
  io.redactor.add(process.env.PGPASSWORD);
  io.redactor.add(process.env.MYSQL_PWD);
  return { target, url };
}

/** Loads and validates the rules file; errors carry `file:line`. */
export function readRules(values: CommonValues, opts: { required: true }): { rules: Rules; file: string };
export function readRules(values: CommonValues, opts: { required: false }): { rules?: Rules; file?: string };
export function readRules(values: CommonValues, opts: { required: boolean }): { rules?: Rules; file?: string } {
  const file = values.rules;
  if (!file) {
    if (opts.required) throw new UsageError("missing --rules FILE: the sanitization rules (start from sanitize/default-rules.yaml)");
    return {};
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read rules file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { rules: loadRules(text, file), file };
}

/** Where a masking key can come from; exactly one may be given. */
const KEY_SOURCES = ["--masking-key-file", `$${env.maskingKey}`, "--masking-key"] as const;

/**
 * The masking key, from exactly one of `--masking-key-file`, $AURORA_STAGING_MASKING_KEY and
 * `--masking-key` (warned: visible in `ps`). Two sources are a usage error naming both: one
 * silently winning would mask with a key the user didn't mean. Values are never shown.
 */
export function readMaskingKey(values: CommonValues, io: Io): string | undefined {
  // Registered before anything can fail, so no message can echo them.
  io.redactor.add(values["masking-key"]);
  io.redactor.add(process.env[env.maskingKey]);
  const given = {
    "--masking-key-file": values["masking-key-file"] !== undefined,
    // An empty variable counts as unset (as `export VAR=` in a CI template leaves it).
    [`$${env.maskingKey}`]: Boolean(process.env[env.maskingKey]),
    "--masking-key": values["masking-key"] !== undefined,
  };
  const sources = KEY_SOURCES.filter((s) => given[s]);
  if (sources.length > 1)
    throw new UsageError(
      `two masking keys given (${sources.join(" and ")}; values not shown): give exactly one, so the key used is the key you meant`,
    );
  let key: string | undefined;
  let source: string | undefined = sources[0];
  if (values["masking-key-file"] !== undefined) {
    const file = values["masking-key-file"];
    try {
      // One trailing newline is what `openssl rand -hex 32 > key` leaves; it is not part of the key.
      key = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new UsageError(`cannot read masking key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    io.redactor.add(key);
    if (!key) throw new UsageError(`masking key file ${file} is empty; create one with: openssl rand -hex 32 > ${file}`);
    source = `--masking-key-file ${file}`;
  } else if (process.env[env.maskingKey]) {
    key = process.env[env.maskingKey];
  } else if (values["masking-key"] !== undefined) {
    key = values["masking-key"];
    io.err("warning: --masking-key is visible to other users in `ps` and in shell history; prefer --masking-key-file or " + env.maskingKey);
  }
  if (key !== undefined) {
    const checked = maskingKeySchema.safeParse(key);
    if (!checked.success) throw new UsageError(`${source}: ${checked.error.issues[0].message}; make one with \`openssl rand -hex 32\``);
  }
  return key;
}

/**
 * `--forbid` (repeatable) plus $AURORA_STAGING_FORBIDDEN_HOSTS (comma separated). A malformed
 * entry is a command-line mistake (exit 2): every one is listed, naming where it came from.
 */
export function readForbiddenHosts(values: CommonValues): string[] {
  const entries = [
    ...(values.forbid ?? []).map((text) => ({ text, from: "--forbid" })),
    ...(process.env[env.forbiddenHosts] ?? "").split(",").map((text) => ({ text, from: `$${env.forbiddenHosts}` })),
  ].filter((e) => e.text.trim() !== "");
  const problems: string[] = [];
  for (const e of entries) {
    try {
      parseForbiddenEntry(e.text);
    } catch (err) {
      if (!(err instanceof SanitizeError)) throw err;
      problems.push(...err.problems.map((p) => `${e.from}: ${p}`));
    }
  }
  if (problems.length === 1) throw new UsageError(problems[0]);
  if (problems.length) throw new UsageError(`${problems.length} malformed forbidden hosts`, problems);
  return entries.map((e) => e.text.trim());
}

/** The flags' sanitize options, checked by the shared schema; every bad flag at once. */
function readFlags(values: CommonValues) {
  const { options, problems } = readOptionFlags(values);
  if (problems.length === 1) throw new UsageError(problems[0]);
  if (problems.length) throw new UsageError(`${problems.length} bad option values`, problems);
  return options;
}

export function readConnect(values: CommonValues): SanitizeOptions["connect"] {
  const seconds = readFlags({ "retry-for": values["retry-for"] }).connectRetrySeconds;
  return seconds === undefined ? undefined : { retryForMs: seconds * 1000 };
}

/**
 * Everything `sanitize`/`plan`/`verify`/`cost` need, from the flags and the environment. The
 * command-line problems (URL, flags, masking key, forbidden hosts) are reported together.
 */
export function readSanitizeOptions(values: CommonValues, io: Io): { options: SanitizeOptions; url: string; rulesFile: string } {
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      problems.push(...(e.problems.length ? e.problems : [e.message]));
      return undefined;
    }
  };
  const maskingKey = attempt(() => readMaskingKey(values, io));
  const read = attempt(() => readTarget(values, io));
  const flags = attempt(() => readFlags(values));
  const forbiddenHosts = attempt(() => readForbiddenHosts(values));
  if (problems.length === 1) throw new UsageError(problems[0]);
  if (problems.length) throw new UsageError(`${problems.length} problems with the command line; nothing was done`, problems);
  const { target, url } = read!;
  const { rules, file } = readRules(values, { required: true });
  const options: SanitizeOptions = {
    target,
    rules,
    maskingKey,
    forbiddenHosts,
    coverage: flags!.coverage,
    chunkSize: flags!.chunkSize,
    // The Pulumi config's leakSampleSize; at least 1, the leak check can't be switched off.
    leakSampleSize: flags!.leakSampleSize,
    parallelism: flags!.parallelism,
    triggers: flags!.triggers,
    connect: flags!.connectRetrySeconds === undefined ? undefined : { retryForMs: flags!.connectRetrySeconds * 1000 },
  };
  if (flags!.coverage === "off") io.err("warning: --coverage off: personal-looking columns without a rule will be copied as is");
  return { options, url, rulesFile: file };
}

/** The shipped default rules, found next to the sources or next to the built files. */
export function defaultRulesPath(): string {
  const candidates = [join(__dirname, "..", "default-rules.yaml"), join(__dirname, "..", "..", "..", "sanitize", "default-rules.yaml")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`default-rules.yaml not found (looked in ${candidates.join(", ")})`);
  return found;
}
