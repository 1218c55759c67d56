/**
 * MySQL 8.0 (Aurora MySQL 3) and MariaDB 10.11 expression building blocks for the
 * transforms. Only functions both engines share are used.
 *
 * Charsets: text is converted to utf8mb4 before hashing, so the HMAC is over the value's
 * UTF-8 bytes (the same bytes Node hashes) whatever the column's own charset is. CONCAT with
 * a binary argument (the pads) yields a binary string, which is exactly what SHA2 must see.
 */
import { join, param, raw, sql, type IdentQuoter, type Sql } from "../../core/sql";
import type { ColumnInfo, MaskingKey, SqlFunctions } from "../../core/types";
import { boundNames } from "../bind-names";

function checkIdentifier(name: string): void {
  if (typeof name !== "string" || name.length === 0) throw new Error("MySQL identifier is empty: name the table/column explicitly");
  if (name.includes("\0")) throw new Error("MySQL identifier contains a NUL character, which no table or column name may contain");
}

/** Positions and lengths are ours (not user data) but still go into SQL text: integers only. */
function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer in SQL position, got ${n}`);
  return String(n);
}

export const quoter: IdentQuoter = {
  placeholder: "question",
  quoteIdent(name: string): string {
    checkIdentifier(name);
    return `\`${name.replace(/`/g, "``")}\``;
  },
};

/**
 * Width of bind()/interleave() values. Not TEXT: a temporary table with a TEXT column can't
 * stay in memory, so MariaDB would write one to disk for every row.
 */
const BOUND_CHARS = 1024;

/** `$.a.b[0]` with every key quoted, so any key name is taken literally. */
function mysqlJsonPath(path: readonly (string | number)[]): string {
  return "$" + path.map((k) => (typeof k === "number" ? `[${k}]` : `.${JSON.stringify(k)}`)).join("");
}

const text = (x: Sql): Sql => sql`CAST(${x} AS CHAR CHARACTER SET utf8mb4)`;

/** U+E000 + d (private use, never in real phone numbers) as a placeholder for digit d. */
const placeholder = (d: number): Sql => raw(`CHAR(0xEE808${d} USING utf8mb4)`);

