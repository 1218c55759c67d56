/**
 * Clone generations and the names derived from them.
 *
 * A generation identifies one clone: it changes exactly when the stack asks for a fresh clone
 * (a new `refresh` value, or a new `maxCloneAgeDays` window), and it is part of the cluster
 * identifier. A changed identifier makes Pulumi replace the cluster, and Pulumi's default
 * replacement order (create the new one, repoint dependants, delete the old one last) is what
 * gives the zero-downtime refresh. Unchanged config gives the same generation, so `pulumi up`
 * is a no-op.
 */
import { createHash } from "node:crypto";

const DAY_MS = 86_400_000;

export interface Generation {
  /** 8 lowercase hex characters: the identifier suffix and the CloneGeneration tag. */
  id: string;
  refresh: string;
  /**
   * With maxCloneAgeDays: floor(days since 1970-01-01 UTC / maxCloneAgeDays). Windows start at
   * 00:00 UTC on days that are multiples of maxCloneAgeDays since the epoch.
   */
  window?: number;
  /** With maxCloneAgeDays: when the window ends, i.e. when the next `pulumi up` re-clones. */
  windowEndsAt?: string;
}

/**
 * The generation for a refresh value and optional max age at time `now`.
 *
 * Pulumi can't read the clone's real creation time at preview, so the max age is a fixed
 * calendar window instead: the first `pulumi up` in a new window builds a new clone. A clone
 * is therefore never older than maxCloneAgeDays at the end of a `pulumi up` that runs after
 * its window ended (it may be replaced earlier than its full age when created late in a
 * window). Deterministic: two runs in the same window with the same config agree.
 */
export function cloneGeneration(refresh: string, maxCloneAgeDays: number | undefined, now: Date, clone: CloneInputs = {}): Generation {
  // Every input that makes AWS (or us) need a new cluster is hashed in, so changing one gives
  // a new identifier: the new cluster never collides with the live one (DBClusterAlreadyExists).
  const inputs = Object.keys(clone)
    .sort()
    .filter((k) => clone[k] !== undefined)
    .map((k) => `;${k}=${JSON.stringify(clone[k])}`)
    .join("");
  if (maxCloneAgeDays === undefined) {
    return { id: shortHash(`refresh=${refresh}${inputs}`), refresh };
  }
  const day = Math.floor(now.getTime() / DAY_MS);
  const window = Math.floor(day / maxCloneAgeDays);
  const windowEndsAt = new Date((window + 1) * maxCloneAgeDays * DAY_MS).toISOString();
  return { id: shortHash(`refresh=${refresh};window=${window}/${maxCloneAgeDays}${inputs}`), refresh, window, windowEndsAt };
}

/**
 * What a clone is made from, beyond the refresh value: the source, subnet group, KMS key,
 * engine and parameter group family (a major version), encryption and the rules hash (new
 * rules sanitize a fresh copy). Never the engine's minor version: a source's minor upgrade
 * must not rebuild the clone.
 */
export type CloneInputs = Record<string, string | boolean | undefined>;

/** `<prefix>-<generation>`: at most 63 characters because config.ts bounds the prefix. */
export function clusterIdentifier(prefix: string, generation: Generation): string {
  return `${prefix}-${generation.id}`;
}

/** `<cluster identifier>-<n>`, n from 1. */
export function instanceIdentifier(cluster: string, index: number): string {
  return `${cluster}-${index + 1}`;
}

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 8);
}
