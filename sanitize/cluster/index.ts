/**
 * sanitizeCluster: the whole clone, not one database. A copy-on-write clone carries every
 * database of production, its login roles, scheduled jobs, subscriptions and foreign-server
 * credentials. In order (docs/safety.md):
 *   1. list every database and plan each one (layout.ts): anything unmentioned or invalid
 *      fails the run with every problem named, before anything is written anywhere;
 *   2. lock down what production left (logins, jobs, subscriptions, user mappings) and check
 *      it, before any masking; drop the databases the rules drop;
 *   3. sanitize each database with the per-database `sanitize()`, verify the clean ones;
 *   4. only when everything is verified, create the least-privilege application user.
 * Every session the sanitizer opens first turns statement logging off or refuses (drivers).
 */
import { randomUUID } from "node:crypto";
import {
  SanitizeError,
  type CheckResult,
  type ClusterDatabaseReport,
  type ClusterRunReport,
  type ClusterSanitizeOptions,
  type Connection,
  type Rules,
  type SanitizeOptions,
} from "../core/types";
import { getDialect } from "../dialect";
import { assertCanDisableTriggers } from "../execute";
import { plan, sanitize, verify } from "../index";
import type { Plan } from "../plan";
import { loadRules } from "../rules";
import { assertNotForbidden } from "../safety";
import { clusterDialect } from "./dialects";
import { layoutCluster, type DatabaseEntry } from "./layout";
import type { ClusterDialect, Lockdown, LockdownContext } from "./types";

interface Session {
  options: SanitizeOptions;
  rules: Rules;
  cluster: ClusterDialect;
  admin: Connection;
  onDatabase<T>(database: string, fn: (conn: Connection) => Promise<T>): Promise<T>;
}

/** Opens the admin connection (the target's database) and runs `fn` with per-database access. */
async function withCluster<T>(options: SanitizeOptions, fn: (s: Session) => Promise<T>): Promise<T> {
  const rules = typeof options.rules === "string" ? loadRules(options.rules, "rules") : options.rules;
  await assertNotForbidden(options.target, options.forbiddenHosts);
  const dialect = getDialect(options.target.engine);
  const cluster = clusterDialect(options.target.engine);
  const admin = await dialect.connect(options.target, options.connect);
  const onDatabase = async <R>(database: string, run: (conn: Connection) => Promise<R>): Promise<R> => {
    if (!cluster.perDatabaseConnection || database === options.target.database) return run(admin);
    const conn = await dialect.connect({ ...options.target, database }, options.connect);
    try {
      return await run(conn);
    } finally {
      await conn.close();
    }
  };
  try {
    return await fn({ options, rules, cluster, admin, onDatabase });
  } finally {
    await admin.close();
  }
}

const layoutOf = (s: Session) => layoutCluster(s.options, s.rules, { cluster: s.cluster, admin: s.admin, onDatabase: s.onDatabase, plan });

/** Every database, what happens to it and (sanitized or clean) its plan. Writes nothing. */
export async function planCluster(
  options: SanitizeOptions,
): Promise<{ databases: { database: string; action: DatabaseEntry["action"]; plan?: Plan }[] }> {
  return withCluster(options, async (s) => {
    const { entries, plans } = await layoutOf(s);
    return { databases: entries.map((e) => ({ database: e.database, action: e.action, plan: plans.get(e.database) })) };
  });
}

export async function sanitizeCluster(options: ClusterSanitizeOptions): Promise<ClusterRunReport> {
  const startedAt = new Date().toISOString();
  if (options.appUser) checkAppUser(options.appUser);
  return withCluster(options, async (s) => {
    const { entries } = await layoutOf(s);
    // The privilege is the login's, not a database's: checked once, before the lockdown writes.
    if (entries.some((e) => e.action === "sanitize"))
      await assertCanDisableTriggers(getDialect(options.target.engine), s.admin, options.target, options.triggers);
    const steps: ClusterRunReport["steps"] = [];
    const kept = entries.filter((e) => e.action !== "drop");

    // Production's access and jobs go before anything else is written.
    const ctx = await lockdownContext(s);
    steps.push(...(await applyLockdowns(s, ctx, kept)));
    const dropped = entries.filter((e) => e.action === "drop" && !e.absent);
    for (const e of dropped) {
      const subs = await s.onDatabase(e.database, (conn) => s.cluster.beforeDrop(conn, e.database));
      if (subs.length) steps.push({ name: "subscriptions dropped with their database", detail: `${e.database}: ${subs.join(", ")}` });
      await s.cluster.dropDatabase(s.admin, e.database);
    }
    if (entries.some((e) => e.action === "drop"))
      steps.push({
        name: "databases dropped",
        detail: entries
          .filter((e) => e.action === "drop")
          .map((e) => e.database + (e.absent ? " (already gone)" : ""))
          .join(", "),
      });
    const checks = await clusterChecks(s, ctx, kept, entries);
    const failed = checks.filter((c) => !c.passed);
    if (failed.length) {
      throw new SanitizeError(
        failed.map((c) => `cluster check failed before any masking: ${c.name} (${c.detail}); nothing was masked`),
        "verification",
      );
    }

    const databases: ClusterDatabaseReport[] = [];
    for (const e of entries) {
      if (e.action === "sanitize" && e.rules) {
        databases.push({
          database: e.database,
          action: "sanitize",
          report: await sanitize({ ...s.options, target: { ...s.options.target, database: e.database }, rules: e.rules }),
        });
      } else {
        databases.push({ database: e.database, action: e.action });
        if (e.action === "clean" && e.rules?.verify.length) {
          const v = await verify({ ...s.options, target: { ...s.options.target, database: e.database }, rules: e.rules });
          checks.push(...v.checks.map((c) => ({ ...c, name: `${e.database}: ${c.name}` })));
        }
      }
    }
    const verified = databases.every((d) => !d.report || d.report.verified) && checks.every((c) => c.passed);
    if (options.appUser) steps.push(await publishAppUser(s, options.appUser, entries, verified));
    return {
      runId: randomUUID(),
      engine: s.options.target.engine,
      startedAt,
      finishedAt: new Date().toISOString(),
      databases,
      steps,
      checks,
      verified,
    };
  });
}

