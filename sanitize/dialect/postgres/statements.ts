/** PostgreSQL-specific statements: progress DDL, chunk bounds, session settings. */
import { ident, raw, sql, type Sql } from "../../core/sql";
import { PROGRESS_SCHEMA, type Statements } from "../types";

const runs = ident(PROGRESS_SCHEMA, "runs");
const progress = ident(PROGRESS_SCHEMA, "progress");

export const statements: Statements = {
  runsTable: runs,
  progressTable: progress,
  progressDdl: () => [
    sql`CREATE SCHEMA IF NOT EXISTS ${ident(PROGRESS_SCHEMA)}`,
    sql`CREATE TABLE IF NOT EXISTS ${runs} (
          run_id text PRIMARY KEY,
          rules_hash text NOT NULL,
          engine text NOT NULL,
          started_at timestamptz NOT NULL DEFAULT now(),
          finished_at timestamptz,
          status text NOT NULL,
          report text)`,
    sql`CREATE TABLE IF NOT EXISTS ${progress} (
          rules_hash text NOT NULL,
          table_name text NOT NULL,
          phase text NOT NULL,
          last_key text,
          rows_done bigint NOT NULL DEFAULT 0,
          chunks_done bigint NOT NULL DEFAULT 0,
          rows_before bigint NOT NULL,
          done boolean NOT NULL DEFAULT false,
          PRIMARY KEY (rules_hash, table_name, phase))`,
  ],
  // ONLY for a plain table, so a statement on an INHERITS parent never reaches its children
  // (each is masked by its own rule, exactly once); a partitioned parent without ONLY, since
  // its rows live in the partitions.
  table: (t) => (t.partitioned ? ident(t.schema, t.name) : sql`ONLY ${ident(t.schema, t.name)}`),
  asText: (expr) => sql`CAST(${expr} AS text)`,
  chunkEnd(table: Sql, pk: string, after: Sql | undefined, chunkSize: number): Sql {
    const offset = raw(String(intOf(chunkSize) - 1));
    const where = after === undefined ? sql`` : sql` WHERE ${ident(pk)} > ${after}`;
    return sql`SELECT CAST(${ident(pk)} AS text) AS k FROM ${table}${where} ORDER BY ${ident(pk)} LIMIT 1 OFFSET ${offset}`;
  },
  // Replica mode skips ordinary triggers AND the FK triggers: used only while masking.
  // The parameter's type is inferred from the key column: exact for every type.
  keyValue: (text) => sql`${text}`,
  disableTriggers: () => [sql`SET session_replication_role = replica`],
  enableTriggers: () => [sql`RESET session_replication_role`],
  tryRunLock: () => sql`SELECT pg_try_advisory_lock(hashtext('aurora_staging.run')) AS ok`,
  unboundedStatement: () => [sql`SET LOCAL statement_timeout = 0`],
  bool: (v) => raw(v ? "true" : "false"),
  differs: (a, b) => sql`(${a} IS DISTINCT FROM ${b})`,
};

function intOf(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`chunk size must be a positive integer, got ${n}`);
  return n;
}
