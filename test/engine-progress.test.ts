/**
 * Issue 8 §4/§9: chunking by every key type (bounds computed once, guarded), concurrent
 * first runs, a rolled-back trial before any write, the v1 record refused, table identity.
 */
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sanitize, SanitizeError } from "../sanitize/index";
import { getDialect } from "../sanitize/dialect";
import { tableIdentity } from "../sanitize/progress";
import type { PlannedTable } from "../sanitize/plan";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const KEY = "progress-test-key-0123456789abcdef";
const masked = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;
const emailRules = "tables:\n  t:\n    columns:\n      email: { transform: email }\n";

async function insertAll(db: TestDatabase, values: string[]): Promise<void> {
  for (let i = 0; i < values.length; i += 500) await db.exec(`INSERT INTO t VALUES ${values.slice(i, i + 500).join(",")}`);
}

async function everyRowMaskedOnce(db: TestDatabase, n: number): Promise<void> {
  const rows = await db.exec("SELECT n, email FROM t");
  expect(rows).toHaveLength(n);
  for (const r of rows) expect(r.email).toBe(masked(`p${r.n}@corp.test`));
}

describe.each(engines)("progress record v2 on %s", (engine) => {
  it("chunks a binary primary key (2,000 rows, chunkSize 100): every row masked exactly once", async () => {
    const db = await freshDatabase(engine);
    const type = engine === "postgres" ? "bytea" : "BINARY(16)";
    await db.exec(`CREATE TABLE t (id ${type} NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255))`);
    // Bytes that are not valid UTF-8 (0x80-0xff), NULs, and keys sharing long prefixes.
    const key = (i: number) =>
      (i % 3 === 0 ? Buffer.concat([Buffer.alloc(14, 0xff), Buffer.from([i >> 8, i & 255])]) : randomBytes(16)).toString("hex");
    const lit = (hex: string) => (engine === "postgres" ? `decode('${hex}', 'hex')` : `UNHEX('${hex}')`);
    await insertAll(
      db,
      Array.from({ length: 2000 }, (_, i) => `(${lit(key(i))}, ${i}, 'p${i}@corp.test')`),
    );
    const r = await sanitize({ target: db.target, rules: emailRules, maskingKey: KEY, chunkSize: 100, coverage: "off" });
    expect(r.verified, JSON.stringify(r.checks)).toBe(true);
    expect(r.tables[0].rows).toBe(2000);
    expect(r.tables[0].chunks).toBe(21);
    await everyRowMaskedOnce(db, 2000);
  });

  it("chunks a varchar key in the database's own order (mixed case, punctuation)", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (code varchar(40) NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255))");
    await insertAll(
      db,
      Array.from({ length: 1000 }, (_, i) => `('${["a", "B", "z-", "Z_", "é", "0"][i % 6]}${i}', ${i}, 'p${i}@corp.test')`),
    );
    const r = await sanitize({ target: db.target, rules: emailRules, maskingKey: KEY, chunkSize: 70, coverage: "off" });
    expect(r.verified, JSON.stringify(r.checks)).toBe(true);
    expect(r.tables[0].rows).toBe(1000);
    await everyRowMaskedOnce(db, 1000);
  });

  it("releases the run lock before it returns, so the next run (or a check) right after it is never refused", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255))");
    await insertAll(
      db,
      Array.from({ length: 200 }, (_, i) => `(${i}, ${i}, 'p${i}@corp.test')`),
    );
    // Held by anyone? Asked from another session the moment sanitize() has returned.
    const held = async () =>
      engine === "postgres"
        ? Number(
            (
              await db.exec(
                "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
              )
            )[0].n,
          )
        : Number((await db.exec(`SELECT IS_USED_LOCK('aurora_staging.${db.name}') IS NOT NULL AS n`))[0].n);
    // The dialect's release frees it while its session is still open (closing the session
    // also frees it, but the server does that after the client has moved on).
    const dialect = getDialect(engine);
    const conn = await dialect.connect(db.target);
    try {
      await conn.query(dialect.statements.tryRunLock(db.name));
      expect(await held()).toBe(1);
      await conn.query(dialect.statements.releaseRunLock(db.name));
      expect(await held()).toBe(0);
    } finally {
      await conn.close();
    }
    for (let i = 0; i < 5; i++) {
      const r = await sanitize({ target: db.target, rules: emailRules, maskingKey: KEY, coverage: "off" });
      expect(r.verified, JSON.stringify(r.checks)).toBe(true);
      expect(await held(), `after run ${i + 1}`).toBe(0);
    }
    await everyRowMaskedOnce(db, 200);
  });

  it("lets one of five concurrent first runs through and tells the others that another run holds the lock", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255))");
    await insertAll(
      db,
      Array.from({ length: 3000 }, (_, i) => `(${i}, ${i}, 'p${i}@corp.test')`),
    );
    const run = () =>
      sanitize({ target: db.target, rules: emailRules, maskingKey: KEY, chunkSize: 100, coverage: "off" }).then(
        (r) => r,
        (e: unknown) => e,
      );
    const results = await Promise.all(Array.from({ length: 5 }, run));
    const errors = results.filter((x): x is SanitizeError => x instanceof SanitizeError);
    expect(errors.map((e) => e.message)).toEqual(
      Array(4).fill(`another sanitize run holds the lock on database "${db.name}": let it finish, then re-run.`),
    );
    expect(results.filter((x) => !(x instanceof Error)).map((x) => (x as { verified: boolean }).verified)).toEqual([true]);
    await everyRowMaskedOnce(db, 3000);
  });

  it("tries every masking statement before writing: a CHECK constraint the output violates stops the run before truncates and deletes", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      "CREATE TABLE t (id int NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255), CONSTRAINT corp_only CHECK (email LIKE '%@corp.test'))",
    );
    await db.exec("CREATE TABLE tokens (id int NOT NULL PRIMARY KEY, token varchar(40))");
    await db.exec("CREATE TABLE logs (id int NOT NULL PRIMARY KEY, old int NOT NULL)");
    await insertAll(
      db,
      Array.from({ length: 10 }, (_, i) => `(${i}, ${i}, 'p${i}@corp.test')`),
    );
    await db.exec("INSERT INTO tokens VALUES (1, 'secret'), (2, 'secret2')");
    await db.exec("INSERT INTO logs VALUES (1, 1), (2, 0)");
    const rules = `${emailRules}  tokens: { truncate: true }\n  logs: { delete: "old = 1" }\n`;
    const err = await sanitize({ target: db.target, rules, maskingKey: KEY, coverage: "off" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).message).toMatch(/\.t: masking fails on its first rows: .*Nothing was written/);
    expect((err as SanitizeError).message).not.toContain("corp.test'");
    expect(Number(await db.scalar("SELECT COUNT(*) FROM tokens"))).toBe(2);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM logs"))).toBe(2);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM t WHERE email LIKE '%@corp.test'"))).toBe(10);
  });

  it("refuses a database sanitized by an earlier version (v1 progress record)", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255))");
    await db.exec("INSERT INTO t VALUES (1, 1, 'p1@corp.test')");
    const legacy = engine === "postgres" ? "aurora_staging.progress" : "aurora_staging_progress";
    if (engine === "postgres") await db.exec("CREATE SCHEMA aurora_staging");
    await db.exec(`CREATE TABLE ${legacy} (rules_hash varchar(64), table_name varchar(255), phase varchar(16), done int)`);
    await db.exec(`INSERT INTO ${legacy} VALUES ('h', 'public.t', 'mask', 1)`);
    const err = await sanitize({ target: db.target, rules: emailRules, maskingKey: KEY, coverage: "off" }).catch((e: unknown) => e);
    expect((err as SanitizeError).message).toMatch(/sanitized by an earlier version of aurora-staging.*start from a fresh clone/);
    expect(await db.scalar("SELECT email FROM t")).toBe("p1@corp.test");
  });

  it("gives a table a new identity when it is truncated or dropped and created again", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY)");
    const dialect = getDialect(engine);
    const conn = await dialect.connect(db.target);
    try {
      const schema = engine === "postgres" ? "public" : db.name;
      const identity = () => tableIdentity(dialect, conn, { table: { schema, name: "t", qualified: `${schema}.t` } } as PlannedTable);
      const first = await identity();
      expect(await identity()).toBe(first);
      await db.exec("INSERT INTO t VALUES (1)");
      expect(await identity()).toBe(first); // writing rows keeps it
      await db.exec("TRUNCATE TABLE t");
      const truncated = await identity();
      await db.exec("DROP TABLE t");
      await db.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY)");
      const recreated = await identity();
      expect(new Set([first, truncated, recreated]).size).toBe(3);
      // MariaDB: the InnoDB table id (not the CREATE_TIME fallback, which has 1 s resolution).
      expect(first).toMatch(engine === "postgres" ? /^\d+\/\d+$/ : /^\d+$/);
    } finally {
      await conn.close();
    }
  });
});

describe("progress guard (MySQL)", () => {
  it("stops with an error naming the table when chunk bounds don't read back exactly (FLOAT key)", async () => {
    const db = await freshDatabase("mysql");
    await db.exec("CREATE TABLE t (id float NOT NULL PRIMARY KEY, n int NOT NULL, email varchar(255))");
    await insertAll(
      db,
      Array.from({ length: 300 }, (_, i) => `(${i}.1, ${i}, 'p${i}@corp.test')`),
    );
    const err = await sanitize({ target: db.target, rules: emailRules, maskingKey: KEY, chunkSize: 100, coverage: "off" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).message).toMatch(/\.t: its primary key id \(float\) does not read back exactly/);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM t WHERE email LIKE '%@corp.test'"))).toBe(300);
  });
});