export const functions: SqlFunctions = {
  hmacHex(expr: Sql, key: MaskingKey): Sql {
    const ipad = param(key.ipad, { secret: true });
    const opad = param(key.opad, { secret: true });
    // Every CONCAT argument is explicitly binary: MariaDB would otherwise try to convert the
    // pad (a hex literal) to the text argument's charset and reject it as invalid utf8mb4.
    const bin = (x: Sql): Sql => sql`CAST(${x} AS BINARY)`;
    return sql`SHA2(CONCAT(${bin(opad)}, UNHEX(SHA2(CONCAT(${bin(ipad)}, ${bin(text(expr))}), 256))), 256)`;
  },
  concat(parts: Sql[]): Sql {
    // CONCAT_WS skips NULL arguments, where CONCAT would turn the whole result into NULL.
    return sql`CONCAT_WS('', ${join(parts)})`;
  },
  toText: text,
  substr(expr: Sql, start: number, length?: number): Sql {
    return length === undefined
      ? sql`SUBSTRING(${text(expr)}, ${raw(int(start))})`
      : sql`SUBSTRING(${text(expr)}, ${raw(int(start))}, ${raw(int(length))})`;
  },
  charLength(expr: Sql): Sql {
    return sql`CHAR_LENGTH(${text(expr)})`;
  },
  repeat(s: Sql, count: Sql): Sql {
    return sql`REPEAT(${text(s)}, ${count})`;
  },
  hexToInt(hex: Sql): Sql {
    return sql`CAST(CONV(${hex}, 16, 10) AS UNSIGNED)`;
  },
  pick(list: readonly string[], index: Sql): Sql {
    if (list.length === 0) throw new Error("pick: the list is empty");
    return sql`ELT((${index}) + 1, ${join(list.map((s) => param(s)))})`;
  },
  mapDigits(expr: Sql, map: Sql): Sql {
    // No TRANSLATE() here: first every digit becomes its own placeholder, then each
    // placeholder becomes its mapped digit, so a replaced digit is never replaced again.
    // COLLATE utf8mb4_bin: byte-exact matching and no collation mix with the placeholders.
    let out = sql`(${text(expr)} COLLATE utf8mb4_bin)`;
    for (let d = 0; d <= 9; d++) out = sql`REPLACE(${out}, ${raw(`'${d}'`)}, ${placeholder(d)})`;
    for (let d = 0; d <= 9; d++) out = sql`REPLACE(${out}, ${placeholder(d)}, SUBSTRING(${text(map)}, ${raw(String(d + 1))}, 1))`;
    return out;
  },
  castTo(expr: Sql, column: ColumnInfo): Sql {
    // MySQL converts on assignment; only integers need help so '12' and 12 compare alike.
    if (column.typeClass === "integer") return sql`CAST(${expr} AS SIGNED)`;
    if (column.typeClass === "decimal") return sql`(${expr} + 0)`;
    return expr;
  },
  distinct(a: Sql, b: Sql): Sql {
    return sql`(NOT (${a} <=> ${b}))`;
  },
  like(expr: Sql, pattern: Sql): Sql {
    return sql`(${text(expr)} LIKE ${text(pattern)})`;
  },
  bind(steps, body) {
    // MariaDB can't reference the outer row from a derived table, but JSON_TABLE's argument may
    // read the outer row and the tables before it (MySQL 8.0.4+, MariaDB 10.6+): one JSON_TABLE
    // per step, the values carried as JSON strings (exact, unlike numbers through DOUBLE).
    const names = boundNames((alias, col) => raw(`${quoter.quoteIdent(alias)}.${quoter.quoteIdent(col)}`));
    const from = steps.map((step, i) => {
      const values = Object.entries(step(names.ref));
      const alias = names.add(
        i,
        values.map(([n]) => n),
      );
      const obj = join(values.map(([n, v]) => sql`${raw(`'${n}'`)}, ${text(v)}`));
      const cols = values.map(([n]) => `${quoter.quoteIdent(`__aus_${n}`)} VARCHAR(${BOUND_CHARS}) PATH '$.${n}'`).join(", ");
      return sql`JSON_TABLE(JSON_OBJECT(${obj}), '$' COLUMNS (${raw(cols)})) AS ${raw(quoter.quoteIdent(alias))}`;
    });
    return sql`(SELECT ${body(names.ref)} FROM ${join(from, ", ")})`;
  },
  interleave(textExpr, sep, slot) {
    // The pieces become a JSON array of strings (JSON_QUOTE escapes quotes and backslashes), so
    // any text survives the split. GROUP_CONCAT stops at group_concat_max_len (1024 bytes by
    // default on MySQL): callers keep the text short enough (see transforms/digit-mask.ts).
    const s = text(param(sep));
    const pieces = sql`CONCAT('[', REPLACE(JSON_QUOTE(${text(textExpr)}) COLLATE utf8mb4_bin, ${s}, '","'), ']')`;
    const j = raw("`__aus_x`.`ord`");
    return sql`(SELECT COALESCE(GROUP_CONCAT(CONCAT(\`__aus_x\`.\`part\`, ${text(slot(j))}) ORDER BY \`__aus_x\`.\`ord\` SEPARATOR ''), '') FROM JSON_TABLE(${pieces}, '$[*]' COLUMNS (\`ord\` FOR ORDINALITY, \`part\` VARCHAR(${raw(String(BOUND_CHARS))}) PATH '$')) AS \`__aus_x\`)`;
  },
  digitsOnly(expr) {
    return sql`REGEXP_REPLACE(${text(expr)} COLLATE utf8mb4_bin, '[^0-9]', '')`;
  },
  markDigits(expr, mark) {
    if ([...mark].length !== 1) throw new Error("markDigits: the mark must be one character");
    return sql`REGEXP_REPLACE(${text(expr)} COLLATE utf8mb4_bin, '[0-9]', ${text(param(mark))})`;
  },
  matches(expr, regex) {
    // utf8mb4_bin: the column's collation is usually case-insensitive, which would let
    // "U0123...@EXAMPLE.COM" pass a check for lowercase hex.
    return sql`(${text(expr)} COLLATE utf8mb4_bin REGEXP ${text(param(regex))})`;
  },
  distinctText(a, b) {
    return sql`(NOT (${text(a)} COLLATE utf8mb4_bin <=> ${text(b)} COLLATE utf8mb4_bin))`;
  },
  addDays(expr, days, direction) {
    // Two functions rather than a signed count: day counts here are UNSIGNED, which can't go below 0.
    return sql`${raw(direction === 1 ? "DATE_ADD" : "DATE_SUB")}(${expr}, INTERVAL ${days} DAY)`;
  },
  startOf(expr, unit) {
    return unit === "year" ? sql`MAKEDATE(YEAR(${expr}), 1)` : sql`DATE_SUB(DATE(${expr}), INTERVAL DAYOFMONTH(${expr}) - 1 DAY)`;
  },
  jsonText(doc, path) {
    const p = param(mysqlJsonPath(path));
    // JSON_UNQUOTE would turn a JSON null into the text 'null'.
    return sql`(CASE WHEN JSON_TYPE(JSON_EXTRACT(${doc}, ${p})) = 'NULL' THEN NULL ELSE JSON_UNQUOTE(JSON_EXTRACT(${doc}, ${p})) END)`;
  },
  jsonReplace(doc, edits) {
    // JSON_REPLACE only touches existing paths. Values go in as utf8mb4 text: a binary string
    // would be stored as "base64:type15:...".
    return sql`JSON_REPLACE(${doc}, ${join(edits.map((e) => sql`${param(mysqlJsonPath(e.path))}, ${text(e.value)}`))})`;
  },
  toBigint(digits) {
    return sql`CAST(CONCAT('0', ${text(digits)}) AS UNSIGNED)`;
  },
  pow10(m) {
    // Not POW(): it returns a DOUBLE, and every later step would lose digits.
    return sql`CAST(CONCAT('1', REPEAT('0', ${m})) AS UNSIGNED)`;
  },
  padDigits(expr, len) {
    return sql`LPAD(${text(expr)}, ${len}, '0')`;
  },
  substrAt(expr, start, length) {
    return length === undefined ? sql`SUBSTRING(${text(expr)}, ${start})` : sql`SUBSTRING(${text(expr)}, ${start}, ${length})`;
  },
};
