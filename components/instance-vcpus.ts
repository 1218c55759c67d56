/**
 * vCPUs of an Aurora instance class, for the sanitizer's default parallelism. Aurora exposes no
 * CPU count to a SQL session, but the program knows the class it asked for: each masking
 * connection keeps about one vCPU of the writer busy, so more connections than vCPUs only
 * queue. Sizes follow EC2's naming (large = 2 vCPUs, xlarge = 4, Nxlarge = 4N; medium and
 * smaller burstable classes have 2). Serverless v2 scales with ACUs, not a fixed count: it
 * keeps the sanitizer's own default (docs/benchmarks.md: raise maxCapacity while sanitizing).
 */

/** The sanitizer's own cap on connections (sanitize/parallelism.ts caps its default at 16 too). */
export const MAX_DEFAULT_PARALLELISM = 16;

export function instanceVcpus(instanceClass: string): number | undefined {
  const size = /^db\.[a-z0-9-]+\.([a-z0-9]+)$/.exec(instanceClass)?.[1];
  if (!size) return undefined;
  if (["micro", "small", "medium", "large"].includes(size)) return 2;
  if (size === "xlarge") return 4;
  const n = /^(\d+)xlarge$/.exec(size)?.[1];
  return n ? 4 * Number(n) : undefined;
}

/** The parallelism the Sanitization runs with when the stack doesn't set one. */
export function defaultParallelism(instanceClass: string): number | undefined {
  const v = instanceVcpus(instanceClass);
  return v === undefined ? undefined : Math.min(v, MAX_DEFAULT_PARALLELISM);
}
