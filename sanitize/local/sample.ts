/**
 * The sample "production" database: the article's schema (users, orders, payment_audit_log,
 * session_tokens, support_tickets) filled with FAKE but realistic-looking personal data.
 *
 * Used by `aurora-staging demo`, the default-rules tests and the benchmarks. Rows are
 * generated set-based inside the database (generate_series on PostgreSQL, a digits cross
 * join on MySQL/MariaDB, which works on both MariaDB and MySQL 8 without recursion limits),
 * so loading 100k users takes seconds and no data crosses the wire.
 *
 * Everything is derived from the row number, so two loads with the same `rows` produce the
 * same data (useful for before/after comparisons).
 */
import type { ConnectionTarget, EngineName } from "../core/types";
import { loginFields, tlsOptions } from "../dialect/connection";

export interface SampleOptions {
  /** Number of users. Other tables scale with it (see `sampleRowCounts`). Default 5,000. */
  rows?: number;
}

/** The tables in creation (parent-first) order. */
export const sampleTables = ["users", "orders", "payment_audit_log", "session_tokens", "support_tickets"] as const;
export type SampleTable = (typeof sampleTables)[number];

/** Date before which closed support tickets count as old (the default rules delete them). */
export const oldTicketCutoff = "2024-01-01";

export function sampleRowCounts(users: number): Record<SampleTable, number> {
  return {
    users,
    orders: users * 2,
    payment_audit_log: users * 2,
    session_tokens: Math.ceil(users / 2),
    support_tickets: Math.floor(users / 5) + 1, // every 5th user, plus user 1
  };
}

const firstNames = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amelia",
  "Oliver",
  "Ava",
  "Elijah",
  "Sophia",
  "Mateo",
  "Isabella",
  "Lucas",
  "Mia",
  "Levi",
  "Charlotte",
  "Ezra",
  "Harper",
  "Hiroshi",
  "Priya",
  "Kwame",
];
const lastNames = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Garcia",
  "Miller",
  "Davis",
  "Rodriguez",
  "Martinez",
  "Lopez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Moore",
  "Jackson",
  "Nakamura",
  "Okafor",
  "Patel",
  "Kowalski",
  "Schmidt",
];
const mailDomains = ["gmail.com", "yahoo.com", "outlook.com", "proton.me", "icloud.com", "fastmail.com"];
const subjects = ["Refund request", "Cannot log in", "Wrong item delivered", "Change my address", "Invoice copy"];

/** A SQL string literal for our own constant word lists (never user data). */
function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

interface Flavour {
  ddl: string[];
  /** The users insert: `{n}` is replaced by the row count (an integer we validated). */
  users(n: number): string;
  orders: string;
  payments: string;
  sessions: string;
  tickets: string;
}

function pickPg(list: readonly string[], index: string): string {
  return `(ARRAY[${list.map(lit).join(",")}])[1 + (${index}) % ${list.length}]`;
}
function pickMy(list: readonly string[], index: string): string {
  return `ELT(1 + (${index}) % ${list.length}, ${list.map(lit).join(",")})`;
}

