/**
 * MySQL / MariaDB cluster operations for sanitizeCluster: databases (schemas), user accounts,
 * events, and the least-privilege application user. One session sees every schema, so
 * everything runs on the one connection. No subscriptions or user mappings exist here.
 */
import { createHash } from "node:crypto";
import { ident, join, raw, sql, type Sql } from "../../core/sql";
import type { Connection } from "../../core/types";
import type { ClusterDialect, Lockdown } from "../../cluster/types";
import { isAllowed } from "../../cluster/types";
import { MYSQL_LEGACY_PROGRESS_TABLE, MYSQL_PROGRESS_TABLES } from "../types";

/** Our own progress record: a database holding only these is empty. */
const OURS = [...Object.values(MYSQL_PROGRESS_TABLES), MYSQL_LEGACY_PROGRESS_TABLE];

const SYSTEM_SCHEMAS = ["mysql", "information_schema", "performance_schema", "sys"];

/** A string literal for account names (CREATE/ALTER USER take no parameters). */
function literal(s: string): Sql {
  return raw(`'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`);
}

const account = (user: string, host: string) => sql`${literal(user)}@${literal(host)}`;

interface Login {
  user: string;
  host: string;
  locked: boolean;
}

const isMariadb = async (conn: Connection) => /mariadb/i.test(String((await conn.query(sql`SELECT VERSION() AS v`)).rows[0]?.v));

/** Every account that could log in: not a role, not the server's own (mysql.*, mariadb.sys, rdsadmin). */
async function logins(conn: Connection): Promise<Login[]> {
  // MariaDB keeps the lock in mysql.global_priv's JSON (roles have an empty host); MySQL 8 in
  // mysql.user.account_locked (its roles are locked accounts already).
  const q = (await isMariadb(conn))
    ? sql`SELECT User AS user, Host AS host, JSON_VALUE(Priv, '$.account_locked') AS locked FROM mysql.global_priv WHERE Host <> ''`
    : sql`SELECT User AS user, Host AS host, account_locked AS locked FROM mysql.user`;
  return (await conn.query(q)).rows
    .map((r) => ({ user: String(r.user), host: String(r.host), locked: ["true", "1", "Y"].includes(String(r.locked)) }))
    .filter((l) => !/^(mysql|mariadb)\./.test(l.user) && l.user !== "rdsadmin")
    .sort((a, b) => `${a.user}@${a.host}`.localeCompare(`${b.user}@${b.host}`));
}

const openLogins = async (conn: Connection, allowed: ReadonlySet<string>) =>
  (await logins(conn)).filter((l) => !l.locked && !isAllowed(mysqlCluster, `${l.user}@${l.host}`, allowed));

const enabledEvents = async (conn: Connection) =>
  (
    await conn.query(sql`SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n FROM information_schema.EVENTS WHERE STATUS = 'ENABLED' ORDER BY 1, 2`)
  ).rows.map((r) => ({
    schema: String(r.s),
    name: String(r.n),
  }));

const lockdowns: Lockdown[] = [
  {
    step: "login users locked (ACCOUNT LOCK)",
    check: "no login user outside the allowed set can log in",
    scope: "cluster",
    async apply(conn, ctx) {
      const open = await openLogins(conn, ctx.allowedLogins);
      for (const l of open) await conn.query(sql`ALTER USER ${account(l.user, l.host)} ACCOUNT LOCK`);
      return open.map((l) => `${l.user}@${l.host}`);
    },
    remaining: async (conn, ctx) => (await openLogins(conn, ctx.allowedLogins)).map((l) => `${l.user}@${l.host}`),
  },
  {
    step: "events disabled",
    check: "no enabled event",
    scope: "cluster",
    async apply(conn) {
      const events = await enabledEvents(conn);
      for (const e of events) await conn.query(sql`ALTER EVENT ${ident(e.schema, e.name)} DISABLE`);
      return events.map((e) => `${e.schema}.${e.name}`);
    },
    remaining: async (conn) => (await enabledEvents(conn)).map((e) => `${e.schema}.${e.name}`),
  },
];

/** mysql_native_password's stored form, `*` + hex(SHA1(SHA1(password))): the password itself is never sent. */
export function nativePasswordHash(password: string): string {
  const once = createHash("sha1").update(password, "utf8").digest();
  return `*${createHash("sha1").update(once).digest("hex").toUpperCase()}`;
}

/** The application user connects from anywhere the network allows (the security group decides). */
const APP_HOST = "%";

export const mysqlCluster: ClusterDialect = {
  perDatabaseConnection: false,
  async listDatabases(conn) {
    const r = await conn.query(
      sql`SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (${raw(SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(", "))}) ORDER BY 1`,
    );
    return r.rows.map((row) => String(row.n));
  },
  async hasUserTables(conn, database) {
    const r = await conn.query(sql`
      SELECT EXISTS (SELECT 1 FROM information_schema.TABLES
                      WHERE TABLE_SCHEMA = ${database} AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT IN (${join(OURS.map((t) => sql`${t}`))})) AS any_table`);
    return Number(r.rows[0]?.any_table) === 1;
  },
  beforeDrop: async () => [],
  async dropDatabase(conn, database) {
    await conn.query(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  },
  currentLogin: async (conn) => String((await conn.query(sql`SELECT CURRENT_USER() AS u`)).rows[0]?.u),
  // `logins.keep` names a user ("app", every host) or one account ("app@10.%").
  loginMatches: (login, keep) => login === keep || login.slice(0, login.lastIndexOf("@")) === keep,
  lockdowns,
  async ensureAppUser(conn, name, password) {
    const exists = (await conn.query(sql`SELECT 1 FROM mysql.user WHERE User = ${name} AND Host = ${APP_HOST}`)).rows.length > 0;
    // The hash, not the password, is what the statement carries (MySQL 8 and MariaDB both
    // accept IDENTIFIED WITH mysql_native_password AS '<hash>').
    const auth = sql`IDENTIFIED WITH mysql_native_password AS ${literal(nativePasswordHash(password))}`;
    if (!exists) await conn.query(sql`CREATE USER ${account(name, APP_HOST)} ${auth}`);
    else await conn.query(sql`ALTER USER ${account(name, APP_HOST)} ${auth} ACCOUNT UNLOCK`);
    return exists ? "updated" : "created";
  },
  async grantAppUser(conn, name, database) {
    await conn.query(sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ${ident(database)}.* TO ${account(name, APP_HOST)}`);
  },
};
