/**
 * The sanitize options, declared once. The stack config's `sanitizeOptions`, the Sanitization
 * resource's `options` (checked by its provider), the CLI's flags and the bench all take their
 * types, limits and messages from here, so they can't drift apart.
 *
 * Compiled into dist/ with the rest of the library: the dynamic provider (plain node, no
 * TypeScript) requires it from there at run time.
 */
import { z } from "zod";

/** A masking key shorter than this is refused everywhere (an HMAC key, not a password). */
export const MIN_MASKING_KEY_LENGTH = 16;

/** Inclusive bounds of the numeric options, with the example every message offers. */
export const LIMITS = {
  chunkSize: { min: 1, max: 10_000_000, example: 50_000 },
  parallelism: { min: 1, max: 64, example: 2 },
  connectRetrySeconds: { min: 0, max: 3600, example: 600 },
  connectPort: { min: 1, max: 65_535, example: 15_432 },
  leakSampleSize: { min: 1, max: 1_000_000, example: 100 },
} as const;

export type NumericOption = keyof typeof LIMITS;

export const COVERAGE_MODES = ["personal", "strict", "off"] as const;
export const TRIGGER_MODES = ["fire", "disable"] as const;
export const SSL_MODES = ["require", "verify-full", "disable"] as const;

/** Host names and IP addresses (v4 and v6), as an SSM port forward's local end would be. */
export const HOST_PATTERN = /^[A-Za-z0-9.:-]{1,253}$/;

function bounded(name: NumericOption) {
  const { min, max, example } = LIMITS[name];
  return z
    .number({ error: `must be a whole number from ${min} to ${max}, e.g. ${example}` })
    .int({ error: `must be a whole number from ${min} to ${max}, e.g. ${example}` })
    .min(min, { error: `must be at least ${min}, e.g. ${example}` })
    .max(max, { error: `must be at most ${max}, e.g. ${example}` });
}

function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => `"${v}"`).join(", ")}` });
}

export const sanitizeOptionsSchema = z
  .object({
    /** Coverage guard: "personal" (default) refuses personal-looking columns without a rule. */
    coverage: oneOf(COVERAGE_MODES).optional(),
    /** Rows per chunk (one transaction each). */
    chunkSize: bounded("chunkSize").optional(),
    /** Connections masking at once. Default: the server's CPUs where readable (Pulumi: the instance class's vCPUs). */
    parallelism: bounded("parallelism").optional(),
    /** Fire triggers (default) or disable them during the run (PostgreSQL, superuser only). */
    triggers: oneOf(TRIGGER_MODES).optional(),
    /** How long to keep retrying while the clone's instance boots. Default 300 s. */
    connectRetrySeconds: bounded("connectRetrySeconds").optional(),
    /** TLS towards the clone. Default "require". */
    ssl: oneOf(SSL_MODES).optional(),
    /** Connect here instead of the clone's endpoint (e.g. 127.0.0.1 of an SSM port forward). */
    connectHost: z.string().regex(HOST_PATTERN, { error: "must be a host name or IP address, e.g. 127.0.0.1" }).optional(),
    /** Connect to this port instead of the clone's (SSM port forward). */
    connectPort: bounded("connectPort").optional(),
    /** Original values sampled per masked column for the leak check (at least 1: it can't be switched off). */
    leakSampleSize: bounded("leakSampleSize").optional(),
  })
  .strict();

export type SanitizeOptionsConfig = z.infer<typeof sanitizeOptionsSchema>;
export const SANITIZE_OPTION_KEYS = Object.keys(sanitizeOptionsSchema.shape) as (keyof SanitizeOptionsConfig)[];

/** The masking key: a string (never an object's JSON text) of at least MIN_MASKING_KEY_LENGTH characters. */
export const maskingKeySchema = z
  .string({ error: "must be a string (set it with `pulumi config set --secret aurora-staging:maskingKey <value>`)" })
  .min(MIN_MASKING_KEY_LENGTH, { error: `is shorter than ${MIN_MASKING_KEY_LENGTH} characters (value not shown)` });
