/**
 * Keyed digests of sampled original values, for the per-row leak check (docs/safety.md).
 *
 * Why keyed: the progress record lives in the clone that is handed out. A plain hash of an
 * email or phone number is reversed by hashing candidates; an HMAC under a key derived from
 * the masking key is not. Why derived: the masking key's own HMAC of a value is exactly what
 * the deterministic transforms write (the masked value), so digests under it could be matched
 * against masked data; a separate key keeps the two apart. The derived key never leaves this
 * process except as HMAC pads (secret parameters) for the whole-column check.
 */
import { createHash, createHmac } from "node:crypto";
import { deriveMaskingKey } from "./core/masking-key";
import type { MaskingKey } from "./core/types";

const LABEL = "aurora-staging leak digest v1";

export interface LeakKey {
  /** HMAC-SHA256(value) as hex, computed here. */
  digest(value: string): string;
  /** The same key as HMAC pads, for the engine's `hmacHex` (tables without a primary key). */
  readonly pads: MaskingKey;
}

export function leakKey(key: MaskingKey): LeakKey {
  // HMAC(maskingKey, LABEL) from the pads: SHA256(opad || SHA256(ipad || LABEL)).
  const inner = createHash("sha256").update(key.ipad).update(LABEL, "utf8").digest();
  const secret = createHash("sha256").update(key.opad).update(inner).digest("hex");
  return {
    digest: (value) => createHmac("sha256", Buffer.from(secret, "utf8")).update(value, "utf8").digest("hex"),
    pads: deriveMaskingKey(secret),
  };
}
