/**
 * The coverage guard: which columns of the clone the rules deal with, which look personal
 * and are left untouched, and a suggested rule for each. Names are split into words
 * (snake_case, camelCase, digits) and matched word by word, so `shipping` is not `ip`,
 * `zip` is not `ip`, and `username` is a name.
 */
import type { ColumnInfo, CoverageMode, Rules, SchemaInfo, TableInfo, TransformSpec } from "./core/types";
import { getTransform } from "./transforms";
import { splitNameParts, tableKeyPart, tableResolver } from "./table-key";
import { classifyColumn, lookupReason, type Classified } from "./scan-classify";
import type { Samples } from "./scan-sample";

// ---------------------------------------------------------------------------------------
// Personal-looking names
// ---------------------------------------------------------------------------------------

/** `lastLoginIP`, `last_login_ip`, `address2` -> ["last", "login", "ip"] / ["address", "2"]. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])/g, "$1 $2")
    .replace(/([0-9])([A-Za-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A pattern: one word, or consecutive words, e.g. ["account", "number"]. */
type Pattern = string | string[];

/**
 * Driving licences, in British (licence) and American (license) spelling, as words or run
 * together: driver_licence, drivers_license, drivingLicence, driverslicense, ...
 */
const DRIVING_LICENCE: Pattern[] = ["driver", "drivers", "driving"].flatMap((d) =>
  ["licence", "license"].flatMap((l): Pattern[] => [[d, l], d + l]),
);

/** Checked in order: the first category that matches wins (ip_address is ip, not address). */
const CATEGORIES: { category: string; patterns: Pattern[] }[] = [
  { category: "password", patterns: ["password", "passwd", "pwd", "passphrase", "passcode", ["pass", "hash"]] },
  {
    category: "secret",
    patterns: [
      "secret",
      "secrets",
      "credential",
      "credentials",
      "apikey",
      ["api", "key"],
      ["private", "key"],
      ["access", "key"],
      "otp",
      "totp",
      "salt",
    ],
  },
  { category: "token", patterns: ["token", "tokens", "jwt", ["session", "key"], ["session", "id"]] },
  { category: "email", patterns: ["email", "emails", "mail", "emailaddress", ["e", "mail"]] },
  { category: "ip address", patterns: ["ip", "ips", "ipaddr", "ipaddress", "ipv4", "ipv6", ["remote", "addr"]] },
  { category: "phone", patterns: ["phone", "phones", "mobile", "telephone", "tel", "fax", "msisdn", "cellphone"] },
  { category: "first name", patterns: [["first", "name"], ["given", "name"], "firstname", "givenname", "fname", "forename"] },
  {
    category: "last name",
    patterns: [["last", "name"], ["family", "name"], ["maiden", "name"], "lastname", "surname", "lname", "familyname"],
  },
  {
    category: "user name",
    patterns: ["username", ["user", "name"], "nickname", ["nick", "name"], "loginname", ["login", "name"], ["screen", "name"], "handle"],
  },
  {
    category: "full name",
    patterns: [
      ["full", "name"],
      "fullname",
      ["display", "name"],
      ["middle", "name"],
      ["contact", "name"],
      ["customer", "name"],
      ["person", "name"],
      ["billing", "name"],
      ["shipping", "name"],
      ["card", "holder"],
      "cardholder",
    ],
  },
  { category: "birth date", patterns: ["birth", "birthday", "birthdate", "dob", "born"] },
  { category: "employment date", patterns: [["hire", "date"], "hired", ["hired", "on"], "hiredate", ["termination", "date"]] },
  { category: "gender", patterns: ["gender", "sex"] },
  {
    category: "national id",
    patterns: [
      "ssn",
      "nin",
      ["national", "id"],
      "nationalid",
      ["tax", "id"],
      ["social", "security"],
      ["id", "number"],
      ["id", "card"],
      ...DRIVING_LICENCE,
    ],
  },
  { category: "passport", patterns: ["passport"] },
  {
    category: "bank account",
    patterns: [
      "iban",
      "bic",
      ["account", "number"],
      ["account", "no"],
      ["account", "num"],
      "acct",
      ["bank", "account"],
      ["routing", "number"],
      ["sort", "code"],
    ],
  },
  { category: "payment card", patterns: ["card", "cards", "creditcard", "cvv", "cvc", "pan", ["cc", "number"], ["cc", "num"]] },
  { category: "postcode", patterns: ["zip", "zipcode", "postcode", "postal", ["post", "code"]] },
  { category: "city", patterns: ["city", "town"] },
  { category: "district", patterns: ["district", "county", "borough", "neighbourhood", "neighborhood"] },
  {
    category: "address",
    patterns: [
      "address",
      "addresses",
      "addr",
      "street",
      ["address", "line"],
      "geo",
      "latitude",
      "longitude",
      "lat",
      "lng",
      "lon",
      "geolocation",
    ],
  },
  { category: "name", patterns: ["name", "names"] },
];

