/**
 * zod issues -> our one-line problems: `<where>.<key>: <what is wrong>`, unknown keys with a
 * "did you mean", and never the offending value of a key named in `secretKeys`.
 */
import type { z } from "zod";
import { didYouMean } from "../core/closest";

export interface IssueContext {
  /** Prefix of every path, e.g. "aurora-staging:sanitizeOptions" or "options". */
  where: string;
  /** Known keys per object path ("" for the top), for "did you mean" on unknown keys. */
  knownKeys?: (path: readonly PropertyKey[]) => readonly string[] | undefined;
}

export function pathText(where: string, path: readonly PropertyKey[]): string {
  let out = where;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** One message per issue; unknown keys each get their own line. */
export function describeIssues(error: z.ZodError, ctx: IssueContext): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = ctx.knownKeys?.(issue.path) ?? [];
      for (const k of issue.keys) {
        out.push(
          `${pathText(ctx.where, [...issue.path, k])}: is not a known key${didYouMean(k, known)}${known.length ? `; known: ${known.join(", ")}` : ""}`,
        );
      }
      continue;
    }
    out.push(`${pathText(ctx.where, issue.path)}: ${issue.message}`);
  }
  return out;
}
