/**
 * YAML text -> validated, normalised Rules. Every problem (YAML syntax, schema, contradictory
 * table entries, template syntax) is collected with its line and YAML path, and all of them
 * are thrown together as one SanitizeError, so a user fixes the file in one pass.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import {
  SanitizeError,
  type DatabaseRule,
  type DatabaseRules,
  type Rules,
  type RulesLocation,
  type TableRule,
  type TransformSpec,
  type VerifyQuery,
} from "../core/types";
import { parseTemplate } from "../transforms/template";
import { explain, schemaValidator, type PathSegment } from "./schema";

export interface ParsedRules {
  rules: Rules;
  /** Where a path is in the file (for later errors, e.g. an unknown table found by the planner). */
  locate(path: PathSegment[]): RulesLocation;
}

export function loadRules(text: string, source = "rules"): Rules {
  return parseRules(text, source).rules;
}

export function parseRules(text: string, source = "rules"): ParsedRules {
  const lineCounter = new LineCounter();
  // uniqueKeys is checked below with a Set: the parser's own check rescans the mapping for
  // every key, which made a 100k-entry file take minutes.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const fmt = (line: number | undefined, path: string, message: string) =>
    `${source}${line ? `:${line}` : ""}${path ? ` ${path}` : ""}: ${message}`;
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const pairs = new PairIndex();
  const locate = (path: PathSegment[], atKey = false): RulesLocation => ({
    path: showPath(path),
    line: lineOf(findOffset(doc, path, atKey, pairs)),
  });

  if (doc.errors.length) {
    throw new SanitizeError(
      // Only the first: after one syntax error the parser's follow-up errors are noise.
      doc.errors
        .slice(0, 1)
        .map((e) => fmt(lineOf(e.pos[0]), "", `invalid YAML: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "")}`)),
      "rules",
    );
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    throw new SanitizeError(
      [
        fmt(
          lineOf(duplicate.offset),
          "",
          `invalid YAML: Map keys must be unique: "${duplicate.key}" appears twice in one mapping (YAML would silently keep only the last); remove one`,
        ),
      ],
      "rules",
    );
  }
  const data: unknown = nullTransformsAsNames(toData(doc, (offset, message) => fmt(lineOf(offset), "", message)));
  if (data === null || data === undefined) {
    throw new SanitizeError([fmt(1, "", "the rules file is empty; expected a mapping with `tables:` (see docs/rules.md)")], "rules");
  }

  const found: { line: number; text: string }[] = [];
  const add = (path: PathSegment[], message: string, atKey = false, shownPath?: PathSegment[]) => {
    const loc = locate(path, atKey);
    found.push({ line: loc.line ?? 0, text: fmt(loc.line, shownPath ? showPath(shownPath) : loc.path, message) });
  };

  const validate = schemaValidator();
  if (!validate(data)) for (const p of explain(validate.errors ?? [], data)) add(p.path, p.message, p.atKey, p.shownPath);

  // Checks a schema can't express clearly; run on whatever is well-typed enough to read.
  const root = isObject(data) ? data : {};
  const own = normaliseScope(root, [], add);
  const databases = normaliseDatabases(root.databases, add);
  const logins = {
    keep:
      isObject(root.logins) && Array.isArray(root.logins.keep) ? root.logins.keep.filter((k): k is string => typeof k === "string") : [],
  };

  // In file order, so the list reads top to bottom like the file.
  if (found.length)
    throw new SanitizeError(
      found.sort((a, b) => a.line - b.line).map((f) => f.text),
      "rules",
    );
  return { rules: { ...own, databases, logins }, locate: (path) => locate(path) };
}

type Report = (path: PathSegment[], message: string, atKey?: boolean) => void;

