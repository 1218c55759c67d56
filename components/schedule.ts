/**
 * Nightly (or any cron) refreshes through Pulumi Deployments: with `aurora-staging:schedule`
 * the stack declares its own deployment settings (where the code is, AWS credentials through
 * OIDC, optionally a self-hosted agent pool inside the VPC so the sanitizer reaches the clone)
 * and a schedule that runs `pulumi up`. With `maxCloneAgeDays: 1` each day's first run
 * re-clones; other runs are no-ops.
 */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import type { ScheduleConfig } from "./config";

export interface DeploymentSchedule {
  settings: service.DeploymentSettings;
  schedule: service.DeploymentSchedule;
}

/** The stack this program runs as (organization/project/stack), as Pulumi reports it. */
export interface StackRef {
  organization: string;
  project: string;
  stack: string;
}

export function currentStack(): StackRef {
  return { organization: pulumi.getOrganization(), project: pulumi.getProject(), stack: pulumi.getStack() };
}

export function declareSchedule(
  schedule: ScheduleConfig,
  stack: StackRef = currentStack(),
  opts?: pulumi.CustomResourceOptions,
): DeploymentSchedule {
  const settings = new service.DeploymentSettings(
    "deployment-settings",
    {
      ...stack,
      ...(schedule.agentPoolId ? { agentPoolId: schedule.agentPoolId } : {}),
      sourceContext: {
        git: { repoUrl: schedule.repoUrl, branch: schedule.branch, ...(schedule.repoDir ? { repoDir: schedule.repoDir } : {}) },
      },
      operationContext: {
        // The Sanitization provider loads the compiled sanitizer from dist/ (`npm ci` builds it).
        preRunCommands: ["npm ci"],
        options: { skipInstallDependencies: true },
        ...(schedule.awsRoleArn
          ? { oidc: { aws: { roleARN: schedule.awsRoleArn, sessionName: `aurora-staging-${stack.stack}`.slice(0, 64) } } }
          : {}),
      },
    },
    opts,
  );
  const cron = new service.DeploymentSchedule(
    "refresh-schedule",
    { ...stack, scheduleCron: schedule.cron, pulumiOperation: service.PulumiOperation.Update },
    // A schedule without its settings would run a deployment that can't find the code.
    { ...opts, dependsOn: [settings] },
  );
  return { settings, schedule: cron };
}
