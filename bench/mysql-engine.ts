/**
 * MariaDB side of the benchmark: a throwaway server with durability on (redo flushed at
 * every commit, doublewrite on), the dataset generated from the Sequence engine's
 * seq_1_to_N tables, and copies made with CREATE TABLE + INSERT ... SELECT (MariaDB has no
 * database templates). Copy time is never measured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { startMariadb, type LocalServer } from "../sanitize/local/servers";
import type { ConnectionTarget } from "../sanitize/core/types";
import {
  BASE_DATABASE,
  auditRows,
  tokenRows,
  type BenchEngine,
  type CounterSnapshot,
  type Session,
  type Sizes,
  type TableStats,
  type Written,
} from "./engine";
import type { SqlStep } from "./contenders";
import { AUDIT_EVENTS, DOMAINS, FIRST_NAMES, LAST_NAMES, ORDER_STATUSES, literalList } from "./sample-values";

const BASE = BASE_DATABASE;

/** Sized for a 2-core, 24 GiB machine; a 2 GiB redo log so no contender hits a forced checkpoint. */
export const MARIADB_SETTINGS: Record<string, string> = {
  "innodb-buffer-pool-size": "2G",
  "innodb-log-file-size": "2G",
  "innodb-flush-log-at-trx-commit": "1",
  "innodb-doublewrite": "1",
  // An SSD-class I/O budget for background flushing (the default 200 is for spinning disks).
  "innodb-io-capacity": "2000",
  "innodb-io-capacity-max": "4000",
  "max-connections": "50",
};

/** How long a flush may take before the bench gives up (a stuck server, not a slow one). */
const SETTLE_LIMIT_MS = 10 * 60_000;

const q = (name: string): string => `\`${name.replace(/`/g, "``")}\``;

