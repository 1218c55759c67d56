/**
 * Exit codes of `aurora-staging`. Scripts and CI branch on them, so they are part of the
 * interface: documented in docs/cli.md, never renumbered.
 */
import type { SanitizeError } from "../core/types";

export const ExitCode = {
  /** Done, and (sanitize/verify) every check passed. */
  ok: 0,
  /** Sanitization ran but verification failed: do NOT hand the database out. */
  verificationFailed: 1,
  /** Bad command line, unreadable or invalid rules file, missing masking key, rules that can't run on this database. */
  usage: 2,
  /**
   * Refused before any write: forbidden (production) host, coverage gap, a table or column not
   * in the database, server statement logging.
   */
  refused: 3,
  /** Could not connect (after retrying). */
  connection: 4,
  /** Failed while writing or for an unexpected reason; re-running resumes after the last committed chunk. */
  failed: 5,
  /** Stopped by Ctrl-C (SIGINT, 128 + 2) after cleaning up: a sanitize run resumes when re-run. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15), likewise. */
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(kind: SanitizeError["kind"]): ExitCodeValue {
  switch (kind) {
    case "rules":
      return ExitCode.usage;
    case "schema":
    case "coverage":
    case "forbidden-host":
    case "logging": // the server would log key material or data values: refused before any write
      return ExitCode.refused;
    case "connection":
      return ExitCode.connection;
    case "verification":
      return ExitCode.verificationFailed;
    case "execution":
      return ExitCode.failed;
  }
}
