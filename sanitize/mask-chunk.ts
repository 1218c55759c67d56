/**
 * One chunk of a masked table, as statements. Most rules are one UPDATE. A rule whose own SQL
 * (`where`, `sql` expressions) would share a statement with the masking key's pads runs in two
 * steps instead (Plan: MaskStep.split), so no statement carrying key material ever contains
 * SQL the rules author wrote (issue 8 §6; core/fragment.ts already keeps fragments away from
 * parameters - this is the second wall):
 *   1. (user SQL, no key) the rows the rule selects, and each `sql` expression's value, go to
 *      a temporary work table of the session;
 *   2. (key, no user SQL) the UPDATE masks exactly those rows, `sql` columns from the table.
 * PostgreSQL: one work table, dropped at commit (or rollback), joined by the key (ctid for a
 * table without a primary key: stable inside the chunk's transaction). MySQL: a temporary
 * table per `sql` column plus one of the selected keys (MySQL can't open a temporary table
 * twice in one statement), dropped after the chunk whatever happens.
 */
import { ident, join, raw, sql, type Sql } from "./core/sql";
import type { Connection } from "./core/types";
import type { Dialect } from "./dialect/types";
import { chunkScope, setClause, updateStatement, WORK_TABLE, type PlannedTable } from "./plan";

export interface ChunkBounds {
  after?: string;
  upTo?: string;
}

export interface ChunkStatements {
  /** Run in order inside the chunk's transaction. */
  statements: Sql[];
  /** Which of them masks (its row count is the chunk's). */
  counts: number;
  /** Run after the chunk, committed or not (MySQL temporary tables outlive a rollback). */
  cleanup: Sql[];
}

export function chunkStatements(dialect: Dialect, p: PlannedTable, bounds: ChunkBounds, only?: ReadonlySet<string>): ChunkStatements {
  const m = p.mask!;
  if (!m.split) return { statements: [updateStatement(p, bounds, only)], counts: 0, cleanup: [] };
  const wanted = (name: string) => !only || only.has(name);
  const sqlColumns = m.split.sqlColumns.filter((c) => wanted(c.name));
  const set = setClause(
    m.split.setOrder.filter((c) => wanted(c.name)),
    m.frozen,
  );
  const scope = join(chunkScope(p, bounds).length ? chunkScope(p, bounds) : [raw("TRUE")], " AND ");
  const expression = (e: string) => raw(`(${e})`);

  if (dialect.engine === "postgres") {
    const key = m.chunkKey ? ident(m.chunkKey) : raw("ctid");
    const values = sqlColumns.map((c) => sql`, ${expression(c.expression)} AS ${ident(`s${c.index}`)}`);
    return {
      statements: [
        sql`CREATE TEMP TABLE ${ident(WORK_TABLE)} ON COMMIT DROP AS SELECT ${key} AS aurora_staging_k${join(values, "")} FROM ${p.ref} WHERE ${scope}`,
        sql`UPDATE ${p.ref} AS aurora_staging_t SET ${set} FROM ${ident(WORK_TABLE)} WHERE ${raw("aurora_staging_t.")}${key} = ${ident(WORK_TABLE, "aurora_staging_k")}`,
      ],
      counts: 1,
      cleanup: [],
    };
  }

  const pk = ident(m.chunkKey!);
  const sel = ident(`${WORK_TABLE}_sel`);
  const perColumn = sqlColumns.map((c) => ident(`${WORK_TABLE}_v${c.index}`));
  const drop = [sel, ...perColumn].map((t) => sql`DROP TEMPORARY TABLE IF EXISTS ${t}`);
  const keyBounds = chunkScope(p, bounds, false);
  return {
    statements: [
      ...drop,
      sql`CREATE TEMPORARY TABLE ${sel} (PRIMARY KEY (aurora_staging_k)) SELECT ${pk} AS aurora_staging_k FROM ${p.ref} WHERE ${scope}`,
      ...sqlColumns.map(
        (c, i) =>
          sql`CREATE TEMPORARY TABLE ${perColumn[i]} (PRIMARY KEY (aurora_staging_k)) SELECT ${pk} AS aurora_staging_k, ${expression(c.expression)} AS aurora_staging_s FROM ${p.ref} WHERE ${scope}`,
      ),
      sql`UPDATE ${p.ref} SET ${set} WHERE ${join([...keyBounds, sql`${pk} IN (SELECT aurora_staging_k FROM ${sel})`], " AND ")}`,
    ],
    counts: drop.length + 1 + sqlColumns.length,
    cleanup: drop,
  };
}

/** Runs one chunk's statements on `tx` (inside its transaction); returns the rows masked. */
export async function maskChunk(
  dialect: Dialect,
  tx: Connection,
  p: PlannedTable,
  bounds: ChunkBounds,
  only?: ReadonlySet<string>,
): Promise<number> {
  const c = chunkStatements(dialect, p, bounds, only);
  let rows = 0;
  try {
    for (let i = 0; i < c.statements.length; i++) {
      const r = await tx.query(c.statements[i]);
      if (i === c.counts) rows = r.rowCount;
    }
  } finally {
    for (const q of c.cleanup) await tx.query(q).catch(() => undefined);
  }
  return rows;
}
