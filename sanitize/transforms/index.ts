/**
 * The transform catalogue, the single source for everything said about a transform. Adding one:
 * a file here (a TransformDefinition: options schema, defaults, column types, summary, render,
 * validate), a variant in TransformSpec (core/types.ts), an entry below, then `npm run generate`
 * to rewrite rules/rules.schema.json and the transform tables in docs/rules.md and the README.
 */
import type { Sql } from "../core/sql";
import {
  SanitizeError,
  type ColumnInfo,
  type Rules,
  type TableInfo,
  type Transform,
  type TransformContext,
  type TransformName,
  type TransformSpec,
} from "../core/types";
import { email } from "./email";
import { fixed } from "./fixed";
import { hash } from "./hash";
import { name } from "./name";
import { nullTransform } from "./null";
import { partial } from "./partial";
import { phone } from "./phone";
import { sqlTransform } from "./sql";
import { template } from "./template";
import { digits } from "./digits";
import { uuid } from "./uuid";
import { address } from "./address";
import { ip } from "./ip";
import { date } from "./date";
import { blob } from "./blob";
import { json } from "./json";
import type { TransformDefinition } from "./definition";

type ByName = { [N in TransformName]: TransformDefinition<Extract<TransformSpec, { transform: N }>> };

export const transforms: ByName = {
  fixed,
  null: nullTransform,
  template,
  email,
  hash,
  phone,
  name,
  partial,
  sql: sqlTransform,
  digits,
  uuid,
  address,
  ip,
  date,
  blob,
  json,
};

export const transformNames = Object.keys(transforms) as TransformName[];

export function isTransformName(n: string): n is TransformName {
  return Object.hasOwn(transforms, n);
}

/** The definition of a transform known to exist (docs, schema, CLI listing). */
export function definitionOf(n: TransformName): TransformDefinition {
  return transforms[n] as unknown as TransformDefinition;
}

/** Option names a transform takes besides `transform`, in declaration order. */
export function optionNames(n: TransformName): string[] {
  return Object.keys(definitionOf(n).options.shape);
}

export function getTransform(n: string): Transform {
  if (!isTransformName(n)) {
    throw new SanitizeError([`unknown transform "${n}"; expected one of ${transformNames.join(", ")}`], "rules");
  }
  // Each entry is typed for its own spec; callers pass the matching spec (see the helpers below).
  return transforms[n] as unknown as Transform;
}

/** Problems with `spec` on this column, each prefixed with `table.column: `. */
export function validateSpec(spec: TransformSpec, column: ColumnInfo, table: TableInfo): string[] {
  return getTransform(spec.transform)
    .validate(spec, column, table)
    .map((p) => `${table.qualified}.${column.name}: ${p}`);
}

export function renderSpec(spec: TransformSpec, ctx: TransformContext): Sql {
  return getTransform(spec.transform).render(spec, ctx);
}

export function violationOf(spec: TransformSpec, ctx: TransformContext): Sql | undefined {
  const t = getTransform(spec.transform);
  return t.violation?.(spec, ctx);
}

/** True when some masked column uses a deterministic transform, so the masking key is required. */
export function needsMaskingKey(rules: Rules): boolean {
  return deterministicColumns(rules).length > 0;
}

/** `table.column` of every column whose transform needs the masking key (for error messages). */
export function deterministicColumns(rules: Rules): string[] {
  const out: string[] = [];
  for (const [table, rule] of Object.entries(rules.tables)) {
    if (rule.kind !== "mask") continue;
    for (const [column, spec] of Object.entries(rule.columns)) {
      if (isTransformName(spec.transform) && transforms[spec.transform].deterministic) out.push(`${table}.${column}`);
    }
  }
  return out;
}

export { parseTemplate } from "./template";
export { DEFAULT_EMAIL_DOMAIN } from "./email";
export { FIRST_NAMES, LAST_NAMES } from "./names";
export type { TransformDefinition } from "./definition";
