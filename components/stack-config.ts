/**
 * The stack's config, read the Pulumi way and checked in one place: our namespace's keys
 * (through pulumi.Config), the region (aws.config.region), which keys are secret, the rules
 * file. Every problem of all of these comes in ONE StagingConfigError. The program
 * (program.ts) turns the result into StagingClone args; nothing here declares a resource.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as awsConfig from "@pulumi/aws/config";
import { editDistance } from "../sanitize/core/closest";
import { hashRules, loadRules } from "../sanitize/rules";
import { SanitizeError } from "../sanitize/core/types";
import { checkStagingConfig, CONFIG_NAMESPACE, KNOWN_KEYS, StagingConfigError, type StagingConfig } from "./config";

export interface ProgramOptions {
  /**
   * For tests: the stack config to run with, `{"aurora-staging:team": "...", "aws:region": "..."}`;
   * it replaces the runtime's (pulumi.runtime.setAllConfig), with `secretKeys` marked secret.
   * Default: the config `pulumi up` hands the program.
   */
  allConfig?: Record<string, string>;
  /** Our keys set with `--secret` (without the namespace). Default: what the Pulumi runtime says. */
  secretKeys?: string[];
  /** Picks the maxCloneAgeDays window. Default: the current time. */
  now?: Date;
  /** Relative rulesFile paths resolve against this. Default: the project directory. */
  baseDir?: string;
}

/**
 * Our namespace's values, read through pulumi.Config, and the stack's region.
 *
 * Values are read as the text Pulumi holds (`get`): the typed getters (getNumber, getObject,
 * require...) throw at the first bad or missing value, and the schema reports every problem at
 * once instead, from the same text. pulumi.Config can't list keys, so the runtime's config is
 * used only to enumerate them (to find unknown keys too). The region is what the AWS provider
 * uses: `aws:region`, else AWS_REGION, else AWS_DEFAULT_REGION (aws.config.region).
 */
export function readStackConfig(): { raw: Record<string, unknown>; region?: string } {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const key of Object.keys(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = config.get(key.slice(prefix.length));
  }
  return { raw, region: awsConfig.region || undefined };
}

/** Namespaces of other packages (never near misses, even when a key name matches ours). */
const OTHER_NAMESPACES = ["aws", "pulumi", "random", "command", "pulumiservice", "tls", "kubernetes", "awsx", "eks"];

/**
 * Keys meant for us in a misspelt namespace (`aurora-stagin:refresh`, `aws-staging:team`),
 * which the program would otherwise ignore silently: a namespace within edit distance 2 of
 * ours, or one that looks like ours ("staging"/"aurora" in it) holding one of our key names.
 * Values are never shown (they may be secrets).
 */
export function misplacedKeyProblems(keys: readonly string[]): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    const colon = key.indexOf(":");
    const namespace = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (colon <= 0 || namespace === CONFIG_NAMESPACE || OTHER_NAMESPACES.includes(namespace)) continue;
    const near =
      editDistance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 2 ||
      (/staging|aurora/i.test(namespace) && (KNOWN_KEYS as string[]).includes(name));
    if (near) {
      problems.push(
        `${key}: is in namespace "${namespace}", which this program doesn't read (value not shown); did you mean ` +
          `\`${CONFIG_NAMESPACE}:${name}\`? e.g. \`pulumi config rm '${key}'\` and ` +
          `\`pulumi config set ${CONFIG_NAMESPACE}:${name} <value>\``,
      );
    }
  }
  return problems;
}

const NO_REGION =
  "aws:region: is not set, and neither is AWS_REGION nor AWS_DEFAULT_REGION; the clone is created in the source's region, " +
  "so name it, e.g. `pulumi config set aws:region eu-west-1`";

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
    throw new Error(
      "aurora-staging: this @pulumi/pulumi has no runtime isConfigSecret; the program can't tell secret config apart (pinned: 3.248.0)",
    );
  }
  return Object.keys(raw).filter((k) => runtimeConfig.isConfigSecret!(`${CONFIG_NAMESPACE}:${k}`));
}

/**
 * Secret config stays secret: a secret value of any key other than maskingKey and
 * postCloneCommands would land in plain resource inputs (names, tags, rules) and the state, so
 * it is refused; a masking key in plain text (committed in Pulumi.<stack>.yaml) is refused too.
 */
export function secretConfigProblems(raw: Record<string, unknown>, secretKeys: string[]): string[] {
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
  return problems;
}

