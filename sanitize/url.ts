/**
 * Database URL -> ConnectionTarget. Accepts `postgres://`, `postgresql://` and `mysql://`;
 * TLS from `sslmode` (libpq names) or `ssl`. The password may be left out of the URL and come
 * from PGPASSWORD / MYSQL_PWD instead, so it never has to appear in a command line.
 * Errors never echo the URL: it may contain the password.
 */
import { addressKey, canonicalHost } from "./core/host";
import { SanitizeError, type ConnectionTarget, type EngineName } from "./core/types";

const SCHEMES: Record<string, EngineName> = { "postgres:": "postgres", "postgresql:": "postgres", "mysql:": "mysql" };
const DEFAULT_PORT: Record<EngineName, number> = { postgres: 5432, mysql: 3306 };
const PASSWORD_ENV: Record<EngineName, string> = { postgres: "PGPASSWORD", mysql: "MYSQL_PWD" };
const FORMAT = "expected postgres://user[:password]@host[:port]/database or mysql://user[:password]@host[:port]/database";
const NOT_SHOWN = "(the URL is not shown because it may contain a password)";

function fail(problem: string): never {
  throw new SanitizeError([`database URL: ${problem} ${NOT_SHOWN}`], "connection");
}

/** Any spelling of a loopback address (`127.1`, `[::ffff:7f00:1]`, `localhost.`) is loopback. */
export function isLoopback(host: string): boolean {
  return canonicalHost(host) === "localhost" || addressKey(host) === "loopback";
}

function sslFrom(params: URLSearchParams, host: string): ConnectionTarget["ssl"] {
  const v = (params.get("sslmode") ?? params.get("ssl") ?? "").toLowerCase();
  if (v === "") return isLoopback(host) ? "disable" : "require";
  if (["disable", "false", "0", "off"].includes(v)) return "disable";
  if (["allow", "prefer", "require", "true", "1", "on"].includes(v)) return "require";
  if (["verify-ca", "verify-full", "verify_identity", "verify-identity"].includes(v)) return "verify-full";
  return fail(`unknown TLS mode "${v}" in sslmode/ssl; use disable, require or verify-full`);
}

export function parseDatabaseUrl(url: string, env: NodeJS.ProcessEnv = process.env): ConnectionTarget {
  if (typeof url !== "string" || url.trim() === "") fail(`empty; ${FORMAT}`);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return fail(`not a valid URL; ${FORMAT}`);
  }
  const engine = SCHEMES[u.protocol];
  if (!engine) fail(`unsupported scheme "${u.protocol.replace(/:$/, "")}"; ${FORMAT}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) fail(`no host; ${FORMAT}`);
  const port = u.port ? Number(u.port) : DEFAULT_PORT[engine];
  let database: string;
  let user: string;
  let password: string | undefined;
  try {
    database = decodeURIComponent(u.pathname.replace(/^\//, ""));
    user = decodeURIComponent(u.username);
    password = u.password ? decodeURIComponent(u.password) : undefined;
  } catch {
    return fail("bad percent-encoding in the user, password or database name");
  }
  if (!database || database.includes("/")) fail(`name exactly one database after the host; ${FORMAT}`);
  if (!user) fail(`no user; ${FORMAT}`);
  if (password === undefined) password = env[PASSWORD_ENV[engine]] || undefined;
  return { engine, host, port, user, password, database, ssl: sslFrom(u.searchParams, host) };
}
