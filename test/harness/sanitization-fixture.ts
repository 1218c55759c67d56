/**
 * A small article-like "production" database for the Sanitization resource tests: users with
 * a unique email, orders that repeat the customer's email, live session tokens. Plus rules
 * (email + fixed + truncate, and verify queries), the secrets, and helpers to look at the data.
 */
import { expect } from "vitest";
import type { SanitizationInputs } from "../../components/sanitization";
import type { EngineName } from "../../sanitize/core/types";
import type { TestDatabase } from "./db";

export const USERS = 12;
export const MASKING_KEY = "test-masking-key-9f3c1e7a5b2d";

export function originalEmail(i: number): string {
  return `person${i}.real@gmail.com`;
}

export async function seedArticleSchema(db: TestDatabase): Promise<void> {
  const users = Array.from({ length: USERS }, (_, k) => k + 1);
  await db.exec(`
    CREATE TABLE users (id int PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, full_name varchar(100) NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL, customer_email varchar(255) NOT NULL, total_cents int NOT NULL,
      CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));
    CREATE TABLE session_tokens (id int PRIMARY KEY, user_id int NOT NULL, token varchar(64) NOT NULL,
      CONSTRAINT session_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id));
    INSERT INTO users (id, email, full_name) VALUES ${users.map((i) => `(${i}, '${originalEmail(i)}', 'Real Person ${i}')`).join(", ")};
    INSERT INTO orders (id, user_id, customer_email, total_cents) VALUES ${users
      .flatMap((i) => [`(${2 * i - 1}, ${i}, '${originalEmail(i)}', ${i * 100})`, `(${2 * i}, ${i}, '${originalEmail(i)}', ${i * 250})`])
      .join(", ")};
    INSERT INTO session_tokens (id, user_id, token) VALUES ${users.map((i) => `(${i}, ${i}, 'live-token-${i}')`).join(", ")};
  `);
}

/** Rules: email (deterministic, keyed) + fixed + truncate, with verify queries. */
export function rulesYaml(opts: { fullName?: string; extraVerify?: string } = {}): string {
  return `tables:
  users:
    columns:
      email: { transform: email }
      full_name: { transform: fixed, value: "${opts.fullName ?? "Staging User"}" }
  orders:
    columns:
      customer_email: { transform: email }
  session_tokens: { truncate: true }
keep:
  - orders.user_id
  - orders.total_cents
  - session_tokens.user_id
verify:
  - name: order emails still match their user
    sql: "SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email <> u.email"
    expect: 0
${opts.extraVerify ?? ""}`;
}

/** A verify query that must fail after masking (users are masked, not removed). */
export const FAILING_VERIFY = `  - name: every user was removed
    sql: "SELECT COUNT(*) FROM users"
    expect: 0
`;

/** The resource inputs for a test database (what the engine hands the provider, secrets unwrapped). */
export function inputsFor(
  db: Pick<TestDatabase, "engine" | "name" | "target">,
  overrides: Partial<SanitizationInputs> = {},
): SanitizationInputs {
  return {
    host: db.target.host,
    port: db.target.port,
    engine: db.engine,
    database: db.name,
    username: db.target.user,
    password: db.target.password ?? "",
    rules: rulesYaml(),
    maskingKey: MASKING_KEY,
    forbiddenHosts: [
      "prod-writer.cluster-abc.eu-west-1.rds.amazonaws.invalid",
      "prod-reader.cluster-ro-abc.eu-west-1.rds.amazonaws.invalid",
    ],
    options: { ssl: "disable", connectRetrySeconds: 5, chunkSize: 5 },
    ...overrides,
  };
}

/** The engine's placeholder for a value not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The clone's endpoint in inputs that never reach a database (check, serialization). */
const OFFLINE_HOST = "clone.cluster-x.invalid";

/** Inputs for a clone that is never contacted: `check` and serializing need no database. */
export function offlineInputs(engine: EngineName = "postgres"): SanitizationInputs {
  const port = engine === "postgres" ? 5432 : 3306;
  return inputsFor({
    engine,
    name: "app",
    target: { engine, host: OFFLINE_HOST, port, user: "admin", password: "pw-0123456789", database: "app" },
  });
}

export interface Snapshot {
  emails: string[];
  names: string[];
  orderEmails: string[];
  tokens: number;
}

export async function snapshot(db: TestDatabase): Promise<Snapshot> {
  const users = await db.exec("SELECT email, full_name FROM users ORDER BY id");
  const orders = await db.exec("SELECT customer_email FROM orders ORDER BY id");
  return {
    emails: users.map((r) => String(r.email)),
    names: users.map((r) => String(r.full_name)),
    orderEmails: orders.map((r) => String(r.customer_email)),
    tokens: Number(await db.scalar("SELECT COUNT(*) FROM session_tokens")),
  };
}

/** Asserts the database holds the seeded (unsanitized) data. */
export async function expectUntouched(db: TestDatabase): Promise<void> {
  const s = await snapshot(db);
  expect(s.emails).toEqual(Array.from({ length: USERS }, (_, k) => originalEmail(k + 1)));
  expect(s.tokens).toBe(USERS);
  expect(s.names[0]).toBe("Real Person 1");
}

/** Asserts the database was sanitized by `rulesYaml({ fullName })`. */
export async function expectSanitized(db: TestDatabase, fullName = "Staging User"): Promise<void> {
  const s = await snapshot(db);
  expect(s.emails).toHaveLength(USERS);
  for (const e of s.emails) {
    expect(e).not.toMatch(/real@gmail\.com$/);
    expect(e).toMatch(/@example\.com$/);
  }
  expect(new Set(s.emails).size).toBe(USERS); // unique stays unique
  expect(s.names.every((n) => n === fullName)).toBe(true);
  // Deterministic masking: each user's orders carry the user's masked email.
  expect(s.orderEmails).toEqual(s.emails.flatMap((e) => [e, e]));
  expect(s.tokens).toBe(0);
}

/** Asserts no secret or original data value appears anywhere in `value` (state, error text...). */
export function expectNoSecrets(value: unknown, db: TestDatabase): void {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  expect(text).not.toContain(MASKING_KEY);
  if (db.target.password) expect(text).not.toContain(db.target.password);
  expect(text).not.toContain("real@gmail.com");
  expect(text).not.toContain("Real Person");
  expect(text).not.toContain("live-token");
}