/**
 * Words that, right before `name`, make it a thing's name rather than a person's:
 * `table_name`, `product_name`. `name` alone still counts: review it or `keep` it.
 */
const THING_NAMES = new Set(
  "file table column schema host domain product company org organization organisation brand category tag class type kind event field db database bucket key app application service project team branch queue topic image template plan role group device server model item sku country state region city street job task feature package module stage step metric label status source target index".split(
    " ",
  ),
);

/**
 * A name ending in one of these describes something about the data, not the data itself:
 * `card_id` is a reference, `email_count` a number, `mail_sent_at` a time. Unless the
 * pattern ends in it too (`session_id`, `national_id`).
 */
const ABOUT_WORDS = new Set(["id", "ids", "uuid", "count", "type", "kind", "status", "at", "on"]);

function matches(ws: string[], p: Pattern): boolean {
  const seq = typeof p === "string" ? [p] : p;
  const last = ws[ws.length - 1];
  if (ws.length > seq.length && ABOUT_WORDS.has(last) && seq[seq.length - 1] !== last) return false;
  for (let i = 0; i + seq.length <= ws.length; i++) if (seq.every((w, j) => ws[i + j] === w)) return true;
  return false;
}

/** The category a column name looks like personal data of, or undefined. */
export function looksPersonal(column: string): string | undefined {
  const ws = words(column);
  for (const { category, patterns } of CATEGORIES) {
    if (!patterns.some((p) => matches(ws, p))) continue;
    if (category === "name") {
      const i = ws.indexOf("name") >= 0 ? ws.indexOf("name") : ws.indexOf("names");
      if (i > 0 && THING_NAMES.has(ws[i - 1])) continue;
    }
    return category;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------

export type Classification = "masked" | "kept" | "truncated" | "deleted" | "key";

export interface CoverageProblem {
  /** Qualified table name. */
  table: string;
  column: string;
  /** The personal-data category the name matched; undefined for strict-mode-only problems. */
  category?: string;
  /** A rule line for the column, e.g. `email: { transform: email }`. */
  suggestion: string;
  /** The full sentence: what, why, and the two ways to fix it. */
  message: string;
}

export interface CoverageReport {
  mode: CoverageMode;
  problems: CoverageProblem[];
  classified: { table: string; column: string; as: Classification }[];
  unclassified: { table: string; column: string; category?: string }[];
  /** `keep` entries that matched no column (likely a typo or a dropped column). */
  unusedKeep: string[];
}

export type ResolveTable = (key: string) => string | undefined;

/** Default resolution: rule-key syntax (table-key.ts), exact names first, then one case-insensitive match. */
export function defaultResolver(schema: SchemaInfo): ResolveTable {
  return tableResolver(schema);
}

/**
 * The column a `keep` entry names: the exact name, else the one column whose name differs only
 * in case (MySQL names are case-insensitive; on PostgreSQL `"Email"` beside `email` is a second
 * column, so an inexact spelling matching two columns names neither).
 */
function keptColumn(t: TableInfo, name: string): ColumnInfo | undefined {
  const exact = t.columns.find((c) => c.name === name);
  if (exact) return exact;
  const folded = t.columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

/** How the rules classify each column, before any mode applies. */
function classify(
  schema: SchemaInfo,
  rules: Rules,
  resolve: ResolveTable,
): { of: (t: TableInfo, c: ColumnInfo) => Classification | undefined; unusedKeep: string[] } {
  const tableKind = new Map<string, "truncated" | "deleted">();
  const masked = new Set<string>();
  // Exact column names, as the planner matches them: a rule for `email` masks `email` only,
  // never a `"Email"` beside it (PostgreSQL keeps both).
  const id = (t: string, c: string) => `${t}\u0000${c}`;
  for (const [key, rule] of Object.entries(rules.tables)) {
    const q = resolve(key);
    if (!q) continue; // the planner reports unknown tables
    if (rule.kind === "truncate") tableKind.set(q, "truncated");
    else if (rule.kind === "delete") tableKind.set(q, "deleted");
    else for (const c of Object.keys(rule.columns)) masked.add(id(q, c));
  }
  const kept = new Set<string>();
  const keptTables = new Set<string>();
  const unusedKeep: string[] = [];
  for (const entry of rules.keep) {
    const { table: key, column } = splitKeepEntry(entry);
    const q = resolve(key);
    const table = q ? schema.tables.get(q) : undefined;
    const c = table && column !== "*" ? keptColumn(table, column) : undefined;
    if (!table) {
      unusedKeep.push(entry);
    } else if (column === "*") {
      keptTables.add(table.qualified);
    } else if (!c) {
      unusedKeep.push(entry);
    } else {
      kept.add(id(table.qualified, c.name));
    }
  }
  const fkColumns = new Set(schema.foreignKeys.flatMap((fk) => fk.fromColumns.map((c) => id(fk.fromTable, c))));
  return {
    unusedKeep,
    of(t, c) {
      const k = tableKind.get(t.qualified);
      if (k) return k;
      if (masked.has(id(t.qualified, c.name))) return "masked";
      if (keptTables.has(t.qualified) || kept.has(id(t.qualified, c.name))) return "kept";
      // Keys identify rows, they don't describe people, unless the name says otherwise
      // (a foreign key on `email` is personal data and must be masked in both tables).
      if ((c.isPrimaryKey || fkColumns.has(id(t.qualified, c.name))) && !looksPersonal(c.name)) return "key";
      return undefined;
    },
  };
}

/**
 * `table.column`, `schema.table.column`, `table.*`; a name with dots or spaces is written in
 * double quotes (`"order items".email`, `app."my.table".note`), as the coverage suggestions do.
 * The table part comes back in rule-key syntax. An entry that doesn't parse (the rules loader
 * refuses those; a Rules object skips it) names no table, so it is reported as unused.
 */
export function splitKeepEntry(entry: string): { table: string; column: string } {
  const parts = splitNameParts(entry);
  if (!parts || parts.length < 2) return { table: "", column: entry };
  return { table: parts.slice(0, -1).map(tableKeyPart).join("."), column: parts[parts.length - 1] };
}

/** A name as written in a keep entry: quoted when it holds a dot, a space or a quote. */
export function keepName(name: string): string {
  return /^[^."\s]+$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The keep entry for a column, as the loader reads it back (names with dots quoted, YAML-quoted if needed). */
function keepEntry(schema: SchemaInfo, t: TableInfo, c: ColumnInfo): string {
  const table = t.schema === schema.defaultSchema ? keepName(t.name) : `${keepName(t.schema)}.${keepName(t.name)}`;
  return yamlScalar(`${table}.${keepName(c.name)}`);
}

/** Columns whose values are replaced (masked, or the rows removed). */
const REPLACED: ReadonlySet<Classification> = new Set(["masked", "truncated", "deleted"]);

export function coverage(
  schema: SchemaInfo,
  rules: Rules,
  mode: CoverageMode,
  resolve: ResolveTable = defaultResolver(schema),
): CoverageReport {
  const { of, unusedKeep } = classify(schema, rules, resolve);
  const report: CoverageReport = { mode, problems: [], classified: [], unclassified: [], unusedKeep };
  for (const t of sortedTables(schema)) {
    for (const c of t.columns) {
      let as = of(t, c);
      // A generated column is recomputed from its sources: masking all of them masks it.
      const sources = c.generatedFrom?.length
        ? c.generatedFrom.map((n) => t.columns.find((s) => s.name === n)).filter((s): s is ColumnInfo => !!s)
        : [];
      const unmasked = sources.filter((s) => !REPLACED.has(of(t, s) ?? "key"));
      if (!as && sources.length && unmasked.length === 0) as = "masked";
      if (as) {
        report.classified.push({ table: t.qualified, column: c.name, as });
        continue;
      }
      const category = looksPersonal(c.name) ?? unmasked.map((s) => looksPersonal(s.name)).find(Boolean);
      report.unclassified.push({ table: t.qualified, column: c.name, category });
      if (sources.length && category && mode !== "off") {
        report.problems.push(generatedProblem(schema, t, c, category, unmasked));
        continue;
      }
      if (mode === "off" || (mode === "personal" && !category) || c.generated) continue;
      report.problems.push(problemFor(schema, t, c, category));
    }
  }
  return report;
}

/** A generated column can't be assigned: the fix is masking the columns it is computed from. */
function generatedProblem(schema: SchemaInfo, t: TableInfo, c: ColumnInfo, category: string, unmasked: ColumnInfo[]): CoverageProblem {
  const key = ruleKey(schema, t);
  const first = unmasked[0];
  const suggestion = `${yamlScalar(first.name)}: ${flowSpec(suggestSpec(t, first, looksPersonal(first.name)))}`;
  const names = unmasked.map((s) => s.name).join(", ");
  return {
    table: t.qualified,
    column: c.name,
    category,
    suggestion,
    message:
      `${t.qualified}.${c.name}: is generated from ${names}, which no rule masks, and looks personal (${category}); ` +
      `it can't be masked itself: mask the source column${unmasked.length > 1 ? "s" : ""} ${names} under tables.${key}.columns (masking recomputes it), ` +
      `e.g.  ${suggestion}  -- or, if it is not personal data, list it under keep: [${keepEntry(schema, t, c)}]`,
  };
}

function sortedTables(schema: SchemaInfo): TableInfo[] {
  return [...schema.tables.values()].sort((a, b) => a.qualified.localeCompare(b.qualified));
}

/** How users write the table in rules: bare in the default schema, qualified elsewhere. */
export function ruleKey(schema: SchemaInfo, t: TableInfo): string {
  return t.schema === schema.defaultSchema ? t.name : t.qualified;
}

function problemFor(schema: SchemaInfo, t: TableInfo, c: ColumnInfo, category: string | undefined): CoverageProblem {
  const key = ruleKey(schema, t);
  const suggestion = `${yamlScalar(c.name)}: ${flowSpec(suggestSpec(t, c, category))}`;
  const why = category
    ? `looks personal (${category}) but no rule covers it`
    : "has no rule, and strict coverage requires every column to be classified";
  return {
    table: t.qualified,
    column: c.name,
    category,
    suggestion,
    message: `${t.qualified}.${c.name}: ${why}. Add under tables.${key}.columns:  ${suggestion}  -- or, if it is not personal data, list it under keep: [${keepEntry(schema, t, c)}]`,
  };
}

// ---------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------

/** A transform for the column: the category's natural choice, if it fits; else a safe fallback. */
export function suggestSpec(t: TableInfo, c: ColumnInfo, category: string | undefined, allNull = false): TransformSpec {
  const fits = (s: TransformSpec) => getTransform(s.transform).validate(s, c, t).length === 0;
  // Every sampled value is NULL: NULL is the one value that surely fits and leaks nothing.
  if (allNull && category && fits({ transform: "null" })) return { transform: "null" };
  for (const s of preferred(t, c, category)) if (fits(s)) return s;
  const last = fallback(t, c);
  // Nothing generic fits: a visible TODO for the reviewer rather than a rule that does not fit.
  return fits(last) ? last : todo(t, c);
}

function preferred(t: TableInfo, c: ColumnInfo, category: string | undefined): TransformSpec[] {
  const hash16: TransformSpec = { transform: "hash", length: Math.min(64, Math.max(16, c.maxLength ?? 64)) };
  const pkTemplate = (prefix: string): TransformSpec[] =>
    t.primaryKey.length === 1 ? [{ transform: "template", value: `${prefix}_{${t.primaryKey[0].replace(/[{}]/g, (b) => b + b)}}` }] : [];
  switch (category) {
    case "email":
      return [{ transform: "email" }];
    case "phone":
      return [{ transform: "phone" }];
    case "first name":
      return [{ transform: "name", kind: "first" }];
    case "last name":
      return [{ transform: "name", kind: "last" }];
    case "full name":
    case "name":
      return [{ transform: "name" }, ...pkTemplate("name")];
    case "user name":
      return [...pkTemplate("user"), hash16];
    case "password":
    case "secret":
    case "token":
      return [{ transform: "hash" }, hash16, { transform: "null" }];
    case "payment card":
    case "bank account":
      return [{ transform: "partial", keepLast: 4 }, hash16, { transform: "null" }];
    case "national id":
    case "passport":
      return [{ transform: "partial", keepLast: 0 }, hash16, { transform: "null" }];
    case "ip address":
      return [{ transform: "ip" }, { transform: "ip", version: 4 }, { transform: "null" }];
    case "postcode":
      return [{ transform: "digits" }, { transform: "null" }, { transform: "fixed", value: c.typeClass === "integer" ? 0 : "00000" }];
    case "birth date":
      return [
        { transform: "date", keep: "year" },
        { transform: "null" },
        { transform: "fixed", value: c.typeClass === "integer" ? 1970 : "1970-01-01" },
      ];
    case "employment date":
      return [{ transform: "date" }, { transform: "null" }];
    case "gender":
      // NULL where allowed; else one value every row shares (an enum's first member is valid by construction).
      return [{ transform: "null" }, { transform: "fixed", value: c.enumValues?.[0] ?? "X" }];
    case "city":
    case "district":
      return [{ transform: "null" }, { transform: "fixed", value: "redacted".slice(0, c.maxLength ?? 8) }];
    case "address":
      return c.typeClass === "decimal"
        ? [{ transform: "fixed", value: 0 }, { transform: "null" }]
        : [{ transform: "address" }, { transform: "null" }, ...pkTemplate("address")];
    case "blob":
      return [{ transform: "blob" }, { transform: "blob", fill: "null" }, { transform: "null" }];
    case "free text":
      return [{ transform: "null" }, { transform: "fixed", value: "redacted".slice(0, c.maxLength ?? 8) }, hash16];
    default:
      return [];
  }
}

function fallback(t: TableInfo, c: ColumnInfo): TransformSpec {
  if (c.unique) {
    if (c.typeClass === "text" && (c.maxLength ?? 64) >= 16) return { transform: "hash", length: Math.min(64, c.maxLength ?? 64) };
    if (c.nullable) return { transform: "null" };
  } else if (c.nullable) {
    return { transform: "null" };
  }
  if (c.typeClass === "integer" || c.typeClass === "decimal") return { transform: "fixed", value: 0 };
  if (c.typeClass === "boolean") return { transform: "fixed", value: false };
  if (c.typeClass === "text") return { transform: "fixed", value: "redacted".slice(0, c.maxLength ?? 8) };
  if (c.typeClass === "date" || c.typeClass === "timestamp") return { transform: "date" };
  if (c.typeClass === "uuid") return { transform: "uuid" };
  if (c.typeClass === "binary") return { transform: "blob" };
  return todo(t, c);
}

/** Nothing generic fits (e.g. a unique NOT NULL date): the user has to decide. */
function todo(t: TableInfo, c: ColumnInfo): TransformSpec {
  return { transform: "sql", expression: `/* TODO: an expression for ${t.name}.${c.name} */ NULL` };
}

/** A scalar safe inside a YAML flow mapping: plain when unambiguous, else double-quoted. */
function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  const plain = /^[A-Za-z_][A-Za-z0-9_.@/+-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(v);
  return plain ? v : JSON.stringify(v);
}

/** `{ transform: name, kind: first }` */
export function flowSpec(spec: TransformSpec): string {
  const entries = Object.entries(spec).map(([k, v]) => `${k}: ${yamlScalar(v as string | number | boolean)}`);
  return `{ ${entries.join(", ")} }`;
}

// ---------------------------------------------------------------------------------------
// Draft rules (`aurora-staging scan --write`)
// ---------------------------------------------------------------------------------------

/**
 * A draft rules file covering every column that looks personal by name or, given samples
 * (scan-sample.ts), by content, which the rules (if given) leave uncovered. Lookup tables
 * (scan-classify.ts) are kept. Each line carries its reason (a category, a rate, a count:
 * never a value); every rule fits its column (the transform's own validate()) and keeps NULLs.
 * Meant to be reviewed.
 */
export function draftRules(schema: SchemaInfo, rules?: Rules, schemaRef = "./sanitize/rules/rules.schema.json", samples?: Samples): string {
  const { columns, keep } = draftEntries(schema, rules, samples);
  const byTable = new Map<string, string[]>();
  for (const e of columns) byTable.set(e.table, [...(byTable.get(e.table) ?? []), `      ${e.line}   # ${e.reason}`]);
  const lines = [
    `# yaml-language-server: $schema=${schemaRef}`,
    "# Draft written by `aurora-staging scan`: review every line. Columns that only look",
    "# personal go under keep; see docs/rules.md for all transforms.",
    "tables:",
  ];
  if (byTable.size === 0) lines[lines.length - 1] = "tables: {}   # nothing personal-looking is left uncovered";
  for (const [q, columnLines] of byTable)
    lines.push(`  ${yamlScalar(ruleKey(schema, schema.tables.get(q)!))}:`, "    columns:", ...columnLines);
  if (keep.length) lines.push("keep:", ...keep.map((k) => `  - ${k.entry}   # ${k.reason}`));
  return lines.join("\n") + "\n";
}

export interface DraftEntry {
  table: string;
  column: string;
  /** `column: { transform: ... }` */
  line: string;
  /** Category, name or pattern match with its rate: never a value. */
  reason: string;
}

/** What the draft holds: a rule per uncovered personal-looking column, a keep entry per lookup-table column. */
export function draftEntries(
  schema: SchemaInfo,
  rules?: Rules,
  samples?: Samples,
): { columns: DraftEntry[]; keep: { entry: string; reason: string }[] } {
  const report = coverage(schema, rules ?? { tables: {}, keep: [], verify: [] }, "personal");
  const uncovered = new Set(report.unclassified.map((u) => `${u.table}\u0000${u.column}`));
  const columns: DraftEntry[] = [];
  const keep: { entry: string; reason: string }[] = [];
  for (const t of sortedTables(schema)) {
    const sample = samples?.get(t.qualified);
    const lookup = samples ? lookupReason(schema, t, sample) : undefined;
    const drafted = new Set<string>();
    for (const c of t.columns) {
      if (!uncovered.has(`${t.qualified}\u0000${c.name}`) || c.generated) continue;
      if (lookup) {
        if (looksPersonal(c.name)) keep.push({ entry: keepEntry(schema, t, c), reason: lookup });
        continue;
      }
      const found = samples ? classifyColumn(t, c, sample) : nameOnly(c);
      if (!found) continue;
      const spec = suggestSpec(t, c, found.category, found.allNull);
      const nulls = found.allNull ? `; all ${sample?.rows} sampled values are NULL` : "";
      columns.push({ table: t.qualified, column: c.name, line: `${yamlScalar(c.name)}: ${flowSpec(spec)}`, reason: found.reason + nulls });
      drafted.add(c.name);
    }
    // A generated column is masked through its sources.
    for (const p of report.problems.filter((p) => p.table === t.qualified)) {
      const c = t.columns.find((x) => x.name === p.column);
      const source = p.suggestion.slice(0, p.suggestion.indexOf(":"));
      if (!c?.generated || drafted.has(source)) continue;
      columns.push({ table: t.qualified, column: source, line: p.suggestion, reason: `a source of generated ${c.name} (${p.category})` });
      drafted.add(source);
    }
  }
  return { columns, keep };
}

function nameOnly(c: ColumnInfo): Classified | undefined {
  const category = looksPersonal(c.name);
  return category ? { category, reason: `name match: ${category}`, allNull: false } : undefined;
}
