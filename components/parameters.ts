/**
 * The clone's own parameter groups: statement and parameter logging off, so the masking key's
 * HMAC pads and the leak check's sampled original values (both sent as statement parameters)
 * never reach the server's log or CloudWatch. Production's groups are not inherited: with
 * `log_min_duration_statement`, `log_statement`, pgaudit or MySQL's general/slow/audit logs
 * on, those values were seen in full in the logs. Also `event_scheduler=OFF`, so production's
 * scheduled events don't run on the copy.
 *
 * The stack's own parameters (`clusterParameters`, `instanceParameters`) are added; config.ts
 * refuses any that names a logging parameter, so ours always hold.
 */
import type { AuroraEngine } from "./engine";

export interface Parameter {
  name: string;
  value: string;
  /** "immediate" for our dynamic settings; the stack's own apply at the next reboot (safe for static ones). */
  applyMethod: "immediate" | "pending-reboot";
}

export interface ParameterSets {
  cluster: Parameter[];
  instance: Parameter[];
}

/** Our logging settings for an engine and major version, per group level. */
export function loggingParameters(engine: AuroraEngine, family: string): ParameterSets {
  const set = (entries: Record<string, string>): Parameter[] =>
    Object.entries(entries).map(([name, value]) => ({ name, value, applyMethod: "immediate" }));
  if (engine === "aurora-postgresql") {
    const major = Number(family.replace("aurora-postgresql", ""));
    const statements = { log_statement: "none", log_min_duration_statement: "-1" };
    return {
      cluster: set({
        ...statements,
        // PostgreSQL 13+: bind parameters are otherwise logged with logged statements and errors.
        ...(major >= 13 ? { log_parameter_max_length: "0", log_parameter_max_length_on_error: "0" } : {}),
        "pgaudit.log": "none",
      }),
      // An instance-level value overrides the cluster's: pin the same ones there.
      instance: set(statements),
    };
  }
  const logs = { general_log: "0", slow_query_log: "0" };
  return {
    cluster: set({ ...logs, server_audit_logging: "0", event_scheduler: "OFF" }),
    instance: set(logs),
  };
}

/** Ours plus the stack's (config.ts already refused any overlap with ours), sorted by name. */
export function parameterSets(
  engine: AuroraEngine,
  family: string,
  extra: { cluster: Record<string, string>; instance: Record<string, string> },
): ParameterSets {
  const ours = loggingParameters(engine, family);
  const theirs = (m: Record<string, string>): Parameter[] =>
    Object.entries(m).map(([name, value]) => ({ name, value, applyMethod: "pending-reboot" }));
  const byName = (a: Parameter, b: Parameter) => a.name.localeCompare(b.name);
  return {
    cluster: [...ours.cluster, ...theirs(extra.cluster)].sort(byName),
    instance: [...ours.instance, ...theirs(extra.instance)].sort(byName),
  };
}
