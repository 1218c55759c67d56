/**
 * PostgreSQL side of the benchmark: a throwaway server with durability on, the dataset
 * generated with generate_series, and copies made with CREATE DATABASE ... TEMPLATE
 * (STRATEGY FILE_COPY: a file copy, instead of PostgreSQL 15's default of WAL-logging
 * every copied block).
 */
import { Client } from "pg";
import { startPostgres, type LocalServer } from "../sanitize/local/servers";
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

/**
 * Sized for a 2-core, 24 GiB machine. max_wal_size/checkpoint_timeout are large so no
 * checkpoint starts in the middle of a contender (the bench checkpoints before and after).
 */
export const POSTGRES_SETTINGS: Record<string, string> = {
  shared_buffers: "1GB",
  effective_cache_size: "8GB",
  work_mem: "64MB",
  maintenance_work_mem: "512MB",
  max_wal_size: "8GB",
  checkpoint_timeout: "1h",
  synchronous_commit: "on",
  full_page_writes: "on",
  fsync: "on",
  autovacuum: "off",
};

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function postgresEngine(): Promise<BenchEngine> {
  const server = await startPostgres({ fast: false, settings: POSTGRES_SETTINGS });
  const connect = async (database: string): Promise<Client> => {
    const c = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database });
    await c.connect();
    return c;
  };
  const admin = await connect(server.adminDatabase);
  return makeEngine(server, admin, connect);
}