/** secretConfigProblems, thrown. */
export function checkSecretConfig(raw: Record<string, unknown>, secretKeys: string[]): void {
  const problems = secretConfigProblems(raw, secretKeys);
  if (problems.length > 0) throw new StagingConfigError(problems);
}

interface RulesRead {
  text?: string;
  hash?: string;
  problems: string[];
}

/** Reads and checks the rules file (its content too: YAML, schema, transforms), collecting problems. */
function readAndCheckRules(rulesFile: string, baseDir: string): RulesRead {
  const file = path.resolve(baseDir, rulesFile);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    return {
      problems: [
        `${CONFIG_NAMESPACE}:rulesFile: "${rulesFile}" can't be read (${code} at ${file}); point it at a rules YAML file, ` +
          "e.g. `pulumi config set aurora-staging:rulesFile sanitize/default-rules.yaml`",
      ],
    };
  }
  const checked = checkRules(rulesFile, text);
  return { text, ...checked };
}

function checkRules(rulesFile: string, text: string): { hash?: string; problems: string[] } {
  try {
    return { hash: hashRules(loadRules(text, rulesFile)), problems: [] };
  } catch (e) {
    const found = e instanceof SanitizeError ? e.problems : [(e as Error).message];
    return { problems: found.map((p) => `${CONFIG_NAMESPACE}:rulesFile: "${rulesFile}" is not valid rules: ${p}`) };
  }
}

/** Reads the rules YAML; a missing file is a config error naming the key. */
export function readRules(config: Pick<StagingConfig, "rulesFile">, baseDir: string): string {
  const read = readAndCheckRules(config.rulesFile, baseDir);
  if (read.text === undefined) throw new StagingConfigError(read.problems);
  return read.text;
}

/**
 * The rules' hash (what the sanitizer records): part of the clone generation, so new rules
 * sanitize a fresh clone. Invalid rules fail here, at preview, before anything is declared.
 */
export function rulesHashOf(config: Pick<StagingConfig, "rulesFile">, text: string): string {
  const { hash, problems } = checkRules(config.rulesFile, text);
  if (hash === undefined) throw new StagingConfigError(problems);
  return hash;
}

export interface LoadedStack {
  config: StagingConfig;
  /** Rules YAML text, when sanitizing. */
  rules?: string;
  /** The rules' hash (what the sanitizer records), when sanitizing. */
  rulesHash?: string;
  /** The masking key as Pulumi keeps it (a secret Output), when the stack sets one. */
  maskingKey?: pulumi.Output<string>;
}

/**
 * Reads and checks everything the stack config says, before any resource is declared:
 * misspelt namespaces, the region, secret keys, every key, and the rules file and its
 * content. All problems are thrown together, once.
 */
export function loadStack(options: ProgramOptions = {}): LoadedStack {
  if (options.allConfig) {
    pulumi.runtime.setAllConfig(
      options.allConfig,
      (options.secretKeys ?? []).map((k) => `${CONFIG_NAMESPACE}:${k}`),
    );
  }
  const { raw, region } = readStackConfig();
  const problems = misplacedKeyProblems(Object.keys(pulumi.runtime.allConfig()));
  if (region === undefined) problems.push(NO_REGION);

  const secretKeys = options.secretKeys ?? secretConfigKeys(raw);
  problems.push(...secretConfigProblems(raw, secretKeys));
  // A secret value we'd refuse to keep is left out of the checks, so no message can echo it.
  const refused = secretKeys.filter((k) => !SECRET_CAPABLE_KEYS.includes(k));
  const checked = checkStagingConfig(Object.fromEntries(Object.entries(raw).filter(([k]) => !refused.includes(k))), { region });
  problems.push(
    ...checked.problems.filter((p) => !refused.some((k) => [":", ".", "["].some((end) => p.startsWith(`${CONFIG_NAMESPACE}:${k}${end}`)))),
  );

  // The rules are checked even when other keys have problems, so they come in the same report.
  const { sanitize, rulesFile } = checked.valid;
  const rules =
    sanitize && rulesFile !== undefined ? readAndCheckRules(rulesFile, options.baseDir ?? path.resolve(__dirname, "..")) : undefined;
  problems.push(...(rules?.problems ?? []));

  if (problems.length > 0 || !checked.config) throw new StagingConfigError(problems);
  const maskingKey = checked.valid.maskingKey !== undefined ? new pulumi.Config(CONFIG_NAMESPACE).getSecret("maskingKey") : undefined;
  return { config: checked.config, rules: rules?.text, rulesHash: rules?.hash, ...(maskingKey ? { maskingKey } : {}) };
}
