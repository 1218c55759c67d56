/**
 * Every database of the cluster and what the rules say happens to it, then each one planned:
 * the part of sanitizeCluster that writes nothing. All problems of all databases are collected
 * and thrown together, so nothing is written anywhere while any database has one.
 */
import { SanitizeError, type Connection, type DatabaseRules, type Rules, type SanitizeOptions } from "../core/types";
import type { Plan } from "../plan";
import type { ClusterDialect } from "./types";

export interface DatabaseEntry {
  database: string;
  action: "sanitize" | "drop" | "clean" | "empty";
  /** sanitize / clean: the database's own rules. */
  rules?: DatabaseRules;
  /** drop: named in the rules but already gone (a re-run). */
  absent?: boolean;
}

export interface LayoutDeps {
  cluster: ClusterDialect;
  admin: Connection;
  /** Runs `fn` on a connection to `database` (the admin connection where one session sees all). */
  onDatabase<T>(database: string, fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** The per-database plan (sanitize/index.ts plan()); throws SanitizeError with every problem. */
  plan(options: SanitizeOptions): Promise<Plan>;
}

type Kind = SanitizeError["kind"];

/** The databases and what happens to each. Throws, naming every problem, before anything is written. */
export async function layoutCluster(
  options: SanitizeOptions,
  rules: Rules,
  deps: LayoutDeps,
): Promise<{ entries: DatabaseEntry[]; plans: Map<string, Plan> }> {
  const own = options.target.database;
  const named = rules.databases ?? {};
  const problems: { kind: Kind; text: string }[] = [];
  const listed = await deps.cluster.listDatabases(deps.admin);
  const entries: DatabaseEntry[] = [];
  if (named[own]) {
    problems.push({
      kind: "rules",
      text: `databases: "${own}" is the target's own database, whose rules are the top-level tables/keep/verify; move them there and remove it from databases:`,
    });
  }
  for (const database of [own, ...listed.filter((d) => d !== own)]) {
    const rule = database === own ? undefined : named[database];
    if (database === own) entries.push({ database, action: "sanitize", rules: ownRules(rules) });
    else if (rule?.kind === "drop") entries.push({ database, action: "drop" });
    else if (rule) entries.push({ database, action: rule.clean ? "clean" : "sanitize", rules: rule.rules });
    else if (await deps.onDatabase(database, (conn) => deps.cluster.hasUserTables(conn, database))) {
      problems.push({ kind: "coverage", text: unmentioned(database) });
    } else entries.push({ database, action: "empty" });
  }
  for (const [database, rule] of Object.entries(named)) {
    if (listed.includes(database) || database === own) continue;
    // A dropped database is gone on the next run: that is the rule fulfilled, not a typo.
    if (rule.kind === "drop") entries.push({ database, action: "drop", absent: true });
    else
      problems.push({
        kind: "rules",
        text: `databases: "${database}" is not a database on this server (it has: ${listed.join(", ")}); fix the name or remove the entry`,
      });
  }

  const plans = new Map<string, Plan>();
  for (const e of entries) {
    if (!e.rules) continue;
    try {
      plans.set(e.database, await deps.plan({ ...options, target: { ...options.target, database: e.database }, rules: e.rules }));
    } catch (err) {
      if (!(err instanceof SanitizeError)) throw err;
      for (const p of err.problems) problems.push({ kind: err.kind, text: `database "${e.database}": ${p}` });
    }
  }
  if (problems.length)
    throw new SanitizeError(
      problems.map((p) => p.text),
      mostSevere(problems.map((p) => p.kind)),
    );
  return { entries, plans };
}

/** The top-level tables/keep/verify: the rules of the target's own database. */
function ownRules(rules: Rules): DatabaseRules {
  return { tables: rules.tables, keep: rules.keep, verify: rules.verify };
}

function unmentioned(database: string): string {
  return (
    `database "${database}" has tables but the rules don't say what happens to it; a copy of production must not keep a database nobody reviewed. ` +
    `Add it under databases: as \`${database}: { drop: true }\` (not needed in staging), \`${database}: { clean: true }\` ` +
    `(reviewed, no personal data; the coverage guard still checks it), or \`${database}: { tables: ... }\` (its own rules).`
  );
}

/** The kind the whole error takes: the one a user must fix first. */
function mostSevere(kinds: Kind[]): Kind {
  const order: Kind[] = ["forbidden-host", "connection", "logging", "rules", "schema", "coverage", "execution", "verification"];
  return order.find((k) => kinds.includes(k)) ?? kinds[0];
}
