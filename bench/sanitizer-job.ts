/** What the bench sends the sanitizer child process, and what it gets back. */
import type { ConnectionTarget, RunReport } from "../sanitize/core/types";

export interface SanitizerJob {
  target: ConnectionTarget;
  /** Rules YAML text. */
  rules: string;
  /** Undefined: the sanitizer's default (the server's CPU count where readable). */
  parallelism?: number;
  /** Undefined: the sanitizer's default chunking. */
  chunkSize?: number;
}

export interface SanitizerResult {
  report: RunReport;
  /** Time inside sanitize(), without Node start-up. */
  ms: number;
  /** The child's peak resident set size, from getrusage (KiB on Linux). */
  peakRssKb: number;
  /** Per table, the duration of each masked chunk, from the progress events. */
  chunkMs: Record<string, number[]>;
  /** Inside sanitize(): before the first masked chunk, the masking span, after the last one. */
  phases?: SanitizerPhases;
}

export interface SanitizerPhases {
  beforeMaskMs: number;
  maskSpanMs: number;
  afterMaskMs: number;
}
