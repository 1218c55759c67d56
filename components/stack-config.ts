/**
 * The stack's config, read and checked in one place: our namespace's keys, the region, which
 * keys are secret, the rules file. The program (program.ts) turns the result into StagingClone
 * args; nothing here declares a resource.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { hashRules, loadRules } from "../sanitize/rules";
import { CONFIG_NAMESPACE, parseStagingConfig, StagingConfigError, type StagingConfig } from "./config";

export interface ProgramOptions {
  /** Defaults to pulumi.runtime.allConfig(): `{"aurora-staging:team": "...", "aws:region": "..."}`. */
  allConfig?: Record<string, string>;
  /** Our keys set with `--secret` (without the namespace). Default: what the Pulumi runtime says. */
  secretKeys?: string[];
  /** Picks the maxCloneAgeDays window. Default: the current time. */
  now?: Date;
  /** Relative rulesFile paths resolve against this. Default: the project directory. */
  baseDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Splits Pulumi's flat config into our namespace's raw values and the AWS region. */
export function readStackConfig(
  all: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): { raw: Record<string, unknown>; region?: string } {
  const raw: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [k, v] of Object.entries(all)) {
    if (k.startsWith(prefix)) raw[k.slice(prefix.length)] = v;
  }
  // Same order the AWS provider uses: stack config, then the environment.
  const region = all["aws:region"] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return { raw, region: region || undefined };
}

/** Config keys whose values the program keeps secret: the key itself, and hook commands (always secret). */
const SECRET_CAPABLE_KEYS = ["maskingKey", "postCloneCommands"];

/**
 * Which of our keys the stack set with `--secret`. The SDK's own answer (`isConfigSecret`,
 * exported by @pulumi/pulumi/runtime/config in the pinned 3.248 though marked internal; the
 * program tests pin it), so the program can refuse what it can't keep secret.
 */
export function secretConfigKeys(raw: Record<string, unknown>): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
  if (typeof runtimeConfig.isConfigSecret !== "function") {
    throw new Error("aurora-staging: this @pulumi/pulumi has no runtime isConfigSecret; the program can't tell secret config apart (pinned: 3.248.0)");
  }
  return Object.keys(raw).filter((k) => runtimeConfig.isConfigSecret!(`${CONFIG_NAMESPACE}:${k}`));
}

/**
 * Secret config stays secret: a secret value of any key other than maskingKey and
 * postCloneCommands would land in plain resource inputs (names, tags, rules) and the state, so
 * it is refused; a masking key in plain text (committed in Pulumi.<stack>.yaml) is refused too.
 */
export function checkSecretConfig(raw: Record<string, unknown>, secretKeys: string[]): void {
  const problems: string[] = [];
  for (const k of secretKeys) {
    if (!SECRET_CAPABLE_KEYS.includes(k)) {
      problems.push(
        `${CONFIG_NAMESPACE}:${k}: is set as a secret, but its value would end up in plain resource inputs and the Pulumi state; ` +
          `only ${SECRET_CAPABLE_KEYS.join(" and ")} can be kept secret. Set it without --secret (value not shown)`,
      );
    }
  }
  if (raw.maskingKey !== undefined && !secretKeys.includes("maskingKey")) {
    problems.push(
      `${CONFIG_NAMESPACE}:maskingKey: is stored in plain text in the stack config (value not shown); set it as a secret: ` +
        "`pulumi config set --secret aurora-staging:maskingKey <value>`, or remove it to let the stack generate one",
    );
  }
  if (problems.length > 0) throw new StagingConfigError(problems);
}

/** Reads the rules YAML; a missing file is a config error naming the key. */
export function readRules(config: StagingConfig, baseDir: string): string {
  const file = path.resolve(baseDir, config.rulesFile);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new StagingConfigError([
      `${CONFIG_NAMESPACE}:rulesFile: "${config.rulesFile}" can't be read (${code} at ${file}); point it at a rules YAML file, ` +
        "e.g. `pulumi config set aurora-staging:rulesFile sanitize/default-rules.yaml`",
    ]);
  }
}

/**
 * The rules' hash (what the sanitizer records): part of the clone generation, so new rules
 * sanitize a fresh clone. Invalid rules fail here, at preview, before anything is declared.
 */
export function rulesHashOf(config: StagingConfig, text: string): string {
  try {
    return hashRules(loadRules(text, config.rulesFile));
  } catch (e) {
    throw new StagingConfigError([`${CONFIG_NAMESPACE}:rulesFile: "${config.rulesFile}" is not valid rules: ${(e as Error).message}`]);
  }
}


export interface LoadedStack {
  config: StagingConfig;
  /** Rules YAML text, when sanitizing. */
  rules?: string;
  /** The rules' hash (what the sanitizer records), when sanitizing. */
  rulesHash?: string;
}

/** Reads and checks everything the stack config says, before any resource is declared. */
export function loadStack(options: ProgramOptions = {}): LoadedStack {
  const { raw, region } = readStackConfig(options.allConfig ?? pulumi.runtime.allConfig(), options.env);
  // Before parsing, so no message can echo a value the stack marked secret.
  checkSecretConfig(raw, options.secretKeys ?? secretConfigKeys(raw));
  const config = parseStagingConfig(raw, { region });
  const rules = config.sanitize ? readRules(config, options.baseDir ?? path.resolve(__dirname, "..")) : undefined;
  return { config, rules, rulesHash: rules !== undefined ? rulesHashOf(config, rules) : undefined };
}
