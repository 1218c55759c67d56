/** MySQL / MariaDB-specific statements: progress DDL, chunk bounds. */
import { ident, raw, sql, type Sql } from "../../core/sql";
import { MYSQL_PROGRESS_TABLE, MYSQL_RUNS_TABLE, type Statements } from "../types";

const runs = ident(MYSQL_RUNS_TABLE);
const progress = ident(MYSQL_PROGRESS_TABLE);

export const statements: Statements = {
  runsTable: runs,
  progressTable: progress,
  progressDdl: () => [
    sql`CREATE TABLE IF NOT EXISTS ${runs} (
          run_id varchar(64) NOT NULL PRIMARY KEY,
          rules_hash varchar(64) NOT NULL,
          engine varchar(16) NOT NULL,
          started_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
          finished_at timestamp NULL,
          status varchar(16) NOT NULL,
          report mediumtext) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    sql`CREATE TABLE IF NOT EXISTS ${progress} (
          rules_hash varchar(64) NOT NULL,
          table_name varchar(255) NOT NULL,
          phase varchar(16) NOT NULL,
          last_key text,
          rows_done bigint NOT NULL DEFAULT 0,
          chunks_done bigint NOT NULL DEFAULT 0,
          rows_before bigint NOT NULL,
          done tinyint(1) NOT NULL DEFAULT 0,
          PRIMARY KEY (rules_hash, table_name, phase)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  ],
  table: (t) => ident(t.schema, t.name),
  asText: (expr) => sql`CAST(${expr} AS CHAR CHARACTER SET utf8mb4)`,
  chunkEnd(table: Sql, pk: string, after: Sql | undefined, chunkSize: number): Sql {
    // LIMIT/OFFSET can't be prepared-statement parameters everywhere: validated integers inline.
    const offset = raw(String(intOf(chunkSize) - 1));
    const where = after === undefined ? sql`` : sql` WHERE ${ident(pk)} > ${after}`;
    return sql`SELECT CAST(${ident(pk)} AS CHAR CHARACTER SET utf8mb4) AS k FROM ${table}${where} ORDER BY ${ident(pk)} LIMIT 1 OFFSET ${offset}`;
  },
  keyValue: (text, column) => (column.typeClass === "integer" ? sql`CAST(${text} AS DECIMAL(20,0))` : sql`${text}`),
  disableTriggers: () => {
    throw new Error("MySQL can't disable triggers for a session: the plan refuses `triggers: disable` on MySQL");
  },
  // GET_LOCK names are server-wide: include the database.
  tryRunLock: (database) => sql`SELECT GET_LOCK(${`aurora_staging.${database}`.slice(0, 64)}, 0) AS ok`,
  // MySQL's max_execution_time only limits SELECTs, and we never set it.
  unboundedStatement: () => [],
  enableTriggers: () => [],
  bool: (v) => raw(v ? "1" : "0"),
  differs: (a, b) => sql`(NOT (${a} <=> ${b}))`,
};

function intOf(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`chunk size must be a positive integer, got ${n}`);
  return n;
}
