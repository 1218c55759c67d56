/**
 * The Pulumi program behind index.ts: read and validate the stack config, read the rules,
 * look up the source, then declare the component and return the stack outputs. Nothing is
 * declared until the config, the rules file and the source have all been checked, so every
 * problem shows at `pulumi preview` and none leaves half a stack behind.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStack, type ProgramOptions } from "./stack-config";
import { lookupSource, planClone } from "./source";
import { estimatedMonthlyCost } from "./cost";
import { declareSchedule } from "./schedule";
import { StagingClone } from "./staging-clone";

export async function stagingProgram(options: ProgramOptions = {}): Promise<Record<string, unknown>> {
  const { config, rules, rulesHash } = loadStack(options);
  const lookup = await lookupSource(config);
  const plan = planClone(config, lookup, options.now ?? new Date(), rulesHash);
  for (const warning of plan.warnings) void pulumi.log.warn(warning);

  const clone = new StagingClone("staging", {
    config,
    source: lookup.source,
    plan,
    rules,
    // Read from config as a plain string: wrap it at once so it only travels as a secret.
    maskingKey: config.maskingKey !== undefined ? pulumi.secret(config.maskingKey) : undefined,
  });

  const schedule = config.schedule ? declareSchedule(config.schedule) : undefined;

  return {
    clusterIdentifier: clone.clusterIdentifier,
    writerEndpoint: clone.writerEndpoint,
    readerEndpoint: clone.readerEndpoint,
    port: clone.port,
    database: clone.database,
    engine: clone.engine,
    engineVersion: clone.engineVersion,
    masterUsername: clone.masterUsername,
    masterPassword: clone.masterPassword,
    appUsername: clone.appUsername,
    securityGroupId: clone.securityGroup.id,
    cloneGeneration: clone.cloneGeneration,
    nextRefreshAfter: clone.nextRefreshAfter,
    sourceCluster: lookup.source.identifier,
    stableHostname: clone.stableHostname,
    connectionSecretArn: clone.connectionSecretArn,
    sanitization: clone.sanitization && {
      rulesHash: clone.sanitization.rulesHash,
      runId: clone.sanitization.runId,
      finishedAt: clone.sanitization.finishedAt,
      checks: clone.sanitization.checks,
      // Table names and row counts (the fleet reports rows masked); never values.
      rowsPerTable: clone.sanitization.rowsPerTable,
      verified: clone.sanitization.verified,
    },
    ready: clone.ready,
    estimatedMonthlyCost: estimatedMonthlyCost(config),
    ...(schedule ? { refreshSchedule: schedule.schedule.scheduleCron } : {}),
  };
}

export { readStackConfig, secretConfigKeys, checkSecretConfig, readRules, rulesHashOf, type ProgramOptions } from "./stack-config";
