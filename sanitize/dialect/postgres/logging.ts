/**
 * The session logging guard for PostgreSQL, run right after every connect (driver.ts), before
 * any statement can carry the masking key's HMAC pads or a sampled original value as a
 * parameter. Production parameter groups often log statements (log_statement,
 * log_min_duration_statement, pgaudit, auto_explain), and a clone inherits them: the pads would
 * land in the server log and CloudWatch. So every logging setting is turned off for this
 * session; where this login may not (most are superuser-only), the server's value is read and
 * the run refuses when it would write statements with their parameter values.
 */
import { raw, sql } from "../../core/sql";
import { SanitizeError, type Connection } from "../../core/types";

/** A setting that logs statements, and the session value that stops it. */
interface LoggingSetting {
  name: string;
  off: string;
  /** An extension's setting: only when the library is loaded (else SET would create a placeholder). */
  extension?: boolean;
  /**
   * Whether the server's value logs our statements' parameter values. `paramsShown` is false
   * when log_parameter_max_length = 0 (statement logs then carry the text only, which holds no
   * values: every value is a bind parameter).
   */
  leaks(value: string, paramsShown: boolean, read: (name: string) => string | undefined): boolean;
}

const atLeastZero = (v: string) => Number.parseInt(v, 10) >= 0;

const SETTINGS: LoggingSetting[] = [
  { name: "log_statement", off: "'none'", leaks: (v, shown) => shown && (v === "mod" || v === "all") },
  { name: "log_min_duration_statement", off: "-1", leaks: (v, shown) => shown && atLeastZero(v) },
  {
    name: "log_min_duration_sample",
    off: "-1",
    leaks: (v, shown, read) => shown && atLeastZero(v) && Number(read("log_statement_sample_rate") ?? "1") > 0,
  },
  { name: "log_transaction_sample_rate", off: "0", leaks: (v, shown) => shown && Number(v) > 0 },
  // A custom plan shows parameter values as constants, whatever log_parameter_max_length says.
  { name: "auto_explain.log_min_duration", off: "-1", extension: true, leaks: (v) => atLeastZero(v) },
  {
    name: "pgaudit.log",
    off: "'none'",
    extension: true,
    leaks: (v, _shown, read) => v !== "" && v.toLowerCase() !== "none" && read("pgaudit.log_parameter") === "on",
  },
];

/** How to turn a setting off where the sanitizer can't do it for its session. */
function howToFix(setting: string, user: string): string {
  return (
    `Turn it off for the cluster (Aurora/RDS: the clone's cluster parameter group, ${setting} = its default; elsewhere postgresql.conf), ` +
    `or for this login (as a superuser: ALTER ROLE "${user}" RESET ${setting}), or let this login set it (GRANT SET ON PARAMETER ${setting} TO "${user}"), ` +
    `or set log_parameter_max_length = 0 on the server.`
  );
}

export async function guardSessionLogging(conn: Connection, user: string): Promise<void> {
  // Any user may set this one (PostgreSQL 13+): a failing statement's parameters stay out of the log.
  await trySet(conn, "log_parameter_max_length_on_error", "0");
  const values = new Map<string, string | undefined>();
  const read = async (name: string) => {
    if (!values.has(name)) {
      const v = (await conn.query(sql`SELECT current_setting(${name}, true) AS v`)).rows[0]?.v;
      values.set(name, typeof v === "string" ? v : undefined);
    }
    return values.get(name);
  };
  const paramsShown = !(await trySet(conn, "log_parameter_max_length", "0")) && (await read("log_parameter_max_length")) !== "0";
  const refused: string[] = [];
  for (const s of SETTINGS) {
    if (s.extension && (await read(s.name)) == null) continue; // library not loaded
    if (await trySet(conn, s.name, s.off)) continue;
    const value = await read(s.name);
    if (value == null) continue; // not known to this server version
    // Everything `leaks` may look at, read up front (it is synchronous).
    for (const other of ["log_statement_sample_rate", "pgaudit.log_parameter"]) await read(other);
    if (s.leaks(value, paramsShown, (n) => values.get(n))) {
      refused.push(
        `the server logs statements with their parameter values (${s.name} = ${value} for this session) and user "${user}" may not turn it off for its session: ` +
          `the masking key's HMAC pads and sampled original values would be written to the server log. ${howToFix(s.name, user)}`,
      );
    }
  }
  if (refused.length) throw new SanitizeError(refused, "logging");
}

/** SET for this session; false when the login may not (or the setting doesn't exist here). */
async function trySet(conn: Connection, name: string, value: string): Promise<boolean> {
  try {
    // Names and values are our own constants above, never input.
    await conn.query(raw(`SET ${name} = ${value}`));
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    // 42501 insufficient_privilege; 42704 unrecognized parameter; 55P02 can't be changed now.
    if (code === "42501" || code === "42704" || code === "55P02") return false;
    throw e;
  }
}