/** tables/keep/verify of one database (the target's, at the top level, or one under `databases:`). */
function normaliseScope(scope: Record<string, unknown>, at: PathSegment[], add: Report): DatabaseRules {
  const tables: Record<string, TableRule> = {};
  for (const [name, entry] of Object.entries(isObject(scope.tables) ? scope.tables : {})) {
    if (!isObject(entry)) continue;
    const rule = normaliseTable(entry, (msg, key) => add(key ? [...at, "tables", name, key] : [...at, "tables", name], msg, !key));
    if (rule) tables[name] = rule;
    if (isObject(entry.columns)) {
      for (const [col, spec] of Object.entries(entry.columns)) {
        if (isObject(spec) && spec.transform === "template" && typeof spec.value === "string") {
          for (const p of parseTemplate(spec.value).problems) add([...at, "tables", name, "columns", col, "value"], p);
        }
      }
    }
  }
  const keep = Array.isArray(scope.keep) ? scope.keep.filter((k): k is string => typeof k === "string") : [];
  const keptOnce = new Set<string>();
  keep.forEach((k, i) => {
    if (keptOnce.has(k)) add([...at, "keep", i], `"${k}" is listed twice; remove the duplicate`);
    keptOnce.add(k);
  });
  const verify = Array.isArray(scope.verify) ? (scope.verify.filter(isObject) as unknown as VerifyQuery[]) : [];
  const names = new Set<string>();
  verify.forEach((v, i) => {
    if (typeof v.name !== "string") return;
    if (names.has(v.name)) add([...at, "verify", i, "name"], `verify name "${v.name}" is used twice; give each check its own name`);
    names.add(v.name);
  });
  return { tables, keep, verify: verify.map((v) => ({ name: v.name, sql: v.sql, expect: v.expect })) };
}

/** `databases:` entries -> drop / clean / sanitize, reporting entries that say nothing or contradict themselves. */
function normaliseDatabases(value: unknown, add: Report): Record<string, DatabaseRule> {
  const out: Record<string, DatabaseRule> = {};
  for (const [name, entry] of Object.entries(isObject(value) ? value : {})) {
    if (!isObject(entry)) {
      add(["databases", name], "must be a mapping: { drop: true }, { clean: true } or the database's own tables/keep/verify");
      continue;
    }
    const at = ["databases", name];
    const rulesKeys = ["tables", "keep", "verify"].filter((k) => entry[k] !== undefined);
    if (entry.drop === true) {
      const extra = [...(entry.clean !== undefined ? ["clean"] : []), ...rulesKeys];
      if (extra.length)
        add(
          [...at, extra[0]],
          `drop: true removes the database, so ${extra.join(", ")} can't apply; remove ${extra.length > 1 ? "them" : "it"}, or remove drop`,
          true,
        );
      else out[name] = { kind: "drop" };
    } else if (entry.clean === true) {
      if (entry.tables !== undefined)
        add([...at, "tables"], "clean: true keeps the database as it is, so it has no tables rules; remove tables, or remove clean", true);
      else out[name] = { kind: "sanitize", clean: true, rules: normaliseScope(entry, at, add) };
    } else if (entry.tables !== undefined) {
      out[name] = { kind: "sanitize", clean: false, rules: normaliseScope(entry, at, add) };
    } else if (entry.drop === undefined && entry.clean === undefined) {
      add(at, `the database entry does nothing: write { drop: true }, { clean: true } (reviewed, no personal data) or its tables rules`);
    }
  }
  return out;
}

