import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { plan, sanitize, SanitizeError } from "../sanitize/index";
import type { Rules, TableRule, TransformSpec } from "../sanitize/core/types";
import { parseTableKey } from "../sanitize/table-key";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const KEY = "plan-checks-test-key-0123456789abcdef";
const hmacEmail = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;

const mask = (columns: Record<string, TransformSpec>, extra: Partial<Extract<TableRule, { kind: "mask" }>> = {}): TableRule => ({
  kind: "mask",
  columns,
  ...extra,
});
const rulesOf = (tables: Record<string, TableRule>): Rules => ({ tables, keep: [], verify: [] });

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SanitizeError) return err.problems;
    throw err;
  }
  throw new Error("expected a SanitizeError, but it succeeded");
}

const options = (db: TestDatabase, rules: Rules) => ({ target: db.target, rules, maskingKey: KEY, coverage: "off" as const });

describe.each(engines)("plan-time checks on %s", (engine) => {
  const pg = engine === "postgres";

  it("treats columns of composite, expression and partial unique indexes as unique, and refuses before writing anything", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      pg
        ? `CREATE TABLE accounts (id int PRIMARY KEY, tenant_id int NOT NULL, email varchar(100) NOT NULL, alt_email varchar(100),
             code varchar(20), active boolean, UNIQUE (tenant_id, email));
           CREATE UNIQUE INDEX accounts_lower ON accounts (lower(alt_email));
           CREATE UNIQUE INDEX accounts_code ON accounts (code) WHERE active;
           INSERT INTO accounts VALUES (1, 1, 'a@corp.test', 'A@corp.test', 'c1', true), (2, 1, 'b@corp.test', 'B@corp.test', 'c2', true);
           CREATE TABLE logs (id int PRIMARY KEY, msg text); INSERT INTO logs VALUES (1, 'x'), (2, 'y')`
        : `CREATE TABLE accounts (id int PRIMARY KEY, tenant_id int NOT NULL, email varchar(100) NOT NULL, alt_email varchar(100),
             code varchar(20), active boolean, alt_lower varchar(100) AS (lower(alt_email)) VIRTUAL, UNIQUE KEY (tenant_id, email), UNIQUE KEY (alt_lower), UNIQUE KEY (code, active));
           INSERT INTO accounts (id, tenant_id, email, alt_email, code, active) VALUES (1, 1, 'a@corp.test', 'A@corp.test', 'c1', true), (2, 1, 'b@corp.test', 'B@corp.test', 'c2', true);
           CREATE TABLE logs (id int PRIMARY KEY, msg text); INSERT INTO logs VALUES (1, 'x'), (2, 'y')`,
    );
    const rules = rulesOf({
      accounts: mask({
        email: { transform: "fixed", value: "same@example.com" },
        alt_email: { transform: "name" },
        code: { transform: "partial", keepFirst: 1 },
      }),
      logs: { kind: "truncate", cascade: false },
    });
    const problems = await problemsOf(sanitize(options(db, rules)));
    for (const c of ["email", "alt_email", "code"])
      expect(problems.some((p) => p.includes(`.accounts.${c}: is in a unique index`))).toBe(true);
    expect(problems).toHaveLength(3);
    // nothing was written: the truncate of the other table never ran
    expect(Number(await db.scalar("SELECT COUNT(*) FROM logs"))).toBe(2);
    expect(await db.scalar("SELECT email FROM accounts WHERE id = 1")).toBe("a@corp.test");

    // Transforms that keep distinct values distinct are accepted on the same columns.
    const ok = await sanitize(
      options(
        db,
        rulesOf({
          accounts: mask({ email: { transform: "email" }, alt_email: { transform: "email" }, code: { transform: "hash", length: 16 } }),
        }),
      ),
    );
    expect(ok.verified).toBe(true);
    expect((await db.exec("SELECT email FROM accounts ORDER BY id")).map((r) => r.email)).toEqual([
      hmacEmail("a@corp.test"),
      hmacEmail("b@corp.test"),
    ]);
  });

  it("refuses a fixed value outside an enum's members, naming the allowed values", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      pg
        ? `CREATE TYPE status AS ENUM ('active', 'closed'); CREATE TABLE subs (id int PRIMARY KEY, state status NOT NULL); INSERT INTO subs VALUES (1, 'active')`
        : `CREATE TABLE subs (id int PRIMARY KEY, state enum('active','closed') NOT NULL); INSERT INTO subs VALUES (1, 'active')`,
    );
    const problems = await problemsOf(plan(options(db, rulesOf({ subs: mask({ state: { transform: "fixed", value: "deleted" } }) }))));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/subs\.state: .*enum, but the fixed value is not one of its members: use one of "active", "closed"\./);
    // exact members only (MySQL would accept 'Closed' and store 'closed'; PostgreSQL refuses it)
    expect(await problemsOf(plan(options(db, rulesOf({ subs: mask({ state: { transform: "fixed", value: "Closed" } }) }))))).toHaveLength(
      1,
    );
    // free text never fits an enum (PostgreSQL enum types too, whatever the type is called)
    const text = await problemsOf(plan(options(db, rulesOf({ subs: mask({ state: { transform: "name" } }) }))));
    expect(text).toEqual([
      expect.stringMatching(/subs\.state: transform "name" produces free text, but the column is .* which only holds its listed values/),
    ]);
    const ok = await sanitize(options(db, rulesOf({ subs: mask({ state: { transform: "fixed", value: "closed" } }) })));
    expect(ok.verified).toBe(true);
    expect(await db.scalar("SELECT state FROM subs")).toBe("closed");
  });

  describe("foreign keys between masked columns", () => {
    async function shop(onUpdate: string): Promise<TestDatabase> {
      const db = await freshDatabase(engine);
      await db.exec(
        `CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL UNIQUE);
         CREATE TABLE orders (id int PRIMARY KEY, customer_email varchar(100),
           CONSTRAINT orders_email_fk FOREIGN KEY (customer_email) REFERENCES users (email) ${onUpdate});
         INSERT INTO users VALUES (1, 'a@corp.test'), (2, 'b@corp.test');
         INSERT INTO orders VALUES (10, 'a@corp.test'), (11, 'b@corp.test'), (12, NULL)`,
      );
      return db;
    }

    it.each(["", "ON UPDATE CASCADE"])("links them when both sides use the same transform (%s)", async (onUpdate) => {
      const db = await shop(onUpdate);
      const p = await plan(
        options(db, rulesOf({ users: mask({ email: { transform: "email" } }), orders: mask({ customer_email: { transform: "email" } }) })),
      );
      expect(p.linkedForeignKeys.map((f) => f.name)).toEqual(["orders_email_fk"]);
      expect(p.linkedForeignKeys[0].onUpdate).toMatch(onUpdate ? /^CASCADE$/ : /^(NO ACTION|RESTRICT)$/);
    });

    it("refuses a masked referenced column whose referencing column keeps its values", async () => {
      const db = await shop("ON UPDATE CASCADE");
      const problems = await problemsOf(plan(options(db, rulesOf({ users: mask({ email: { transform: "email" } }) }))));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain("orders.customer_email references users.email, which is masked: mask it with { transform: email } too");
      // a truncated referencing table is fine
      const p = await plan(
        options(db, rulesOf({ users: mask({ email: { transform: "email" } }), orders: { kind: "truncate", cascade: false } })),
      );
      expect(p.linkedForeignKeys).toEqual([]);
    });

    it("refuses different transforms on the two sides, naming both columns and the transform to use", async () => {
      const db = await shop("");
      const problems = await problemsOf(
        plan(
          options(
            db,
            rulesOf({
              users: mask({ email: { transform: "email", domain: "example.org" } }),
              orders: mask({ customer_email: { transform: "hash", length: 32 } }),
            }),
          ),
        ),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^tables\.orders\.columns\.customer_email: orders\.customer_email references users\.email \(foreign key orders_email_fk\)/,
      );
      expect(problems[0]).toContain('mask both with the same transform, e.g. { transform: email, domain: "example.org" }');
    });

    it("refuses a where on either side of a linked foreign key", async () => {
      const db = await shop("");
      const problems = await problemsOf(
        plan(
          options(
            db,
            rulesOf({
              users: mask({ email: { transform: "email" } }, { where: "id > 1" }),
              orders: mask({ customer_email: { transform: "email" } }),
            }),
          ),
        ),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^tables\.users\.where: orders\.customer_email references users\.email .*where masks only some rows of users/,
      );
    });

    it("refuses a masked referencing column whose referenced column is left as is", async () => {
      const db = await shop("");
      const problems = await problemsOf(plan(options(db, rulesOf({ orders: mask({ customer_email: { transform: "email" } }) }))));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(
        "which is not masked, so masked values would reference no row: mask users.email with { transform: email } too",
      );
      // null always satisfies the foreign key
      await plan(options(db, rulesOf({ orders: mask({ customer_email: { transform: "null" } }) })));
    });
  });

  it("resolves rule keys with spaces, and dots inside quoted names", async () => {
    const db = await freshDatabase(engine);
    const q = (s: string) => (pg ? `"${s}"` : `\`${s}\``);
    await db.exec(
      `CREATE TABLE ${q("order items")} (id int PRIMARY KEY, email varchar(100));
       CREATE TABLE ${q("odd.name")} (id int PRIMARY KEY, email varchar(100));
       INSERT INTO ${q("order items")} VALUES (1, 'a@corp.test');
       INSERT INTO ${q("odd.name")} VALUES (1, 'b@corp.test')`,
    );
    const schemaName = pg ? "public" : db.name;
    const report = await sanitize(
      options(
        db,
        rulesOf({
          "order items": mask({ email: { transform: "email" } }),
          [`${schemaName}."odd.name"`]: mask({ email: { transform: "email" } }),
        }),
      ),
    );
    expect(report.verified).toBe(true);
    expect(await db.scalar(`SELECT email FROM ${q("order items")}`)).toBe(hmacEmail("a@corp.test"));
    expect(await db.scalar(`SELECT email FROM ${q("odd.name")}`)).toBe(hmacEmail("b@corp.test"));
    // keep entries name those tables the same way (the column after the last dot)
    await db.exec(`ALTER TABLE ${q("odd.name")} ADD COLUMN note varchar(10)`);
    const kept = await plan({
      ...options(db, {
        ...rulesOf({ "order items": mask({ email: { transform: "email" } }) }),
        keep: ['"odd.name".note', `${schemaName}."odd.name".email`, "order items.id"],
      }),
      coverage: "strict",
    });
    expect(kept.warnings.filter((w) => w.startsWith("keep:"))).toEqual([]);
    expect(kept.coverage.problems).toEqual([]);
  });
});

