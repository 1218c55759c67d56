/** A mistake on the command line or in local files: exit code 2, message only, no stack. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Extra lines, e.g. a list of problems. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}