const postgres: Flavour = {
  ddl: [
    `CREATE TABLE users (
      id bigserial PRIMARY KEY,
      email varchar(255) NOT NULL UNIQUE,
      phone varchar(32),
      first_name varchar(100) NOT NULL,
      last_name varchar(100) NOT NULL,
      password_hash varchar(60) NOT NULL,
      email_verified boolean NOT NULL DEFAULT false,
      created_at timestamp NOT NULL DEFAULT now())`,
    `CREATE TABLE orders (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      customer_email varchar(255) NOT NULL,
      total_cents integer NOT NULL,
      status varchar(20) NOT NULL,
      created_at timestamp NOT NULL)`,
    `CREATE INDEX orders_user_id ON orders(user_id)`,
    `CREATE TABLE payment_audit_log (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders(id),
      card_last4 char(4) NOT NULL,
      ip_address varchar(45) NOT NULL,
      event varchar(40) NOT NULL,
      created_at timestamp NOT NULL)`,
    `CREATE TABLE session_tokens (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      token char(64) NOT NULL UNIQUE,
      expires_at timestamp NOT NULL)`,
    `CREATE TABLE support_tickets (
      id bigserial PRIMARY KEY,
      user_id bigint REFERENCES users(id),
      email varchar(255) NOT NULL,
      subject varchar(200) NOT NULL,
      body text NOT NULL,
      status varchar(20) NOT NULL,
      created_at timestamp NOT NULL,
      closed_at timestamp)`,
  ],
  users: (n) => `
    INSERT INTO users (email, phone, first_name, last_name, password_hash, email_verified, created_at)
    SELECT lower(f.first) || '.' || lower(f.last) || g || '@' || ${pickPg(mailDomains, "g * 7")},
           CASE WHEN g % 10 = 0 THEN NULL
                ELSE '+1 (' || (200 + (g * 37) % 800) || ') ' || (200 + (g * 13) % 800) || '-' || lpad(((g * 7919) % 10000)::text, 4, '0') END,
           f.first, f.last,
           '$2b$12$' || substr(md5(g::text), 1, 22) || substr(md5((g * 3)::text), 1, 31),
           g % 3 <> 0,
           timestamp '2021-01-01' + (g % 1400) * interval '1 day' + (g % 86400) * interval '1 second'
    FROM generate_series(1::bigint, ${n}) AS g
    CROSS JOIN LATERAL (SELECT ${pickPg(firstNames, "g")} AS first, ${pickPg(lastNames, "g / 20")} AS last) f`,
  orders: `
    INSERT INTO orders (user_id, customer_email, total_cents, status, created_at)
    SELECT u.id, u.email, 500 + (u.id * 7 + k.k * 131) % 50000,
           ${pickPg(["paid", "shipped", "delivered", "refunded"], "u.id + k.k")},
           u.created_at + (k.k * 17) * interval '1 day'
    FROM users u CROSS JOIN (VALUES (1), (2)) AS k(k)
    ORDER BY u.id, k.k`,
  payments: `
    INSERT INTO payment_audit_log (order_id, card_last4, ip_address, event, created_at)
    SELECT o.id, lpad(((o.id * 37) % 10000)::text, 4, '0'),
           (11 + o.id % 200) || '.' || (o.id * 7) % 256 || '.' || (o.id * 13) % 256 || '.' || (1 + o.id % 254),
           ${pickPg(["authorized", "captured", "declined"], "o.id")}, o.created_at
    FROM orders o ORDER BY o.id`,
  sessions: `
    INSERT INTO session_tokens (user_id, token, expires_at)
    SELECT u.id, md5('tok' || u.id) || md5('en' || u.id), u.created_at + interval '30 days'
    FROM users u WHERE u.id % 2 = 1 ORDER BY u.id`,
  tickets: `
    INSERT INTO support_tickets (user_id, email, subject, body, status, created_at, closed_at)
    SELECT u.id, u.email, ${pickPg(subjects, "u.id")},
           'Hi, this is ' || u.first_name || ' ' || u.last_name || '. Please call me on ' || coalesce(u.phone, 'my mobile') || ' about order ' || u.id || '.',
           CASE WHEN u.id % 3 = 0 THEN 'open' ELSE 'closed' END,
           timestamp '2022-06-01' + (u.id % 1000) * interval '1 day',
           CASE WHEN u.id % 3 = 0 THEN NULL ELSE timestamp '2022-06-01' + (u.id % 1000 + 3) * interval '1 day' END
    FROM users u WHERE u.id % 5 = 0 OR u.id = 1 ORDER BY u.id`,
};

