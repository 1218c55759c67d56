/**
 * `estimateCost()`: plan the rules against the database (the same validation as `plan`, so a
 * table that doesn't exist is an error here too), read the real table and index sizes, count
 * the share of rows each `where`/delete touches, and price the storage the clone will own.
 */
import { raw, sql } from "../core/sql";
import type { Connection, EngineName, SanitizeOptions } from "../core/types";
import { getDialect } from "../dialect";
import { mysqlSizes } from "../dialect/mysql/sizes";
import { postgresSizes } from "../dialect/postgres/sizes";
import { plan } from "../index";
import type { Plan } from "../plan";
import { estimateStorage, type StorageEstimate, type TableWork } from "./estimate";
import { PRICES, priceRegions, regionPrices, round } from "./prices";
import type { SizeReader } from "./types";
import { UsageError } from "../cli/usage-error";

const SIZE_READERS: Record<EngineName, SizeReader> = { postgres: postgresSizes, mysql: mysqlSizes };

export const GB = 1024 ** 3;

export interface CostEstimate extends StorageEstimate {
  engine: EngineName;
  region: string;
  ownedGb: number;
  storageGbMonth: number;
  monthlyUsd: number;
  priceTable: { date: string; source: string };
}

function pricesFor(region: string) {
  const prices = regionPrices(region);
  if (!prices)
    throw new UsageError(
      `cost: no prices for region ${region} (price table of ${PRICES.date} has ${priceRegions().join(", ")}); pass --region`,
    );
  return prices;
}

export async function estimateCost(options: SanitizeOptions & { region: string }): Promise<CostEstimate> {
  pricesFor(options.region);
  const p = await plan(options);
  return estimateForPlan(p, options, options.region);
}

/** The estimate for an already validated plan (`plan` prints it too). */
export async function estimateForPlan(
  p: Plan,
  options: Pick<SanitizeOptions, "target" | "connect">,
  region: string,
): Promise<CostEstimate> {
  const prices = pricesFor(region);
  const reader = SIZE_READERS[p.engine];
  const conn = await getDialect(p.engine).connect(options.target, options.connect);
  try {
    const sizes = await reader.tableSizes(conn);
    const work: TableWork[] = [];
    for (const t of p.tables) {
      const deletedFraction = t.delete ? await fraction(conn, t.ref, t.delete) : 0;
      const maskedFraction = t.mask?.where ? await fraction(conn, t.ref, t.mask.where) : 1;
      work.push({
        table: t.table.qualified,
        action: t.action,
        maskedColumns: t.mask?.columns.map((c) => c.name) ?? [],
        deletedFraction,
        maskedFraction,
      });
    }
    const storage = estimateStorage(sizes, work, reader);
    const ownedGb = storage.ownedBytes / GB;
    return {
      engine: p.engine,
      region,
      ...storage,
      ownedGb,
      storageGbMonth: prices.storageGbMonth,
      monthlyUsd: round(ownedGb * prices.storageGbMonth),
      priceTable: { date: PRICES.date, source: PRICES.source },
    };
  } finally {
    await conn.close();
  }
}

/** Share of the table's rows matching the rules' condition (one scan). */
async function fraction(conn: Connection, ref: Plan["tables"][number]["ref"], where: string): Promise<number> {
  const r = await conn.query(sql`SELECT count(*) AS total, count(CASE WHEN ${raw(`(${where})`)} THEN 1 END) AS matched FROM ${ref}`);
  const total = Number(r.rows[0]?.total ?? 0);
  return total > 0 ? Number(r.rows[0]?.matched ?? 0) / total : 0;
}
