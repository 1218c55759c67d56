/**
 * Secret scrubbing, in one place. Everything the CLI prints goes through a Redactor, and so do
 * the Pulumi provider's error messages and connect-retry's description of a driver error: URLs
 * lose their password, and every registered secret (database password, masking key, app user
 * password) is replaced wherever it shows up, even inside an error message from a driver, in
 * its raw, URL-encoded and JSON-escaped forms. Belt and braces: the library already keeps
 * secrets out of its messages.
 *
 * Exported from the compiled library (dist/sanitize/index.js): the serialized Pulumi provider
 * requires it from there at run time.
 */

/** Characters that end a URL in running text (and in JSON output). */
const URL_END = /[\s"'`<>]/;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

/**
 * `postgres://user:pw@host/db` -> `postgres://user:***@host/db`; also `password=` query params.
 * Userinfo ends at the LAST `@` of the URL, as URL parsers read it: a password may hold an
 * unencoded `@` (`Sup3r@Secret99`), and cutting at the first one would print half of it.
 * A scanner, not a regex: it visits each character a bounded number of times, so 100 KB of
 * output is redacted in milliseconds (a backtracking pattern took seconds).
 */
export function redactUrl(text: string): string {
  let out = "";
  let copied = 0;
  let from = 0;
  for (;;) {
    const sep = text.indexOf("://", from);
    if (sep < 0) break;
    let schemeStart = sep;
    while (schemeStart > 0 && sep - schemeStart < 32 && SCHEME_CHAR.test(text[schemeStart - 1])) schemeStart--;
    let end = sep + 3;
    while (end < text.length && !URL_END.test(text[end])) end++;
    from = end;
    if (schemeStart === sep || !/[A-Za-z]/.test(text[schemeStart])) continue;
    const at = text.lastIndexOf("@", end - 1);
    if (at < sep + 3) continue;
    // A user name can't hold an unencoded `:` or `@`: the password starts at the first `:`,
    // and only when that comes before the first `@` (else `u@h:5432` is a port, no password).
    const colon = text.indexOf(":", sep + 3);
    if (colon < 0 || colon > text.indexOf("@", sep + 3)) continue;
    out += text.slice(copied, colon + 1) + "***";
    copied = at;
  }
  return (out + text.slice(copied)).replace(/([?&](?:password|passwd|pwd|pass)=)[^&\s#"']*/gi, "$1***");
}

export interface RedactorOptions {
  /** What a registered secret is replaced with. Default `***` (the CLI); the provider and connect-retry say `<secret>`. */
  placeholder?: string;
  /**
   * Shorter secrets are not registered. Default 4: replacing "a" everywhere in CLI output helps
   * nobody. 1 where every occurrence must go whatever it costs the text (a driver's error message).
   */
  minLength?: number;
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly placeholder: string;
  private readonly minLength: number;

  constructor(options: RedactorOptions = {}) {
    this.placeholder = options.placeholder ?? "***";
    this.minLength = Math.max(1, options.minLength ?? 4);
  }

  /** Registers a secret (non-strings and strings shorter than `minLength` are ignored). */
  add(secret: unknown): void {
    if (typeof secret === "string" && secret.length >= this.minLength) {
      this.secrets.add(secret);
      // The forms it can take in output: URL-encoded (drivers) and JSON-escaped (--json).
      this.secrets.add(encodeURIComponent(secret));
      this.secrets.add(JSON.stringify(secret).slice(1, -1));
    }
  }

  scrub(text: string): string {
    // Known secrets first: a URL pattern may cut a password short (an `@` in it), and whatever
    // it leaves would no longer match the whole secret. Longest first, so a secret containing
    // another is replaced whole.
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(this.placeholder);
    return redactUrl(out);
  }
}
