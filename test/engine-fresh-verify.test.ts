/**
 * Issue 8 §1/§2/§2b: every run checks the data as it is now; the progress record is bound to
 * each table's identity; changing the rules never masks masked data again; the leak check
 * compares keyed digests per row and never rests on zero checks.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sanitize, verify, SanitizeError } from "../sanitize/index";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const KEY = "fresh-verify-key-0123456789abcdef";
const ROWS = 300;
const original = (i: number) => `someone.${i}@corp.test`;
const phoneOf = (i: number) => `+49 30 ${String(i).padStart(7, "0")}`;
const masked = (v: string, key = KEY) => `u${createHmac("sha256", key).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;

const rules = (extra = "") => `
tables:
  people:
    columns:
      email: { transform: email }
${extra}verify:
  - name: every row is there
    sql: "SELECT COUNT(*) FROM people"
    expect: ${ROWS}
`;

async function load(db: TestDatabase, rows = ROWS): Promise<void> {
  await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255) NOT NULL, phone varchar(32))");
  const values = Array.from({ length: rows }, (_, k) => `(${k + 1}, '${original(k + 1)}', '${phoneOf(k + 1)}')`);
  for (let i = 0; i < values.length; i += 500) await db.exec(`INSERT INTO people VALUES ${values.slice(i, i + 500).join(",")}`);
}

async function emailsAreHmacOfOriginal(db: TestDatabase): Promise<void> {
  const rows = await db.exec("SELECT id, email FROM people ORDER BY id");
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(r.email).toBe(masked(original(Number(r.id))));
}

describe.each(engines)("fresh verification on %s", (engine) => {
  it.each(["DROP TABLE people", "TRUNCATE TABLE people"])(
    "masks a re-imported table again after %s (the progress record is left in place)",
    async (reset) => {
      const db = await freshDatabase(engine);
      await load(db);
      const first = await sanitize({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off", chunkSize: 100 });
      expect(first.verified, JSON.stringify(first.checks)).toBe(true);

      // The application's schema+data script runs again.
      await db.exec(reset);
      if (reset.startsWith("DROP")) await load(db);
      else
        await db.exec(
          `INSERT INTO people VALUES ${Array.from({ length: ROWS }, (_, k) => `(${k + 1}, '${original(k + 1)}', '${phoneOf(k + 1)}')`).join(",")}`,
        );

      const again = await sanitize({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off", chunkSize: 100 });
      expect(again.alreadyDone).toBe(false);
      expect(again.tables[0].skipped).toBe(false);
      expect(again.tables[0].rows).toBe(ROWS);
      expect(again.verified, JSON.stringify(again.checks)).toBe(true);
      await emailsAreHmacOfOriginal(db);
    },
  );

  it("really runs the checks on a re-run: rows added after masking fail it", async () => {
    const db = await freshDatabase(engine);
    await load(db);
    expect((await sanitize({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off" })).verified).toBe(true);
    await db.exec("INSERT INTO people VALUES (100001, 'late@corp.test', NULL)");
    const r = await sanitize({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off" });
    expect(r.verified).toBe(false);
    const failed = Object.fromEntries(r.checks.filter((c) => !c.passed).map((c) => [c.name, c.detail]));
    expect(failed["verify: every row is there"]).toBe(`expected ${ROWS}, got ${ROWS + 1}`);
    expect(failed[`${r.tables[0].table}: no rows appeared since masking`]).toMatch(
      /^1 rows appeared since .*people was masked; they may hold unmasked data; start from a fresh clone$/,
    );
    expect((await verify({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off" })).verified).toBe(false);
  });

  it("never masks masked data again: a verify edit only re-checks, a new column is masked alone, a changed transform is refused", async () => {
    const db = await freshDatabase(engine);
    await load(db);
    expect((await sanitize({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off", chunkSize: 64 })).verified).toBe(true);

    const withQuery =
      rules() +
      "  - name: all masked\n    sql: \"SELECT COUNT(*) FROM people WHERE email LIKE '%@example.com'\"\n    expect: " +
      ROWS +
      "\n";
    const r1 = await sanitize({ target: db.target, rules: withQuery, maskingKey: KEY, coverage: "off", chunkSize: 64 });
    expect(r1.alreadyDone).toBe(true);
    expect(r1.tables[0].rows).toBe(0);
    expect(r1.checks.find((c) => c.name === "verify: all masked")?.passed).toBe(true);
    expect(r1.verified).toBe(true);
    await emailsAreHmacOfOriginal(db);

    const withPhone = rules("      phone: { transform: phone }\n");
    const r2 = await sanitize({ target: db.target, rules: withPhone, maskingKey: KEY, coverage: "off", chunkSize: 64 });
    expect(r2.verified, JSON.stringify(r2.checks)).toBe(true);
    expect(r2.tables[0].rows).toBe(ROWS);
    await emailsAreHmacOfOriginal(db);
    const phones = await db.exec("SELECT id, phone FROM people ORDER BY id");
    for (const p of phones) expect(p.phone).not.toBe(phoneOf(Number(p.id)));
    expect(r2.checks.find((c) => c.name.endsWith("people.phone: no original values left"))?.passed).toBe(true);

    const err = await sanitize({
      target: db.target,
      rules: withPhone.replace("transform: email", "transform: hash"),
      maskingKey: KEY,
      coverage: "off",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).message).toMatch(/people\.email was already masked with a different transform.*Start from a fresh clone/);
    // ...and so is a different masking key (HMAC under another key over HMAC values).
    const err2 = await sanitize({ target: db.target, rules: withPhone, maskingKey: `${KEY}-other`, coverage: "off" }).catch(
      (e: unknown) => e,
    );
    expect((err2 as SanitizeError).message).toMatch(/people\.email was already masked with a different transform/);
    await emailsAreHmacOfOriginal(db);
    // A constant reads nothing, so it may replace an earlier masking.
    const fixedPhone = withPhone.replace("phone: { transform: phone }", 'phone: { transform: fixed, value: "+00 00 0000000" }');
    const r3 = await sanitize({ target: db.target, rules: fixedPhone, maskingKey: KEY, coverage: "off", chunkSize: 64 });
    expect(r3.verified, JSON.stringify(r3.checks)).toBe(true);
    expect(r3.tables[0].rows).toBe(ROWS);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM people WHERE phone = '+00 00 0000000'"))).toBe(ROWS);
    await emailsAreHmacOfOriginal(db);
  });

  it("refuses leakSampleSize 0: the leak check can't be switched off", async () => {
    const db = await freshDatabase(engine);
    await load(db, 3);
    await expect(sanitize({ target: db.target, rules: rules(), maskingKey: KEY, coverage: "off", leakSampleSize: 0 })).rejects.toThrow(
      /leakSampleSize must be an integer >= 1, got 0/,
    );
  });

  it("fails a sql rule that keeps the column as it is (expression: email), on every run", async () => {
    const db = await freshDatabase(engine);
    await load(db, 50);
    const keep = 'tables:\n  people:\n    columns:\n      email: { transform: sql, expression: "email" }\n';
    const r1 = await sanitize({ target: db.target, rules: keep, maskingKey: KEY, coverage: "off" });
    expect(r1.verified).toBe(false);
    const leak = r1.checks.find((c) => c.name.endsWith("people.email: no original values left"))!;
    expect(leak.passed).toBe(false);
    expect(leak.detail).toBe("50 of 50 sampled rows still hold their original value");
    const r2 = await sanitize({ target: db.target, rules: keep, maskingKey: KEY, coverage: "off" });
    expect(r2.verified).toBe(false);
    expect(r2.checks.map((c) => [c.name, c.passed, c.detail])).toEqual(r1.checks.map((c) => [c.name, c.passed, c.detail]));
  });

  it("catches an original value restored into a sampled row", async () => {
    const db = await freshDatabase(engine);
    await load(db, 40);
    const r = rules("      phone: { transform: phone }\n").replace(`expect: ${ROWS}`, "expect: 40");
    expect((await sanitize({ target: db.target, rules: r, maskingKey: KEY, coverage: "off" })).verified).toBe(true);
    await db.exec(`UPDATE people SET phone = '${phoneOf(7)}' WHERE id = 7`);
    const v = await verify({ target: db.target, rules: r, maskingKey: KEY, coverage: "off" });
    expect(v.verified).toBe(false);
    expect(v.checks.filter((c) => !c.passed).map((c) => [c.name.split(".").pop(), c.detail])).toEqual([
      ["phone: no original values left", "1 of 40 sampled rows still hold their original value"],
    ]);
    const again = await sanitize({ target: db.target, rules: r, maskingKey: KEY, coverage: "off" });
    expect(again.verified).toBe(false);
  });

  it("verifies a dense phone column in 20 runs with different keys (no false alarm), and always catches a planted original", async () => {
    const db = await freshDatabase(engine);
    const phoneRules = "tables:\n  people:\n    columns:\n      phone: { transform: phone }\n";
    for (let k = 0; k < 20; k++) {
      // Every number +49 30 0000001 ... +49 30 0001000: a masked number may well be someone else's real one.
      await db.exec("DROP TABLE IF EXISTS people");
      await load(db, 1000);
      const key = `${KEY}-${k}`;
      const r = await sanitize({ target: db.target, rules: phoneRules, maskingKey: key, coverage: "off", leakSampleSize: 1000 });
      expect(r.verified, `key ${k}: ${JSON.stringify(r.checks.filter((c) => !c.passed))}`).toBe(true);
      expect(r.tables[0].rows).toBe(1000);
    }
    await db.exec(`UPDATE people SET phone = '${phoneOf(500)}' WHERE id = 500`);
    const v = await verify({ target: db.target, rules: phoneRules, maskingKey: `${KEY}-19`, coverage: "off" });
    expect(v.checks.find((c) => c.name.endsWith("people.phone: no original values left"))?.detail).toBe(
      "1 of 1000 sampled rows still hold their original value",
    );
    expect(v.verified).toBe(false);
  });

  it("fails verify on a never-sanitized database with rules using only phone, name, partial, template and sql", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      "CREATE TABLE people (id int NOT NULL PRIMARY KEY, phone varchar(32), first_name varchar(100), zip varchar(10), note varchar(100), code varchar(40))",
    );
    await db.exec(
      "INSERT INTO people VALUES (1, '+49 30 0000001', 'Anna', '2800', 'n1', 'c1'), (2, '+49 30 0000002', 'Ben', '2900', 'n2', 'c2')",
    );
    const r = `
tables:
  people:
    columns:
      phone: { transform: phone }
      first_name: { transform: name, kind: first }
      zip: { transform: partial, keepFirst: 1 }
      note: { transform: template, value: "note {id}" }
      code: { transform: sql, expression: "code" }
`;
    const v = await verify({ target: db.target, rules: r, maskingKey: KEY, coverage: "off" });
    expect(v.verified).toBe(false);
    for (const column of ["phone", "first_name", "zip", "note", "code"]) {
      const c = v.checks.find((x) => x.name.endsWith(`people.${column}: no original values left`));
      expect(c?.passed, column).toBe(false);
      expect(c?.detail).toMatch(/^no record of original values for this column, and 2 rows hold values: not sanitized by aurora-staging/);
    }
  });

  it("never calls a run verified on zero checks", async () => {
    const db = await freshDatabase(engine);
    await load(db, 3);
    const r = await sanitize({ target: db.target, rules: { tables: {}, keep: [], verify: [] }, coverage: "off" });
    expect(r.checks).toEqual([]);
    expect(r.verified).toBe(false);
    expect((await verify({ target: db.target, rules: { tables: {}, keep: [], verify: [] }, coverage: "off" })).verified).toBe(false);
  });

  it("needs the masking key whenever a column is masked with more than a constant", async () => {
    const db = await freshDatabase(engine);
    await load(db, 3);
    const err = await sanitize({
      target: db.target,
      rules: "tables:\n  people:\n    columns:\n      phone: { transform: partial, keepFirst: 2 }\n",
      coverage: "off",
    }).catch((e: unknown) => e);
    expect((err as SanitizeError).message).toMatch(
      /no masking key, but people\.phone are masked: the key is required whenever a table is masked/,
    );
    expect(await db.scalar("SELECT phone FROM people WHERE id = 1")).toBe(phoneOf(1));
  });
});