function makeEngine(server: LocalServer, admin: Client, connect: (db: string) => Promise<Client>): BenchEngine {
  const target = (database: string): ConnectionTarget => server.target(database);
  return {
    name: "postgres",
    settings: POSTGRES_SETTINGS,
    async version() {
      const r = await admin.query("SELECT version() AS v");
      return String(r.rows[0].v).replace(/ on .*/, "");
    },
    async createBase(sizes) {
      await admin.query(`DROP DATABASE IF EXISTS ${BASE}`);
      await admin.query(`CREATE DATABASE ${BASE}`);
      const c = await connect(BASE);
      try {
        for (const stmt of datasetStatements(sizes)) await c.query(stmt.text, stmt.params);
        // Frozen, analysed and with hint bits set, like a settled production database, so
        // no contender pays for first-touch hint-bit writes the others would not.
        await c.query("VACUUM (FREEZE, ANALYZE)");
      } finally {
        await c.end();
      }
    },
    async freshCopy(name) {
      await admin.query(`DROP DATABASE IF EXISTS ${quote(name)}`);
      await admin.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${BASE} STRATEGY FILE_COPY`);
      return target(name);
    },
    async dropCopy(name) {
      await admin.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    },
    async settle() {
      await admin.query("CHECKPOINT");
      // The checkpointer publishes a checkpoint's buffer counts only after it has woken the
      // waiting CHECKPOINT command, so a read right away can miss them. A second (empty)
      // checkpoint returns only after the checkpointer has gone round its loop, i.e. after
      // it published the first one's counts.
      await admin.query("CHECKPOINT");
    },
    async snapshot(): Promise<CounterSnapshot> {
      const r = await admin.query(
        `SELECT pg_current_wal_lsn()::text AS lsn,
                (buffers_checkpoint + buffers_clean + buffers_backend)::text AS pages
           FROM pg_stat_bgwriter`,
      );
      return { raw: { lsn: String(r.rows[0].lsn), pages: String(r.rows[0].pages) } };
    },
    async written(before, after): Promise<Written> {
      const r = await admin.query(
        "SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint::text AS bytes, current_setting('block_size') AS bs",
        [after.raw.lsn, before.raw.lsn],
      );
      return {
        logBytes: Number(r.rows[0].bytes),
        pagesWritten: Number(after.raw.pages) - Number(before.raw.pages),
        pageSize: Number(r.rows[0].bs),
      };
    },
    async session(database): Promise<Session> {
      const c = await connect(database);
      return {
        exec: async (text, params) => (await c.query(text, params)).rows,
        close: () => c.end(),
      };
    },
    async tableStats(database): Promise<TableStats[]> {
      const c = await connect(database);
      try {
        // Statistics reach shared memory when the writing backend ends its session; the
        // sanitizer's and the bench's sessions are closed by now.
        const r = await c.query(
          `SELECT relname, pg_relation_size(relid)::text AS heap, pg_indexes_size(relid)::text AS idx,
                  n_tup_upd::text AS upd, n_tup_hot_upd::text AS hot
             FROM pg_stat_user_tables WHERE relname IN ('users', 'orders') ORDER BY relname`,
        );
        return r.rows.map((row) => ({
          table: String(row.relname),
          tableBytes: Number(row.heap),
          indexBytes: Number(row.idx),
          updated: Number(row.upd),
          hotUpdated: Number(row.hot),
        }));
      } finally {
        await c.end();
      }
    },
    async stop() {
      await admin.end();
      await server.stop();
    },
  };
}

/**
 * The synthetic production dataset. Tables are filled before their indexes and foreign keys
 * exist (the fast way to load), then constrained exactly like a production schema would be.
 */
export function datasetStatements(s: Sizes): SqlStep[] {
  return [
    {
      text: `CREATE TABLE users (
        id bigint NOT NULL, email varchar(255) NOT NULL, phone varchar(32),
        first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL,
        password_hash varchar(255) NOT NULL, created_at timestamptz NOT NULL)`,
    },
    {
      text: `CREATE TABLE orders (
        id bigint NOT NULL, user_id bigint NOT NULL, customer_email varchar(255) NOT NULL,
        total_cents integer NOT NULL, status varchar(16) NOT NULL, created_at timestamptz NOT NULL)`,
    },
    {
      text: `CREATE TABLE payment_audit_log (
        id bigint NOT NULL, order_id bigint NOT NULL, event varchar(32) NOT NULL,
        card_last4 char(4) NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL)`,
    },
    {
      text: `CREATE TABLE session_tokens (
        id bigint NOT NULL, user_id bigint NOT NULL, token char(64) NOT NULL,
        ip_address varchar(45), expires_at timestamptz NOT NULL)`,
    },
    {
      text: `INSERT INTO users
        SELECT g,
               lower(f.v) || '.' || lower(replace(l.v, '''', '')) || '.' || g || '@' || (ARRAY[${literalList(DOMAINS)}])[1 + g % ${DOMAINS.length}],
               '+1 (' || (200 + g % 800) || ') 555-' || lpad((g % 10000)::text, 4, '0'),
               f.v, l.v,
               '$2b$12$' || md5(g::text) || substr(md5((g * 31)::text), 1, 21),
               timestamptz '2019-01-01 00:00:00+00' + (g % 2000) * interval '1 day' + (g % 86400) * interval '1 second'
          FROM generate_series(1, $1::bigint) AS g,
               LATERAL (SELECT (ARRAY[${literalList(FIRST_NAMES)}])[1 + g % ${FIRST_NAMES.length}] AS v) f,
               LATERAL (SELECT (ARRAY[${literalList(LAST_NAMES)}])[1 + (g / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS v) l`,
      params: [s.users],
    },
    {
      text: `INSERT INTO orders
        SELECT g, u.id, u.email, 100 + (g * 37) % 100000,
               (ARRAY[${literalList(ORDER_STATUSES)}])[1 + g % ${ORDER_STATUSES.length}],
               u.created_at + (g % 365) * interval '1 day'
          FROM generate_series(1, $1::bigint) AS g
          JOIN users u ON u.id = 1 + (g * 7919) % $2::bigint
         -- Heap in id order, as in production (rows are inserted as orders come in). Without
         -- it the hash join emits rows in users' order, and PK-range chunks would share pages.
         ORDER BY g`,
      params: [s.orders, s.users],
    },
    {
      text: `INSERT INTO payment_audit_log
        SELECT g, 1 + (g * 3) % $2::bigint,
               (ARRAY[${literalList(AUDIT_EVENTS)}])[1 + g % ${AUDIT_EVENTS.length}],
               lpad((g % 10000)::text, 4, '0'),
               '{"gateway":"acme","ref":"' || md5(g::text) || '","card":"4111********' || lpad((g % 10000)::text, 4, '0') || '"}',
               timestamptz '2024-01-01 00:00:00+00' + (g % 500) * interval '1 hour'
          FROM generate_series(1, $1::bigint) AS g`,
      params: [auditRows(s), s.orders],
    },
    {
      text: `INSERT INTO session_tokens
        SELECT g, 1 + (g * 13) % $2::bigint, encode(sha256(int8send(g)), 'hex'),
               '10.' || (g % 256) || '.' || ((g / 256) % 256) || '.' || (g % 200 + 1),
               timestamptz '2026-12-01 00:00:00+00' + (g % 720) * interval '1 hour'
          FROM generate_series(1, $1::bigint) AS g`,
      params: [tokenRows(s), s.users],
    },
    { text: "ALTER TABLE users ADD PRIMARY KEY (id), ADD CONSTRAINT users_email_key UNIQUE (email)" },
    { text: "ALTER TABLE orders ADD PRIMARY KEY (id), ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)" },
    { text: "CREATE INDEX orders_user_id_idx ON orders (user_id)" },
    {
      text: "ALTER TABLE payment_audit_log ADD PRIMARY KEY (id), ADD CONSTRAINT payment_audit_log_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)",
    },
    {
      text: "ALTER TABLE session_tokens ADD PRIMARY KEY (id), ADD CONSTRAINT session_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
    },
  ];
}
