/**
 * The per-table progress line on a TTY (stderr): rows done / estimated, rows per second and
 * an ETA from the current table's rate. Redrawn in place; finished tables get their own line.
 */
import type { ProgressEvent } from "../core/types";
import { fmtInt, fmtMs } from "./format";
import type { Io } from "./io";

export class ProgressLine {
  private current: string | undefined;
  private lastLine = "";

  constructor(private readonly io: Io) {}

  readonly onProgress = (e: ProgressEvent): void => {
    if (this.current !== undefined && this.current !== e.table) this.io.errRaw("\n");
    this.current = e.table;
    this.lastLine = describe(e);
    this.io.errRaw(`\r\x1b[K${this.lastLine}`);
  };

  /** Ends the redraw line so the next output starts clean. */
  finish(): void {
    if (this.current !== undefined) this.io.errRaw("\n");
    this.current = undefined;
  }
}

export function describe(e: ProgressEvent): string {
  const secs = e.elapsedMs / 1000;
  const rate = secs > 0 ? e.rowsDone / secs : 0;
  const total = Math.max(e.rowsEstimated, e.rowsDone);
  const left = total - e.rowsDone;
  const eta = rate > 0 && left > 0 ? ` ETA ${fmtMs((left / rate) * 1000)}` : "";
  const pct = total > 0 ? ` (${Math.floor((100 * e.rowsDone) / total)}%)` : "";
  return `  ${e.table} ${e.action}: ${fmtInt(e.rowsDone)}/~${fmtInt(total)} rows${pct}, ${fmtInt(rate)} rows/s, ${e.chunksDone} chunks${eta}`;
}
