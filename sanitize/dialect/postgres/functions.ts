/**
 * PostgreSQL expression building blocks for the transforms. Needs nothing beyond core
 * PostgreSQL 11+ (`sha256(bytea)`), so no extension has to be installed on the clone.
 */
import { join, param, raw, sql, type IdentQuoter, type Sql } from "../../core/sql";
import type { ColumnInfo, MaskingKey, SqlFunctions } from "../../core/types";

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
};
