/**
 * The storage a clone comes to own. An Aurora clone shares the source's pages copy-on-write:
 * it is billed only for the pages written after cloning. So the estimate is, per table, the
 * bytes the sanitizer's statements write:
 *
 * - masked: an UPDATE of every (matching) row writes the table's data pages (times the engine's
 *   factor: PostgreSQL writes new row versions and stamps the old ones, 2; InnoDB updates in
 *   place, 1) and the indexes the engine must update (PostgreSQL all, InnoDB those on masked
 *   columns);
 * - truncated: nothing. TRUNCATE gives the table a new, empty file (PostgreSQL) or recreates
 *   it (InnoDB); the old pages are simply no longer the clone's, they stay the source's;
 * - deleted rows: no row is rewritten and no new version is written; only the pages holding
 *   the deleted rows get a delete mark. Counted as that fraction of the data pages (a lower
 *   bound when the deleted rows are scattered over many pages);
 * - tables without rules: shared, nothing written.
 *
 * Engine-neutral: the sizes and the engine's write behaviour come from a SizeReader
 * (dialect/<engine>/sizes.ts).
 */
import type { SizeReader, TableSize } from "./types";

export interface TableWork {
  /** `schema.name` */
  table: string;
  action: "mask" | "truncate" | "delete" | "mask+delete";
  maskedColumns: string[];
  /** Share of rows the delete removes (0..1); 0 without a delete. */
  deletedFraction: number;
  /** Share of the remaining rows the mask rewrites (1 without a `where`). */
  maskedFraction: number;
}

export interface TableEstimate {
  table: string;
  action: TableWork["action"] | "shared";
  /** The table's size now (data + indexes), shared with the source at clone time. */
  sizeBytes: number;
  /** Bytes the clone will own after sanitization. */
  ownedBytes: number;
  why: string;
}

export interface StorageEstimate {
  tables: TableEstimate[];
  databaseBytes: number;
  ownedBytes: number;
}

export function estimateStorage(sizes: Map<string, TableSize>, work: TableWork[], reader: SizeReader): StorageEstimate {
  const byTable = new Map(work.map((w) => [w.table, w]));
  const tables: TableEstimate[] = [];
  let databaseBytes = 0;
  for (const t of [...sizes.values()].sort((a, b) => a.table.localeCompare(b.table))) {
    const size = t.dataBytes + t.indexes.reduce((n, i) => n + i.bytes, 0);
    databaseBytes += size;
    const w = byTable.get(t.table);
    if (!w) {
      tables.push({ table: t.table, action: "shared", sizeBytes: size, ownedBytes: 0, why: "no rule: stays shared with the source" });
      continue;
    }
    tables.push({ table: t.table, action: w.action, sizeBytes: size, ...owned(t, w, reader) });
  }
  // A planned table the size query didn't see (e.g. created after the statistics) fails closed.
  for (const w of work) {
    if (!sizes.has(w.table)) throw new Error(`cost: no size for table ${w.table}; run ANALYZE (MySQL: ANALYZE TABLE) on it and try again`);
  }
  return { tables, databaseBytes, ownedBytes: tables.reduce((n, t) => n + t.ownedBytes, 0) };
}

function owned(t: TableSize, w: TableWork, reader: SizeReader): { ownedBytes: number; why: string } {
  if (w.action === "truncate") return { ownedBytes: 0, why: "truncate: a new empty table; the old pages stay the source's" };
  const deleted = t.dataBytes * w.deletedFraction;
  if (w.action === "delete")
    return {
      ownedBytes: Math.round(deleted),
      why: `delete ${pct(w.deletedFraction)} of rows: their pages get a delete mark, nothing is rewritten`,
    };
  const rewritten = (1 - w.deletedFraction) * w.maskedFraction;
  const indexes = reader.indexesWrittenByUpdate(t, w.maskedColumns);
  const indexBytes = indexes.reduce((n, i) => n + i.bytes, 0);
  const bytes = deleted + rewritten * (t.dataBytes * reader.dataWriteFactor + indexBytes);
  const idx = indexes.length ? `, ${indexes.length} index${indexes.length === 1 ? "" : "es"}` : "";
  return { ownedBytes: Math.round(bytes), why: `mask ${pct(rewritten)} of rows: data pages x${reader.dataWriteFactor}${idx}` };
}

const pct = (f: number): string => `${Math.round(f * 100)}%`;