describe("PostgreSQL inheritance, partitions and materialized views", () => {
  it("masks every row of an INHERITS parent and child exactly once, and partitions through their parent", async () => {
    const db = await freshDatabase("postgres");
    await db.exec(
      `CREATE TABLE people (id int PRIMARY KEY, email text);
       CREATE TABLE staff (dept text, PRIMARY KEY (id)) INHERITS (people);
       CREATE TABLE events (id int, at date, email text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
       CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
       CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
       INSERT INTO people SELECT i, 'p' || i || '@corp.test' FROM generate_series(1, 30) i;
       INSERT INTO staff SELECT i, 's' || i || '@corp.test', 'x' FROM generate_series(101, 130) i;
       INSERT INTO events SELECT i, DATE '2025-06-01' + i * 10, 'e' || i || '@corp.test' FROM generate_series(1, 40) i`,
    );
    const original = await db.exec(
      "SELECT tableoid::regclass::text AS t, id, email FROM people UNION ALL SELECT 'events', id, email FROM events ORDER BY 1, 2",
    );
    const report = await sanitize({
      ...options(
        db,
        rulesOf({
          people: mask({ email: { transform: "email" } }),
          staff: mask({ email: { transform: "email" } }),
          events: mask({ email: { transform: "email" } }),
        }),
      ),
      chunkSize: 7,
    });
    expect(report.verified).toBe(true);
    const after = await db.exec(
      "SELECT tableoid::regclass::text AS t, id, email FROM people UNION ALL SELECT 'events', id, email FROM events ORDER BY 1, 2",
    );
    expect(after).toEqual(original.map((r) => ({ ...r, email: hmacEmail(String(r.email)) })));
    expect(new Set(after.map((r) => r.t))).toEqual(new Set(["people", "staff", "events"]));
    const p = await plan(
      options(db, rulesOf({ people: mask({ email: { transform: "email" } }), events: { kind: "truncate", cascade: false } })),
    );
    expect(p.statements.join("\n")).toMatch(/UPDATE ONLY "public"."people"/);
    expect(p.statements.join("\n")).toMatch(/TRUNCATE "public"."events"/);
  });

  it("truncates and deletes an INHERITS parent's own rows only, leaving its children to their own rules", async () => {
    const db = await freshDatabase("postgres");
    await db.exec(
      `CREATE TABLE people (id int PRIMARY KEY, email text);
       CREATE TABLE staff (dept text, PRIMARY KEY (id)) INHERITS (people);
       CREATE TABLE guests (PRIMARY KEY (id)) INHERITS (people);
       INSERT INTO people VALUES (1, 'p1@corp.test'), (2, 'p2@corp.test');
       INSERT INTO staff VALUES (10, 's10@corp.test', 'x'), (11, 's11@corp.test', 'y');
       INSERT INTO guests VALUES (20, 'g20@corp.test'), (21, 'g21@corp.test')`,
    );
    const report = await sanitize(
      options(
        db,
        rulesOf({
          people: { kind: "truncate", cascade: false },
          staff: mask({ email: { transform: "email" } }),
          guests: { kind: "delete", delete: "id = 20" },
        }),
      ),
    );
    expect(report.verified).toBe(true);
    expect(await db.exec("SELECT tableoid::regclass::text AS t, id, email FROM people ORDER BY id")).toEqual([
      { t: "staff", id: 10, email: hmacEmail("s10@corp.test") },
      { t: "staff", id: 11, email: hmacEmail("s11@corp.test") },
      { t: "guests", id: 21, email: "g21@corp.test" },
    ]);
  });

  it("lists the materialized views to refresh after masking, sources first, with a warning", async () => {
    const db = await freshDatabase("postgres");
    await db.exec(
      `CREATE TABLE users (id int PRIMARY KEY, email text);
       CREATE TABLE audit (id int PRIMARY KEY, note text);
       CREATE TABLE other (id int PRIMARY KEY, v text);
       CREATE VIEW user_view AS SELECT id, email FROM users;
       CREATE MATERIALIZED VIEW z_emails AS SELECT email FROM user_view;
       CREATE MATERIALIZED VIEW a_email_count AS SELECT count(*) AS n FROM z_emails;
       CREATE MATERIALIZED VIEW m_audit AS SELECT note FROM audit;
       CREATE MATERIALIZED VIEW m_other AS SELECT v FROM other`,
    );
    const p = await plan(
      options(db, rulesOf({ users: mask({ email: { transform: "email" } }), audit: { kind: "truncate", cascade: false } })),
    );
    expect(p.refreshMaterializedViews.map((m) => m.qualified)).toEqual(["public.z_emails", "public.a_email_count", "public.m_audit"]);
    expect(
      p.warnings.some((w) => w.includes("refreshed after masking") && w.includes("public.z_emails, public.a_email_count, public.m_audit")),
    ).toBe(true);
    const none = await plan(options(db, rulesOf({ other: { kind: "delete", delete: "id < 0" } })));
    expect(none.refreshMaterializedViews.map((m) => m.qualified)).toEqual(["public.m_other"]);
  });
});

describe("table keys", () => {
  it("parses one or two parts, spaces allowed, dots only inside double quotes", () => {
    expect(parseTableKey("order items")).toEqual({ name: "order items" });
    expect(parseTableKey("my schema.order items")).toEqual({ schema: "my schema", name: "order items" });
    expect(parseTableKey('app."odd.name"')).toEqual({ schema: "app", name: "odd.name" });
    expect(parseTableKey('"a ""q"".b"')).toEqual({ name: 'a "q".b' });
    expect(parseTableKey('Odd "Table`; x')).toEqual({ name: 'Odd "Table`; x' });
    for (const bad of ["", "a.", ".a", "a.b.c", '"open', '"a"b'] as const) expect(parseTableKey(bad)).toBeUndefined();
  });
});
