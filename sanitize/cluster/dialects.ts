/** Engine name -> ClusterDialect (next to dialect/index.ts's registry of per-database dialects). */
import type { EngineName } from "../core/types";
import { mysqlCluster } from "../dialect/mysql/cluster";
import { postgresCluster } from "../dialect/postgres/cluster";
import type { ClusterDialect } from "./types";

const clusters: Record<EngineName, ClusterDialect> = { postgres: postgresCluster, mysql: mysqlCluster };

export function clusterDialect(engine: EngineName): ClusterDialect {
  return clusters[engine];
}