export async function mariadbEngine(): Promise<BenchEngine> {
  // A private tmpdir for on-disk temporary tables: in the shared /tmp another process removed
  // one mid-query ("Error on delete of '/tmp/#sql-temptable-...MAI'", seen twice here).
  const tmp = mkdtempSync(join(tmpdir(), "bench-mariadb-tmp-"));
  const server = await startMariadb({ fast: false, settings: { ...MARIADB_SETTINGS, tmpdir: tmp } });
  const connect = (database?: string) =>
    mysql.createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  const admin = await connect();
  const engine = makeEngine(server, admin, connect);
  return {
    ...engine,
    async stop() {
      await engine.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function status(c: mysql.Connection, names: string[]): Promise<Record<string, string>> {
  const [rows] = await c.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN (?)", [names]);
  const out: Record<string, string> = {};
  for (const r of rows) out[String(r.Variable_name)] = String(r.Value);
  for (const n of names)
    if (!(n in out)) throw new Error(`SHOW GLOBAL STATUS has no ${n}: this MariaDB version is not supported by the bench`);
  return out;
}

function makeEngine(server: LocalServer, admin: mysql.Connection, connect: (db?: string) => Promise<mysql.Connection>): BenchEngine {
  const target = (database: string): ConnectionTarget => server.target(database);
  return {
    name: "mysql",
    settings: MARIADB_SETTINGS,
    async version() {
      const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
      return `MariaDB ${String(rows[0].v)}`;
    },
    async createBase(sizes) {
      await admin.query(`DROP DATABASE IF EXISTS ${BASE}`);
      await admin.query(`CREATE DATABASE ${BASE}`);
      const c = await connect(BASE);
      try {
        for (const stmt of datasetStatements(sizes)) await c.query(stmt.text);
        await c.query("ANALYZE TABLE users, orders, payment_audit_log, session_tokens");
      } finally {
        await c.end();
      }
    },
    async freshCopy(name) {
      await admin.query(`DROP DATABASE IF EXISTS ${q(name)}`);
      await admin.query(`CREATE DATABASE ${q(name)}`);
      const c = await connect(name);
      try {
        for (const stmt of tableStatements()) await c.query(stmt);
        for (const t of TABLES) await c.query(`INSERT INTO ${t} SELECT * FROM ${BASE}.${t} ORDER BY id`);
        for (const stmt of constraintStatements()) await c.query(stmt);
        await c.query("ANALYZE TABLE users, orders, payment_audit_log, session_tokens");
      } finally {
        await c.end();
      }
      return target(name);
    },
    async dropCopy(name) {
      await admin.query(`DROP DATABASE IF EXISTS ${q(name)}`);
    },
    async settle() {
      // Purge first (it dirties pages too: it is part of an UPDATE's cost), then make the
      // page cleaner flush everything by lowering the dirty-page limit to 0 for a moment.
      const deadline = Date.now() + SETTLE_LIMIT_MS;
      // The page cleaner flushes at most innodb_io_capacity pages a second when told to flush
      // everything, so the capacity is raised for the flush only (and restored after).
      const [vars] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct, @@GLOBAL.innodb_io_capacity AS io, @@GLOBAL.innodb_io_capacity_max AS iomax",
      );
      const restore = { pct: Number(vars[0].pct), io: Number(vars[0].io), iomax: Number(vars[0].iomax) };
      await admin.query("SET GLOBAL innodb_io_capacity_max = 1000000");
      await admin.query("SET GLOBAL innodb_io_capacity = 1000000");
      await admin.query("SET GLOBAL innodb_max_dirty_pages_pct = 0");
      try {
        for (;;) {
          const s = await status(admin, ["Innodb_buffer_pool_pages_dirty", "Innodb_history_list_length"]);
          if (Number(s.Innodb_buffer_pool_pages_dirty) === 0 && Number(s.Innodb_history_list_length) === 0) return;
          if (Date.now() > deadline) {
            throw new Error(
              `MariaDB did not finish flushing within ${SETTLE_LIMIT_MS / 60000} minutes ` +
                `(dirty pages ${s.Innodb_buffer_pool_pages_dirty}, history ${s.Innodb_history_list_length}); check the server log`,
            );
          }
          // Polling a server counter until it reaches 0: MariaDB offers no "flush and wait".
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await admin.query("SET GLOBAL innodb_max_dirty_pages_pct = ?", [restore.pct]);
        await admin.query("SET GLOBAL innodb_io_capacity = ?", [restore.io]);
        await admin.query("SET GLOBAL innodb_io_capacity_max = ?", [restore.iomax]);
      }
    },
    async snapshot(): Promise<CounterSnapshot> {
      return { raw: await status(admin, ["Innodb_os_log_written", "Innodb_pages_written", "Innodb_page_size"]) };
    },
    async written(before, after): Promise<Written> {
      return {
        logBytes: Number(after.raw.Innodb_os_log_written) - Number(before.raw.Innodb_os_log_written),
        pagesWritten: Number(after.raw.Innodb_pages_written) - Number(before.raw.Innodb_pages_written),
        pageSize: Number(after.raw.Innodb_page_size),
      };
    },
    async session(database): Promise<Session> {
      const c = await connect(database);
      return {
        exec: async (text, params) => {
          const [rows] = await c.query(text, params);
          return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
        },
        close: () => c.end(),
      };
    },
    async tableStats(database): Promise<TableStats[]> {
      // Persistent statistics are refreshed by ANALYZE; sizes are in pages of the tablespace.
      await admin.query(`ANALYZE TABLE ${q(database)}.users, ${q(database)}.orders`);
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        `SELECT table_name AS t, data_length AS d, index_length AS i FROM information_schema.tables
          WHERE table_schema = ? AND table_name IN ('users', 'orders') ORDER BY table_name`,
        [database],
      );
      return rows.map((r) => ({ table: String(r.t), tableBytes: Number(r.d), indexBytes: Number(r.i) }));
    },
    async stop() {
      await admin.end();
      await server.stop();
    },
  };
}

/** The whole dataset, in order: tables, rows, then indexes and foreign keys. */
export function datasetStatements(s: Sizes): SqlStep[] {
  return [...tableStatements(), ...fillStatements(s), ...constraintStatements()].map((text) => ({ text }));
}

const TABLES = ["users", "orders", "payment_audit_log", "session_tokens"] as const;

function tableStatements(): string[] {
  return [
    `CREATE TABLE users (
      id bigint NOT NULL PRIMARY KEY, email varchar(255) NOT NULL, phone varchar(32),
      first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL,
      password_hash varchar(255) NOT NULL, created_at datetime(6) NOT NULL) ENGINE=InnoDB`,
    `CREATE TABLE orders (
      id bigint NOT NULL PRIMARY KEY, user_id bigint NOT NULL, customer_email varchar(255) NOT NULL,
      total_cents int NOT NULL, status varchar(16) NOT NULL, created_at datetime(6) NOT NULL) ENGINE=InnoDB`,
    `CREATE TABLE payment_audit_log (
      id bigint NOT NULL PRIMARY KEY, order_id bigint NOT NULL, event varchar(32) NOT NULL,
      card_last4 char(4) NOT NULL, payload text NOT NULL, created_at datetime(6) NOT NULL) ENGINE=InnoDB`,
    `CREATE TABLE session_tokens (
      id bigint NOT NULL PRIMARY KEY, user_id bigint NOT NULL, token char(64) NOT NULL,
      ip_address varchar(45), expires_at datetime(6) NOT NULL) ENGINE=InnoDB`,
  ];
}

/** Secondary indexes and foreign keys, added after loading (sorted index builds). */
function constraintStatements(): string[] {
  return [
    "SET SESSION foreign_key_checks = 0",
    "ALTER TABLE users ADD UNIQUE KEY users_email_key (email)",
    "ALTER TABLE orders ADD KEY orders_user_id_idx (user_id), ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
    "ALTER TABLE payment_audit_log ADD CONSTRAINT payment_audit_log_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)",
    "ALTER TABLE session_tokens ADD CONSTRAINT session_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
    "SET SESSION foreign_key_checks = 1",
  ];
}

/** Sizes are validated integers; the Sequence engine needs them in the table name. */
function seq(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`row count must be a positive integer, got ${n}`);
  return `seq_1_to_${n}`;
}

function fillStatements(s: Sizes): string[] {
  const nf = FIRST_NAMES.length;
  return [
    `INSERT INTO users
      SELECT seq,
             CONCAT(LOWER(ELT(1 + seq % ${nf}, ${literalList(FIRST_NAMES)})), '.',
                    LOWER(REPLACE(ELT(1 + (seq DIV ${nf}) % ${LAST_NAMES.length}, ${literalList(LAST_NAMES)}), '''', '')), '.',
                    seq, '@', ELT(1 + seq % ${DOMAINS.length}, ${literalList(DOMAINS)})),
             CONCAT('+1 (', 200 + seq % 800, ') 555-', LPAD(seq % 10000, 4, '0')),
             ELT(1 + seq % ${nf}, ${literalList(FIRST_NAMES)}),
             ELT(1 + (seq DIV ${nf}) % ${LAST_NAMES.length}, ${literalList(LAST_NAMES)}),
             CONCAT('$2b$12$', MD5(seq), LEFT(MD5(seq * 31), 21)),
             TIMESTAMP'2019-01-01 00:00:00' + INTERVAL (seq % 2000) DAY + INTERVAL (seq % 86400) SECOND
        FROM ${seq(s.users)}`,
    `INSERT INTO orders
      SELECT s.seq, u.id, u.email, 100 + (s.seq * 37) % 100000,
             ELT(1 + s.seq % ${ORDER_STATUSES.length}, ${literalList(ORDER_STATUSES)}),
             u.created_at + INTERVAL (s.seq % 365) DAY
        FROM ${seq(s.orders)} s JOIN users u ON u.id = 1 + (s.seq * 7919) % ${s.users}`,
    `INSERT INTO payment_audit_log
      SELECT seq, 1 + (seq * 3) % ${s.orders},
             ELT(1 + seq % ${AUDIT_EVENTS.length}, ${literalList(AUDIT_EVENTS)}),
             LPAD(seq % 10000, 4, '0'),
             CONCAT('{"gateway":"acme","ref":"', MD5(seq), '","card":"4111********', LPAD(seq % 10000, 4, '0'), '"}'),
             TIMESTAMP'2024-01-01 00:00:00' + INTERVAL (seq % 500) HOUR
        FROM ${seq(auditRows(s))}`,
    `INSERT INTO session_tokens
      SELECT seq, 1 + (seq * 13) % ${s.users}, SHA2(seq, 256),
             CONCAT('10.', seq % 256, '.', (seq DIV 256) % 256, '.', seq % 200 + 1),
             TIMESTAMP'2026-12-01 00:00:00' + INTERVAL (seq % 720) HOUR
        FROM ${seq(tokenRows(s))}`,
  ];
}
