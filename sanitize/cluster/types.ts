/**
 * What `sanitizeCluster` needs from an engine beyond one database's sanitization: the
 * databases of the cluster, and production's access and jobs that must not come along. Each
 * engine implements it in sanitize/dialect/<engine>/cluster.ts.
 */
import type { Connection } from "../core/types";

/** Where a lockdown runs: once per cluster, or in every database (PostgreSQL's per-database catalogs). */
export type LockdownScope = "cluster" | "database";

export interface LockdownContext {
  /** The database the connection is on (PostgreSQL), or the one meant (MySQL). */
  database: string;
  /** Login names that stay able to log in: the connecting user and `logins.keep`. */
  allowedLogins: ReadonlySet<string>;
}

/**
 * One thing production left in the copy: `apply` switches it off and returns the names it acted
 * on; `remaining` returns what is still on (the check, run in the same run).
 */
export interface Lockdown {
  /** Report step, e.g. "login roles locked". */
  step: string;
  /** Check name, e.g. "no login role outside the allowed set can log in". */
  check: string;
  scope: LockdownScope;
  apply(conn: Connection, ctx: LockdownContext): Promise<string[]>;
  remaining(conn: Connection, ctx: LockdownContext): Promise<string[]>;
}

export interface ClusterDialect {
  /** PostgreSQL: a session sees one database, so per-database work needs its own connection. */
  readonly perDatabaseConnection: boolean;
  /** Every database (MySQL: schema) that could hold application data. */
  listDatabases(conn: Connection): Promise<string[]>;
  /** Whether `database` holds user tables (not ours, not an extension's). `conn` is on it (PostgreSQL). */
  hasUserTables(conn: Connection, database: string): Promise<boolean>;
  /** What must go before the database can be dropped (PostgreSQL: its subscriptions); names. `conn` is on it. */
  beforeDrop(conn: Connection, database: string): Promise<string[]>;
  /** Drops `database` (connected to another one). */
  dropDatabase(conn: Connection, database: string): Promise<void>;
  /** The connecting login, as the lockdown names logins ("postgres", "admin@%"). */
  currentLogin(conn: Connection): Promise<string>;
  /** A login name `logins.keep` may use for the login `name` (MySQL: "user" or "user@host"). */
  loginMatches(login: string, keep: string): boolean;
  lockdowns: Lockdown[];
  /** Creates the application user, or updates it to this password; returns what it did. */
  ensureAppUser(conn: Connection, name: string, password: string): Promise<"created" | "updated">;
  /** DML on every table of `database` for the application user. `conn` is on it (PostgreSQL). */
  grantAppUser(conn: Connection, name: string, database: string): Promise<void>;
}

/** A login the lockdown must leave alone: the connecting user or one under `logins.keep`. */
export function isAllowed(dialect: Pick<ClusterDialect, "loginMatches">, login: string, allowed: ReadonlySet<string>): boolean {
  for (const a of allowed) if (dialect.loginMatches(login, a)) return true;
  return false;
}
