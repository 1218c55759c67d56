import { describe, expect, it } from "vitest";
import { plan, sanitize, SanitizeError, verify } from "../sanitize/index";
import { parseDatabaseUrl } from "../sanitize/url";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";
import { articleRulesYaml, checksumTables, createArticleSchema } from "./fixtures/article-schema";

const KEY = "safety-test-key-0123456789abcdef";

async function rejected(p: Promise<unknown>): Promise<SanitizeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SanitizeError);
  return err as SanitizeError;
}

async function progressTablesExist(db: TestDatabase): Promise<boolean> {
  const q =
    db.engine === "postgres"
      ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'aurora_staging'"
      : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'aurora_staging%'";
  return Number(await db.scalar(q)) > 0;
}

describe.each(engines)("fail closed before any write on %s", (engine) => {
  it("reports unknown tables, columns and transforms all together and changes nothing", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 30 });
    const before = await checksumTables(db);
    const rules = {
      tables: {
        users: { kind: "mask" as const, columns: { email: { transform: "email" as const }, emial: { transform: "null" as const } } },
        custommers: { kind: "truncate" as const, cascade: false },
        orders: { kind: "mask" as const, columns: { customer_email: { transform: "scramble" } as never } },
      },
      keep: [],
      verify: [],
    };
    const err = await rejected(sanitize({ target: db.target, rules, maskingKey: KEY }));
    expect(err.kind).toBe("schema");
    const text = err.problems.join("\n");
    expect(text).toMatch(/custommers/);
    expect(text).toMatch(/no column "emial"/);
    expect(text).toMatch(/unknown transform "scramble"/);
    expect(err.problems.length).toBeGreaterThanOrEqual(3);
    expect(await checksumTables(db)).toEqual(before);
    expect(await progressTablesExist(db)).toBe(false);
  });

  it("treats injection attempts in names as unknown names, and ;-stacking in raw SQL fails before writing", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 30 });
    const before = await checksumTables(db);
    // Through the YAML loader: refused as a bad name.
    const yaml = await rejected(
      sanitize({ target: db.target, rules: `tables:\n  "users; DROP TABLE orders":\n    columns:\n      email: { transform: "null" }\n` }),
    );
    expect(yaml.problems.join("\n")).toMatch(/users; DROP TABLE orders/);
    // Straight to the engine (rules built in code): simply unknown names.
    const names = await rejected(
      sanitize({
        target: db.target,
        rules: {
          tables: {
            "users; DROP TABLE orders": { kind: "mask", columns: { email: { transform: "null" } } },
            orders: { kind: "mask", columns: { "customer_email = NULL; DROP TABLE users; --": { transform: "null" } } },
            'users" SET email = NULL; --': { kind: "truncate", cascade: false },
          },
          keep: [],
          verify: [],
        },
        coverage: "off",
      }),
    );
    expect(names.kind).toBe("schema");
    expect(names.problems).toHaveLength(3);
    expect(names.problems.join("\n")).toMatch(/no table .*users; DROP TABLE orders/);
    expect(names.problems.join("\n")).toMatch(/has no column "customer_email = NULL; DROP TABLE users; --"/);
    expect(await checksumTables(db)).toEqual(before);

    const stacked = await rejected(
      sanitize({
        target: db.target,
        rules: `
tables:
  session_tokens:
    delete: "1=1; DROP TABLE support_tickets"
  users:
    where: "id > 0; DELETE FROM support_tickets"
    columns:
      first_name: { transform: "null" }
`,
      }),
    );
    // core/fragment.ts refuses both before the database sees them: a fragment is one expression.
    expect(stacked.problems.some((p) => p.includes("session_tokens") && p.includes(";"))).toBe(true);
    expect(stacked.problems.some((p) => p.includes("users") && p.includes(";"))).toBe(true);
    expect(await checksumTables(db)).toEqual(before);

    // A stacked verify query, a write and (MySQL commits DDL implicitly, even in a READ ONLY
    // transaction) DDL are refused by the planner before anything runs: a verify query is
    // exactly one read-only SELECT/WITH statement.
    for (const q of [
      "SELECT 0; DROP TABLE support_tickets",
      "DELETE FROM support_tickets",
      "DROP TABLE support_tickets",
      "TRUNCATE support_tickets",
    ]) {
      const refused = await rejected(
        sanitize({
          target: db.target,
          rules: `
tables:
  session_tokens: { truncate: true }
verify:
  - name: hostile
    sql: ${JSON.stringify(q)}
    expect: 0
`,
          coverage: "off",
        }),
      );
      expect(refused.kind).toBe("rules");
      expect(refused.problems.some((p) => p.includes("verify"))).toBe(true);
      // and the standalone verify command refuses it the same way
      const viaVerify = await rejected(
        verify({ target: db.target, rules: `verify:\n  - name: hostile\n    sql: ${JSON.stringify(q)}\n    expect: 0\n`, coverage: "off" }),
      );
      expect(viaVerify.kind).toBe("rules");
    }
    expect(Number(await db.scalar("SELECT COUNT(*) FROM session_tokens"))).toBeGreaterThan(0);
    // support_tickets is referenced by nothing: it would really be dropped if the DDL ran
    expect(Number(await db.scalar("SELECT COUNT(*) FROM support_tickets"))).toBe(8);
  });

  it("refuses a forbidden host before connecting, by name and by resolved address", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 10 });
    const before = await checksumTables(db);
    for (const entry of [db.target.host, `${db.target.host}:${db.target.port}`, `localhost/${db.name}`]) {
      const err = await rejected(
        sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY, forbiddenHosts: ["prod.example.internal", entry] }),
      );
      expect(err.kind).toBe("forbidden-host");
      expect(err.message).toContain(entry);
    }
    // A different port or database is another server: not refused (plan only, writes nothing).
    const p = await plan({
      target: db.target,
      rules: articleRulesYaml,
      maskingKey: KEY,
      forbiddenHosts: [`${db.target.host}:1`, `localhost/other_db`],
    });
    expect(p.tables.length).toBe(5);
    expect(await checksumTables(db)).toEqual(before);
    expect(await progressTablesExist(db)).toBe(false);
  });

  it("refuses every spelling of a forbidden address (decimal, hex, octal, short, IPv4-mapped IPv6, trailing dot, case)", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 10 });
    const before = await checksumTables(db);
    expect(db.target.host).toBe("127.0.0.1");
    const forbidden = `127.0.0.1:${db.target.port}/${db.name}`;
    const spellings = [
      "2130706433",
      "0x7f000001",
      "0177.0.0.1",
      "127.1",
      "127.0.0.1.",
      "::ffff:127.0.0.1",
      "[::ffff:127.0.0.1]",
      "::ffff:7f00:1",
      "0:0:0:0:0:ffff:7f00:0001",
      "[0:0:0:0:0:FFFF:7F00:0001]",
      "LOCALHOST.",
      "127.0.0.2",
    ];
    for (const host of spellings) {
      const err = await rejected(
        sanitize({ target: { ...db.target, host }, rules: articleRulesYaml, maskingKey: KEY, forbiddenHosts: [forbidden] }),
      );
      expect(err.kind, host).toBe("forbidden-host");
    }
    // Through a URL as the CLI gets it, and with the forbidden entry itself spelled oddly.
    const viaUrl = parseDatabaseUrl(`${engine}://u:p@[::ffff:127.0.0.1]:${db.target.port}/${db.name}`);
    expect(
      (
        await rejected(
          sanitize({ target: { ...db.target, host: viaUrl.host }, rules: articleRulesYaml, maskingKey: KEY, forbiddenHosts: [forbidden] }),
        )
      ).kind,
    ).toBe("forbidden-host");
    for (const entry of [`[::ffff:7f00:1]:${db.target.port}/${db.name}`, `0x7f000001:${db.target.port}`, `2130706433`]) {
      expect(
        (await rejected(sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY, forbiddenHosts: [entry] }))).kind,
        entry,
      ).toBe("forbidden-host");
    }
    expect(await checksumTables(db)).toEqual(before);
    expect(await progressTablesExist(db)).toBe(false);
  });

  it("never shows the masking key: not in plan statements, run reports or errors", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 20 });
    const p = await plan({ target: db.target, rules: articleRulesYaml, maskingKey: KEY });
    const shown = JSON.stringify({ statements: p.statements, plan: p });
    expect(shown).not.toContain(KEY);
    expect(p.statements.join("\n")).toContain("<secret>");
    // the pads (key XOR 0x36 / 0x5c) must not be serialisable either
    expect(JSON.stringify(p)).not.toMatch(/"type":"Buffer"/);

    const missing = await rejected(sanitize({ target: db.target, rules: articleRulesYaml }));
    expect(missing.message).toContain("AURORA_STAGING_MASKING_KEY");
    const short = await rejected(sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: "short-secret" }));
    expect(short.message).not.toContain("short-secret");

    const report = await sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY });
    expect(report.verified).toBe(true);
    expect(JSON.stringify(report)).not.toContain(KEY);
    const stored = await db.exec(
      engine === "postgres" ? "SELECT report FROM aurora_staging.runs" : "SELECT report FROM aurora_staging_runs",
    );
    expect(stored.map((r) => String(r.report)).join("")).not.toContain(KEY);
    expect(stored.map((r) => String(r.report)).join("")).not.toMatch(/@mail\d\.test/i);
  });

  it("fails on a database error without showing data values, before writing anything (the trial)", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255) NOT NULL UNIQUE)");
    await db.exec("INSERT INTO people VALUES (1, 'a@corp.test'), (2, 'b@corp.test'), (3, 'c@corp.test')");
    // The author wrongly declares a constant expression unique: rows 2 and 3 collide.
    const rules = {
      tables: {
        people: {
          kind: "mask" as const,
          columns: {
            email: {
              transform: "sql" as const,
              expression: "CASE WHEN id = 1 THEN 'x1@masked.test' ELSE 'dup@masked.test' END",
              unique: true,
            },
          },
        },
      },
      keep: [],
      verify: [],
    };
    const err = await rejected(sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 1, coverage: "off" }));
    expect(err.kind).toBe("execution");
    expect(err.message).not.toContain("dup@masked.test");
    expect(err.message).not.toContain("corp.test");
    expect(err.message).toMatch(/masking fails on its first rows: .*Nothing was written/);
    // The collision showed in the rolled-back trial, so no chunk was committed.
    expect((await db.exec("SELECT email FROM people ORDER BY id")).map((r) => r.email)).toEqual([
      "a@corp.test",
      "b@corp.test",
      "c@corp.test",
    ]);
  });

  it("requires the masking key for deterministic transforms, naming the columns", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 5 });
    const err = await rejected(plan({ target: db.target, rules: articleRulesYaml }));
    expect(err.message).toMatch(/users\.email/);
    // Reported once, for all columns together, saying how to make a key.
    expect(err.problems.filter((p) => /masking key/i.test(p))).toHaveLength(1);
    expect(err.message.match(/AURORA_STAGING_MASKING_KEY/g)).toHaveLength(1);
    expect(err.message).toContain("openssl rand -hex 32");
  });
});

