/**
 * Chunks of one table masked on several connections at once (execute.ts phaseTwo): the result
 * is byte for byte a serial run's, the connections really work side by side on one table (at
 * READ COMMITTED; a MariaDB whose statement-based binlog refuses that keeps a table on one
 * connection), and
 * a kill -9 in the middle of a parallel run followed by a re-run masks every row exactly once.
 */
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mysql from "mysql2/promise";
import { sanitize } from "../sanitize/index";
import { startMariadb, type LocalServer } from "../sanitize/local/servers";
import { maskingConnections } from "../sanitize/parallelism";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";
import { runUntilKilled } from "./harness/kill-run";

const KEY = "parallel-test-key-0123456789abcdef";
const PEOPLE = 1000;
// Not a multiple of CHUNK (PEOPLE is): the row count read from the boundary pass covers both cases.
const ORDERS = 1501;
const CHUNK = 50;
const rules = `
tables:
  people:
    columns:
      email:      { transform: email }
      first_name: { transform: name, kind: first }
      last_name:  { transform: template, value: "LN_{id}" }
  orders:
    columns:
      customer_email: { transform: email }
keep:
  - orders.person_id
  - masking_log.conn
  - masking_log.iso
`;

const original = (i: number) => `someone.${i}@corp.test`;
const masked = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;

async function insert(db: TestDatabase, table: string, rows: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.exec(`INSERT INTO ${table} VALUES ${rows.slice(i, i + 500).join(",")}`);
}

/** people and orders, and a trigger logging which connection updated each people row. */
async function seed(db: TestDatabase): Promise<void> {
  await db.exec(
    "CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, first_name varchar(100), last_name varchar(100))",
  );
  await db.exec("CREATE TABLE orders (id int NOT NULL PRIMARY KEY, person_id int NOT NULL, customer_email varchar(255))");
  await db.exec("CREATE TABLE masking_log (conn bigint NOT NULL, iso varchar(32) NOT NULL)");
  if (db.engine === "postgres") {
    await db.exec(`CREATE FUNCTION log_conn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO masking_log VALUES (pg_backend_pid(), current_setting('transaction_isolation')); RETURN NEW; END $$`);
    await db.exec("CREATE TRIGGER people_log BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION log_conn()");
  } else {
    await db.exec(
      "CREATE TRIGGER people_log BEFORE UPDATE ON people FOR EACH ROW INSERT INTO masking_log VALUES (CONNECTION_ID(), @@tx_isolation)",
    );
  }
  await insert(
    db,
    "people",
    Array.from({ length: PEOPLE }, (_, k) => `(${k + 1}, '${original(k + 1)}', 'First${k % 37}', 'Last${k % 41}')`),
  );
  await insert(
    db,
    "orders",
    Array.from({ length: ORDERS }, (_, k) => `(${k + 1}, ${(k % PEOPLE) + 1}, '${original((k % PEOPLE) + 1)}')`),
  );
}

const dump = async (db: TestDatabase) => ({
  people: await db.exec("SELECT id, email, first_name, last_name FROM people ORDER BY id"),
  orders: await db.exec("SELECT id, person_id, customer_email FROM orders ORDER BY id"),
});

beforeAll(() => {
  // The kill test's child requires the compiled library, built by the global setup.
  expect(existsSync(join(__dirname, "..", "dist/sanitize/index.js"))).toBe(true);
});

