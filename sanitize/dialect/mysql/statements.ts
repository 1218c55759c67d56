/** MySQL / MariaDB-specific statements: progress DDL, chunk bounds, keys as text, table identity. */
import { ident, raw, sql } from "../../core/sql";
import { MYSQL_LEGACY_PROGRESS_TABLE, MYSQL_PROGRESS_TABLES, type Statements } from "../types";

const t = (name: keyof typeof MYSQL_PROGRESS_TABLES) => ident(MYSQL_PROGRESS_TABLES[name]);

export const statements: Statements = {
  runsTable: t("runs"),
  jobsTable: t("jobs"),
  chunksTable: t("chunks"),
  samplesTable: t("samples"),
  progressDdl: () => [
    sql`CREATE TABLE IF NOT EXISTS ${t("runs")} (
          run_id varchar(64) NOT NULL PRIMARY KEY,
          rules_hash varchar(64) NOT NULL,
          engine varchar(16) NOT NULL,
          started_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
          finished_at timestamp NULL,
          status varchar(16) NOT NULL,
          report mediumtext) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    sql`CREATE TABLE IF NOT EXISTS ${t("jobs")} (
          job_id varchar(64) NOT NULL PRIMARY KEY,
          table_name varchar(512) NOT NULL,
          table_identity varchar(128) NOT NULL,
          columns mediumtext NOT NULL,
          chunk_count int NOT NULL,
          row_count bigint NOT NULL,
          created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    sql`CREATE TABLE IF NOT EXISTS ${t("chunks")} (
          job_id varchar(64) NOT NULL,
          chunk_no int NOT NULL,
          lower_key mediumtext,
          upper_key mediumtext,
          done tinyint(1) NOT NULL DEFAULT 0,
          rows_done bigint NOT NULL DEFAULT 0,
          PRIMARY KEY (job_id, chunk_no)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    sql`CREATE TABLE IF NOT EXISTS ${t("samples")} (
          job_id varchar(64) NOT NULL,
          column_name varchar(255) NOT NULL,
          row_key mediumtext,
          digest char(64),
          KEY samples_job (job_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  ],
  foreignKeySuspension: "session-checks-off",
  constraintDefinition: () => {
    throw new Error("MySQL suspends foreign keys with foreign_key_checks, not by re-creating them");
  },
  // With checks off InnoDB neither checks nor cascades (ON UPDATE CASCADE does not fire).
  foreignKeyChecks: (on) => [raw(`SET SESSION foreign_key_checks = ${on ? 1 : 0}`)],
  legacyProgressExists: () =>
    sql`SELECT COUNT(*) AS ok FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${MYSQL_LEGACY_PROGRESS_TABLE}`,
  legacyProgressTable: ident(MYSQL_LEGACY_PROGRESS_TABLE),
  // The InnoDB table id changes on DROP+CREATE and on TRUNCATE (InnoDB re-creates the table).
  // MariaDB names the view INNODB_SYS_TABLES, MySQL 8 INNODB_TABLES; both need PROCESS. The
  // NAME is `db/table` in filename encoding, so names with special characters don't match:
  // then CREATE_TIME, which also changes on re-creation (to the second).
  identityQueries: (schema, name) => [
    sql`SELECT CAST(TABLE_ID AS CHAR) AS id FROM information_schema.INNODB_SYS_TABLES WHERE NAME = CONCAT(${schema}, '/', ${name})`,
    sql`SELECT CAST(TABLE_ID AS CHAR) AS id FROM information_schema.INNODB_TABLES WHERE NAME = CONCAT(${schema}, '/', ${name})`,
    sql`SELECT CONCAT('created ', CAST(CREATE_TIME AS CHAR)) AS id FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${schema} AND TABLE_NAME = ${name}`,
  ],
  table: (t) => ident(t.schema, t.name),
  asText: (expr) => sql`CAST(${expr} AS CHAR CHARACTER SET utf8mb4)`,

  // A binary key cast to utf8mb4 is mangled (and can't be compared back): hex it.
  keyText: (expr, column) => (column?.typeClass === "binary" ? sql`HEX(${expr})` : sql`CAST(${expr} AS CHAR CHARACTER SET utf8mb4)`),
  keyValue: (text, column) =>
    column.typeClass === "integer"
      ? sql`CAST(${text} AS DECIMAL(20,0))`
      : column.typeClass === "binary"
        ? sql`UNHEX(${text})`
        : sql`${text}`,
  disableTriggers: () => {
    throw new Error("MySQL can't disable triggers for a session: the plan refuses `triggers: disable` on MySQL");
  },
  // GET_LOCK names are server-wide: include the database.
  tryRunLock: (database) => sql`SELECT GET_LOCK(${`aurora_staging.${database}`.slice(0, 64)}, 0) AS ok`,
  releaseRunLock: (database) => sql`SELECT RELEASE_LOCK(${`aurora_staging.${database}`.slice(0, 64)}) AS ok`,
  // MySQL's max_execution_time only limits SELECTs, and we never set it.
  unboundedStatement: () => [],
  enableTriggers: () => [],
  bool: (v) => raw(v ? "1" : "0"),
  differs: (a, b) => sql`(NOT (${a} <=> ${b}))`,
  // MariaDB: defaults to the server's CPU count. MySQL has no such variable (the query fails).
  serverCpus: () => sql`SELECT @@thread_pool_size AS n`,
  // No gap locks: a chunk's UPDATE doesn't lock the first key of the next chunk.
  maskingIsolation: () => [raw("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")],
  // With statement-based binary logging InnoDB refuses writes at READ COMMITTED.
  maskingIsolationRefused: () => sql`SELECT (@@log_bin = 1 AND @@binlog_format = 'STATEMENT') AS refused`,
};