/** One table entry -> its kind, or undefined after reporting why it is contradictory. */
function normaliseTable(e: Record<string, unknown>, report: (msg: string, key?: string) => void): TableRule | undefined {
  const has = (k: string) => e[k] !== undefined;
  const columns = isObject(e.columns) ? (e.columns as Record<string, TransformSpec>) : undefined;
  if (e.truncate === true) {
    const extra = ["columns", "where", "delete"].filter(has);
    if (extra.length) {
      report(
        `truncate can't be combined with ${extra.join(", ")}: a truncated table has no rows left to mask or delete. Remove ${extra.length > 1 ? "them" : "it"}, or remove truncate.`,
        extra[0],
      );
      return undefined;
    }
    return { kind: "truncate", cascade: e.cascade === true };
  }
  if (has("cascade")) {
    report("cascade only applies to `truncate: true`; remove it or add truncate: true", "cascade");
    return undefined;
  }
  if (columns) {
    if (Object.keys(columns).length === 0) {
      report("columns is empty: list the columns to mask, or remove columns", "columns");
      return undefined;
    }
    const rule: TableRule = { kind: "mask", columns };
    if (typeof e.where === "string") rule.where = e.where;
    if (typeof e.delete === "string") rule.delete = e.delete;
    return rule;
  }
  if (has("where")) {
    report(
      'where only selects the rows whose columns are masked, but there are no columns; to remove rows use `delete: "condition"`',
      "where",
    );
    return undefined;
  }
  if (typeof e.delete === "string") return { kind: "delete", delete: e.delete };
  if (!has("columns") && !has("delete")) {
    report('the table entry does nothing: add `columns`, `truncate: true` or `delete: "condition"`, or remove the table');
  }
  return undefined;
}

/**
 * YAML reads `transform: null` as a null value, but users mean the transform named "null":
 * accept both spellings rather than making everyone quote it.
 */
function nullTransformsAsNames(data: unknown): unknown {
  if (!isObject(data)) return data;
  const scopes = [data, ...(isObject(data.databases) ? Object.values(data.databases) : [])];
  for (const entry of scopes.flatMap((scope) => (isObject(scope) && isObject(scope.tables) ? Object.values(scope.tables) : []))) {
    if (!isObject(entry) || !isObject(entry.columns)) continue;
    for (const spec of Object.values(entry.columns)) {
      if (isObject(spec) && "transform" in spec && spec.transform === null) spec.transform = "null";
    }
  }
  return data;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}

/** `tables.users.columns.email`, `verify[1].expect`. */
export function showPath(path: PathSegment[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Aliases a document may expand; a "billion laughs" needs far more (ten levels of nine). */
const MAX_ALIASES = 100;

/** The document as plain data, or a rules error at the first alias when aliases expand too far. */
function toData(doc: Document, fmt: (offset: number | undefined, message: string) => string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    let offset: number | undefined;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
    throw new SanitizeError(
      [
        fmt(
          offset,
          `invalid YAML: the anchors and aliases (&name / *name) expand to more than ${MAX_ALIASES} copies, as in a "billion laughs" attack; ` +
            "write the values out instead of repeating aliases",
        ),
      ],
      "rules",
    );
  }
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/** The first key written twice in one mapping (scalar keys; in document order). */
function firstDuplicateKey(doc: Document): { key: string; offset: number | undefined } | undefined {
  let found: { key: string; offset: number | undefined } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (isAlias(pair.key) || !isScalar(pair.key)) continue;
        const key = keyOf(pair);
        if (seen.has(key)) {
          found = { key: String(key).slice(0, 60), offset: rangeStart(pair.key) };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

/** key -> pair for each mapping, built on first use: locating N problems must not scan N mappings N times. */
class PairIndex {
  private readonly maps = new WeakMap<YAMLMap, Map<unknown, Pair>>();
  get(map: YAMLMap, key: PathSegment): Pair | undefined {
    let index = this.maps.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) if (isPair(p) && !index.has(keyOf(p))) index.set(keyOf(p), p as Pair);
      this.maps.set(map, index);
    }
    return index.get(key);
  }
}

/** Source offset of the node at `path` (or of its key); the nearest existing ancestor if missing. */
function findOffset(doc: Document, path: PathSegment[], atKey: boolean, pairs: PairIndex): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = pairs.get(node as YAMLMap, seg);
      if (!pair) break;
      const keyOffset = rangeStart(pair.key);
      const last = i === path.length - 1;
      if (last && atKey) return keyOffset ?? offset;
      offset = rangeStart(pair.value) ?? keyOffset ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(n: unknown): number | undefined {
  return n && typeof n === "object" && "range" in n ? (n as Node).range?.[0] : undefined;
}