/** Re-runs every database's verify() and the cluster checks. Writes nothing. */
export async function verifyCluster(options: SanitizeOptions): Promise<{ checks: CheckResult[]; verified: boolean }> {
  return withCluster(options, async (s) => {
    const { entries } = await layoutOf(s);
    const ctx = await lockdownContext(s);
    const checks = await clusterChecks(
      s,
      ctx,
      entries.filter((e) => e.action !== "drop"),
      entries,
    );
    for (const e of entries) {
      if (!e.rules || (e.action === "clean" && !e.rules.verify.length)) continue;
      const v = await verify({ ...s.options, target: { ...s.options.target, database: e.database }, rules: e.rules });
      checks.push(...v.checks.map((c) => ({ ...c, name: `${e.database}: ${c.name}` })));
    }
    return { checks, verified: checks.every((c) => c.passed) };
  });
}

async function lockdownContext(s: Session): Promise<LockdownContext> {
  const me = await s.cluster.currentLogin(s.admin);
  return { database: s.options.target.database, allowedLogins: new Set([me, ...(s.rules.logins?.keep ?? [])]) };
}

/** Runs `fn` for a lockdown where it lives: once, or in every database that stays. */
async function acrossScope(
  s: Session,
  l: Lockdown,
  ctx: LockdownContext,
  kept: DatabaseEntry[],
  fn: (conn: Connection, c: LockdownContext) => Promise<string[]>,
): Promise<string[]> {
  if (l.scope === "cluster") return fn(s.admin, ctx);
  const out: string[] = [];
  for (const e of kept) {
    const names = await s.onDatabase(e.database, (conn) => fn(conn, { ...ctx, database: e.database }));
    out.push(...names.map((n) => `${e.database}: ${n}`));
  }
  return out;
}

async function applyLockdowns(s: Session, ctx: LockdownContext, kept: DatabaseEntry[]): Promise<ClusterRunReport["steps"]> {
  const steps: ClusterRunReport["steps"] = [];
  for (const l of s.cluster.lockdowns) {
    const names = await acrossScope(s, l, ctx, kept, (conn, c) => l.apply(conn, c));
    steps.push({ name: l.step, detail: names.length ? `${names.length}: ${names.join(", ")}` : "none found" });
  }
  return steps;
}

async function clusterChecks(s: Session, ctx: LockdownContext, kept: DatabaseEntry[], entries: DatabaseEntry[]): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const l of s.cluster.lockdowns) {
    const left = await acrossScope(s, l, ctx, kept, (conn, c) => l.remaining(conn, c));
    checks.push({ name: l.check, passed: left.length === 0, detail: left.length ? `${left.length} still on: ${left.join(", ")}` : "none" });
  }
  const drops = entries.filter((e) => e.action === "drop").map((e) => e.database);
  if (drops.length) {
    const listed = new Set(await s.cluster.listDatabases(s.admin));
    const left = drops.filter((d) => listed.has(d));
    checks.push({
      name: "dropped databases are gone",
      passed: left.length === 0,
      detail: left.length ? `still there: ${left.join(", ")}` : `${drops.length} gone`,
    });
  }
  return checks;
}

/** Names only where identifiers can't be parameters; the same rule on both engines. */
function checkAppUser(appUser: { name: string; password: string }): void {
  const problems: string[] = [];
  if (!/^[a-z_][a-z0-9_]{0,31}$/.test(appUser.name))
    problems.push(`appUser.name "${appUser.name}" must be 1-32 lowercase letters, digits or _ (not starting with a digit)`);
  if (typeof appUser.password !== "string" || appUser.password.length < 16 || !/^[\x20-\x7e]+$/.test(appUser.password)) {
    problems.push("appUser.password must be at least 16 printable ASCII characters");
  }
  if (problems.length) throw new SanitizeError(problems, "rules");
}

async function publishAppUser(
  s: Session,
  appUser: { name: string; password: string },
  entries: DatabaseEntry[],
  verified: boolean,
): Promise<{ name: string; detail: string }> {
  if (!verified) return { name: "application user not published", detail: `${appUser.name}: the cluster is not verified` };
  const what = await s.cluster.ensureAppUser(s.admin, appUser.name, appUser.password);
  const dbs = entries.filter((e) => e.action === "sanitize").map((e) => e.database);
  for (const db of dbs) await s.onDatabase(db, (conn) => s.cluster.grantAppUser(conn, appUser.name, db));
  return { name: `application user ${what}`, detail: `${appUser.name}: SELECT, INSERT, UPDATE, DELETE on ${dbs.join(", ")}` };
}
