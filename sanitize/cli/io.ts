/** Output for one CLI invocation: stdout for results, stderr for progress and messages. */
import { Redactor } from "./redact";

export class Io {
  readonly redactor = new Redactor();

  constructor(
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {}

  /** A result line (stdout). */
  out(line = ""): void {
    this.stdout.write(this.redactor.scrub(line) + "\n");
  }

  /** A message for humans (stderr). */
  err(line = ""): void {
    this.stderr.write(this.redactor.scrub(line) + "\n");
  }

  /** A machine-readable result (stdout), scrubbed like everything else. */
  json(value: unknown): void {
    this.stdout.write(this.redactor.scrub(JSON.stringify(value, null, 2)) + "\n");
  }

  /** Raw text to stderr without a newline (progress line redraws). */
  errRaw(text: string): void {
    this.stderr.write(this.redactor.scrub(text));
  }

  get stderrColumns(): number {
    return this.stderr.columns || 100;
  }

  get stderrIsTTY(): boolean {
    return Boolean(this.stderr.isTTY);
  }
}
