/**
 * PLACEHOLDER (plan branch): the sec helper's branch holds the real checks; at merge time take
 * that file. Same signatures: problems with a rules SQL fragment, [] when it is acceptable.
 */
import type { EngineName } from "./types";

/** Problems with a `where`/`delete`/`sql` transform fragment; [] = exactly one safe expression. */
export function checkExpression(text: string, engine: EngineName): string[] {
  void text;
  void engine;
  return [];
}

/** Problems with a `verify` query; [] = one read-only SELECT/WITH query. */
export function checkQuery(text: string, engine: EngineName): string[] {
  void text;
  void engine;
  return [];
}
