/**
 * The catalogue as data for people: each transform's options (from its zod schema, as JSON
 * Schema), column types, output and uniqueness. Read by `aurora-staging transforms`, by the
 * rules schema generator (rules/build-schema.ts) and for the transform tables in docs/rules.md
 * and the README (scripts/generate-rules-schema.js rewrites the marked regions).
 */
import { z } from "zod";
import type { TransformName } from "../core/types";
import { definitionOf, transformNames } from "./index";

type Json = Record<string, unknown>;

/**
 * A transform's options as JSON Schema (draft-07, as the user writes them: defaults optional).
 * Zod's safe-integer bounds, open-object markers and an enum's type are dropped: they say
 * nothing a reader needs, and an enum's type would add a second error for one mistake.
 */
export function optionsJsonSchema(name: TransformName): { properties: Record<string, Json>; required: string[] } {
  const schema = z.toJSONSchema(definitionOf(name).options, { target: "draft-7", io: "input", unrepresentable: "throw" });
  const clean = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(clean);
    if (node === null || typeof node !== "object") return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if ((k === "maximum" && v === Number.MAX_SAFE_INTEGER) || (k === "minimum" && v === Number.MIN_SAFE_INTEGER)) continue;
      if (k === "additionalProperties" && v !== null && typeof v === "object" && Object.keys(v).length === 0) continue;
      if (k === "type" && Array.isArray((node as Json).enum)) continue;
      out[k] = clean(v);
    }
    return out;
  };
  const cleaned = clean(schema) as { properties?: Record<string, Json>; required?: string[] };
  return { properties: cleaned.properties ?? {}, required: cleaned.required ?? [] };
}

export interface OptionInfo {
  name: string;
  required: boolean;
  /** Absent when the option has no default (required, or off unless given). */
  default?: unknown;
  /** The allowed values or range in a few words, e.g. `8..64` or `first, last, full`. */
  allowed?: string;
  description?: string;
}

export interface TransformInfo {
  name: TransformName;
  summary: string;
  /** Deterministic transforms need the masking key. */
  needsMaskingKey: boolean;
  /** Column type classes, or "any". */
  columnTypes: readonly string[] | "any";
  columnTypesNote?: string;
  output: string;
  uniqueness: string;
  options: OptionInfo[];
  example: unknown;
}

function allowedOf(s: Json): string | undefined {
  if (Array.isArray(s.enum)) return s.enum.map((v) => String(v)).join(", ");
  if (typeof s.minimum === "number" && typeof s.maximum === "number") return `${s.minimum}..${s.maximum}`;
  if (s.minLength === 1 && s.maxLength === 1) return "one character";
  const items = s.items as Json | undefined;
  if (s.type === "array" && items?.properties) {
    const keys = Object.keys(items.properties as Json);
    return `a list of { ${keys.join(", ")}${items.additionalProperties === false ? "" : ", ...options"} }`;
  }
  return undefined;
}

export function describeTransform(name: TransformName): TransformInfo {
  const def = definitionOf(name);
  const { properties, required } = optionsJsonSchema(name);
  const options = Object.entries(properties).map(([option, s]): OptionInfo => {
    const info: OptionInfo = { name: option, required: required.includes(option) };
    if ("default" in s) info.default = s.default;
    const allowed = allowedOf(s);
    if (allowed) info.allowed = allowed;
    if (typeof s.description === "string") info.description = s.description;
    return info;
  });
  return {
    name,
    summary: def.summary,
    needsMaskingKey: def.deterministic,
    columnTypes: def.columnTypes,
    ...(def.columnTypesNote ? { columnTypesNote: def.columnTypesNote } : {}),
    output: def.output,
    uniqueness: def.uniqueness,
    options,
    example: def.example,
  };
}

export function describeTransforms(): TransformInfo[] {
  return transformNames.map(describeTransform);
}

export function columnTypesText(t: Pick<TransformInfo, "columnTypes" | "columnTypesNote">): string {
  const types = t.columnTypes === "any" ? "any" : t.columnTypes.join(", ");
  return t.columnTypesNote ? `${types} (${t.columnTypesNote})` : types;
}

const code = (v: unknown): string => `\`${String(v)}\``;

/** `length` 8..64 (default 64); `value` (required); `-` when there are none. */
export function optionsText(options: OptionInfo[], fmt: (v: unknown) => string = code): string {
  if (!options.length) return "-";
  return options
    .map((o) => {
      const extra = [o.required ? "required" : undefined, "default" in o ? `default ${fmt(o.default)}` : undefined].filter(Boolean);
      return `${fmt(o.name)}${o.allowed ? `: ${o.allowed}` : ""}${extra.length ? ` (${extra.join(", ")})` : ""}`;
    })
    .join("; ");
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");
const row = (cells: string[]): string => `| ${cells.map(cell).join(" | ")} |`;

/** The table in docs/rules.md ("Transforms"). */
export function docsTransformsTable(): string {
  return [
    row(["Transform", "Options", "Columns", "Output", "Needs key", "Keeps uniqueness"]),
    "|---|---|---|---|---|---|",
    ...describeTransforms().map((t) =>
      row([code(t.name), optionsText(t.options), columnTypesText(t), t.output, t.needsMaskingKey ? "yes" : "no", t.uniqueness]),
    ),
  ].join("\n");
}

/** The shorter table in the README. */
export function readmeTransformsTable(): string {
  return [
    row(["Transform", "Options", "Output", "Unique column ok"]),
    "|---|---|---|---|",
    ...describeTransforms().map((t) => row([code(t.name), optionsText(t.options), t.output, t.uniqueness])),
  ].join("\n");
}

const START = "<!-- transforms:start (generated from sanitize/transforms by `npm run generate`; edit the transforms, not this table) -->";
const END = "<!-- transforms:end -->";
const REGION = /<!-- transforms:start[^\n]*-->\n[\s\S]*?<!-- transforms:end -->/;

/** `text` with its marked transforms region replaced by `table`; throws when the markers are missing. */
export function withTransformsTable(text: string, table: string, file: string): string {
  if (!REGION.test(text)) throw new Error(`${file}: no "<!-- transforms:start -->" ... "${END}" region to rewrite`);
  return text.replace(REGION, () => `${START}\n${table}\n${END}`);
}
