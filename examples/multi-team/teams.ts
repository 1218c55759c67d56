/** The teams of examples/multi-team: what differs per team (the rest has the component's defaults, docs/pulumi.md). */
import type { StagingCloneArgs } from "../../components/staging-clone";

export const TEAMS: Record<string, Omit<StagingCloneArgs, "team" | "rules" | "maskingKey">> = {
  payments: {
    sourceCluster: "prod-pg",
    refresh: "2026-11-26",
    runnerCidrs: ["203.0.113.10/32"],
    allowFrom: { securityGroupIds: ["sg-0dddddddddddddddd"] },
    stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
    connectionSecretName: "staging/payments/aurora",
  },
  orders: {
    sourceCluster: "arn:aws:rds:eu-west-1:123456789012:cluster:prod-mysql",
    refresh: "2026-11-26",
    instanceClass: "db.serverless",
    instanceCount: 2,
    serverless: { minCapacity: 0.5, maxCapacity: 8 },
    subnetGroupName: "staging-private",
    runnerSecurityGroupIds: ["sg-0123456789abcdef0"],
    postCloneCommands: [{ name: "grants", command: "mysql -e 'GRANT SELECT ON app.* TO reporting'" }],
    tags: { CostCenter: "4711" },
  },
  // Same source as payments, its own clone: the prefix keeps the identifiers apart.
  analytics: {
    sourceCluster: "prod-pg",
    refresh: "2026-11-26",
    maxCloneAgeDays: 7,
    runnerCidrs: ["203.0.113.10/32"],
    instanceClass: "db.r6g.xlarge",
  },
};
