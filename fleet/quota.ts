/**
 * How many stacks may run at once. `up` may create a clone per stack, and a refresh briefly
 * holds the new clone next to the old one, so each running `up` needs one free cluster of the
 * region's quota; clusters already in the region (production, other teams, clones) count.
 * preview creates nothing and destroy only frees clusters, so only `up` is bounded by it.
 */
import { UsageError } from "../sanitize/cli/usage-error";
import type { FleetOperation } from "./types";

export function allowedConcurrency(o: {
  op: FleetOperation;
  requested: number;
  stacks: number;
  quota: number;
  regionClusters?: number;
}): number {
  const wanted = Math.max(1, Math.min(o.requested, o.stacks));
  if (o.op !== "up") return wanted;
  if (o.regionClusters === undefined) {
    throw new UsageError(
      "fleet up: the number of clusters already in the region is unknown; pass --region-clusters N (e.g. from `aws rds describe-db-clusters --query 'length(DBClusters)'`)",
    );
  }
  const free = o.quota - o.regionClusters;
  if (free < 1) {
    throw new UsageError(
      `fleet up: the region holds ${o.regionClusters} clusters and the quota is ${o.quota}: no cluster is free for a new clone; ` +
        "delete unused clusters or raise the quota (--cluster-quota, after AWS raised it)",
    );
  }
  return Math.min(wanted, free);
}