describe.each(engines)("parallel chunks on %s", (engine) => {
  it("gives byte-identical tables to a serial run, with one table's chunks on several connections", async () => {
    const serial = await freshDatabase(engine);
    const parallel = await freshDatabase(engine);
    await seed(serial);
    await seed(parallel);

    const one = await sanitize({ target: serial.target, rules, maskingKey: KEY, chunkSize: CHUNK, parallelism: 1 });
    const many = await sanitize({ target: parallel.target, rules, maskingKey: KEY, chunkSize: CHUNK, parallelism: 4 });
    expect(one.verified, JSON.stringify(one.checks.filter((c) => !c.passed))).toBe(true);
    expect(many.verified, JSON.stringify(many.checks.filter((c) => !c.passed))).toBe(true);

    // One connection per row update in the serial run; more than one for the SAME table here.
    expect(Number(await serial.scalar("SELECT COUNT(DISTINCT conn) FROM masking_log"))).toBe(1);
    expect(Number(await parallel.scalar("SELECT COUNT(DISTINCT conn) FROM masking_log"))).toBeGreaterThan(1);
    expect(Number(await parallel.scalar("SELECT COUNT(*) FROM masking_log"))).toBe(PEOPLE);
    // READ COMMITTED (MySQL: set for the masking sessions, so neighbouring chunks take no gap locks).
    expect(await parallel.exec("SELECT DISTINCT iso FROM masking_log")).toEqual([
      { iso: engine === "postgres" ? "read committed" : "READ-COMMITTED" },
    ]);

    const a = await dump(serial);
    const b = await dump(parallel);
    expect(b).toEqual(a);
    // And it is masked (a run that changed nothing would be "identical" too).
    for (const r of b.people) expect(r.email).toBe(masked(original(Number(r.id))));
    for (const r of b.orders) expect(r.customer_email).toBe(masked(original(Number(r.person_id))));
    expect(many.tables.find((t) => t.table.endsWith("people"))?.chunks).toBe(PEOPLE / CHUNK + 1);
    // The row count each job records comes from the boundary pass (no COUNT(*)): exact.
    const jobs = await parallel.exec(
      `SELECT table_name, row_count FROM ${engine === "postgres" ? "aurora_staging.jobs" : "aurora_staging_jobs"} ORDER BY table_name`,
    );
    expect(jobs.map((j) => [String(j.table_name).split(".").pop(), Number(j.row_count)])).toEqual([
      ["orders", ORDERS],
      ["people", PEOPLE],
    ]);
  });

  it("kill -9 in the middle of a parallel run, then a re-run: every row masked exactly once", async () => {
    const db = await freshDatabase(engine);
    await seed(db);
    const options = { target: db.target, rules, maskingKey: KEY, chunkSize: CHUNK, parallelism: 4 };

    const first = await runUntilKilled(options, 3);
    expect(first.signal).toBe("SIGKILL");
    expect(first.lines.some((l) => l.startsWith("report "))).toBe(false);
    const done =
      Number(await db.scalar("SELECT COUNT(*) FROM people WHERE email LIKE '%@example.com'")) +
      Number(await db.scalar("SELECT COUNT(*) FROM orders WHERE customer_email LIKE '%@example.com'"));
    // Killed mid-way: some chunks committed (at least the 3 reported), not all of them.
    expect(done).toBeGreaterThanOrEqual(3 * CHUNK);
    expect(done).toBeLessThan(PEOPLE + ORDERS);

    const report = await sanitize(options);
    expect(report.resumed).toBe(true);
    expect(report.verified, JSON.stringify(report.checks.filter((c) => !c.passed))).toBe(true);
    // HMAC of the ORIGINAL everywhere: a row masked twice would hold HMAC(HMAC).
    const after = await dump(db);
    expect(after.people).toHaveLength(PEOPLE);
    for (const r of after.people) expect(r.email).toBe(masked(original(Number(r.id))));
    for (const r of after.orders) expect(r.customer_email).toBe(masked(original(Number(r.person_id))));
    // Each people row was updated once over both runs (the trigger logs every committed row update).
    expect(Number(await db.scalar("SELECT COUNT(*) FROM masking_log"))).toBe(PEOPLE);

    const again = await sanitize(options);
    expect(again.alreadyDone).toBe(true);
    expect(again.verified).toBe(true);
  });
});

describe("MariaDB with statement-based binary logging (refuses writes at READ COMMITTED)", () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startMariadb({
      settings: { "log-bin": "binlog", "binlog-format": "STATEMENT", "log-bin-trust-function-creators": "1" },
    });
  }, 120_000);
  afterAll(async () => server?.stop());

  it("keeps each table's chunks on one connection at the server's isolation, and masks everything", async () => {
    await server.createDatabase("stmtlog");
    const c = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database: "stmtlog",
    });
    const db = {
      engine: "mysql",
      exec: async (text: string) => (await c.query(text))[0] as Record<string, unknown>[],
      scalar: async (text: string) => Object.values(((await c.query(text))[0] as Record<string, unknown>[])[0])[0],
    } as unknown as TestDatabase;
    try {
      expect(await db.exec("SELECT @@log_bin AS b, @@binlog_format AS f")).toEqual([{ b: 1, f: "STATEMENT" }]);
      await seed(db);
      const report = await sanitize({ target: server.target("stmtlog"), rules, maskingKey: KEY, chunkSize: CHUNK, parallelism: 4 });
      expect(report.verified, JSON.stringify(report.checks.filter((x) => !x.passed))).toBe(true);
      // One connection masked all of people, at REPEATABLE READ (READ COMMITTED would fail every UPDATE here).
      expect(await db.exec("SELECT COUNT(DISTINCT conn) AS n, MIN(iso) AS iso, COUNT(*) AS r FROM masking_log")).toEqual([
        { n: 1, iso: "REPEATABLE-READ", r: PEOPLE },
      ]);
      for (const r of (await dump(db)).people) expect(r.email).toBe(masked(original(Number(r.id))));
    } finally {
      await c.end();
    }
  });
});

describe("masking connections", () => {
  it("takes the server's CPU count capped by parallelism, or parallelism, or 2", () => {
    expect(maskingConnections(8, undefined)).toBe(8);
    expect(maskingConnections(64, undefined)).toBe(16);
    expect(maskingConnections(8, 4)).toBe(4);
    expect(maskingConnections(2, 4)).toBe(2);
    expect(maskingConnections(undefined, 6)).toBe(6);
    expect(maskingConnections(undefined, undefined)).toBe(2);
  });
});
