/**
 * Per-table progress on a TTY (stderr): rows done / estimated, rows per second and an ETA
 * from the table's own rate. Tables run in parallel, so one live line shows every table in
 * flight; a table that reaches its estimate gets a permanent line. Names and counts only.
 */
import type { ProgressEvent } from "../core/types";
import { fmtInt, fmtMs } from "./format";
import type { Io } from "./io";

export class ProgressLine {
  private readonly latest = new Map<string, ProgressEvent>();
  private readonly printed = new Set<string>();
  private live = false;

  /** `plain`: one line per event, for logs (`--progress` without a terminal). */
  constructor(
    private readonly io: Io,
    private readonly mode: "tty" | "plain" = "tty",
  ) {}

  readonly onProgress = (e: ProgressEvent): void => {
    if (this.mode === "plain") {
      this.io.errRaw(describe(e) + "\n");
      return;
    }
    const id = `${e.table} ${e.action}`;
    this.latest.set(id, e);
    this.clear();
    // Truncates and deletes are reported once, when done; masking reports after every chunk.
    if ((e.action !== "mask" || e.rowsDone >= e.rowsEstimated) && !this.printed.has(id)) {
      this.printed.add(id);
      this.io.errRaw(describe(e) + "\n");
    }
    const inFlight = [...this.latest].filter(([k]) => !this.printed.has(k)).map(([, x]) => x);
    if (inFlight.length) {
      const width = Math.max(40, this.io.stderrColumns - 1);
      const text = inFlight.map((x) => describe(x).trim()).join(" | ");
      this.io.errRaw(text.length > width ? text.slice(0, width - 3) + "..." : text);
      this.live = true;
    }
  };

  /** Clears the live line and prints the last state of tables that never reached their estimate. */
  finish(): void {
    if (this.mode === "plain") return;
    this.clear();
    for (const [id, e] of this.latest) if (!this.printed.has(id)) this.io.errRaw(describe(e) + "\n");
    this.latest.clear();
    this.printed.clear();
  }

  private clear(): void {
    if (this.live) this.io.errRaw("\r\x1b[K");
    this.live = false;
  }
}

export function describe(e: ProgressEvent): string {
  const secs = e.elapsedMs / 1000;
  const rate = secs > 0 ? e.rowsDone / secs : 0;
  if (e.action !== "mask") return `  ${e.table} ${e.action}: ${fmtInt(e.rowsDone)} rows in ${fmtMs(e.elapsedMs)}`;
  const total = Math.max(e.rowsEstimated, e.rowsDone);
  const left = total - e.rowsDone;
  const eta = rate > 0 && left > 0 ? `, ETA ${fmtMs((left / rate) * 1000)}` : "";
  const pct = total > 0 ? ` (${Math.floor((100 * e.rowsDone) / total)}%)` : "";
  return `  ${e.table} ${e.action}: ${fmtInt(e.rowsDone)}/~${fmtInt(total)} rows${pct}, ${fmtInt(rate)} rows/s, ${e.chunksDone} chunk${e.chunksDone === 1 ? "" : "s"}${eta}`;
}
