/**
 * zod building blocks for stack config values as Pulumi hands them over (scalars as text:
 * "3", "true"; objects and lists as JSON text), or already typed (tests, other callers).
 *
 * Each block writes its own messages in the project's style, `"<value>" <what is wrong>; e.g.
 * <valid example>`, and configProblems() turns a ZodError into one line per problem prefixed
 * with the key's full path (`aurora-staging:serverless.minCapacity`). Blocks that may hold a
 * secret (maskingKey, hook commands) never quote their value.
 */
import { z } from "zod";
import { closest } from "../sanitize/core/closest";

export const CONFIG_NAMESPACE = "aurora-staging";

/** Stands for `pulumi config set [--path '<key>']` of the key a message is about (see configProblems). */
export const SET = "{set}";

type Issue = { input?: unknown };

/** A value as messages quote it. Never for secrets. */
export function quoted(v: unknown): string {
  return `"${typeof v === "string" ? v : JSON.stringify(v)}"`;
}

/** What a value is, for "must be X, got Y" (short scalars shown, structures named). */
export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

/** What a value is, without showing it (structures may hold secrets: hook commands). */
function kindOf(v: unknown): string {
  return Array.isArray(v) ? "a list" : v === null ? "null" : typeof v === "object" ? "an object" : typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function requiredMessage(example: string): string {
  return `is required; e.g. \`${SET} ${example}\``;
}

/** `{ error }` for a check on a value that may be shown: `"<value>" <what>; e.g. <example>`. */
export function bad(what: string, example: string) {
  return { error: (iss: Issue) => `${quoted(iss.input)} ${what}; e.g. ${example}` };
}

/** A string. Chain `.optional()`/`.default()` for keys that may be left out. */
export function text(example: string) {
  return z.string({
    error: (iss) =>
      iss.input === undefined ? requiredMessage(example) : `must be a string, got ${describeValue(iss.input)}; e.g. ${example}`,
  });
}

/** A string that must be given and not blank. */
export function requiredText(example: string) {
  return text(example).refine((v) => v.trim() !== "", { error: `must not be empty; e.g. ${example}`, abort: true });
}

const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

/** Pulumi's text for a number ("3") as the number; anything else unchanged. */
export function numericText(v: unknown): unknown {
  return typeof v === "string" && NUMERIC_TEXT.test(v.trim()) ? Number(v) : v;
}

/** A number from min to max (text accepted), optionally whole. */
export function num(min: number, max: number, example: string, o: { whole?: boolean } = {}) {
  const range = bad(`must be a number from ${min} to ${max}`, example);
  let n = z
    .number({ error: (iss) => (iss.input === undefined ? requiredMessage(example) : range.error(iss)) })
    .min(min, { ...range, abort: true })
    .max(max, { ...range, abort: true });
  if (o.whole) n = n.int(bad(`must be a whole number from ${min} to ${max}`, example));
  return z.preprocess(numericText, n);
}

/** true/false (or their text). */
export function bool() {
  return z.preprocess(
    (v) => (v === "true" ? true : v === "false" ? false : v),
    z.boolean({ error: (iss) => `${quoted(iss.input)} must be true or false; e.g. \`${SET} false\`` }),
  );
}

/**
 * An object of known keys ("object"; keys set to null count as left out), a map of any keys
 * ("map"; a null value is checked like any other), a list ("list") or a list of strings
 * ("strings"), as JSON text or already parsed. `inner` checks the content.
 */
export function structured<T extends z.ZodType>(shape: "object" | "map" | "list" | "strings", example: string, inner: T) {
  return z.preprocess((v, ctx) => {
    let value = v;
    if (typeof v === "string") {
      try {
        value = JSON.parse(v);
      } catch {
        ctx.issues.push({ code: "custom", input: v, message: `is not valid JSON/YAML structure; e.g. ${example}` });
        return z.NEVER;
      }
    }
    const problem =
      shape === "object" || shape === "map"
        ? isPlainObject(value)
          ? undefined
          : `must be an object, got ${kindOf(value)}`
        : !Array.isArray(value)
          ? `must be a list, got ${kindOf(value)}`
          : shape === "strings" && !value.every((x) => typeof x === "string")
            ? "must be a list of strings"
            : undefined;
    if (problem) {
      ctx.issues.push({ code: "custom", input: value, message: `${problem}; e.g. ${example}` });
      return z.NEVER;
    }
    return shape === "object" && isPlainObject(value) ? Object.fromEntries(Object.entries(value).filter(([, x]) => x !== null)) : value;
  }, inner);
}

/** A `.superRefine` that flags a list naming the same item twice. */
export function noDuplicates(what: string) {
  return (items: readonly string[], ctx: z.RefinementCtx) => {
    if (new Set(items).size !== items.length)
      ctx.addIssue({ code: "custom", input: items, message: `lists the same ${what} twice; list each once` });
  };
}

/** `aurora-staging:key.sub[0]` */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = `${CONFIG_NAMESPACE}:`;
  for (const [i, p] of path.entries()) out += typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`;
  return out;
}

function setCommand(path: readonly PropertyKey[]): string {
  return path.length === 1 ? `pulumi config set ${keyPath(path)}` : `pulumi config set --path '${keyPath(path)}'`;
}

type Def = {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
};
type Schema = { _zod: { def: unknown } };

/** The keys of the object schema at `path` inside `schema` (for "did you mean"). */
export function knownKeysAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  const def = (s: Schema) => s._zod.def as Def;
  const unwrap = (s: Schema): Schema => {
    const d = def(s);
    if (d.innerType) return unwrap(d.innerType);
    // A preprocess is a pipe from a transform; a `.transform()` a pipe into one.
    if (d.type === "pipe") return unwrap(def(d.out!).type === "transform" ? d.in! : d.out!);
    return s;
  };
  let s: Schema | undefined = unwrap(schema);
  for (const p of path) {
    const d: Def = def(s);
    s = d.type === "object" ? d.shape?.[String(p)] : d.type === "array" ? d.element : d.type === "record" ? d.valueType : undefined;
    if (!s) return [];
    s = unwrap(s);
  }
  return def(s).type === "object" ? Object.keys(def(s).shape ?? {}) : [];
}

/**
 * One line per problem: `aurora-staging:<key>[.<sub>...]: <message>`; unknown keys each get
 * their own line with a "did you mean". `render` may word an issue itself (e.g. of a schema
 * shared with the CLI, whose messages read differently).
 */
export function configProblems(
  error: z.ZodError,
  key: string,
  schema: Schema,
  render?: (issue: z.core.$ZodIssue) => string | undefined,
): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    const at = [key, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path);
      for (const k of issue.keys) {
        const hint = closest(k, known);
        out.push(`${keyPath([...at, k])}: unknown key${hint ? `; did you mean "${hint}"?` : ""} (known: ${known.join(", ")})`);
      }
      continue;
    }
    const message = render?.(issue) ?? (issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message);
    out.push(`${keyPath(at)}: ${message.replace(SET, setCommand(at))}`);
  }
  return out;
}
