/**
 * PostgreSQL materialized views hold a copy of what they read when last refreshed: masking the
 * tables leaves the originals there. Every one that reads (directly, through views or through
 * other materialized views) a table this plan masks, truncates or deletes from is refreshed
 * after masking, sources before the views that read them.
 */
import { ident, type Sql } from "./core/sql";
import type { MaterializedViewInfo } from "./core/types";

export interface MatviewRefresh {
  qualified: string;
  ref: Sql;
}

export function matviewsToRefresh(views: MaterializedViewInfo[], changedTables: Set<string>): MatviewRefresh[] {
  const byName = new Map(views.map((v) => [v.qualified, v]));
  const affected = new Map<string, boolean>();
  const isAffected = (v: MaterializedViewInfo, seen: Set<string>): boolean => {
    const known = affected.get(v.qualified);
    if (known !== undefined) return known;
    if (seen.has(v.qualified)) return false; // a cycle can't exist in PostgreSQL; guard anyway
    seen.add(v.qualified);
    const hit = v.dependsOn.some((d) => changedTables.has(d) || (byName.has(d) && isAffected(byName.get(d)!, seen)));
    affected.set(v.qualified, hit);
    return hit;
  };
  const ordered: MaterializedViewInfo[] = [];
  const placed = new Set<string>();
  const place = (v: MaterializedViewInfo, path: Set<string>): void => {
    if (placed.has(v.qualified) || path.has(v.qualified)) return;
    path.add(v.qualified);
    for (const d of v.dependsOn) {
      const src = byName.get(d);
      if (src && isAffected(src, new Set())) place(src, path);
    }
    placed.add(v.qualified);
    ordered.push(v);
  };
  for (const v of views) if (isAffected(v, new Set())) place(v, new Set());
  return ordered.map((v) => ({ qualified: v.qualified, ref: ident(v.schema, v.name) }));
}
