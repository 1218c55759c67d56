/**
 * What the program knows about Aurora engines: the sanitizer's engine name, and which engine
 * versions let Serverless v2 scale to 0 ACU (auto-pause).
 */

export type AuroraEngine = "aurora-postgresql" | "aurora-mysql";

/** The sanitizer's engine name for an Aurora engine. */
export function sanitizerEngine(engine: AuroraEngine): "postgres" | "mysql" {
  return engine === "aurora-postgresql" ? "postgres" : "mysql";
}

/**
 * Minimum versions for Serverless v2 auto-pause (minCapacity 0), per AWS's Aurora docs:
 * Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 (and every later major); Aurora MySQL 3.08.
 */
const PG_AUTO_PAUSE_MIN: Record<number, number> = { 13: 15, 14: 12, 15: 7, 16: 3 };

export function supportsAutoPause(engine: string, version: string): boolean {
  if (engine === "aurora-postgresql") {
    const m = /^(\d+)\.(\d+)/.exec(version);
    if (!m) return false;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major > 16) return true;
    const min = PG_AUTO_PAUSE_MIN[major];
    return min !== undefined && minor >= min;
  }
  if (engine === "aurora-mysql") {
    // e.g. 8.0.mysql_aurora.3.08.0: the Aurora version is what counts.
    const m = /mysql_aurora\.(\d+)\.(\d+)/.exec(version);
    if (!m) return false;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    return major > 3 || (major === 3 && minor >= 8);
  }
  return false;
}

/**
 * The parameter group family of an engine version: aurora-postgresql16 (from 16.4),
 * aurora-mysql8.0 (from 8.0.mysql_aurora.3.08.0). Undefined when the version is unreadable.
 * A minor version change keeps the family, so a source's minor upgrade changes nothing here.
 */
export function parameterGroupFamily(engine: string, version: string): string | undefined {
  if (engine === "aurora-postgresql") {
    const m = /^(\d+)\./.exec(version);
    return m ? `aurora-postgresql${m[1]}` : undefined;
  }
  if (engine === "aurora-mysql") {
    const m = /^(\d+\.\d+)\./.exec(version);
    return m ? `aurora-mysql${m[1]}` : undefined;
  }
  return undefined;
}

/** CloudWatch log export types each engine offers. */
export const LOG_EXPORT_TYPES: Record<AuroraEngine, readonly string[]> = {
  "aurora-postgresql": ["postgresql", "iam-db-auth-error", "instance"],
  "aurora-mysql": ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"],
};
