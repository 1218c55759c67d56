import { createHash } from "node:crypto";
import type { Rules } from "../core/types";

/**
 * SHA-256 of the canonical JSON (keys sorted, no whitespace) of the normalised rules: the
 * same rules always hash the same, however the YAML was laid out or commented, so a finished
 * run with the same hash is recognised as already done.
 */
export function hashRules(rules: Rules): string {
  return createHash("sha256").update(canonicalJson(rules)).digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}
