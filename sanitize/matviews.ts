/**
 * Materialized views that read sanitized tables (Plan.refreshMaterializedViews, PostgreSQL
 * only) still hold the ORIGINAL rows until they are refreshed. Every `sanitize` run that has
 * such views refreshes them, in dependency order, after masking; and every run and `verify`
 * checks, against the data now, that each one holds exactly what its query returns: a stale
 * view (a killed run, a refresh someone undid) fails the check instead of passing silently.
 *
 * Why always refresh instead of "only when this run wrote": a run killed between the last
 * chunk and the refresh leaves nothing to write for the next run, yet the view is stale. The
 * freshness check would catch it; refreshing every time keeps the next run from failing it.
 * The cost is a rewrite of these views on every run (docs/safety.md says so).
 */
import { raw, render, sql } from "./core/sql";
import { SanitizeError, type CheckResult, type Connection } from "./core/types";
import { redactDbMessage } from "./dialect/connect-retry";
import type { Dialect } from "./dialect/types";
import type { MatviewRefresh } from "./plan-matviews";
import type { Plan } from "./plan";

export async function refreshMaterializedViews(conn: Connection, plan: Plan): Promise<void> {
  for (const v of plan.refreshMaterializedViews ?? []) {
    try {
      await conn.query(sql`REFRESH MATERIALIZED VIEW ${v.ref}`);
    } catch (err) {
      throw new SanitizeError(
        [
          `materialized view ${v.qualified} reads sanitized tables but could not be refreshed (${redactDbMessage(err)}); ` +
            "it still holds original data: refresh it as its owner, or drop it on the clone, then re-run",
        ],
        "execution",
      );
    }
  }
}

/**
 * One check per view: the view's rows, as text, sorted, equal its query's rows now. Text
 * comparison works for every column type (json has no equality operator for EXCEPT).
 */
export async function materializedViewChecks(dialect: Dialect, conn: Connection, plan: Plan): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const v of plan.refreshMaterializedViews ?? []) out.push(await freshness(dialect, conn, v));
  return out;
}

async function freshness(dialect: Dialect, conn: Connection, v: MatviewRefresh): Promise<CheckResult> {
  const name = `${v.qualified}: materialized view holds what its query returns now`;
  try {
    const quoted = render(v.ref, dialect.quoter).text;
    const def = await conn.query(
      sql`SELECT m.definition AS d, m.ispopulated AS p FROM pg_matviews m
           WHERE CAST(format('%I.%I', m.schemaname, m.matviewname) AS regclass) = CAST(${quoted} AS regclass)`,
    );
    const row = def.rows[0];
    if (!row) return { name, passed: false, detail: "the materialized view is gone from the catalogue" };
    if (row.p === false) return { name, passed: true, detail: "not populated (WITH NO DATA): it holds no rows" };
    const query = String(row.d).trim().replace(/;\s*$/, "");
    const digest = (from: string) =>
      `SELECT COUNT(*) AS n, md5(COALESCE(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM ${from} x`;
    const [a, b] = [(await conn.query(raw(digest(quoted)))).rows[0], (await conn.query(raw(digest(`(${query})`)))).rows[0]];
    const same = String(a.h) === String(b.h) && Number(a.n) === Number(b.n);
    return {
      name,
      passed: same,
      detail: same
        ? `${Number(a.n)} rows, equal to its query`
        : `stale: ${Number(a.n)} rows in the view, ${Number(b.n)} from its query; re-run sanitize to refresh it`,
    };
  } catch (err) {
    return { name, passed: false, detail: `could not compare the view with its query: ${redactDbMessage(err)}` };
  }
}
