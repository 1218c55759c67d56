/**
 * The stack output `estimatedMonthlyCost`: what the clone's instances cost per month from the
 * config (class and count, or the Serverless v2 ACU range) and the dated price table, plus
 * the storage price per GB-month of the pages the clone comes to own (the storage itself depends
 * on the data: `aurora-staging cost` / `plan` estimate it against the database).
 */
import { instanceMonthlyCost, PRICES, regionPrices } from "../sanitize/cost/prices";
import type { StagingConfig } from "./config";

export interface MonthlyCostOutput {
  currency: string;
  priceTableDate: string;
  /** USD per month, low..high (equal for provisioned instances); absent when the table has no price. */
  instances?: { low: number; high: number; basis: string };
  storagePerGbMonth?: number;
  note: string;
}

export function estimatedMonthlyCost(config: StagingConfig): MonthlyCostOutput {
  const base = { currency: PRICES.currency, priceTableDate: PRICES.date };
  if (!config.region) return { ...base, note: "aws:region unknown: no price looked up" };
  const instances = instanceMonthlyCost({
    region: config.region,
    instanceClass: config.instanceClass,
    count: config.instanceCount,
    serverless: config.serverless,
  });
  const storagePerGbMonth = regionPrices(config.region)?.storageGbMonth;
  const storage = "storage: the pages the clone writes, see `aurora-staging cost`";
  if ("unknown" in instances)
    return { ...base, ...(storagePerGbMonth !== undefined ? { storagePerGbMonth } : {}), note: `${instances.unknown}; ${storage}` };
  const paused = config.serverless?.minCapacity === 0 ? " (0 while auto-paused)" : "";
  return { ...base, instances, storagePerGbMonth, note: `instances${paused} plus ${storage}` };
}
