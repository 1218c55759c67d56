/**
 * The masking key, turned into HMAC-SHA256 pads (RFC 2104) in Node, so the databases can
 * compute a real HMAC with only their built-in SHA-256 and the key itself never leaves this
 * process. Only the pads travel, as secret SQL parameters.
 */
import { createHash } from "node:crypto";
import { SanitizeError, type MaskingKey } from "./types";

/** SHA-256's block size: keys are padded (or first hashed) to exactly this many bytes. */
const BLOCK_BYTES = 64;
export const MIN_MASKING_KEY_LENGTH = 16;
export const MASKING_KEY_ENV = "AURORA_STAGING_MASKING_KEY";

export function deriveMaskingKey(key: string): MaskingKey {
  if (typeof key !== "string" || key.length < MIN_MASKING_KEY_LENGTH) {
    // Never echo the key (or even its length): a too-short key is still a secret.
    throw new SanitizeError(
      [
        `masking key is too short: it must be at least ${MIN_MASKING_KEY_LENGTH} characters. ` +
          `Generate one with \`openssl rand -hex 32\` and pass it via ${MASKING_KEY_ENV} (or the stack's secret config).`,
      ],
      "rules",
    );
  }
  let k = Buffer.from(key, "utf8");
  if (k.length > BLOCK_BYTES) k = createHash("sha256").update(k).digest();
  const padded = Buffer.alloc(BLOCK_BYTES, 0);
  k.copy(padded);
  const ipad = Buffer.alloc(BLOCK_BYTES);
  const opad = Buffer.alloc(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    ipad[i] = padded[i] ^ 0x36;
    opad[i] = padded[i] ^ 0x5c;
  }
  const fingerprint = createHash("sha256").update(key, "utf8").digest("hex").slice(0, 8);
  return Object.freeze({ ipad, opad, fingerprint });
}
