import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { plan, sanitize, verify, SanitizeError } from "../sanitize/index";
import type { ProgressEvent } from "../sanitize/core/types";
import { engines, freshDatabase } from "./harness/db";
import { articleRulesYaml, checksumTables, createArticleSchema } from "./fixtures/article-schema";

const KEY = "behaviour-test-key-0123456789abcd";
const hmacEmail = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;

describe.each(engines)("sanitize() behaviour on %s", (engine) => {
  it("gives the same result with chunkSize 100 on 1,000 rows as in one chunk", async () => {
    const a = await freshDatabase(engine);
    const b = await freshDatabase(engine);
    await createArticleSchema(a, { users: 1000 });
    await createArticleSchema(b, { users: 1000 });
    const events: ProgressEvent[] = [];
    const small = await sanitize({
      target: a.target,
      rules: articleRulesYaml,
      maskingKey: KEY,
      chunkSize: 100,
      onProgress: (e) => events.push(e),
    });
    const one = await sanitize({ target: b.target, rules: articleRulesYaml, maskingKey: KEY });
    expect(small.verified && one.verified).toBe(true);
    const users = small.tables.find((t) => t.table.endsWith(".users"))!;
    expect(users.chunks).toBe(11);
    expect(one.tables.find((t) => t.table.endsWith(".users"))!.chunks).toBe(1);
    expect(await checksumTables(a)).toEqual(await checksumTables(b));
    // progress events: counts only, monotonic per table
    const userEvents = events.filter((e) => e.table.endsWith(".users"));
    expect(userEvents.map((e) => e.chunksDone)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(userEvents[userEvents.length - 1].rowsDone).toBe(1000);
    expect(JSON.stringify(events)).not.toMatch(/@/);
  });

  it("makes a second run with the same rules a no-op", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 50 });
    const first = await sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY });
    expect(first.verified).toBe(true);
    const after = await checksumTables(db);
    const second = await sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY });
    expect(second.alreadyDone).toBe(true);
    expect(second.verified).toBe(true);
    // ...but every check ran again, now: none is carried over from the first run.
    expect(second.checks.map((c) => c.name)).toEqual(first.checks.map((c) => c.name));
    expect(second.checkedAt >= first.finishedAt).toBe(true);
    expect(second.tables.every((t) => t.skipped && t.rows === 0)).toBe(true);
    expect(await checksumTables(db)).toEqual(after);
  });

  it("plans a re-run against the schema as it is now, never against a stored report", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 20 });
    expect((await sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY })).verified).toBe(true);
    // A migration after the first run: the same rules no longer fit the schema, and a re-run
    // says so instead of repeating the old verdict.
    await db.exec(
      engine === "postgres"
        ? "ALTER TABLE users RENAME COLUMN phone TO phone_number"
        : "ALTER TABLE users CHANGE phone phone_number varchar(40)",
    );
    await expect(sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY })).rejects.toThrow(/users\.phone|"phone"/);
  });

  it("returns verified:false naming the failed check, and re-checks without re-applying on the next run", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255))");
    await db.exec("INSERT INTO people VALUES (1, 'a@corp.test'), (2, 'b@corp.test'), (3, NULL)");
    const rules = `
tables:
  people:
    columns:
      email: { transform: email }
verify:
  - name: wrong on purpose
    sql: "SELECT COUNT(*) FROM people"
    expect: 2
  - name: right
    sql: "SELECT COUNT(*) FROM people WHERE email LIKE '%@example.com'"
    expect: 2
`;
    const r1 = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 1 });
    expect(r1.verified).toBe(false);
    const failed = r1.checks.filter((c) => !c.passed);
    expect(failed.map((c) => c.name)).toEqual(["verify: wrong on purpose"]);
    expect(failed[0].detail).toBe("expected 2, got 3");
    const r2 = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 1 });
    // Nothing needed writing, and every check ran again: still NOT VERIFIED, same checks.
    expect(r2.alreadyDone).toBe(true);
    expect(r2.resumed).toBe(false);
    expect(r2.verified).toBe(false);
    expect(r2.tables[0].rows).toBe(0);
    expect(r2.checks.map((c) => [c.name, c.passed])).toEqual(r1.checks.map((c) => [c.name, c.passed]));
    const rows = await db.exec("SELECT email FROM people ORDER BY id");
    expect(rows.map((r) => r.email)).toEqual([hmacEmail("a@corp.test"), hmacEmail("b@corp.test"), null]);
    // verify() alone says the same, and writes nothing
    const v = await verify({ target: db.target, rules, maskingKey: KEY });
    expect(v.verified).toBe(false);
    expect(v.checks.find((c) => c.name === "verify: right")?.passed).toBe(true);
  });

  it("fails the leak check when a row keeps its original value, and keeps failing on re-runs", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255), note varchar(255))");
    await db.exec("INSERT INTO people VALUES (1, 'a@corp.test', 'x'), (2, 'b@corp.test', 'y'), (3, NULL, 'z')");
    // The sql transform is the rules author's expression: here it wrongly keeps one original.
    const rules = {
      tables: {
        people: {
          kind: "mask" as const,
          columns: { email: { transform: "sql" as const, expression: "CASE WHEN id = 1 THEN email ELSE 'gone' END" } },
        },
      },
      keep: [],
      verify: [],
    };
    const report = await sanitize({ target: db.target, rules, maskingKey: KEY });
    const leak = report.checks.find((c) => c.name.endsWith("people.email: no original values left"))!;
    expect(leak.passed).toBe(false);
    expect(leak.detail).toBe("1 of 2 sampled rows still hold their original value");
    expect(leak.detail).not.toContain("corp.test");
    expect(report.verified).toBe(false);
    const again = await sanitize({ target: db.target, rules, maskingKey: KEY });
    expect(again.verified).toBe(false);
    expect(again.checks.find((c) => c.name === leak.name)?.detail).toBe(leak.detail);
  });

  it("lets a template read a masked column as masked, never the original (MySQL evaluates SET left to right)", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255), display text, contact text)");
    await db.exec("INSERT INTO people VALUES (1, 'a@corp.test', 'A', 'c1'), (2, 'b@corp.test', 'B', 'c2')");
    // display reads email; contact reads display (which reads email): order must hold on MySQL.
    const rules = `
tables:
  people:
    columns:
      contact: { transform: template, value: "via {display}" }
      email: { transform: email }
      display: { transform: template, value: "User {email}" }
`;
    const r = await sanitize({ target: db.target, rules, maskingKey: KEY });
    expect(r.verified).toBe(true);
    const rows = await db.exec("SELECT id, email, display, contact FROM people ORDER BY id");
    const orig = ["a@corp.test", "b@corp.test"];
    rows.forEach((row, i) => {
      expect(row.email).toBe(hmacEmail(orig[i]));
      expect(row.display).toBe(`User ${hmacEmail(orig[i])}`);
      expect(row.contact).toBe(`via User ${hmacEmail(orig[i])}`);
    });
  });

  it("refuses template cycles", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, a text, b text)");
    const err = await plan({
      target: db.target,
      rules: `tables:\n  people:\n    columns:\n      a: { transform: template, value: "x{b}" }\n      b: { transform: template, value: "y{a}" }\n`,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).message).toMatch(/cycle \((a -> b -> a|b -> a -> b)\)/);
  });

  it("skips rows that already hold the target when every masked column is constant", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE accounts (id int NOT NULL PRIMARY KEY, password_hash varchar(100), recovery varchar(100))");
    await db.exec("INSERT INTO accounts VALUES (1, 'staging', NULL), (2, 'real-hash-2', NULL), (3, 'staging', 'r3')");
    const r = await sanitize({
      target: db.target,
      rules:
        'tables:\n  accounts:\n    columns:\n      password_hash: { transform: fixed, value: staging }\n      recovery: { transform: "null" }\n',
      coverage: "off",
    });
    expect(r.verified).toBe(true);
    expect(r.tables[0].rows).toBe(2); // row 1 already held both targets: not rewritten
    expect(await db.exec("SELECT password_hash, recovery FROM accounts ORDER BY id")).toEqual([
      { password_hash: "staging", recovery: null },
      { password_hash: "staging", recovery: null },
      { password_hash: "staging", recovery: null },
    ]);
  });

  it("masks a table without a primary key in one transaction, with a warning", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE logbook (email varchar(255), note varchar(50))");
    await db.exec("INSERT INTO logbook VALUES ('a@corp.test', 'x'), ('b@corp.test', 'y'), (NULL, 'z')");
    const rules = "tables:\n  logbook:\n    columns:\n      email: { transform: email }\n";
    const p = await plan({ target: db.target, rules, maskingKey: KEY });
    expect(p.warnings.some((w) => w.includes("no primary key") && w.includes("ONE transaction"))).toBe(true);
    const r = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 1 });
    expect(r.verified).toBe(true);
    expect(r.tables[0].chunks).toBe(1);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM logbook WHERE email LIKE '%@example.com'"))).toBe(2);
    // Without a key to fetch rows by, the digests are compared over the whole column.
    expect(r.checks.find((c) => c.name.endsWith("logbook.email: no original values left"))?.detail).toBe(
      "0 rows hold one of 2 sampled original values",
    );
    await db.exec("UPDATE logbook SET email = 'b@corp.test' WHERE note = 'x'");
    const v = await verify({ target: db.target, rules, maskingKey: KEY });
    expect(v.checks.find((c) => c.name.endsWith("logbook.email: no original values left"))?.detail).toBe(
      "1 rows hold one of 2 sampled original values",
    );
    expect(v.verified).toBe(false);
  });

  it("masks only the rows matching where, and checks only those", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255), staff int NOT NULL)");
    await db.exec("INSERT INTO people VALUES (1, 'boss@ours.test', 1), (2, 'b@corp.test', 0), (3, 'c@corp.test', 0)");
    const r = await sanitize({
      target: db.target,
      rules: 'tables:\n  people:\n    where: "staff = 0"\n    columns:\n      email: { transform: email }\n',
      maskingKey: KEY,
      chunkSize: 2,
    });
    expect(r.verified).toBe(true);
    expect(r.tables[0].rows).toBe(2);
    expect((await db.exec("SELECT email FROM people ORDER BY id")).map((x) => x.email)).toEqual([
      "boss@ours.test",
      hmacEmail("b@corp.test"),
      hmacEmail("c@corp.test"),
    ]);
  });

  it("quotes odd table and column names everywhere (spaces, quotes, capitals, backticks)", async () => {
    const db = await freshDatabase(engine);
    const q = (n: string) => (engine === "postgres" ? `"${n.replace(/"/g, '""')}"` : `\`${n.replace(/`/g, "``")}\``);
    const table = 'Odd "Table`; x';
    await db.exec(`CREATE TABLE ${q(table)} (${q("Key Id")} int NOT NULL PRIMARY KEY, ${q("E-mail")} varchar(255))`);
    await db.exec(`INSERT INTO ${q(table)} VALUES (1, 'a@corp.test'), (2, 'b@corp.test'), (3, 'c@corp.test')`);
    const report = await sanitize({
      target: db.target,
      rules: { tables: { [table]: { kind: "mask", columns: { "E-mail": { transform: "email" } } } }, keep: [], verify: [] },
      maskingKey: KEY,
      chunkSize: 2,
    });
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    expect(report.tables[0].chunks).toBe(2);
    const rows = await db.exec(`SELECT ${q("E-mail")} AS e FROM ${q(table)} ORDER BY 1`);
    expect(rows.map((r) => r.e).sort()).toEqual(["a@corp.test", "b@corp.test", "c@corp.test"].map(hmacEmail).sort());
  });

  it("handles triggers per engine: disabled on PostgreSQL on request, refused on MySQL", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255))");
    await db.exec("CREATE TABLE audit (n int)");
    await db.exec("INSERT INTO people VALUES (1, 'a@corp.test')");
    if (engine === "postgres") {
      await db.exec(
        "CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (1); RETURN NEW; END $$",
      );
      await db.exec("CREATE TRIGGER people_audit AFTER UPDATE ON people FOR EACH ROW EXECUTE FUNCTION log_it()");
    } else {
      await db.exec("CREATE TRIGGER people_audit AFTER UPDATE ON people FOR EACH ROW INSERT INTO audit VALUES (1)");
    }
    const rules = "tables:\n  people:\n    columns:\n      email: { transform: email }\n";
    const p = await plan({ target: db.target, rules, maskingKey: KEY });
    expect(p.warnings.some((w) => w.includes("has UPDATE triggers"))).toBe(true);
    if (engine === "postgres") {
      const r = await sanitize({ target: db.target, rules, maskingKey: KEY, triggers: "disable" });
      expect(r.verified).toBe(true);
      expect(Number(await db.scalar("SELECT COUNT(*) FROM audit"))).toBe(0);
    } else {
      const err = await sanitize({ target: db.target, rules, maskingKey: KEY, triggers: "disable" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SanitizeError);
      expect((err as SanitizeError).message).toMatch(/not supported on MySQL/);
      const r = await sanitize({ target: db.target, rules, maskingKey: KEY });
      expect(r.verified).toBe(true);
      expect(Number(await db.scalar("SELECT COUNT(*) FROM audit"))).toBe(1);
    }
  });
});

