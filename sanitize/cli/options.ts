/**
 * Flags shared by plan / sanitize / verify / scan, and their translation into the library's
 * SanitizeOptions. Secrets are registered with the Io's redactor as soon as they are read.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { loadRules, parseDatabaseUrl } from "../index";
import { MASKING_KEY_ENV } from "../core/masking-key";
import { SanitizeError, type ConnectionTarget, type CoverageMode, type Rules, type SanitizeOptions } from "../core/types";
import type { Io } from "./io";
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

/** `--masking-key-file`, else $AURORA_STAGING_MASKING_KEY, else `--masking-key` (warned: visible in `ps`). */
export function readMaskingKey(values: CommonValues, io: Io): string | undefined {
  let key: string | undefined;
  if (values["masking-key-file"]) {
    const file = values["masking-key-file"];
    try {
      // One trailing newline is what `openssl rand -hex 32 > key` leaves; it is not part of the key.
      key = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      throw new UsageError(`cannot read masking key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!key) throw new UsageError(`masking key file ${file} is empty; create one with: openssl rand -hex 32 > ${file}`);
  } else if (process.env[env.maskingKey]) {
    key = process.env[env.maskingKey];
  } else if (values["masking-key"] !== undefined) {
    key = values["masking-key"];
    io.err("warning: --masking-key is visible to other users in `ps` and in shell history; prefer --masking-key-file or " + env.maskingKey);
  }
  io.redactor.add(key);
  io.redactor.add(values["masking-key"]);
  return key;
}

/** `--forbid` (repeatable) plus $AURORA_STAGING_FORBIDDEN_HOSTS (comma separated). */
export function readForbiddenHosts(values: CommonValues): string[] {
  const fromEnv = (process.env[env.forbiddenHosts] ?? "").split(",");
  return [...(values.forbid ?? []), ...fromEnv].map((h) => h.trim()).filter(Boolean);
}

function positiveInt(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${flag} must be a whole number between 1 and ${max} (got "${value}")`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
  return value as T;
}

export function readConnect(values: CommonValues): SanitizeOptions["connect"] {
  const seconds = positiveInt("retry-for", values["retry-for"], 3600);
  return seconds === undefined ? undefined : { retryForMs: seconds * 1000 };
}

/** Everything `sanitize`/`plan`/`verify` need, from the flags and the environment. */
export function readSanitizeOptions(values: CommonValues, io: Io): { options: SanitizeOptions; url: string; rulesFile: string } {
  const { target, url } = readTarget(values, io);
  const { rules, file } = readRules(values, { required: true });
  const coverage = oneOf<CoverageMode>("coverage", values.coverage, ["personal", "strict", "off"]);
  const options: SanitizeOptions = {
    target,
    rules,
    maskingKey: readMaskingKey(values, io),
    forbiddenHosts: readForbiddenHosts(values),
    coverage,
    chunkSize: positiveInt("chunk-size", values["chunk-size"], 10_000_000),
    // The Pulumi config's leakSampleSize; at least 1, the leak check can't be switched off.
    leakSampleSize: positiveInt("leak-sample-size", values["leak-sample-size"], 1_000_000),
    parallelism: positiveInt("parallel", values.parallel, 64),
    triggers: oneOf("triggers", values.triggers, ["fire", "disable"] as const),
    connect: readConnect(values),
  };
  if (coverage === "off") io.err("warning: --coverage off: personal-looking columns without a rule will be copied as is");
  return { options, url, rulesFile: file };
}

/** The shipped default rules, found next to the sources or next to the built files. */
export function defaultRulesPath(): string {
  const candidates = [join(__dirname, "..", "default-rules.yaml"), join(__dirname, "..", "..", "..", "sanitize", "default-rules.yaml")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`default-rules.yaml not found (looked in ${candidates.join(", ")})`);
  return found;
}
