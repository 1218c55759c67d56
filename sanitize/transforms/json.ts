import { z } from "zod";
import { sql, type Sql } from "../core/sql";
import type { ColumnInfo, JsonPathRule, TransformContext, TransformSpec } from "../core/types";
// The catalogue, used at call time only (index.ts imports this file first).
import { getTransform, isTransformName, optionNames } from "./index";
import { columnProblems, keepNull } from "./common";
import type { TransformDefinition } from "./definition";

type Spec = Extract<TransformSpec, { transform: "json" }>;

/** Transforms whose output is text that can stand in a JSON string (or JSON null). */
export const JSON_NESTABLE = ["email", "hash", "phone", "digits", "name", "partial", "address", "ip", "uuid", "fixed", "null"] as const;

const PATH = /^\$((\.[A-Za-z_][A-Za-z0-9_-]*)|(\[[0-9]+\]))+$/;

/** `$.contact.email` -> ["contact", "email"]; `$.items[0].id` -> ["items", 0, "id"]. */
export function parseJsonPath(path: string): (string | number)[] | undefined {
  if (typeof path !== "string" || !PATH.test(path)) return undefined;
  return [...path.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\[([0-9]+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
}

/** The text at a path is unbounded, nullable, not unique: what the nested transform is checked against. */
function innerColumn(column: ColumnInfo, path: string): ColumnInfo {
  return {
    name: `${column.name}${path.slice(1)}`,
    rawType: "text",
    typeClass: "text",
    maxLength: undefined,
    nullable: true,
    unique: false,
    isPrimaryKey: false,
    generated: false,
    inUniqueIndex: false,
  };
}

/** YAML reads `transform: null` as a null value; like the loader, read it as the `null` transform. */
function nestedName(rule: JsonPathRule): string {
  return (rule.transform as unknown) === null ? "null" : rule.transform;
}

function innerSpec(rule: JsonPathRule): TransformSpec {
  const { path: _path, ...spec } = rule;
  return { ...spec, transform: nestedName(rule) } as TransformSpec;
}

function innerCtx(ctx: TransformContext, rule: JsonPathRule): TransformContext {
  const segments = parseJsonPath(rule.path)!;
  return { ...ctx, column: innerColumn(ctx.column, rule.path), self: ctx.fn.jsonText(ctx.self, segments) };
}

export const json = {
  name: "json",
  summary:
    'Applies transforms at paths inside a JSON document (json, jsonb or text column): `paths: [{ path: "$.contact.email", transform: email }]`; other content stays; absent paths stay absent; NULL stays NULL.',
  options: z.strictObject({
    paths: z
      .array(
        z.looseObject({
          path: z.string().regex(PATH).describe("Where the value is, e.g. $.contact.email or $.phones[0]."),
          transform: z.literal([...JSON_NESTABLE, null]).describe(`The transform for the value at path: ${JSON_NESTABLE.join(", ")}.`),
        }),
      )
      .min(1)
      .describe("Each item: path ($ then .key or [index] parts) and a transform with its options, written inline."),
  }),
  columnTypes: ["json", "text"],
  output: "the document with the values at the paths masked",
  uniqueness: "no",
  example: { transform: "json", paths: [{ path: "$.contact.email", transform: "email" }] },
  // Deterministic when a nested transform is: the key is required then (see deterministicColumns).
  deterministic: true,
  preservesUniqueness: () => false,
  references: () => [],
  validate(spec, column, table) {
    const out = columnProblems(column);
    if (column.typeClass !== "json" && column.typeClass !== "text")
      out.push(`transform "json" works on json, jsonb and text columns, but the column is ${column.rawType}.`);
    if (!Array.isArray(spec.paths) || spec.paths.length === 0)
      return [...out, 'json needs `paths`: a list like [{ path: "$.contact.email", transform: email }].'];
    const seen: string[] = [];
    for (const rule of spec.paths) {
      const where = `json path "${String(rule.path)}"`;
      if (!parseJsonPath(rule.path)) {
        out.push(`${where} is not a simple path: write $ followed by .key or [index] parts, e.g. $.contact.email or $.phones[0].`);
        continue;
      }
      // Edits are computed from the original document, so one path inside another would be lost.
      const overlap = seen.find(
        (p) =>
          rule.path === p ||
          rule.path.startsWith(`${p}.`) ||
          rule.path.startsWith(`${p}[`) ||
          p.startsWith(`${rule.path}.`) ||
          p.startsWith(`${rule.path}[`),
      );
      if (overlap) out.push(`${where} overlaps "${overlap}": give each value one path.`);
      seen.push(rule.path);
      const name = nestedName(rule);
      if (!isTransformName(name) || !(JSON_NESTABLE as readonly string[]).includes(name)) {
        out.push(`${where}: transform "${String(name)}" can't be used inside JSON; use one of ${JSON_NESTABLE.join(", ")}.`);
        continue;
      }
      // The schema can't check a nested transform's options itself (the item is open): the catalogue can.
      const allowed = ["path", "transform", ...optionNames(name)];
      for (const k of Object.keys(rule))
        if (!allowed.includes(k))
          out.push(`${where}: unknown option "${k}" for transform "${name}"; expected one of ${allowed.join(", ")}.`);
      out.push(
        ...getTransform(name)
          .validate(innerSpec(rule), innerColumn(column, rule.path), table)
          .map((p) => `${where}: ${p}`),
      );
    }
    return out;
  },
  render(spec, ctx) {
    const edits = spec.paths.map((rule) => ({
      path: parseJsonPath(rule.path)!,
      value: getTransform(nestedName(rule)).render(innerSpec(rule), innerCtx(ctx, rule)),
    }));
    const doc = ctx.fn.jsonReplace(ctx.self, edits);
    // Text columns get text, not CAST(... AS varchar(n)), which would silently cut a longer document.
    return keepNull(ctx.self, ctx.column.typeClass === "text" ? ctx.fn.toText(doc) : ctx.fn.castTo(doc, ctx.column));
  },
  violation(spec, ctx) {
    const checks: Sql[] = [];
    for (const rule of spec.paths) {
      const v = getTransform(nestedName(rule)).violation?.(innerSpec(rule), innerCtx(ctx, rule));
      if (v) checks.push(v);
    }
    return checks.length ? sql`(${checks.reduce((a, b) => sql`${a} OR ${b}`)})` : undefined;
  },
} satisfies TransformDefinition<Spec>;