/** Numbers 1..n on MySQL/MariaDB without recursion limits or engine-specific tables. */
function numbersMy(n: number): string {
  const digits = `(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)`;
  // The fewest digits with 10^levels >= n: numbers 1..10^levels, then filtered.
  let levels = 1;
  while (10 ** levels < n) levels++;
  const names = Array.from({ length: levels }, (_, i) => `d${i}`);
  const sum = names.map((a, i) => `${a}.d * ${10 ** i}`).join(" + ");
  const all = `SELECT ${sum} + 1 AS g FROM ${names.map((a) => `${digits} AS ${a}`).join(" CROSS JOIN ")}`;
  return `(SELECT g FROM (${all}) AS everything WHERE g <= ${n}) AS nums`;
}

const mysql: Flavour = {
  ddl: [
    `CREATE TABLE users (
      id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      email varchar(255) NOT NULL UNIQUE,
      phone varchar(32) NULL,
      first_name varchar(100) NOT NULL,
      last_name varchar(100) NOT NULL,
      password_hash varchar(60) NOT NULL,
      email_verified boolean NOT NULL DEFAULT false,
      created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB`,
    `CREATE TABLE orders (
      id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id bigint NOT NULL,
      customer_email varchar(255) NOT NULL,
      total_cents int NOT NULL,
      status varchar(20) NOT NULL,
      created_at datetime NOT NULL,
      CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB`,
    `CREATE TABLE payment_audit_log (
      id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      order_id bigint NOT NULL,
      card_last4 char(4) NOT NULL,
      ip_address varchar(45) NOT NULL,
      event varchar(40) NOT NULL,
      created_at datetime NOT NULL,
      CONSTRAINT payment_order_fk FOREIGN KEY (order_id) REFERENCES orders(id)) ENGINE=InnoDB`,
    `CREATE TABLE session_tokens (
      id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id bigint NOT NULL,
      token char(64) NOT NULL UNIQUE,
      expires_at datetime NOT NULL,
      CONSTRAINT session_user_fk FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB`,
    `CREATE TABLE support_tickets (
      id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
      user_id bigint NULL,
      email varchar(255) NOT NULL,
      subject varchar(200) NOT NULL,
      body text NOT NULL,
      status varchar(20) NOT NULL,
      created_at datetime NOT NULL,
      closed_at datetime NULL,
      CONSTRAINT ticket_user_fk FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB`,
  ],
  users: (n) => `
    INSERT INTO users (email, phone, first_name, last_name, password_hash, email_verified, created_at)
    SELECT CONCAT(LOWER(f.first), '.', LOWER(f.last), f.g, '@', ${pickMy(mailDomains, "f.g * 7")}),
           CASE WHEN f.g % 10 = 0 THEN NULL
                ELSE CONCAT('+1 (', 200 + (f.g * 37) % 800, ') ', 200 + (f.g * 13) % 800, '-', LPAD((f.g * 7919) % 10000, 4, '0')) END,
           f.first, f.last,
           CONCAT('$2b$12$', SUBSTRING(MD5(f.g), 1, 22), SUBSTRING(MD5(f.g * 3), 1, 31)),
           f.g % 3 <> 0,
           TIMESTAMP '2021-01-01 00:00:00' + INTERVAL (f.g % 1400) DAY + INTERVAL (f.g % 86400) SECOND
    FROM (SELECT g, ${pickMy(firstNames, "g")} AS first, ${pickMy(lastNames, "g DIV 20")} AS last FROM ${numbersMy(n)}) f
    ORDER BY f.g`,
  orders: `
    INSERT INTO orders (user_id, customer_email, total_cents, status, created_at)
    SELECT u.id, u.email, 500 + (u.id * 7 + k.k * 131) % 50000,
           ${pickMy(["paid", "shipped", "delivered", "refunded"], "u.id + k.k")},
           u.created_at + INTERVAL (k.k * 17) DAY
    FROM users u CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) k
    ORDER BY u.id, k.k`,
  payments: `
    INSERT INTO payment_audit_log (order_id, card_last4, ip_address, event, created_at)
    SELECT o.id, LPAD((o.id * 37) % 10000, 4, '0'),
           CONCAT(11 + o.id % 200, '.', (o.id * 7) % 256, '.', (o.id * 13) % 256, '.', 1 + o.id % 254),
           ${pickMy(["authorized", "captured", "declined"], "o.id")}, o.created_at
    FROM orders o ORDER BY o.id`,
  sessions: `
    INSERT INTO session_tokens (user_id, token, expires_at)
    SELECT u.id, CONCAT(MD5(CONCAT('tok', u.id)), MD5(CONCAT('en', u.id))), u.created_at + INTERVAL 30 DAY
    FROM users u WHERE u.id % 2 = 1 ORDER BY u.id`,
  tickets: `
    INSERT INTO support_tickets (user_id, email, subject, body, status, created_at, closed_at)
    SELECT u.id, u.email, ${pickMy(subjects, "u.id")},
           CONCAT('Hi, this is ', u.first_name, ' ', u.last_name, '. Please call me on ', COALESCE(u.phone, 'my mobile'), ' about order ', u.id, '.'),
           CASE WHEN u.id % 3 = 0 THEN 'open' ELSE 'closed' END,
           TIMESTAMP '2022-06-01 00:00:00' + INTERVAL (u.id % 1000) DAY,
           CASE WHEN u.id % 3 = 0 THEN NULL ELSE TIMESTAMP '2022-06-01 00:00:00' + INTERVAL (u.id % 1000 + 3) DAY END
    FROM users u WHERE u.id % 5 = 0 OR u.id = 1 ORDER BY u.id`,
};

