import { createHash } from "node:crypto";
import type { Rules } from "../core/types";

/**
 * SHA-256 of the canonical JSON (keys sorted, no whitespace) of the normalised rules: the
 * same rules always hash the same, however the YAML was laid out or commented, so a finished
 * run with the same hash is recognised as already done.
 */
export function hashRules(rules: Rules): string {
  // Cluster parts only when used: a single-database file (and each database's own rules, as
  // sanitizeCluster passes them on) hashes as it did before they existed, so existing finished
  // runs stay recognised.
  const { databases, logins, ...own } = rules;
  const hashed = {
    ...own,
    ...(databases && Object.keys(databases).length ? { databases } : {}),
    ...(logins?.keep.length ? { logins } : {}),
  };
  return createHash("sha256").update(canonicalJson(hashed)).digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}
