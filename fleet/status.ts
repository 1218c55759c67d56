/** The per-stack status table: redrawn in place on a TTY, printed once at the end otherwise. */
import { fmtInt, fmtMs, table } from "../sanitize/cli/format";
import type { Io } from "../sanitize/cli/io";
import type { StackOutcome } from "./types";

export function statusRows(outcomes: readonly StackOutcome[]): string[] {
  return table([
    ["stack", "state", "clone", "rows masked", "checks", "time", "detail"],
    ...outcomes.map((o) => [
      o.stack,
      o.state,
      o.cloneId ?? "",
      o.rowsMasked !== undefined ? fmtInt(o.rowsMasked) : "",
      o.checks ? `${o.checks.passed}/${o.checks.total}` : "",
      o.durationMs !== undefined ? fmtMs(o.durationMs) : "",
      o.error ?? o.lastLine ?? o.summary ?? "",
    ]),
  ]);
}

export class LiveTable {
  private drawn = 0;

  constructor(private readonly io: Io) {}

  readonly draw = (outcomes: readonly StackOutcome[]): void => {
    const width = Math.max(40, this.io.stderrColumns - 1);
    // Move up over the previous drawing and clear it, then draw again.
    if (this.drawn) this.io.errRaw(`\x1b[${this.drawn}F\x1b[J`);
    const lines = statusRows(outcomes).map((l) => (l.length > width ? `${l.slice(0, width - 3)}...` : l));
    this.io.errRaw(lines.join("\n") + "\n");
    this.drawn = lines.length;
  };
}