describe.each(engines)("foreign keys and truncate/delete on %s", (engine) => {
  async function family(db: TestDatabase): Promise<void> {
    await db.exec("CREATE TABLE parent (id int NOT NULL PRIMARY KEY, name varchar(50))");
    await db.exec(
      "CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int NOT NULL, CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE)",
    );
    await db.exec("INSERT INTO parent VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await db.exec("INSERT INTO child VALUES (1, 1), (2, 1), (3, 2)");
  }

  it("refuses to truncate a referenced table alone, naming the FK and both fixes; DB unchanged", async () => {
    const db = await freshDatabase(engine);
    await family(db);
    const err = await rejected(sanitize({ target: db.target, rules: "tables:\n  parent: { truncate: true }\n" }));
    expect(err.kind).toBe("schema");
    expect(err.message).toContain("child_parent_fk");
    expect(err.message).toMatch(/truncate .*child.* too/);
    expect(err.message).toContain("cascade: true");
    expect(Number(await db.scalar("SELECT COUNT(*) FROM parent"))).toBe(3);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM child"))).toBe(3);
  });

  it("truncates parent and child together", async () => {
    const db = await freshDatabase(engine);
    await family(db);
    const report = await sanitize({ target: db.target, rules: "tables:\n  parent: { truncate: true }\n  child: { truncate: true }\n" });
    expect(report.verified).toBe(true);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM parent"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM child"))).toBe(0);
    // FK still enforced afterwards
    await expect(db.exec("INSERT INTO child VALUES (9, 42)")).rejects.toThrow();
  });

  it("with cascade: true empties the parent and, through the FK, its children", async () => {
    const db = await freshDatabase(engine);
    await family(db);
    const p = await plan({ target: db.target, rules: "tables:\n  parent: { truncate: true, cascade: true }\n" });
    expect(p.tables[0].truncate?.via).toBe(engine === "postgres" ? "truncate" : "delete-all");
    const report = await sanitize({ target: db.target, rules: "tables:\n  parent: { truncate: true, cascade: true }\n" });
    expect(report.verified).toBe(true);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM parent"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM child"))).toBe(0);
  });

  it("warns that a delete on a RESTRICT-referenced table is enforced by the database", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 10 });
    const p = await plan({ target: db.target, rules: `tables:\n  users:\n    delete: "id > 5"\n`, coverage: "off" });
    expect(p.warnings.some((w) => w.includes("orders_user_fk"))).toBe(true);
    const before = await checksumTables(db);
    // users 6..10 have orders: the database refuses, the run fails, nothing is half-deleted
    const err = await rejected(sanitize({ target: db.target, rules: `tables:\n  users:\n    delete: "id > 5"\n`, coverage: "off" }));
    expect(err.kind).toBe("execution");
    expect(await checksumTables(db)).toEqual(before);
  });
});
