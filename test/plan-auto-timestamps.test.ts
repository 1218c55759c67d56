/**
 * Issue 13 §3: automatic timestamps. MySQL ON UPDATE CURRENT_TIMESTAMP columns keep their value
 * (and plan says so); UPDATE triggers get a warning whose advice fits the engine; a BEFORE
 * INSERT trigger, which masking never fires, gets none.
 */
import { describe, expect, it } from "vitest";
import { plan, sanitize } from "../sanitize/index";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const KEY = "auto-timestamps-key-0123456789abcdef";
const RULES = "tables:\n  people:\n    columns:\n      email: { transform: email }\n";
const STAMP = "2001-02-03 04:05:06";

async function people(db: TestDatabase, lastUpdate: string): Promise<void> {
  await db.exec(`CREATE TABLE people (id int PRIMARY KEY, email varchar(100) NOT NULL, last_update ${lastUpdate})`);
  await db.exec(
    `INSERT INTO people (id, email, last_update) VALUES ${Array.from({ length: 30 }, (_, k) => `(${k + 1}, 'p${k + 1}@corp.test', '${STAMP}')`).join(", ")}`,
  );
}

const stamps = async (db: TestDatabase) =>
  (await db.exec("SELECT CAST(last_update AS CHAR(19)) AS s FROM people ORDER BY id")).map((r) => String(r.s));

describe("MySQL ON UPDATE CURRENT_TIMESTAMP", () => {
  // With a `where`, a chunk runs in two steps (mask-chunk.ts): its UPDATE keeps the column too.
  it.each([
    ["one-step", RULES],
    ["two-step (where)", RULES.replace("  people:\n", '  people:\n    where: "id > 0"\n')],
  ])("is kept unchanged by masking, and plan says so (%s)", async (_, rules) => {
    const db = await freshDatabase("mysql", "autots");
    await people(db, "timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP");
    const p = await plan({ target: db.target, rules, maskingKey: KEY, coverage: "off" });
    expect(p.warnings).toContainEqual(
      expect.stringMatching(/people\.last_update is ON UPDATE CURRENT_TIMESTAMP; masking keeps it unchanged/),
    );
    expect(p.statements.join("\n")).toMatch(/`last_update` = `last_update`/);
    const r = await sanitize({ target: db.target, rules, maskingKey: KEY, coverage: "off" });
    expect(r.verified, JSON.stringify(r.checks.filter((c) => !c.passed))).toBe(true);
    expect(await stamps(db)).toEqual(Array(30).fill(STAMP));
    expect(Number(await db.scalar("SELECT COUNT(*) FROM people WHERE email LIKE '%@corp.test'"))).toBe(0);
  });
});

describe.each(engines)("trigger warnings (%s)", (engine) => {
  const updateTrigger =
    engine === "postgres"
      ? `CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_update := now(); RETURN NEW; END $$;
         CREATE TRIGGER people_stamp BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION stamp();`
      : "CREATE TRIGGER people_stamp BEFORE UPDATE ON people FOR EACH ROW SET NEW.last_update = NOW()";
  const insertTrigger =
    engine === "postgres"
      ? `CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_update := now(); RETURN NEW; END $$;
         CREATE TRIGGER people_stamp BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION stamp();`
      : "CREATE TRIGGER people_stamp BEFORE INSERT ON people FOR EACH ROW SET NEW.last_update = NOW()";

  it("an UPDATE trigger gets advice for this engine", async () => {
    const db = await freshDatabase(engine, "trig");
    await people(db, "timestamp NULL");
    await db.exec(updateTrigger);
    const p = await plan({ target: db.target, rules: RULES, maskingKey: KEY, coverage: "off" });
    const w = p.warnings.filter((x) => /trigger/i.test(x));
    expect(w).toHaveLength(1);
    if (engine === "postgres") expect(w[0]).toMatch(/UPDATE triggers.*triggers: "disable".*rds_superuser/);
    else {
      expect(w[0]).toMatch(/UPDATE triggers.*can't switch them off for a session: drop them on the clone/);
      expect(w[0]).not.toMatch(/triggers: "disable"|session_replication_role/);
    }
  });

  it("a BEFORE INSERT trigger, never fired by masking, gets no warning", async () => {
    const db = await freshDatabase(engine, "trig");
    await people(db, "timestamp NULL");
    await db.exec(insertTrigger);
    const p = await plan({ target: db.target, rules: RULES, maskingKey: KEY, coverage: "off" });
    expect(p.warnings.filter((x) => /trigger/i.test(x))).toEqual([]);
  });
});
