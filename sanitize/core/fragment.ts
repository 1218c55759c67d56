/**
 * Raw SQL from the rules (`where`, `delete`, the `sql` transform, `verify`) is spliced into
 * statements the sanitizer builds. Wrapping it in parentheses is not enough: `false) OR (true`
 * closes them, `$3` / `?` reads the statement's own bind parameters (the masking key), and on
 * MySQL a DDL `verify` query commits by itself. So each fragment is tokenized here, in one
 * linear pass per reading, and must be exactly one expression (or one read-only query).
 *
 * The server's lexer has settings we can't see (MySQL NO_BACKSLASH_ESCAPES, PostgreSQL
 * standard_conforming_strings): a backslash may or may not escape a quote. A fragment must be
 * safe under BOTH readings, so a string that ends differently on the server can't hide a `)`.
 */
import type { EngineName } from "./types";

type Kind = "word" | "ident" | "param" | "punct" | "literal";

interface Token {
  kind: Kind;
  text: string;
  pos: number;
}

interface Scan {
  tokens: Token[];
  /** Problems the lexer found (unterminated strings, executable comments, ...). */
  problems: string[];
}

const MAX_QUOTE = 60;

/** At most ~60 characters of the fragment, around `pos`, for messages. */
function near(text: string, pos: number): string {
  const start = Math.max(0, pos - 20);
  const piece = text.slice(start, start + MAX_QUOTE).replace(/\s+/g, " ");
  return `${start > 0 ? "..." : ""}${piece}${start + MAX_QUOTE < text.length ? "..." : ""}`;
}

const at = (text: string, pos: number) => `at character ${pos + 1} (near "${near(text, pos)}")`;

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
/** Both engines allow `$` inside an identifier (`a$1` is a name, not a parameter). */
const WORD = /[A-Za-z0-9_$\u0080-\uffff]*/y;
const PG_DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const DIGITS = /[0-9]*/y;

function wordEnd(re: RegExp, text: string, from: number): number {
  re.lastIndex = from;
  re.exec(text);
  return re.lastIndex;
}

/** End (exclusive) of a quoted run starting at `i` (the opening quote); -1 if unterminated. */
function quotedEnd(text: string, i: number, quote: string, backslash: boolean): number {
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (backslash && ch === "\\") {
      j++;
      continue;
    }
    if (ch === quote) {
      if (text[j + 1] === quote) {
        j++;
        continue;
      }
      return j + 1;
    }
  }
  return -1;
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf("\n", i);
  return nl < 0 ? -1 : nl + 1;
}

const TRAILING_COMMENT =
  "ends inside a line comment, which would swallow the SQL the sanitizer puts after it; end the comment with a newline or use /* ... */";

/** One lexeme at `i`: where it ends and the token it makes (none for comments), or a problem. */
type Step = { end: number; token?: Token } | { problem: string };

interface Lexer {
  /** Whether a line comment starts at `i`. */
  lineComment(text: string, i: number): boolean;
  /** Any other lexeme at `i` (not whitespace, not a line comment). */
  next(text: string, i: number, backslash: boolean): Step;
}

function scanWith(lexer: Lexer, text: string, backslash: boolean): Scan {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(text[i]))) {
      i++;
      continue;
    }
    if (lexer.lineComment(text, i)) {
      const end = lineEnd(text, i);
      if (end < 0) return { tokens, problems: [TRAILING_COMMENT] };
      i = end;
      continue;
    }
    const step = lexer.next(text, i, backslash);
    if ("problem" in step) return { tokens, problems: [step.problem] };
    if (step.token) tokens.push(step.token);
    i = step.end;
  }
  return { tokens, problems: [] };
}

const unclosedComment = (text: string, i: number) => ({
  problem: `has a /* comment that is never closed ${at(text, i)}; close it with */`,
});

function quoted(text: string, i: number, quote: string, backslash: boolean, what: string, pos = i): Step {
  const end = quotedEnd(text, i, quote, backslash);
  if (end < 0) return { problem: `has a ${what} that is never closed ${at(text, i)}; close it (a quote inside is written twice)` };
  // A quoted identifier keeps its name (a doubled quote inside is one quote).
  if (what === "quoted identifier")
    return {
      end,
      token: {
        kind: "ident",
        text: text
          .slice(i + 1, end - 1)
          .split(quote + quote)
          .join(quote),
        pos,
      },
    };
  return { end, token: { kind: "literal", text: quote, pos } };
}

