/**
 * `Sanitization`: a dynamic-provider resource that runs the sanitizer against a new clone
 * inside `pulumi up`, and fails the update when verification fails. The clone component
 * makes everything that publishes the clone depend on it, so an unsanitized or unverified
 * clone is never published. Type token: `pulumi-nodejs:dynamic/aurora-staging:Sanitization`.
 *
 * The provider's code lives in ./sanitization/provider.ts (see the notes there on why it
 * only `require`s inside its methods and loads the compiled sanitizer from dist/). Where that
 * dist/ is, is decided HERE, on the program's side, from this file's own location (the project
 * root), and passed as the `sanitizerHome` input: the engine's provider host may run anywhere.
 */
import * as pulumi from "@pulumi/pulumi";
import { projectRoot } from "./sanitization/locate";
import { sanitizationProvider, type SanitizationOptions } from "./sanitization/provider";

export type { SanitizationOptions, SanitizationState, SanitizationInputs } from "./sanitization/provider";
export { sanitizationProvider } from "./sanitization/provider";

/** Module and type of the dynamic resource: `pulumi-nodejs:dynamic/<module>:<type>`. */
export const SANITIZATION_MODULE = "aurora-staging";
export const SANITIZATION_TYPE = "Sanitization";
export const SANITIZATION_TOKEN = `pulumi-nodejs:dynamic/${SANITIZATION_MODULE}:${SANITIZATION_TYPE}`;

export interface SanitizationArgs {
  /** The clone's writer endpoint. */
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  /** From aurora-postgresql / aurora-mysql. */
  engine: pulumi.Input<"postgres" | "mysql">;
  /** The database inside the cluster to sanitize. */
  database: pulumi.Input<string>;
  username: pulumi.Input<string>;
  /** Secret; stored only as a secret input, never in outputs. */
  password: pulumi.Input<string>;
  /** The rules YAML text. */
  rules: pulumi.Input<string>;
  /** Secret; stored only as a secret input, never in outputs. */
  maskingKey: pulumi.Input<string>;
  /** The source cluster's writer + reader endpoints: never written to. */
  forbiddenHosts: pulumi.Input<pulumi.Input<string>[]>;
  options?: pulumi.Input<SanitizationOptions>;
  /**
   * The clone's `clusterResourceId` (the physical cluster). A change replaces the resource,
   * so a clone deleted and re-created under the same identifier is sanitized again.
   */
  clusterResourceId?: pulumi.Input<string>;
  /** The least-privilege application user the sanitizer creates (contracts: appUserName). */
  appUserName?: pulumi.Input<string>;
  /** Secret. Its password. */
  appUserPassword?: pulumi.Input<string>;
  /**
   * The directory holding the compiled sanitizer (dist/sanitize/index.js). Default: this
   * project's root, found from this file's location, so the provider finds it whatever the
   * engine's working directory (Automation API, a CI checkout elsewhere). AURORA_STAGING_HOME,
   * when set where the provider runs, still overrides it.
   */
  sanitizerHome?: pulumi.Input<string>;
}

export class Sanitization extends pulumi.dynamic.Resource {
  // `declare`: with ES2022 class fields a plain field would overwrite the outputs the base
  // constructor sets.
  /** SHA-256 of the normalised rules the clone was sanitized with. */
  declare readonly rulesHash: pulumi.Output<string>;
  declare readonly runId: pulumi.Output<string>;
  declare readonly finishedAt: pulumi.Output<string>;
  /** Rows changed per table by the last run (0 where a previous run had done the work). */
  declare readonly rowsPerTable: pulumi.Output<Record<string, number>>;
  /** Verification checks, names and pass/fail only. */
  declare readonly checks: pulumi.Output<{ name: string; passed: boolean }[]>;
  /** Always true in state: a failed verification fails the create/update instead. */
  declare readonly verified: pulumi.Output<boolean>;
  /** The sanitizer build the last run used (`<version>+<dist hash>`); a different one re-runs the resource. */
  declare readonly sanitizerVersion: pulumi.Output<string>;
  /** Set by a run that used another sanitizer build than the previous run: the build recorded before. */
  declare readonly sanitizerChangedFrom: pulumi.Output<string | undefined>;

  constructor(name: string, args: SanitizationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sanitizationProvider,
      name,
      {
        host: args.host,
        port: args.port,
        engine: args.engine,
        database: args.database,
        username: args.username,
        password: pulumi.secret(args.password),
        rules: args.rules,
        maskingKey: pulumi.secret(args.maskingKey),
        forbiddenHosts: args.forbiddenHosts,
        options: args.options ?? {},
        // Only when given: a provider that predates them ignores inputs it doesn't know.
        ...(args.clusterResourceId !== undefined ? { clusterResourceId: args.clusterResourceId } : {}),
        ...(args.appUserName !== undefined ? { appUserName: args.appUserName } : {}),
        ...(args.appUserPassword !== undefined ? { appUserPassword: pulumi.secret(args.appUserPassword) } : {}),
        // Resolved here, where the program runs; the provider requires the sanitizer from it.
        sanitizerHome: args.sanitizerHome ?? projectRoot(),
        // Outputs, filled in by the provider (rulesHash already by `check`).
        rulesHash: undefined,
        runId: undefined,
        startedAt: undefined,
        finishedAt: undefined,
        rowsPerTable: undefined,
        checks: undefined,
        verified: undefined,
        alreadyDone: undefined,
        resumed: undefined,
        sanitizerVersion: undefined, // filled in by `check` (the build it found), then by the run
        sanitizerPath: undefined,
        sanitizerChangedFrom: undefined,
      },
      {
        ...opts,
        // Replacement keyed on the physical cluster by the engine itself, whatever the
        // provider's diff says (the provider replaces on it too).
        ...(args.clusterResourceId !== undefined ? { replacementTrigger: args.clusterResourceId } : {}),
        // Belt and braces: the provider never returns these, but if a future version did,
        // they must land in state encrypted.
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "password", "maskingKey", "appUserPassword"],
      },
      SANITIZATION_MODULE,
      SANITIZATION_TYPE,
    );
  }
}
