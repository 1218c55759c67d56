/** PostgreSQL-specific statements: progress DDL, chunk bounds, keys as text, table identity, session settings. */
import { ident, raw, sql } from "../../core/sql";
import type { ColumnInfo } from "../../core/types";
import { PROGRESS_SCHEMA, type Statements } from "../types";

const t = (name: string) => ident(PROGRESS_SCHEMA, name);

export const statements: Statements = {
  runsTable: t("runs"),
  jobsTable: t("jobs"),
  chunksTable: t("chunks"),
  samplesTable: t("samples"),
  progressDdl: () => [
    sql`CREATE SCHEMA IF NOT EXISTS ${ident(PROGRESS_SCHEMA)}`,
    sql`CREATE TABLE IF NOT EXISTS ${t("runs")} (
          run_id text PRIMARY KEY,
          rules_hash text NOT NULL,
          engine text NOT NULL,
          started_at timestamptz NOT NULL DEFAULT now(),
          finished_at timestamptz,
          status text NOT NULL,
          report text)`,
    sql`CREATE TABLE IF NOT EXISTS ${t("jobs")} (
          job_id text PRIMARY KEY,
          table_name text NOT NULL,
          table_identity text NOT NULL,
          columns text NOT NULL,
          chunk_count integer NOT NULL,
          row_count bigint NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now())`,
    sql`CREATE TABLE IF NOT EXISTS ${t("chunks")} (
          job_id text NOT NULL,
          chunk_no integer NOT NULL,
          lower_key text,
          upper_key text,
          done boolean NOT NULL DEFAULT false,
          rows_done bigint NOT NULL DEFAULT 0,
          PRIMARY KEY (job_id, chunk_no))`,
    sql`CREATE TABLE IF NOT EXISTS ${t("samples")} (
          job_id text NOT NULL,
          column_name text NOT NULL,
          row_key text,
          digest text)`,
    sql`CREATE INDEX IF NOT EXISTS samples_job ON ${t("samples")} (job_id)`,
    sql`CREATE TABLE IF NOT EXISTS ${t("suspended_fks")} (fk text NOT NULL, definition text NOT NULL)`,
  ],
  foreignKeySuspension: "drop-and-add",
  suspendedForeignKeysTable: t("suspended_fks"),
  constraintDefinition: (schema, table, name) =>
    sql`SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
         WHERE c.conname = ${name} AND c.conrelid = to_regclass(quote_ident(${schema}) || '.' || quote_ident(${table}))`,
  // Unused: PostgreSQL drops and re-adds (replica mode would also skip other tables' FK triggers).
  foreignKeyChecks: () => [],
  legacyProgressExists: () => sql`SELECT to_regclass('aurora_staging.progress') IS NOT NULL AS ok`,
  legacyProgressTable: t("progress"),
  // oid changes when the table is dropped and created again; relfilenode also when it is
  // truncated (or rewritten): either way it holds other rows than the ones masked.
  identityQueries: (schema, name) => [
    sql`SELECT CAST(c.oid AS text) || '/' || CAST(c.relfilenode AS text) AS id FROM pg_class c
         WHERE c.oid = to_regclass(quote_ident(${schema}) || '.' || quote_ident(${name}))`,
  ],
  // ONLY for a plain table, so a statement on an INHERITS parent never reaches its children
  // (each is masked by its own rule, exactly once); a partitioned parent without ONLY, since
  // its rows live in the partitions.
  table: (t) => (t.partitioned ? ident(t.schema, t.name) : sql`ONLY ${ident(t.schema, t.name)}`),
  asText: (expr) => sql`CAST(${expr} AS text)`,

  keyText: (expr, column) => (isBinary(column) ? sql`encode(${expr}, 'hex')` : sql`CAST(${expr} AS text)`),
  // The parameter's type is inferred from the key column: exact for every type; bytea goes as hex.
  keyValue: (text, column) => (isBinary(column) ? sql`decode(${text}, 'hex')` : sql`${text}`),
  // Replica mode skips ordinary triggers AND the FK triggers: used only while masking.
  disableTriggers: () => [sql`SET session_replication_role = replica`],
  enableTriggers: () => [sql`RESET session_replication_role`],
  // Advisory locks are per database: the same key in another database is another lock.
  tryRunLock: () => sql`SELECT pg_try_advisory_lock(hashtext('aurora_staging.run')) AS ok`,
  releaseRunLock: () => sql`SELECT pg_advisory_unlock(hashtext('aurora_staging.run')) AS ok`,
  unboundedStatement: () => [sql`SET LOCAL statement_timeout = 0`],
  bool: (v) => raw(v ? "true" : "false"),
  differs: (a, b) => sql`(${a} IS DISTINCT FROM ${b})`,
  // No setting tells the CPU count (max_worker_processes is 8 whatever the hardware).
  serverCpus: () => undefined,
  // READ COMMITTED is the default, and an UPDATE locks only the rows it changes.
  maskingIsolation: () => [],
  maskingIsolationRefused: () => undefined,
};

function isBinary(column: ColumnInfo | undefined): boolean {
  return column?.typeClass === "binary";
}
