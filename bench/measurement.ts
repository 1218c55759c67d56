/** One contender's run on one fresh copy, and the medians the report is built from. */
import type { EngineName } from "../sanitize/core/types";
import type { ContenderId } from "./contenders";
import type { TableStats, Written } from "./engine";
import type { SanitizerPhases } from "./sanitizer-job";

/** rerun and verify: the CLI again on cn's sanitized copy (`sanitize`, then `verify`). */
export type RunId = ContenderId | "rerun" | "verify";

export interface Measurement {
  engine: EngineName;
  run: RunId;
  round: number;
  /** Wall time as a user sees it; for the sanitizer, the whole child process (Node start-up to exit). */
  wallMs: number;
  /** Sanitizer only: time inside sanitize(), and the masking part of it (sum of table times). */
  innerMs?: number;
  maskMs?: number;
  phases?: SanitizerPhases;
  /** Rows masked (updated); truncated rows are not counted. */
  rows: number;
  written: Written;
  /** Time the server then needed to finish purge and flush every dirty page (not measured). */
  settleAfterMs: number;
  peakRssKb?: number;
  /** Sanitizer only: per table, median and slowest chunk (ms) and chunk count. */
  chunks?: Record<string, { count: number; medianMs: number; maxMs: number }>;
  /** Read after the run, outside the measurement (diagnostics). */
  tables?: TableStats[];
  alreadyDone?: boolean;
  verified?: boolean;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Summary {
  engine: EngineName;
  run: RunId;
  rounds: number;
  wallMs: number;
  /**
   * The time compared with (a) and (b): for those, the SQL on the bench's connection (connect
   * included); for the sanitizer, the sanitize() call (connect to report). Neither includes
   * starting a process: a Pulumi run calls the library in-process. Node start-up is shown apart.
   */
  runMs: number;
  innerMs?: number;
  maskMs?: number;
  /** Medians of: Node start-up (wall - inside), before masking, masking span, after masking. */
  startupMs?: number;
  beforeMaskMs?: number;
  maskSpanMs?: number;
  afterMaskMs?: number;
  settleAfterMs: number;
  rows: number;
  rowsPerSec: number;
  logBytes: number;
  pageBytes: number;
  peakRssKb?: number;
}

export function summarize(ms: Measurement[], engine: EngineName, run: RunId): Summary | undefined {
  const mine = ms.filter((m) => m.engine === engine && m.run === run);
  if (mine.length === 0) return undefined;
  const opt = (xs: Array<number | undefined>): number | undefined => {
    const d = xs.filter((x): x is number => x !== undefined);
    return d.length ? median(d) : undefined;
  };
  const wallMs = median(mine.map((m) => m.wallMs));
  const rows = median(mine.map((m) => m.rows));
  return {
    engine,
    run,
    rounds: mine.length,
    wallMs,
    runMs: median(mine.map((m) => m.innerMs ?? m.wallMs)),
    innerMs: opt(mine.map((m) => m.innerMs)),
    maskMs: opt(mine.map((m) => m.maskMs)),
    startupMs: opt(mine.map((m) => (m.innerMs === undefined ? undefined : m.wallMs - m.innerMs))),
    beforeMaskMs: opt(mine.map((m) => m.phases?.beforeMaskMs)),
    maskSpanMs: opt(mine.map((m) => m.phases?.maskSpanMs)),
    afterMaskMs: opt(mine.map((m) => m.phases?.afterMaskMs)),
    settleAfterMs: median(mine.map((m) => m.settleAfterMs)),
    rows,
    rowsPerSec: rows / (median(mine.map((m) => m.innerMs ?? m.wallMs)) / 1000),
    logBytes: median(mine.map((m) => m.written.logBytes)),
    pageBytes: median(mine.map((m) => m.written.pagesWritten * m.written.pageSize)),
    // The worst run counts for memory: a limit must hold every time, not on median.
    peakRssKb: mine.some((m) => m.peakRssKb !== undefined) ? Math.max(...mine.map((m) => m.peakRssKb ?? 0)) : undefined,
  };
}
