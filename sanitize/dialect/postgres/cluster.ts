/**
 * PostgreSQL cluster operations for sanitizeCluster: databases (pg_database), login roles,
 * pg_cron jobs, logical-replication subscriptions, postgres_fdw user mappings, and the
 * least-privilege application user. Roles are cluster-wide; cron.job, subscriptions and user
 * mappings are per database, so those lockdowns run on a connection to each database.
 */
import { ident, raw, sql } from "../../core/sql";
import { redactDbMessage } from "../../core/redact-db";
import { SanitizeError, type Connection } from "../../core/types";
import type { ClusterDialect, Lockdown } from "../../cluster/types";
import { isAllowed } from "../../cluster/types";
import { PROGRESS_SCHEMA } from "../types";
import { scramVerifier } from "./scram";

const names = async (conn: Connection, q: ReturnType<typeof sql>): Promise<string[]> => (await conn.query(q)).rows.map((r) => String(r.n));

/** AWS's own roles (rdsadmin, rds_superuser, ...) and PostgreSQL's predefined pg_* roles. */
const INTERNAL_ROLE = sql`(rolname LIKE 'pg\\_%' OR rolname LIKE 'rds%')`;

const USER_SCHEMA = sql`n.nspname NOT IN ('pg_catalog', 'information_schema', ${PROGRESS_SCHEMA}) AND n.nspname NOT LIKE 'pg\\_%'`;

const openLogins = async (conn: Connection, allowed: ReadonlySet<string>) =>
  (
    await names(
      conn,
      sql`SELECT rolname AS n FROM pg_roles WHERE rolcanlogin AND rolname <> session_user AND NOT ${INTERNAL_ROLE} ORDER BY rolname`,
    )
  ).filter((r) => !isAllowed(postgresCluster, r, allowed));

/**
 * Only a superuser may alter a superuser role: a login without that privilege would lock the
 * roles before the first superuser in name order and then fail half way. Refused up front,
 * before the first ALTER ROLE, naming the roles and both ways out.
 */
async function assertCanLock(conn: Connection, roles: string[]): Promise<void> {
  if (roles.length === 0) return;
  const { rows } = await conn.query(sql`SELECT rolsuper AS s FROM pg_roles WHERE rolname = session_user`);
  if (rows[0]?.s === true) return;
  const supers = await names(
    conn,
    sql`SELECT rolname AS n FROM pg_roles WHERE rolsuper AND rolname = ANY(${roles}::text[]) ORDER BY rolname`,
  );
  if (supers.length === 0) return;
  const list = supers.map((r) => `"${r}"`).join(", ");
  throw new SanitizeError(
    [
      `logins: ${list} ${supers.length === 1 ? "is a superuser login" : "are superuser logins"} that the connecting user (not a superuser) ` +
        "can't lock (NOLOGIN on a superuser needs a superuser); nothing was changed. Run as a superuser, or list " +
        `${supers.length === 1 ? "it" : "them"} under logins.keep in the rules if ${supers.length === 1 ? "it" : "they"} may stay open on the clone`,
    ],
    "rules",
  );
}

const hasCron = async (conn: Connection) =>
  (await conn.query(sql`SELECT to_regclass('cron.job') IS NOT NULL AS has`)).rows[0]?.has === true;

const subscriptions = (enabledOnly: boolean) =>
  sql`SELECT subname AS n FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())${raw(enabledOnly ? " AND subenabled" : "")} ORDER BY subname`;

const userMappings = async (conn: Connection) =>
  (
    await conn.query(
      sql`SELECT srvname AS server, CASE WHEN umuser = 0 THEN NULL ELSE usename END AS login FROM pg_user_mappings ORDER BY srvname, usename`,
    )
  ).rows.map((r) => ({ server: String(r.server), login: r.login == null ? undefined : String(r.login) }));

