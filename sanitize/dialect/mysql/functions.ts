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
};
