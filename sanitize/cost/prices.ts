/**
 * The dated price table (prices.json: its date and source are part of every estimate). Used by
 * the `cost` command (storage) and the Pulumi program's `estimatedMonthlyCost` (instances).
 */
import table from "./prices.json";

export interface RegionPrices {
  storageGbMonth: number;
  serverlessAcuHour: number;
  instanceHour: Record<string, number>;
}

export const PRICES = table as {
  date: string;
  currency: string;
  source: string;
  hoursPerMonth: number;
  regions: Record<string, RegionPrices>;
};

export function regionPrices(region: string): RegionPrices | undefined {
  return PRICES.regions[region];
}

export const priceRegions = (): string[] => Object.keys(PRICES.regions);

export interface InstanceCost {
  /** USD per month; a range for Serverless v2 (min..max ACU), equal ends for provisioned. */
  low: number;
  high: number;
  basis: string;
}

/** Instance cost per month for `count` instances of `instanceClass` (or the Serverless ACU range). */
export function instanceMonthlyCost(o: {
  region: string;
  instanceClass: string;
  count: number;
  serverless?: { minCapacity: number; maxCapacity: number };
}): InstanceCost | { unknown: string } {
  const p = regionPrices(o.region);
  if (!p) return { unknown: `no prices for region ${o.region} in the price table (${PRICES.date}; has ${priceRegions().join(", ")})` };
  const hours = PRICES.hoursPerMonth;
  if (o.instanceClass === "db.serverless") {
    const s = o.serverless ?? { minCapacity: 0.5, maxCapacity: 4 };
    const perAcu = p.serverlessAcuHour * hours * o.count;
    return {
      low: round(s.minCapacity * perAcu),
      high: round(s.maxCapacity * perAcu),
      basis: `${o.count} x Serverless v2 ${s.minCapacity}-${s.maxCapacity} ACU at $${p.serverlessAcuHour}/ACU-hour`,
    };
  }
  const hourly = p.instanceHour[o.instanceClass];
  if (hourly === undefined) return { unknown: `no price for ${o.instanceClass} in ${o.region} in the price table (${PRICES.date})` };
  const month = round(hourly * hours * o.count);
  return { low: month, high: month, basis: `${o.count} x ${o.instanceClass} at $${hourly}/hour` };
}

export const round = (usd: number): number => Math.round(usd * 100) / 100;
