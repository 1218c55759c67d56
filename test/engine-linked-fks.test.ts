/**
 * Issue 8 §4: foreign keys between two masked columns (orders.customer_email -> users.email)
 * with the same deterministic transform, with and without ON UPDATE CASCADE, on both engines:
 * suspended while masking, restored after, checked; a kill -9 mid-run is finished by a re-run.
 */
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { sanitize, verify } from "../sanitize/index";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const KEY = "linked-fk-test-key-0123456789abcd";
const ROOT = join(__dirname, "..");
const USERS = 300;
const original = (i: number) => `user.${i}@corp.test`;
const masked = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;
const rules = `
tables:
  users:
    columns:
      email: { transform: email }
  orders:
    columns:
      customer_email: { transform: email }
`;

async function schema(db: TestDatabase, onUpdate: string): Promise<void> {
  await db.exec("CREATE TABLE users (id int NOT NULL PRIMARY KEY, email varchar(255) NOT NULL, CONSTRAINT users_email_key UNIQUE (email))");
  await db.exec(
    `CREATE TABLE orders (id int NOT NULL PRIMARY KEY, customer_email varchar(255),
       CONSTRAINT orders_email_fk FOREIGN KEY (customer_email) REFERENCES users (email)${onUpdate})`,
  );
  const users = Array.from({ length: USERS }, (_, k) => `(${k + 1}, '${original(k + 1)}')`);
  const orders = Array.from({ length: USERS * 2 }, (_, k) => `(${k + 1}, '${original((k % USERS) + 1)}')`);
  for (let i = 0; i < users.length; i += 500) await db.exec(`INSERT INTO users VALUES ${users.slice(i, i + 500).join(",")}`);
  for (let i = 0; i < orders.length; i += 500) await db.exec(`INSERT INTO orders VALUES ${orders.slice(i, i + 500).join(",")}`);
}

async function expectMaskedOnce(db: TestDatabase): Promise<void> {
  for (const u of await db.exec("SELECT id, email FROM users")) expect(u.email).toBe(masked(original(Number(u.id))));
  for (const o of await db.exec("SELECT id, customer_email FROM orders"))
    expect(o.customer_email).toBe(masked(original(((Number(o.id) - 1) % USERS) + 1)));
}

async function constraintExists(db: TestDatabase): Promise<boolean> {
  const q =
    db.engine === "postgres"
      ? "SELECT COUNT(*) FROM pg_constraint WHERE conname = 'orders_email_fk'"
      : "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'orders_email_fk'";
  return Number(await db.scalar(q)) === 1;
}

function runUntilKilled(db: TestDatabase, killAfterChunks: number): Promise<NodeJS.Signals | null> {
  const options = { target: db.target, rules, maskingKey: KEY, chunkSize: 50, parallelism: 1, coverage: "off" };
  const child = spawn(process.execPath, [join(ROOT, "test/fixtures/run-sanitize.js"), JSON.stringify(options)], {
    env: { ...process.env, FREEZE_AFTER_CHUNKS: String(killAfterChunks) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = /^progress \S+ (\d+) /.exec(line);
    if (m && Number(m[1]) >= killAfterChunks) child.kill("SIGKILL");
  });
  return new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
}

describe.each(engines)("foreign keys between masked columns on %s", (engine) => {
  it.each(["", " ON UPDATE CASCADE"])("masks both sides once and keeps the key (%s)", async (onUpdate) => {
    const db = await freshDatabase(engine);
    await schema(db, onUpdate);
    const r = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 100, coverage: "off" });
    expect(r.verified, JSON.stringify(r.checks.filter((c) => !c.passed))).toBe(true);
    expect(r.checks.find((c) => c.name === "foreign key orders_email_fk holds")?.passed).toBe(true);
    await expectMaskedOnce(db);
    expect(await constraintExists(db)).toBe(true);
    const again = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 100, coverage: "off" });
    expect(again.alreadyDone).toBe(true);
    expect(again.verified).toBe(true);
  });

  it("finishes after a kill -9 mid-run: the suspended key is restored and holds", async () => {
    const db = await freshDatabase(engine);
    await schema(db, " ON UPDATE CASCADE");
    expect(await runUntilKilled(db, 3)).toBe("SIGKILL");
    if (engine === "postgres") {
      expect(await constraintExists(db)).toBe(false); // dropped while masking
      const v = await verify({ target: db.target, rules, maskingKey: KEY, coverage: "off" });
      expect(v.checks.find((c) => c.name === "foreign key orders_email_fk holds")?.passed).toBe(false);
    }
    const r = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 50, coverage: "off" });
    expect(r.resumed).toBe(true);
    expect(r.verified, JSON.stringify(r.checks.filter((c) => !c.passed))).toBe(true);
    await expectMaskedOnce(db);
    expect(await constraintExists(db)).toBe(true);
  });
});