export function sampleStatements(engine: EngineName, rows: number): string[] {
  const f = engine === "postgres" ? postgres : mysql;
  return [...f.ddl, f.users(rows), f.orders, f.payments, f.sessions, f.tickets];
}

/**
 * Creates the sample schema in the (empty) database `target` and fills it. Returns the row
 * count per table.
 */
export async function loadSample(target: ConnectionTarget, opts: SampleOptions = {}): Promise<Record<SampleTable, number>> {
  const rows = opts.rows ?? 5000;
  if (!Number.isInteger(rows) || rows < 1 || rows > 10_000_000) {
    throw new Error(`sample rows must be an integer between 1 and 10,000,000 (got ${rows})`);
  }
  const exec = await openExec(target);
  try {
    for (const statement of sampleStatements(target.engine, rows)) await exec(statement);
    if (target.engine === "postgres") await exec("ANALYZE");
    else await exec(`ANALYZE TABLE ${sampleTables.join(", ")}`);
    const counts = {} as Record<SampleTable, number>;
    for (const t of sampleTables) counts[t] = Number((await exec(`SELECT COUNT(*) AS n FROM ${t}`))[0].n);
    return counts;
  } finally {
    await exec.close();
  }
}

export type Exec = ((sqlText: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) & { close(): Promise<void> };

/**
 * A minimal one-connection runner for the sample and the demo (our own SQL only). The
 * sanitizer proper uses its dialect drivers; this keeps the sample independent of them (it
 * shares only their login and TLS options). No TLS unless the target asks: local servers.
 */
export async function openExec(target: ConnectionTarget): Promise<Exec> {
  if (target.engine === "postgres") {
    const { Client } = await import("pg");
    const c = new Client({
      ...loginFields(target),
      ssl: tlsOptions(target.ssl ?? "disable"),
    });
    await c.connect();
    const run = (async (text: string, params?: unknown[]) => (await c.query(text, params)).rows) as Exec;
    run.close = () => c.end();
    return run;
  }
  const mysql2 = await import("mysql2/promise");
  const c = await mysql2.createConnection({
    ...loginFields(target),
    charset: "utf8mb4",
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    ssl: tlsOptions(target.ssl ?? "disable"),
  });
  const run = (async (text: string, params?: unknown[]) => {
    const [r] = await c.query(text, params);
    return Array.isArray(r) ? (r as Record<string, unknown>[]) : [];
  }) as Exec;
  run.close = () => c.end();
  return run;
}
