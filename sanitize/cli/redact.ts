/**
 * Everything the CLI prints goes through a Redactor: URLs lose their password, and every
 * secret the CLI knows about (database password, masking key) is replaced wherever it shows
 * up, even inside an error message from a driver. Belt and braces: the library already
 * keeps secrets out of its messages.
 */

/** `postgres://user:pw@host/db` -> `postgres://user:***@host/db`; also `password=` query params. */
export function redactUrl(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, "$1***@")
    .replace(/([?&](?:password|passwd|pwd|pass)=)[^&\s#]*/gi, "$1***");
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret. Very short strings are ignored: replacing "a" everywhere helps nobody. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) {
      this.secrets.add(secret);
      // The forms it can take in output: URL-encoded (drivers) and JSON-escaped (--json).
      this.secrets.add(encodeURIComponent(secret));
      this.secrets.add(JSON.stringify(secret).slice(1, -1));
    }
  }

  scrub(text: string): string {
    let out = redactUrl(text);
    // Longest first, so a secret containing another is replaced whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
    return out;
  }
}
