/**
 * PostgreSQL expression building blocks for the transforms. Needs nothing beyond core
 * PostgreSQL 11+ (`sha256(bytea)`), so no extension has to be installed on the clone.
 */
import { join, param, raw, sql, type IdentQuoter, type Sql } from "../../core/sql";
import type { ColumnInfo, MaskingKey, SqlFunctions } from "../../core/types";
import { boundNames } from "../bind-names";

function checkIdentifier(name: string): void {
  if (typeof name !== "string" || name.length === 0) throw new Error("PostgreSQL identifier is empty: name the table/column explicitly");
  if (name.includes("\0")) throw new Error("PostgreSQL identifier contains a NUL character, which no table or column name may contain");
}

/** Positions and lengths are ours (not user data) but still go into SQL text: integers only. */
function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer in SQL position, got ${n}`);
  return String(n);
}

export const quoter: IdentQuoter = {
  placeholder: "dollar",
  quoteIdent(name: string): string {
    checkIdentifier(name);
    return `"${name.replace(/"/g, '""')}"`;
  },
};

const text = (x: Sql): Sql => sql`CAST(${x} AS text)`;

export const functions: SqlFunctions = {
  hmacHex(expr: Sql, key: MaskingKey): Sql {
    // HMAC(K, m) = SHA256(opad || SHA256(ipad || m)), over the UTF-8 bytes of the text value.
    const ipad = param(key.ipad, { secret: true });
    const opad = param(key.opad, { secret: true });
    return sql`encode(sha256(CAST(${opad} AS bytea) || sha256(CAST(${ipad} AS bytea) || convert_to(${text(expr)}, 'UTF8'))), 'hex')`;
  },
  concat(parts: Sql[]): Sql {
    // concat() skips NULLs; each part is cast so untyped parameters have a type.
    return sql`concat(${join(parts.map(text))})`;
  },
  toText: text,
  substr(expr: Sql, start: number, length?: number): Sql {
    return length === undefined
      ? sql`substr(${text(expr)}, ${raw(int(start))})`
      : sql`substr(${text(expr)}, ${raw(int(start))}, ${raw(int(length))})`;
  },
  charLength(expr: Sql): Sql {
    return sql`char_length(${text(expr)})`;
  },
  repeat(s: Sql, count: Sql): Sql {
    return sql`repeat(${text(s)}, CAST(${count} AS integer))`;
  },
  hexToInt(hex: Sql): Sql {
    // A 64-bit bit string from at most 8 hex digits is always a non-negative bigint.
    return sql`CAST(CAST(('x' || lpad(${text(hex)}, 16, '0')) AS bit(64)) AS bigint)`;
  },
  pick(list: readonly string[], index: Sql): Sql {
    if (list.length === 0) throw new Error("pick: the list is empty");
    return sql`(CAST(${param([...list])} AS text[]))[(${index}) + 1]`;
  },
  mapDigits(expr: Sql, map: Sql): Sql {
    return sql`translate(${text(expr)}, '0123456789', ${text(map)})`;
  },
  castTo(expr: Sql, column: ColumnInfo): Sql {
    // rawType comes from the catalogue (format_type), which already quotes what needs quoting.
    return sql`CAST(${expr} AS ${raw(column.rawType)})`;
  },
  distinct(a: Sql, b: Sql): Sql {
    return sql`(${a} IS DISTINCT FROM ${b})`;
  },
  like(expr: Sql, pattern: Sql): Sql {
    return sql`(${text(expr)} LIKE ${text(pattern)})`;
  },
  bind(steps, body) {
    // One derived row per step, joined LATERAL so a step can read the earlier ones; the first
    // step reads the outer (updated) row as a correlated reference.
    const names = boundNames((alias, col) => raw(`${quoter.quoteIdent(alias)}.${quoter.quoteIdent(col)}`));
    const from = steps.map((step, i) => {
      const values = Object.entries(step(names.ref));
      const alias = names.add(
        i,
        values.map(([n]) => n),
      );
      const cols = join(values.map(([n, v]) => sql`${text(v)} AS ${raw(quoter.quoteIdent(`__aus_${n}`))}`));
      // OFFSET 0 keeps each step a real subquery: pulled up, every reference would inline the
      // step's expression again, and a Feistel chain would grow exponentially.
      return sql`${raw(i === 0 ? "" : " CROSS JOIN LATERAL ")}(SELECT ${cols} OFFSET 0) AS ${raw(quoter.quoteIdent(alias))}`;
    });
    return sql`(SELECT ${body(names.ref)} FROM ${join(from, "")})`;
  },
  interleave(textExpr, sep, slot) {
    const j = raw(`CAST("__aus_x"."ord" AS integer)`);
    return sql`(SELECT coalesce(string_agg("__aus_x"."part" || ${text(slot(j))}, '' ORDER BY "__aus_x"."ord"), '') FROM unnest(string_to_array(${text(textExpr)}, ${text(param(sep))})) WITH ORDINALITY AS "__aus_x"("part", "ord"))`;
  },
  digitsOnly(expr) {
    // translate() deletes the characters it has no replacement for: first find every
    // non-digit of the value, then delete those. Several times faster than regexp_replace.
    return sql`translate(${text(expr)}, translate(${text(expr)}, '0123456789', ''), '')`;
  },
  markDigits(expr, mark) {
    if ([...mark].length !== 1) throw new Error("markDigits: the mark must be one character");
    return sql`translate(${text(expr)}, '0123456789', ${text(param(mark.repeat(10)))})`;
  },
  matches(expr, regex) {
    return sql`(${text(expr)} ~ ${text(param(regex))})`;
  },
  distinctText(a, b) {
    return sql`(${text(a)} IS DISTINCT FROM ${text(b)})`;
  },
  addDays(expr, days, direction) {
    return sql`(${expr} ${raw(direction === 1 ? "+" : "-")} CAST(${days} AS integer) * interval '1 day')`;
  },
  startOf(expr, unit) {
    // Through timestamp (no time zone): the same calendar day whatever the column's type.
    return sql`date_trunc(${raw(unit === "year" ? "'year'" : "'month'")}, CAST(${expr} AS timestamp))`;
  },
  jsonText(doc, path) {
    return sql`(CAST(${doc} AS jsonb) #>> CAST(${param(path.map(String))} AS text[]))`;
  },
  jsonReplace(doc, edits) {
    // create_missing false: an absent path stays absent; a NULL value becomes JSON null.
    let out = sql`CAST(${doc} AS jsonb)`;
    for (const e of edits) {
      out = sql`jsonb_set(${out}, CAST(${param(e.path.map(String))} AS text[]), COALESCE(to_jsonb(${text(e.value)}), 'null'::jsonb), false)`;
    }
    return out;
  },
  toBigint(digits) {
    // '0' || x: '' is 0, and no digit string can become a sign or a blank.
    return sql`CAST('0' || ${text(digits)} AS bigint)`;
  },
  pow10(m) {
    return sql`CAST('1' || repeat('0', CAST(${m} AS integer)) AS bigint)`;
  },
  padDigits(expr, len) {
    return sql`lpad(${text(expr)}, CAST(${len} AS integer), '0')`;
  },
  substrAt(expr, start, length) {
    return length === undefined
      ? sql`substr(${text(expr)}, CAST(${start} AS integer))`
      : sql`substr(${text(expr)}, CAST(${start} AS integer), CAST(${length} AS integer))`;
  },
};