describe("PostgreSQL triggers: disable without the privilege", () => {
  it("fails before writing anything when the user can't set session_replication_role", async () => {
    const db = await freshDatabase("postgres");
    const role = `r_${db.name}`;
    await db.exec(`CREATE ROLE ${role} LOGIN PASSWORD 'role-pw-123'`);
    await db.exec("CREATE TABLE people (id int PRIMARY KEY, email varchar(255))");
    await db.exec("CREATE TABLE tokens (id int PRIMARY KEY, token varchar(50))");
    await db.exec("INSERT INTO people VALUES (1, 'a@corp.test')");
    await db.exec("INSERT INTO tokens VALUES (1, 'secret-token')");
    await db.exec(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}; GRANT CREATE ON DATABASE "${db.name}" TO ${role}`);
    const err = await sanitize({
      target: { ...db.target, user: role, password: "role-pw-123" },
      rules: "tables:\n  tokens: { truncate: true }\n  people:\n    columns:\n      email: { transform: email }\n",
      maskingKey: KEY,
      triggers: "disable",
      coverage: "off",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).message).toMatch(/can't disable triggers/);
    expect((err as SanitizeError).message).not.toContain("role-pw-123");
    expect(Number(await db.scalar("SELECT COUNT(*) FROM tokens"))).toBe(1);
    expect(await db.scalar("SELECT email FROM people")).toBe("a@corp.test");
    // Not even the progress record: the check comes before any write (GRANT CREATE above lets it be made).
    expect(Number(await db.scalar("SELECT COUNT(*) FROM pg_namespace WHERE nspname = 'aurora_staging'"))).toBe(0);
  });
});

describe("PostgreSQL schemas", () => {
  it("resolves schema.table keys outside the default schema and lists the tables there when unknown", async () => {
    const db = await freshDatabase("postgres");
    await db.exec("CREATE SCHEMA app");
    await db.exec("CREATE TABLE app.people (id int PRIMARY KEY, email varchar(255))");
    await db.exec("CREATE TABLE public.people (id int PRIMARY KEY, email varchar(255))");
    await db.exec("INSERT INTO app.people VALUES (1, 'a@corp.test')");
    await db.exec("INSERT INTO public.people VALUES (1, 'p@corp.test')");
    const r = await sanitize({
      target: db.target,
      rules: "tables:\n  app.people:\n    columns:\n      email: { transform: email }\n",
      maskingKey: KEY,
      coverage: "off",
    });
    expect(r.verified).toBe(true);
    expect(await db.scalar("SELECT email FROM app.people")).toBe(hmacEmail("a@corp.test"));
    expect(await db.scalar("SELECT email FROM public.people")).toBe("p@corp.test");
    const err = await plan({ target: db.target, rules: "tables:\n  app.peeple: { truncate: true }\n", coverage: "off" }).catch(
      (e: unknown) => e,
    );
    expect((err as SanitizeError).message).toMatch(/no table "app.peeple".*tables there: people/);
  });
});
