/**
 * The published JSON Schema (rules.schema.json) compiled once with Ajv. The file is generated
 * from the transform catalogue (rules/build-schema.ts, `npm run generate`; a test keeps the
 * committed copy current). It gives editors completion and descriptions; this module turns
 * Ajv's errors into sentences.
 */
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import { closest } from "../core/closest";
import rulesSchema from "./rules.schema.json";

export { rulesSchema };

// verbose: errors carry the failing sub-schema, so "unknown option" can list the allowed ones.
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: false };

/** Written next to the compiled schema.js by `npm run build` (scripts/build-rules-validator.js). */
const PRECOMPILED = "./rules-validator.js";

let compiled: ValidateFunction | undefined;

/**
 * The validator. Compiling the schema with Ajv costs ~60 ms per process, paid by every CLI
 * run and every re-run that is otherwise one query; so the build emits it as standalone code,
 * and only where that file is absent (running from the TypeScript sources) is it compiled here.
 */
export function schemaValidator(): ValidateFunction {
  compiled ??= precompiled() ?? compileValidator();
  return compiled;
}

export function compileValidator(): ValidateFunction {
  const Ajv = (require("ajv") as typeof import("ajv")).default;
  return new Ajv(AJV_OPTIONS).compile(rulesSchema);
}

function precompiled(): ValidateFunction | undefined {
  try {
    const mod = require(PRECOMPILED) as { default?: ValidateFunction } & ValidateFunction;
    return mod.default ?? mod;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
    throw e;
  }
}

export type PathSegment = string | number;

export interface SchemaProblem {
  /** Path to the offending node; for an unknown key, the key itself. */
  path: PathSegment[];
  /** Point at the key rather than its value (unknown keys). */
  atKey: boolean;
  message: string;
  /** The path shown, when shorter than the located one (`...columns.email`, not `...email.transform`). */
  shownPath?: PathSegment[];
}

export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const key: PathSegment = Array.isArray(node) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key as string] : undefined;
  }
  return out;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return "a string";
  return `a ${typeof v}`;
}

const article = (t: string): string =>
  t === "object" ? "a mapping" : t === "array" ? "a list" : t === "integer" ? "an integer" : `a ${t}`;

export function explain(errors: ErrorObject[], data: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  const push = (p: SchemaProblem) => {
    const k = `${p.path.join("\u0000")}|${p.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  };
  for (const e of errors) {
    const path = pointerToPath(e.instancePath, data);
    const last = path[path.length - 1];
    switch (e.keyword) {
      case "if": // "must match then schema": the branch's own errors say what is wrong
        break;
      case "additionalProperties": {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
        const what =
          path.includes("columns") && path.length === 4 ? `option "${key}" for transform "${transformAt(data, path)}"` : `key "${key}"`;
        const choices = allowed.filter((a) => a !== "transform");
        const near = closest(key, choices);
        push({
          path: [...path, key],
          atKey: true,
          message: `unknown ${what}; ${near ? `did you mean "${near}"? ` : ""}expected one of ${choices.join(", ") || "(no options)"}`,
        });
        break;
      }
      case "required": {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        push({ path, atKey: false, message: `missing required "${missing}"` });
        break;
      }
      case "enum": {
        const allowed = [...new Set((e.params as { allowedValues: unknown[] }).allowedValues.map(String))];
        const got = JSON.stringify(e.data);
        if (last === "transform")
          push({
            path,
            shownPath: path.slice(0, -1),
            atKey: false,
            message: `unknown transform ${got}; expected one of ${allowed.join(", ")}`,
          });
        else push({ path, atKey: false, message: `${got} is not allowed; expected one of ${allowed.join(", ")}` });
        break;
      }
      case "type": {
        const t = (e.params as { type: string | string[] }).type;
        const want = (Array.isArray(t) ? t : t.split(",")).map(article).join(" or ");
        // `email: email` instead of `email: { transform: email }` is the likely slip here.
        const hint = path.length === 4 && path[2] === "columns" && typeof e.data === "string" ? ` (write { transform: ${e.data} })` : "";
        push({ path, atKey: false, message: `must be ${want}, got ${kindOf(e.data)}${hint}` });
        break;
      }
      case "pattern": {
        // A bad key (propertyNames): Ajv reports the parent object plus the key's name.
        const key = (e as ErrorObject & { propertyName?: string }).propertyName;
        if (key !== undefined) push({ path: [...path, key], atKey: true, message: patternMessage([...path, key], key) });
        else push({ path, atKey: false, message: patternMessage(path, e.data) });
        break;
      }
      case "propertyNames":
        break; // reported through the nested "pattern" error on the name itself
      case "minimum":
      case "maximum": {
        const limit = (e.params as { limit: number }).limit;
        push({
          path,
          atKey: false,
          message: `${e.data} is ${e.keyword === "minimum" ? "below the minimum" : "above the maximum"} ${limit}`,
        });
        break;
      }
      case "minLength":
      case "maxLength": {
        const limit = (e.params as { limit: number }).limit;
        push({
          path,
          atKey: false,
          message:
            limit === 1 && e.keyword === "minLength"
              ? "must not be empty"
              : `must be ${e.keyword === "minLength" ? "at least" : "at most"} ${limit} character${limit === 1 ? "" : "s"}`,
        });
        break;
      }
      default:
        push({ path, atKey: false, message: e.message ?? "is invalid" });
    }
  }
  return out;
}

function transformAt(data: unknown, path: PathSegment[]): string {
  let node: unknown = data;
  for (const p of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[p as string] : undefined;
  const t = node && typeof node === "object" ? (node as Record<string, unknown>).transform : undefined;
  return String(t);
}

function patternMessage(path: PathSegment[], value: unknown): string {
  const v = JSON.stringify(value);
  if (path[0] === "keep")
    return `bad keep entry ${v}; expected table.column, schema.table.column or table.* (write a name holding a dot in double quotes: "my.table".column)`;
  if (path[0] === "tables" && path.length === 2) return `bad table name ${v}; expected table or schema.table (at most one dot)`;
  if (path[0] === "tables" && path.length === 4) return `bad column name ${v}`;
  if (path[path.length - 1] === "domain") return `bad email domain ${v}; expected a host name such as example.com`;
  return `${v} has the wrong format`;
}
