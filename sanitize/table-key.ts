/**
 * Rule keys for tables: `table` or `schema.table` (keep entries add `.column`). Either part may contain spaces (`order items`,
 * `my schema.order items`). A part that contains a dot is written in double quotes
 * (`"odd.name"`, `app."odd.name"`; `""` inside quotes is one `"`), so the dot that separates
 * schema from table is never a guess. A quote elsewhere is part of the name (`Odd "Table`).
 */
import type { SchemaInfo } from "./core/types";

export interface TableKey {
  /** Undefined: the default schema. */
  schema?: string;
  name: string;
}

/**
 * The dot-separated parts of a rule name (a table key, a keep entry): a part starting with a
 * double quote runs to the closing quote (`""` inside is one `"`) and may hold dots. Undefined
 * when a part is empty, a quote is unterminated or text follows a closing quote. The one
 * parser of this syntax: table keys (below) and keep entries (coverage.ts) both use it.
 */
export function splitNameParts(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = "";
    if (text[i] === '"') {
      // quoted part: up to the closing quote; "" is a literal quote
      i++;
      for (;;) {
        if (i >= text.length) return undefined; // unterminated
        if (text[i] === '"' && text[i + 1] === '"') {
          part += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else part += text[i++];
      }
      if (i < text.length && text[i] !== ".") return undefined; // text after the closing quote
    } else {
      const end = text.indexOf(".", i);
      part = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    if (!part) return undefined;
    parts.push(part);
    i++; // past the dot (or the end)
  }
  return parts;
}

/** The parts of a key, or undefined when it isn't one or two non-empty parts. */
export function parseTableKey(key: string): TableKey | undefined {
  const parts = splitNameParts(key);
  if (parts?.length === 1) return { name: parts[0] };
  if (parts?.length === 2) return { schema: parts[0], name: parts[1] };
  return undefined;
}

/** One part of a table key as written: quoted when it holds a dot or starts with a quote (else it reads back differently). */
export function tableKeyPart(name: string): string {
  return name.includes(".") || name.startsWith('"') ? `"${name.replace(/"/g, '""')}"` : name;
}

/** A key as the qualified name it means (`<defaultSchema>.table` for a bare one); the key itself when it doesn't parse. */
export function resolveTableKey(key: string, schema: SchemaInfo): string {
  const k = parseTableKey(key);
  return k ? `${k.schema ?? schema.defaultSchema}.${k.name}` : key;
}

/**
 * Key -> qualified name of an existing table, or undefined. Exact names first; then a single
 * case-insensitive match (MySQL names are case-insensitive on most installs, PostgreSQL folds
 * unquoted names). An unquoted `a.b` with no schema `a` may also be a table named `a.b` in
 * the default schema.
 */
export function tableResolver(schema: SchemaInfo): (key: string) => string | undefined {
  const tables = [...schema.tables.values()];
  const find = (s: string, n: string): string | undefined => {
    const exact = tables.find((t) => t.schema === s && t.name === n);
    if (exact) return exact.qualified;
    const folded = tables.filter((t) => t.schema.toLowerCase() === s.toLowerCase() && t.name.toLowerCase() === n.toLowerCase());
    return folded.length === 1 ? folded[0].qualified : undefined;
  };
  return (key) => {
    const k = parseTableKey(key);
    if (!k) return undefined;
    const found = find(k.schema ?? schema.defaultSchema, k.name);
    if (found || !k.schema) return found;
    return find(schema.defaultSchema, key);
  };
}
