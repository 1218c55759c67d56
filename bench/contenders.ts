/**
 * The contenders. (a) and (b)/(b') are plain SQL sent by the bench on one connection; (c) and
 * (d) are our sanitizer with rules that do the same work as (a) and (b') respectively: c1 and
 * cn are the CLI as a whole process (run-cli.ts) at 1 and N connections, lib and d the library
 * call in a child process (sanitizer-child.ts), timed inside.
 */
import type { EngineName, MaskingKey } from "../sanitize/core/types";

export const CONTENDER_IDS = ["a", "b", "b2", "c1", "cn", "lib", "d"] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

export interface SqlStep {
  text: string;
  params?: unknown[];
}

export const ARTICLE_PASSWORD_HASH = "$2b$12$LJ3m4ys8Kqx.staged.hash.for.testing.only";

/**
 * (a) sanitize-staging.sh exactly as the article wrote it: two full-table UPDATEs of users,
 * two TRUNCATEs, and the closing count. Autocommit, statement by statement, like `mysql`.
 * The same text runs on PostgreSQL: CONCAT and the '$2b$...' literal both work there.
 */
export function articleSteps(): SqlStep[] {
  return [
    {
      text: `UPDATE users SET
  email = CONCAT('user_', id, '@example.com'),
  phone = '555-000-0000',
  first_name = CONCAT('FirstName_', id),
  last_name = CONCAT('LastName_', id)
WHERE id > 0`,
    },
    { text: "TRUNCATE TABLE payment_audit_log" },
    { text: "TRUNCATE TABLE session_tokens" },
    { text: `UPDATE users SET password_hash = '${ARTICLE_PASSWORD_HASH}'\nWHERE id > 0` },
    {
      text: `SELECT 'users' AS tbl, COUNT(*) AS cnt FROM users
UNION ALL
SELECT 'payment_audit_log', COUNT(*) FROM payment_audit_log`,
    },
  ];
}

/** TRUNCATE both tables: one statement on PostgreSQL, one per table on MySQL. */
function truncates(engine: EngineName): SqlStep[] {
  return engine === "postgres"
    ? [{ text: "TRUNCATE TABLE payment_audit_log, session_tokens" }]
    : [{ text: "TRUNCATE TABLE payment_audit_log" }, { text: "TRUNCATE TABLE session_tokens" }];
}

/** (b) the floor: one set-based UPDATE with every column (a) masks, plus the TRUNCATEs. */
export function floorSteps(engine: EngineName): SqlStep[] {
  return [
    {
      text: `UPDATE users SET
  email = CONCAT('user_', id, '@example.com'),
  phone = '555-000-0000',
  first_name = CONCAT('FirstName_', id),
  last_name = CONCAT('LastName_', id),
  password_hash = '${ARTICLE_PASSWORD_HASH}'`,
    },
    ...truncates(engine),
  ];
}

/**
 * The hand-written HMAC-SHA256 of an email, as hex, with the engines' built-in SHA-256
 * (same construction and output shape as the sanitizer's `email` transform:
 * "u" + first 20 hex of SHA256(opad || SHA256(ipad || utf8 bytes)) + "@example.com").
 */
function hmacEmail(engine: EngineName, column: string): string {
  return engine === "postgres"
    ? `'u' || substr(encode(sha256($2::bytea || sha256($1::bytea || convert_to(${column}, 'UTF8'))), 'hex'), 1, 20) || '@example.com'`
    : `CONCAT('u', LEFT(SHA2(CONCAT(CAST(? AS BINARY), UNHEX(SHA2(CONCAT(CAST(? AS BINARY), CAST(${column} AS BINARY)), 256))), 256), 20), '@example.com')`;
}

/** Pads in the order each engine's placeholders expect (PostgreSQL: $1 ipad, $2 opad). */
function hmacParams(engine: EngineName, key: MaskingKey): unknown[] {
  return engine === "postgres" ? [key.ipad, key.opad] : [key.opad, key.ipad];
}

/**
 * (b') the floor for (d): the same columns as (d): users.email and orders.customer_email
 * through a keyed hash (so they still match), the rest as in (b). One UPDATE per table.
 */
export function floorDeterministicSteps(engine: EngineName, key: MaskingKey): SqlStep[] {
  return [
    {
      text: `UPDATE users SET
  email = ${hmacEmail(engine, "email")},
  phone = '555-000-0000',
  first_name = CONCAT('FirstName_', id),
  last_name = CONCAT('LastName_', id),
  password_hash = '${ARTICLE_PASSWORD_HASH}'`,
      params: hmacParams(engine, key),
    },
    { text: `UPDATE orders SET customer_email = ${hmacEmail(engine, "customer_email")}`, params: hmacParams(engine, key) },
    ...truncates(engine),
  ];
}

const ARTICLE_COLUMNS = `      phone:         { transform: fixed, value: "555-000-0000" }
      first_name:    { transform: template, value: "FirstName_{id}" }
      last_name:     { transform: template, value: "LastName_{id}" }
      password_hash: { transform: fixed, value: "${ARTICLE_PASSWORD_HASH}" }
`;

const TRUNCATED = `  payment_audit_log: { truncate: true }
  session_tokens:    { truncate: true }
`;

/**
 * (c) rules equivalent to the article's script. orders.customer_email is listed under `keep`
 * because the article leaves it as is (that is one of its bugs, reproduced on purpose).
 */
export const ARTICLE_RULES = `tables:
  users:
    columns:
      email:         { transform: template, value: "user_{id}@example.com" }
${ARTICLE_COLUMNS}${TRUNCATED}keep:
  - users.created_at
  - orders.user_id
  - orders.customer_email
  - orders.total_cents
  - orders.status
  - orders.created_at
`;

/** (d) as (c), with the deterministic email transform on users.email and orders.customer_email. */
export const DETERMINISTIC_RULES = `tables:
  users:
    columns:
      email:         { transform: email }
${ARTICLE_COLUMNS}  orders:
    columns:
      customer_email: { transform: email }
${TRUNCATED}keep:
  - users.created_at
  - orders.user_id
  - orders.total_cents
  - orders.status
  - orders.created_at
`;
