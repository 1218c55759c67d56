/**
 * A tiny SQL fragment builder.
 *
 * Why: MySQL placeholders (`?`) are positional, PostgreSQL's (`$n`) are numbered. If
 * expressions were built as strings with a side list of parameters, composing them in a
 * different order than they were created would silently bind the wrong values. A Sql
 * fragment keeps its text pieces and its values interleaved, so composition can never
 * reorder them; `render` numbers placeholders at the very end, per dialect.
 *
 * Every user-supplied value goes in as a parameter (`sql\`... ${value}\``); identifiers go
 * through `ident`, which quotes them for the dialect at render time. `raw` is only for SQL
 * text that we wrote or that the rules author wrote on purpose (`where`, `sql` transform).
 */

export type Placeholder = "dollar" | "question";

/** A bound value. `secret` values (the masking key) are redacted when SQL is printed. */
export interface Param {
  readonly value: unknown;
  readonly secret: boolean;
}

type Piece = { kind: "text"; text: string } | { kind: "param"; param: Param } | { kind: "ident"; parts: readonly string[] };

export class Sql {
  /** @internal */
  constructor(readonly pieces: readonly Piece[]) {}

  /** Appends fragments, keeping their relative order. */
  append(...more: Array<Sql | string>): Sql {
    return new Sql([...this.pieces, ...more.flatMap((m) => toSql(m).pieces)]);
  }

  get isEmpty(): boolean {
    return this.pieces.every((p) => p.kind === "text" && p.text === "");
  }
}

export interface IdentQuoter {
  /** Quotes one identifier part (no dots inside), e.g. `"users"` or `` `users` ``. */
  quoteIdent(name: string): string;
  readonly placeholder: Placeholder;
}

export interface RenderedSql {
  text: string;
  values: unknown[];
  /** Same as `text`, with secret values shown as `<secret>`, for `plan` output and logs. */
  display: string;
}

function toSql(x: Sql | string): Sql {
  return typeof x === "string" ? raw(x) : x;
}

/** Tagged template: interpolated `Sql` fragments are spliced in, anything else becomes a parameter. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const pieces: Piece[] = [];
  strings.forEach((s, i) => {
    if (s) pieces.push({ kind: "text", text: s });
    if (i < values.length) {
      const v = values[i];
      if (v instanceof Sql) pieces.push(...v.pieces);
      else pieces.push({ kind: "param", param: { value: v, secret: false } });
    }
  });
  return new Sql(pieces);
}

/** Literal SQL text. Never pass user data here. */
export function raw(text: string): Sql {
  return new Sql([{ kind: "text", text }]);
}

/** A bound parameter. */
export function param(value: unknown, opts: { secret?: boolean } = {}): Sql {
  return new Sql([{ kind: "param", param: { value, secret: opts.secret ?? false } }]);
}

/** A quoted identifier; several parts give `schema.table` or `table.column`. */
export function ident(...parts: string[]): Sql {
  return new Sql([{ kind: "ident", parts }]);
}

export function join(items: readonly Sql[], separator: Sql | string = ", "): Sql {
  const sep = toSql(separator);
  const pieces: Piece[] = [];
  items.forEach((item, i) => {
    if (i > 0) pieces.push(...sep.pieces);
    pieces.push(...item.pieces);
  });
  return new Sql(pieces);
}

export function render(fragment: Sql, quoter: IdentQuoter): RenderedSql {
  let text = "";
  let display = "";
  const values: unknown[] = [];
  for (const p of fragment.pieces) {
    if (p.kind === "text") {
      text += p.text;
      display += p.text;
    } else if (p.kind === "ident") {
      const q = p.parts.map((part) => quoter.quoteIdent(part)).join(".");
      text += q;
      display += q;
    } else {
      values.push(p.param.value);
      const ph = quoter.placeholder === "dollar" ? `$${values.length}` : "?";
      text += ph;
      display += p.param.secret ? "<secret>" : displayValue(p.param.value);
    }
  }
  return { text, values, display };
}

/** `plan` shows literals longer than this many characters, and lists longer than this many items, as counts. */
export const ELIDE_CHARS = 64;
export const ELIDE_ITEMS = 8;

/**
 * The display text for people: like `render(...).display` (secrets `<secret>`), but long
 * literals show their length (`'<2,048 chars>'`), long arrays and long runs of comma-separated
 * parameters (MySQL `ELT(n, 'Anna', 'Ben', ...)`) their count, so a statement fits a screen.
 * `full` gives `render(...).display` unchanged.
 */
export function displaySql(fragment: Sql, quoter: IdentQuoter, opts: { full?: boolean } = {}): string {
  if (opts.full) return render(fragment, quoter).display;
  const ps = fragment.pieces;
  let out = "";
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i];
    if (p.kind === "text") out += p.text;
    else if (p.kind === "ident") out += p.parts.map((part) => quoter.quoteIdent(part)).join(".");
    else {
      let end = i;
      let n = 1;
      while (isSeparator(ps[end + 1]) && ps[end + 2]?.kind === "param") {
        end += 2;
        n++;
      }
      if (n > ELIDE_ITEMS) {
        out += `<${n.toLocaleString("en-US")} values>`;
        i = end;
      } else out += p.param.secret ? "<secret>" : briefValue(p.param.value);
    }
  }
  return out;
}

function isSeparator(p: Piece | undefined): boolean {
  return p?.kind === "text" && p.text === ", ";
}

function briefValue(v: unknown): string {
  if (Array.isArray(v) && v.length > ELIDE_ITEMS) return `ARRAY[<${v.length.toLocaleString("en-US")} items>]`;
  if (typeof v === "string" && [...v].length > ELIDE_CHARS) return `'<${[...v].length.toLocaleString("en-US")} chars>'`;
  return displayValue(v);
}

function displayValue(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return `ARRAY[${v.map(displayValue).join(", ")}]`;
  return `'${String(v).replace(/'/g, "''")}'`;
}