const postgres: Lexer = {
  lineComment: (text, i) => text[i] === "-" && text[i + 1] === "-",
  next(text, i, backslash) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "/" && next === "*") {
      // PostgreSQL block comments nest.
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === "/" && text[j + 1] === "*") {
          depth++;
          j += 2;
        } else if (text[j] === "*" && text[j + 1] === "/") {
          depth--;
          j += 2;
        } else j++;
      }
      return depth > 0 ? unclosedComment(text, i) : { end: j };
    }
    if (ch === "'") return quoted(text, i, "'", backslash, "string");
    if (ch === '"') return quoted(text, i, '"', false, "quoted identifier");
    if (ch === "$") {
      if (next !== undefined && /[0-9]/.test(next)) {
        const end = wordEnd(DIGITS, text, i + 1);
        return { end, token: { kind: "param", text: text.slice(i, end), pos: i } };
      }
      PG_DOLLAR_TAG.lastIndex = i;
      const m = PG_DOLLAR_TAG.exec(text);
      if (!m) return { end: i + 1, token: { kind: "punct", text: "$", pos: i } };
      const close = text.indexOf(m[0], i + m[0].length);
      if (close < 0) return { problem: `has a dollar-quoted string (${m[0]}) that is never closed ${at(text, i)}; close it with ${m[0]}` };
      return { end: close + m[0].length, token: { kind: "literal", text: "$", pos: i } };
    }
    if (WORD_START.test(ch) || /[0-9]/.test(ch)) {
      const end = wordEnd(WORD, text, i);
      const word = text.slice(i, end);
      // E'...' strings take C-style backslash escapes whatever the server settings.
      if (text[end] === "'" && word.toLowerCase() === "e") return quoted(text, end, "'", true, "string", i);
      return { end, token: { kind: "word", text: word, pos: i } };
    }
    return { end: i + 1, token: { kind: "punct", text: ch, pos: i } };
  },
};

const mysql: Lexer = {
  // `--` starts a comment only when followed by whitespace/control (or the end): `id--1` is arithmetic.
  lineComment: (text, i) =>
    text[i] === "#" || (text[i] === "-" && text[i + 1] === "-" && (i + 2 >= text.length || text.charCodeAt(i + 2) <= 32)),
  next(text, i, backslash) {
    const ch = text[i];
    if (ch === "/" && text[i + 1] === "*") {
      // `/*! ... */` (and MariaDB's `/*M! ... */`) is executed, not ignored.
      if (text[i + 2] === "!" || (text[i + 2] === "M" && text[i + 3] === "!")) {
        return {
          problem: `has an executable comment /*! ... */ ${at(text, i)}; MySQL runs its content, so write the SQL without the comment`,
        };
      }
      // MySQL block comments don't nest: the first */ ends them.
      const close = text.indexOf("*/", i + 2);
      return close < 0 ? unclosedComment(text, i) : { end: close + 2 };
    }
    if (ch === "'" || ch === '"') return quoted(text, i, ch, backslash, "string");
    if (ch === "`") return quoted(text, i, "`", false, "quoted identifier");
    if (ch === "?") return { end: i + 1, token: { kind: "param", text: "?", pos: i } };
    if (WORD_START.test(ch) || /[0-9$]/.test(ch)) {
      const end = Math.max(i + 1, wordEnd(WORD, text, i));
      return { end, token: { kind: "word", text: text.slice(i, end), pos: i } };
    }
    return { end: i + 1, token: { kind: "punct", text: ch, pos: i } };
  },
};

/** The checks both kinds of fragment share; `depths[i]` is the nesting depth of token i. */
function structure(text: string, scan: Scan, engine: EngineName, what: string): { problems: string[]; depths: number[] } {
  const problems = [...scan.problems];
  const depths: number[] = [];
  let depth = 0;
  let reportedClose = false;
  let reportedSemicolon = false;
  let reportedParam = false;
  for (const t of scan.tokens) {
    if (t.kind === "punct" && t.text === ")") {
      if (depth === 0) {
        if (!reportedClose) problems.push(`closes a parenthesis it never opened ${at(text, t.pos)}; balance the parentheses`);
        reportedClose = true;
      } else {
        depth--;
      }
    }
    depths.push(depth);
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ";" && !reportedSemicolon) {
      reportedSemicolon = true;
      problems.push(`has a ";" ${at(text, t.pos)}; write exactly one ${what} without ";"`);
    }
    if (t.kind === "param" && !reportedParam) {
      reportedParam = true;
      const hint = engine === "postgres" ? "write the value itself (a literal), not $n" : "write the value itself (a literal), not ?";
      problems.push(
        `uses the bind parameter ${t.text} ${at(text, t.pos)}, which would read the sanitizer's own statement parameters; ${hint}`,
      );
    }
  }
  if (depth > 0) problems.push(`leaves ${depth} parenthes${depth === 1 ? "is" : "es"} open; balance the parentheses`);
  return { problems, depths };
}

