/**
 * The Pulumi program behind index.ts, a thin adapter: stack config -> StagingClone args ->
 * stack outputs. The config and the rules file are read and checked before anything is
 * declared; the component then looks the source up and checks it (all problems at once), and
 * the program waits for that, so every problem shows at `pulumi preview` as the program's
 * error and none leaves half a stack behind.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { StagingConfig } from "./config";
import { estimatedMonthlyCost } from "./cost";
import { declareSchedule } from "./schedule";
import { loadStack, type ProgramOptions } from "./stack-config";
import { StagingClone, type StagingCloneArgs } from "./staging-clone";

/** The component's args for a stack's config (the keys are the same; the source as the stack wrote it). */
export function cloneArgs(
  config: StagingConfig,
  rules: string | undefined,
  now?: Date,
  maskingKey?: pulumi.Input<string>,
): StagingCloneArgs {
  return {
    team: config.team,
    sourceCluster: config.source.kind === "arn" ? config.source.arn : config.source.identifier,
    refresh: config.refresh,
    maxCloneAgeDays: config.maxCloneAgeDays,
    clusterIdentifierPrefix: config.clusterIdentifierPrefix,
    instanceClass: config.instanceClass,
    instanceCount: config.instanceCount,
    serverless: config.serverless,
    subnetGroupName: config.subnetGroupName,
    vpcId: config.vpcId,
    runnerCidrs: config.runnerCidrs,
    runnerSecurityGroupIds: config.runnerSecurityGroupIds,
    allowFrom: config.allowFrom,
    clusterParameters: config.clusterParameters,
    instanceParameters: config.instanceParameters,
    logExports: config.logExports,
    logRetentionDays: config.logRetentionDays,
    carryIamRoles: config.carryIamRoles,
    // Only with carryIamRoles (the check refuses features without it; config.ts gave {} then).
    iamRoleFeatures: config.carryIamRoles ? config.iamRoleFeatures : undefined,
    appUserName: config.appUserName,
    engineVersion: config.engineVersion,
    tags: config.tags,
    database: config.database,
    sanitize: config.sanitize,
    rules,
    // The stack's secret config (getSecret): it never travels as a plain string.
    maskingKey,
    // Only when sanitizing: the component checks its args as stack config, which refuses options without sanitize.
    sanitizeOptions: config.sanitize ? config.sanitizeOptions : undefined,
    postCloneCommands: config.postCloneCommands,
    stableHostname: config.stableHostname,
    connectionSecretName: config.connectionSecretName,
    clusterQuota: config.clusterQuota,
    now,
  };
}

export async function stagingProgram(options: ProgramOptions = {}): Promise<Record<string, unknown>> {
  const { config, rules, maskingKey } = loadStack(options);
  const clone = new StagingClone("staging", cloneArgs(config, rules, options.now, maskingKey));
  // The source lookup and plan run inside the component: their problems fail the program here.
  const { plan, source } = await clone.declared();

  const schedule = config.schedule ? declareSchedule(config.schedule) : undefined;

  return {
    clusterIdentifier: clone.clusterIdentifier,
    writerEndpoint: clone.writerEndpoint,
    readerEndpoint: clone.readerEndpoint,
    port: clone.port,
    database: plan.database,
    engine: plan.engine,
    engineVersion: clone.engineVersion,
    masterUsername: clone.masterUsername,
    masterPassword: clone.masterPassword,
    appUsername: clone.appUsername,
    securityGroupId: clone.securityGroupId,
    cloneGeneration: plan.generation.id,
    nextRefreshAfter: plan.generation.windowEndsAt,
    sourceCluster: source.identifier,
    stableHostname: clone.stableHostname,
    connectionSecretArn: clone.connectionSecretArn,
    // Table names and row counts (the fleet reports rows masked); never values.
    sanitization: clone.sanitization,
    ready: clone.ready,
    estimatedMonthlyCost: estimatedMonthlyCost(config),
    ...(schedule ? { refreshSchedule: schedule.schedule.scheduleCron } : {}),
  };
}

export { readStackConfig, secretConfigKeys, checkSecretConfig, readRules, rulesHashOf, type ProgramOptions } from "./stack-config";