const lockdowns: Lockdown[] = [
  {
    step: "login roles locked (NOLOGIN)",
    check: "no login role outside the allowed set can log in",
    scope: "cluster",
    async apply(conn, ctx) {
      const roles = await openLogins(conn, ctx.allowedLogins);
      await assertCanLock(conn, roles);
      for (const r of roles) {
        try {
          await conn.query(sql`ALTER ROLE ${ident(r)} NOLOGIN`);
        } catch (err) {
          throw new SanitizeError(
            [
              `logins: can't lock login role "${r}" (${redactDbMessage(err)}); roles before it in name order are already NOLOGIN. ` +
                "Run as a user allowed to alter it, or list it under logins.keep if it may stay open on the clone; then re-run",
            ],
            "execution",
          );
        }
      }
      // NOLOGIN stops new sessions only: end the ones already open under those roles.
      if (roles.length)
        await conn.query(
          sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY(${roles}::text[]) AND pid <> pg_backend_pid()`,
        );
      return roles;
    },
    remaining: (conn, ctx) => openLogins(conn, ctx.allowedLogins),
  },
  {
    step: "pg_cron jobs disabled",
    check: "no active pg_cron job",
    scope: "database",
    async apply(conn) {
      if (!(await hasCron(conn))) return [];
      return names(conn, sql`UPDATE cron.job SET active = false WHERE active RETURNING coalesce(jobname, jobid::text) AS n`);
    },
    async remaining(conn) {
      return (await hasCron(conn))
        ? names(conn, sql`SELECT coalesce(jobname, jobid::text) AS n FROM cron.job WHERE active ORDER BY 1`)
        : [];
    },
  },
  {
    step: "logical-replication subscriptions disabled",
    check: "no enabled subscription",
    scope: "database",
    async apply(conn) {
      const subs = await names(conn, subscriptions(true));
      for (const s of subs) await conn.query(sql`ALTER SUBSCRIPTION ${ident(s)} DISABLE`);
      return subs;
    },
    remaining: (conn) => names(conn, subscriptions(true)),
  },
  {
    // Their options carry production passwords for the foreign servers.
    step: "foreign-server user mappings dropped",
    check: "no foreign-server user mapping",
    scope: "database",
    async apply(conn) {
      const maps = await userMappings(conn);
      for (const m of maps)
        await conn.query(sql`DROP USER MAPPING FOR ${m.login === undefined ? raw("PUBLIC") : ident(m.login)} SERVER ${ident(m.server)}`);
      return maps.map(describeMapping);
    },
    remaining: async (conn) => (await userMappings(conn)).map(describeMapping),
  },
];

function describeMapping(m: { server: string; login?: string }): string {
  return `${m.login ?? "PUBLIC"}@${m.server}`;
}

export const postgresCluster: ClusterDialect = {
  perDatabaseConnection: true,
  // template0 can't be connected to; rdsadmin is AWS's and not reachable by the master user.
  listDatabases: (conn) =>
    names(conn, sql`SELECT datname AS n FROM pg_database WHERE datallowconn AND datname NOT IN ('template0', 'rdsadmin') ORDER BY datname`),
  async hasUserTables(conn) {
    const r = await conn.query(sql`
      SELECT EXISTS (
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMA}
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ) AS any`);
    return r.rows[0]?.any === true;
  },
  async beforeDrop(conn) {
    // DROP DATABASE refuses while the database has subscriptions; without a slot name the
    // drop doesn't reach out to the publisher (production).
    const subs = await names(conn, subscriptions(false));
    for (const s of subs) {
      await conn.query(sql`ALTER SUBSCRIPTION ${ident(s)} DISABLE`);
      await conn.query(sql`ALTER SUBSCRIPTION ${ident(s)} SET (slot_name = NONE)`);
      await conn.query(sql`DROP SUBSCRIPTION ${ident(s)}`);
    }
    return subs;
  },
  async dropDatabase(conn, database) {
    await conn.query(sql`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
  },
  currentLogin: async (conn) => String((await conn.query(sql`SELECT session_user AS u`)).rows[0]?.u),
  loginMatches: (login, keep) => login === keep,
  lockdowns,
  async ensureAppUser(conn, name, password) {
    const exists = (await conn.query(sql`SELECT 1 FROM pg_roles WHERE rolname = ${name}`)).rows.length > 0;
    // Utility statements take no parameters: the verifier goes in as a literal (base64 and
    // fixed punctuation only), never the password.
    const verifier = raw(`'${scramVerifier(password)}'`);
    await conn.query(
      sql`${raw(exists ? "ALTER" : "CREATE")} ROLE ${ident(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${verifier}`,
    );
    return exists ? "updated" : "created";
  },
  async grantAppUser(conn, name, database) {
    await conn.query(sql`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(name)}`);
    const schemas = await names(conn, sql`SELECT n.nspname AS n FROM pg_namespace n WHERE ${USER_SCHEMA} ORDER BY 1`);
    for (const s of schemas) {
      await conn.query(sql`GRANT USAGE ON SCHEMA ${ident(s)} TO ${ident(name)}`);
      await conn.query(sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${ident(s)} TO ${ident(name)}`);
      await conn.query(sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${ident(s)} TO ${ident(name)}`);
    }
  },
};