function readings(text: string, engine: EngineName): Scan[] {
  const lexer = engine === "postgres" ? postgres : mysql;
  return [scanWith(lexer, text, false), scanWith(lexer, text, true)];
}

function unique(problems: string[]): string[] {
  return [...new Set(problems)];
}

/**
 * Problems with a raw SQL expression (`where`, `delete`, `sql` transform); [] when it is
 * exactly one expression that can't leave the parentheses it is put in or read parameters.
 */
export function checkExpression(text: string, engine: EngineName): string[] {
  if (typeof text !== "string" || text.trim() === "") return ["is empty; write one SQL expression"];
  const out: string[] = [];
  for (const scan of readings(text, engine)) {
    out.push(...structure(text, scan, engine, "expression").problems);
    if (scan.problems.length === 0 && scan.tokens.length === 0) out.push("holds only comments; write one SQL expression");
  }
  return unique(out);
}

const FIRST_WORDS: Record<EngineName, string[]> = { postgres: ["select", "with", "values", "table"], mysql: ["select", "with"] };
/** Statements that write; refused at the top level or as the body of a CTE. */
const WRITE_WORDS = new Set(["insert", "update", "delete", "merge", "replace", "upsert"]);

/** Problems with a `verify` query; [] when it is exactly one read-only SELECT/WITH statement. */
export function checkQuery(text: string, engine: EngineName): string[] {
  if (typeof text !== "string" || text.trim() === "") return ["is empty; write one SELECT query"];
  const out: string[] = [];
  for (const scan of readings(text, engine)) {
    const { problems, depths } = structure(text, scan, engine, "query");
    out.push(...problems);
    const toks = scan.tokens;
    const first = toks.find((t) => !(t.kind === "punct" && t.text === "("));
    const allowed = FIRST_WORDS[engine];
    if (first?.kind !== "word" || !allowed.includes(first.text.toLowerCase())) {
      if (scan.problems.length === 0) {
        const shown = first ? (first.kind === "word" ? first.text : text.slice(first.pos, first.pos + 1)).slice(0, MAX_QUOTE) : "";
        out.push(
          `starts with "${shown}": a verify query must be one read-only query starting with ${allowed.map((w) => w.toUpperCase()).join(", ")}; ` +
            "checks only read (write the check as a SELECT that returns one value)",
        );
      }
      continue;
    }
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind !== "word") continue;
      const w = t.text.toLowerCase();
      const prev = toks[i - 1];
      const prevWord = prev?.kind === "word" ? prev.text.toLowerCase() : "";
      const nextTok = toks[i + 1];
      if (w === "into" && depths[i] === 0) {
        out.push(
          `has INTO ${at(text, t.pos)}: a verify query must not write (INTO OUTFILE, INTO @variable, SELECT INTO a table); remove INTO`,
        );
      } else if (WRITE_WORDS.has(w) && !(nextTok?.kind === "punct" && nextTok.text === "(")) {
        const opensGroup = prev?.kind === "punct" && prev.text === "(";
        const lockClause = w === "update" && (prevWord === "for" || prevWord === "key");
        if ((depths[i] === 0 && !lockClause) || opensGroup) {
          out.push(`has ${w.toUpperCase()} ${at(text, t.pos)}: a verify query must only read; write it as a SELECT`);
        }
      }
    }
  }
  return unique(out);
}

/**
 * Every name an expression mentions: bare words and quoted identifiers, not string contents
 * (`json_extract(profile, '$.email')` names `json_extract` and `profile`, not `email`). Used to
 * find the columns a generated column reads; over-inclusion (function names) is harmless there.
 */
export function referencedNames(text: string, engine: EngineName): string[] {
  const { tokens } = scanWith(engine === "postgres" ? postgres : mysql, text, engine === "mysql");
  return tokens.filter((t) => t.kind === "word" || t.kind === "ident").map((t) => t.text);
}
