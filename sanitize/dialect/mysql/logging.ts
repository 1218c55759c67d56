/**
 * The session logging guard for MySQL / MariaDB, run right after every connect (driver.ts),
 * before any statement can carry the masking key's HMAC pads or a sampled original value. The
 * general log records every statement with its bound values substituted, the slow log does so
 * for slow statements (long_query_time = 0 means all), and the audit plugins (MariaDB
 * server_audit, Aurora Advanced Auditing, MySQL Enterprise audit_log) record query text too.
 * Each is turned off for this session where the login may; otherwise the run refuses.
 */
import { raw } from "../../core/sql";
import { SanitizeError, type Connection } from "../../core/types";

/** long_query_time's maximum (one year): no statement of ours runs that long. */
const MAX_LONG_QUERY_TIME = 31536000;

const on = (v: unknown) => v === 1 || v === "1" || String(v).toUpperCase() === "ON";

export async function guardSessionLogging(conn: Connection, user: string): Promise<void> {
  const g = (
    await conn.query(
      raw(
        "SELECT @@global.general_log AS general_log, @@global.slow_query_log AS slow_query_log, @@global.log_output AS log_output, " +
          "@@global.log_queries_not_using_indexes AS not_using_indexes, VERSION() AS version",
      ),
    )
  ).rows[0];
  const refused: string[] = [];
  const refuse = (setting: string, what: string) =>
    refused.push(
      `the server logs ${what} (${setting}) and user "${user}" may not turn that off for its session: the masking key's HMAC pads and ` +
        `sampled original values would be written to the server log. Turn ${setting} off for the cluster (Aurora/RDS: the clone's ` +
        `cluster parameter group; elsewhere the server configuration), or run as a user allowed to change it for its session.`,
    );
  // log_output = NONE: the general and slow logs are on but written nowhere.
  const written = !String(g.log_output ?? "")
    .toUpperCase()
    .split(",")
    .includes("NONE");

  if (written && on(g.general_log) && !(await setAndCheck(conn, "sql_log_off", "ON")))
    refuse("general_log", "every statement with its values");
  if (written && on(g.slow_query_log) && !(await slowLogOff(conn, on(g.not_using_indexes)))) {
    refuse(
      on(g.not_using_indexes) ? "slow_query_log with log_queries_not_using_indexes" : "slow_query_log",
      "slow statements with their values",
    );
  }
  for (const p of await auditPlugins(conn)) refuse(p, "query text");
  if (refused.length) throw new SanitizeError(refused, "logging");
}

/**
 * MariaDB has a session slow_query_log; MySQL only the global one, so there the session's
 * long_query_time goes to its maximum, which doesn't stop statements logged for not using an
 * index (MariaDB: log_slow_filter's not_using_index, which is per session).
 */
async function slowLogOff(conn: Connection, notUsingIndexes: boolean): Promise<boolean> {
  if (await setAndCheck(conn, "slow_query_log", "OFF")) return true;
  if (!(await setAndCheck(conn, "long_query_time", String(MAX_LONG_QUERY_TIME)))) return false;
  if (!notUsingIndexes) return true;
  const filter = await read(conn, "log_slow_filter");
  if (filter === undefined) return false; // MySQL: log_queries_not_using_indexes is global only
  const kept = filter.split(",").filter((f) => f && f !== "not_using_index");
  return setAndCheck(conn, "log_slow_filter", `'${kept.join(",")}'`, kept.join(","));
}

/** Audit plugins loaded and recording queries, by the setting that says so. */
async function auditPlugins(conn: Connection): Promise<string[]> {
  const vars = new Map(
    (
      await conn.query(
        raw(
          "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('server_audit_logging', 'server_audit_events', 'audit_log_policy', 'audit_log_statement_policy')",
        ),
      )
    ).rows.map((r) => [String(r.Variable_name), String(r.Value ?? "")] as const),
  );
  const out: string[] = [];
  // server_audit_events empty means every event class, queries included.
  const events = vars.get("server_audit_events") ?? "";
  if (on(vars.get("server_audit_logging")) && (events === "" || /QUERY/i.test(events)))
    out.push(`server_audit_logging with server_audit_events = '${events || "(all)"}'`);
  const policy = (vars.get("audit_log_statement_policy") ?? vars.get("audit_log_policy") ?? "NONE").toUpperCase();
  if (vars.has("audit_log_policy") && (policy === "ALL" || policy === "QUERIES"))
    out.push(`audit_log_policy/audit_log_statement_policy = ${policy}`);
  return out;
}

async function read(conn: Connection, name: string): Promise<string | undefined> {
  try {
    const v = (await conn.query(raw(`SELECT @@session.${name} AS v`))).rows[0]?.v;
    return v == null ? undefined : String(v);
  } catch {
    return undefined; // no such session variable on this server
  }
}

/** SET SESSION and read it back; false when refused (privilege, global-only, unknown). */
async function setAndCheck(conn: Connection, name: string, value: string, expect = value): Promise<boolean> {
  try {
    // Names and values are our own constants, never input.
    await conn.query(raw(`SET SESSION ${name} = ${value}`));
  } catch {
    return false;
  }
  const now = await read(conn, name);
  if (now === undefined) return false;
  const norm = (v: string) => (on(v) ? "ON" : v === "0" || v.toUpperCase() === "OFF" ? "OFF" : v);
  return norm(now) === norm(expect) || Number(now) === Number(expect);
}
