/**
 * `scan`'s content-aware classification, on top of the name match in coverage.ts: lookup
 * tables (kept), value patterns (email, phone, IP, card), free text carrying the row's own
 * personal values, blobs with personal names, all-NULL columns. Every reason is a name, a
 * category, a rate or a count: never a sampled value (the draft is a file people share).
 */
import type { ColumnInfo, SchemaInfo, TableInfo } from "./core/types";
import { looksPersonal, words } from "./coverage";
import { SAMPLE_ROWS, type TableSample } from "./scan-sample";

/** The last word of a table name that makes it a lookup (reference data), e.g. `film_category`. */
const LOOKUP_WORDS = new Set(
  "category categories language languages country countries city cities department departments region regions status statuses type types state states province provinces currency currencies genre genres tag tags kind kinds locale locales timezone timezones unit units".split(
    " ",
  ),
);
/** Categories a lookup table's columns may match by name (`category.name`, `city.city`). Anything else makes it personal. */
const LOOKUP_SAFE = new Set(["name", "city"]);

const BLOB_WORDS = new Set([
  "picture",
  "pictures",
  "photo",
  "photos",
  "avatar",
  "image",
  "portrait",
  "selfie",
  "document",
  "documents",
  "scan",
  "scans",
  "signature",
  "attachment",
  "fingerprint",
]);
const FREE_TEXT_WORDS = new Set([
  "note",
  "notes",
  "reason",
  "comment",
  "comments",
  "description",
  "remark",
  "remarks",
  "memo",
  "message",
  "body",
  "details",
  "feedback",
  "bio",
  "about",
  "text",
  "summary",
]);
/** Categories whose values, found inside a free-text value of the same row, identify the person. */
const PERSON_VALUE = new Set(["first name", "last name", "full name", "name", "user name", "email", "phone"]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMAIL_INSIDE = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
const PHONE_INSIDE = /\+?\d[\d ().-]{6,}\d/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/i;

function isPhone(v: string): boolean {
  const digits = v.replace(/\D/g, "").length;
  return /^\+?[\d ().-]+$/.test(v) && digits >= 7 && digits <= 15 && /[ ().+-]/.test(v);
}

function isCard(v: string): boolean {
  const d = v.replace(/[ -]/g, "");
  if (!/^\d{13,19}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  return sum % 10 === 0;
}

/** Value patterns, first match wins; a column is classified when PATTERN_RATE of its non-NULL sampled values match. */
const PATTERNS: { category: string; label: string; test: (v: string) => boolean }[] = [
  { category: "email", label: "email", test: (v) => EMAIL.test(v) },
  { category: "ip address", label: "IP address", test: (v) => IPV4.test(v) || IPV6.test(v) },
  { category: "payment card", label: "card number", test: isCard },
  { category: "phone", label: "phone number", test: isPhone },
];
export const PATTERN_RATE = 0.8;

export interface Classified {
  category: string;
  /** For the YAML comment: why (name match, pattern rate, free text counts). */
  reason: string;
  /** Every sampled value is NULL (and at least one row was read). */
  allNull: boolean;
}

const pct = (n: number, of: number) => `${Math.round((100 * n) / of)}%`;

function nonNull(sample: TableSample | undefined, c: ColumnInfo): string[] {
  return (sample?.values.get(c.name) ?? []).filter((v): v is string => v !== null);
}

function isAllNull(sample: TableSample | undefined, c: ColumnInfo): boolean {
  const vs = sample?.values.get(c.name);
  return !!vs && vs.length > 0 && vs.every((v) => v === null);
}

function patternOf(values: string[]): { category: string; reason: string } | undefined {
  if (!values.length) return undefined;
  for (const p of PATTERNS) {
    const hits = values.filter((v) => p.test(v.trim())).length;
    if (hits / values.length >= PATTERN_RATE)
      return {
        category: p.category,
        reason: `pattern match: ${p.label} in ${pct(hits, values.length)} of ${values.length} sampled values`,
      };
  }
  return undefined;
}

/** Free text: how many sampled values carry a personal value of the same row, or an email/phone. */
function freeText(t: TableInfo, c: ColumnInfo, sample: TableSample | undefined): string | undefined {
  const values = sample?.values.get(c.name);
  if (!values) return undefined;
  const personal = t.columns
    .filter((p) => p !== c && PERSON_VALUE.has(looksPersonal(p.name) ?? ""))
    .map((p) => sample!.values.get(p.name) ?? []);
  let own = 0;
  let pattern = 0;
  let read = 0;
  values.forEach((v, row) => {
    if (v === null) return;
    read++;
    const text = v.toLowerCase();
    if (
      personal.some((col) => {
        const p = col[row];
        return p !== null && p !== undefined && p.trim().length >= 3 && text.includes(p.trim().toLowerCase());
      })
    )
      own++;
    else if (EMAIL_INSIDE.test(v) || PHONE_INSIDE.test(v)) pattern++;
  });
  if (!own && !pattern) return undefined;
  const parts = [
    own ? `${own} of ${read} sampled values contain the row's own personal values` : "",
    pattern ? `${pattern} of ${read} contain an email address or phone number` : "",
  ];
  return `free text: ${parts.filter(Boolean).join("; ")}`;
}

/** How a column not covered by the rules looks, by name and content; undefined when it looks harmless. */
export function classifyColumn(t: TableInfo, c: ColumnInfo, sample: TableSample | undefined): Classified | undefined {
  const ws = words(c.name);
  const allNull = isAllNull(sample, c);
  if (c.typeClass === "binary" && ws.some((w) => BLOB_WORDS.has(w)))
    return { category: "blob", reason: `name match: blob (${c.name})`, allNull };
  const named = looksPersonal(c.name);
  if (named) return { category: named, reason: `name match: ${named}`, allNull };
  if (c.typeClass !== "text" || c.generated) return undefined;
  if (ws.some((w) => FREE_TEXT_WORDS.has(w))) {
    const why = freeText(t, c, sample);
    if (why) return { category: "free text", reason: why, allNull };
  }
  const p = patternOf(nonNull(sample, c));
  return p ? { ...p, allNull } : undefined;
}

/**
 * Reference data (cities, languages, categories): referenced by a foreign key, named like one,
 * no column that looks personal by name beyond a `name`/`city`, and none whose values look like
 * emails, phones, IPs or cards. Undefined when it isn't one; else the reason for the draft.
 */
export function lookupReason(schema: SchemaInfo, t: TableInfo, sample: TableSample | undefined): string | undefined {
  const ws = words(t.name);
  const noun = ws[ws.length - 1];
  if (!noun || !LOOKUP_WORDS.has(noun)) return undefined;
  const refs = schema.foreignKeys.filter((fk) => fk.toTable === t.qualified && fk.fromTable !== t.qualified).length;
  if (!refs) return undefined;
  for (const c of t.columns) {
    const cat = looksPersonal(c.name);
    if (cat && !LOOKUP_SAFE.has(cat)) return undefined;
    if (c.typeClass === "binary" && words(c.name).some((w) => BLOB_WORDS.has(w))) return undefined;
    if (c.typeClass === "text" && patternOf(nonNull(sample, c))) return undefined;
  }
  const size = sample && sample.rows < SAMPLE_ROWS ? `${sample.rows} rows, ` : "";
  return `lookup table (${size}referenced by ${refs} foreign key${refs > 1 ? "s" : ""}, named like "${noun}"): reference data, not personal by default`;
}
