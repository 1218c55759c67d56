/**
 * Database error text safe to show. Engines quote the offending VALUE in many messages
 * (PostgreSQL `invalid input syntax for type integer: "alice@corp.test"`,
 * `Key (email)=(alice@corp.test) already exists`, MySQL `Duplicate entry 'alice@corp.test'`),
 * and data values must never reach logs, --json output or the stored run report. They also
 * quote IDENTIFIERS, which are what makes the message useful. So every quoted run is redacted
 * unless the word just before it names what kind of identifier follows (`relation "users"`,
 * `for key 'users.email'`); MySQL backticks only ever quote identifiers.
 *
 * One left-to-right pass with bounded look-behind: linear in the message length, whatever it holds.
 */

/** Words an engine puts right before a quoted identifier (compared lowercased, `:` stripped). */
const IDENTIFIER_WORDS = new Set([
  "relation",
  "column",
  "columns",
  "table",
  "tables",
  "constraint",
  "index",
  "key",
  "type",
  "function",
  "procedure",
  "schema",
  "database",
  "role",
  "user",
  "sequence",
  "view",
  "trigger",
  "domain",
  "collation",
  "extension",
  "operator",
  "field",
  "savepoint",
  "cursor",
  "tablespace",
  "partition",
  // `syntax error at or near "..."` quotes the SQL text of the statement (rules fragments),
  // never a data value: data only ever travels as bind parameters.
  "near",
]);

const REDACTED = "<redacted>";
const MAX_WORD = 32;

/** The word right before position `i` (skipping spaces and a `:`), lowercased; "" if none. */
function wordBefore(text: string, i: number): string {
  let end = i;
  while (end > 0 && text[end - 1] === " ") end--;
  let start = end;
  while (start > 0 && end - start < MAX_WORD && /[A-Za-z_]/.test(text[start - 1])) start--;
  return text.slice(start, end).toLowerCase();
}

/** Index just past the quoted identifier that opens at `i` (a doubled quote stays inside); -1 if never closed. */
function closingQuote(text: string, i: number): number {
  const q = text[i];
  let j = i + 1;
  for (;;) {
    const k = text.indexOf(q, j);
    if (k < 0) return -1;
    if (text[k + 1] === q) {
      j = k + 2;
      continue;
    }
    return k + 1;
  }
}

const isQuote = (ch: string) => ch === "'" || ch === '"' || ch === "`";
const isLetter = (ch: string | undefined) => ch !== undefined && /[A-Za-z]/.test(ch);

/** An identifier's opening quote: right after a word like `relation` or `key`. */
const opensIdentifier = (text: string, i: number) => text[i] === "`" || IDENTIFIER_WORDS.has(wordBefore(text, i));

/**
 * Index just past a quoted VALUE that opens at `i`; -1 if it never closes on its line.
 * Engines don't escape quotes inside values (MySQL prints `Duplicate entry 'O'Brien' for key`),
 * so the value runs to the last matching quote before the next quoted identifier on the line.
 */
function valueEnd(text: string, i: number, lineEnd: number): number {
  const q = text[i];
  let last = -1;
  for (let j = i + 1; j < lineEnd; j++) {
    if (!isQuote(text[j])) continue;
    if (opensIdentifier(text, j)) break;
    if (text[j] === q) last = j;
  }
  return last < 0 ? -1 : last + 1;
}

/**
 * End of the line holding `i` (index of the newline, or the text length). Remembers the last
 * answer: asking again from further along the same line must not rescan it (that was quadratic).
 */
function lineEnds(text: string): (i: number) => number {
  let end = -1;
  return (i) => {
    if (i > end) {
      const nl = text.indexOf("\n", i);
      end = nl < 0 ? text.length : nl;
    }
    return end;
  };
}

/** The last `)` in [from, to), or -1; never looks before `from` (that would rescan the text). */
function lastCloseParen(text: string, from: number, to: number): number {
  const k = text.slice(from, to).lastIndexOf(")");
  return k < 0 ? -1 : from + k;
}

/** Redacts quoted and parenthesised values in a database message; keeps quoted identifiers. */
export function redactDbText(text: string): string {
  let out = "";
  let copied = 0;
  let i = 0;
  const lineEndAt = lineEnds(text);
  const emit = (upTo: number, replacement: string, resume: number) => {
    out += text.slice(copied, upTo) + replacement;
    copied = i = resume;
  };
  while (i < text.length) {
    const ch = text[i];
    if (isQuote(ch) && ch !== "`" && isLetter(text[i - 1]) && isLetter(text[i + 1])) {
      i++; // an apostrophe (`doesn't`), not a quote
    } else if (isQuote(ch) && opensIdentifier(text, i)) {
      const end = closingQuote(text, i);
      i = end < 0 ? i + 1 : end;
    } else if (ch === "'" || ch === '"') {
      const end = valueEnd(text, i, lineEndAt(i));
      // A quote that never closes: everything after it may be the value.
      if (end < 0) emit(i, `${ch}${REDACTED}`, text.length);
      else emit(i, `${ch}${REDACTED}${ch}`, end);
    } else if (ch === ")" && text.startsWith(")=(", i)) {
      // PostgreSQL `Key (a, b)=(v1, v2) ...`: values may hold parentheses, so the group runs to
      // the last `)` on the line (over-redacting a second group rather than leaking part of one).
      const close = lastCloseParen(text, i + 3, lineEndAt(i));
      if (close < 0) emit(i, `)=(${REDACTED}`, lineEndAt(i));
      else emit(i, `)=(${REDACTED})`, close + 1);
    } else if (ch === "(" && /row contains $/i.test(text.slice(Math.max(0, i - 13), i))) {
      // PostgreSQL `Failing row contains (1, alice@corp.test, ...)`.
      const close = lastCloseParen(text, i + 1, lineEndAt(i));
      emit(i, `(${REDACTED})`, close >= 0 ? close + 1 : lineEndAt(i));
    } else {
      i++;
    }
  }
  return out + text.slice(copied);
}

/** An error's message, values redacted, with its code appended when the message lacks it. */
export function redactDbMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = redactDbText(String(e?.message ?? err));
  return e?.code && !msg.includes(e.code) ? `${msg} [${e.code}]` : msg;
}
