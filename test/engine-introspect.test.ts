import { describe, expect, it } from "vitest";
import { getDialect } from "../sanitize/dialect";
import { engines, freshDatabase } from "./harness/db";
import { createArticleSchema } from "./fixtures/article-schema";

describe.each(engines)("introspection on %s", (engine) => {
  it("reads tables, column classes, keys, uniqueness, generated columns, foreign keys and triggers", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 3 });
    const pg = engine === "postgres";
    await db.exec(
      pg
        ? `CREATE TABLE misc (a int NOT NULL, b varchar(10) NOT NULL, flag boolean, amount numeric(10,2), born date, seen timestamptz,
             doc jsonb, blob bytea, ident uuid UNIQUE, code char(3), full_name text GENERATED ALWAYS AS (b || '!') STORED, PRIMARY KEY (b, a))`
        : `CREATE TABLE misc (a int NOT NULL, b varchar(10) NOT NULL, flag boolean, amount decimal(10,2), born date, seen datetime,
             doc json, blob_col blob, ident char(36) UNIQUE, code char(3), full_name varchar(20) AS (CONCAT(b, '!')) STORED,
             created timestamp DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (b, a))`,
    );
    await db.exec(
      pg
        ? "CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER t BEFORE UPDATE ON misc FOR EACH ROW EXECUTE FUNCTION noop()"
        : "CREATE TRIGGER t BEFORE UPDATE ON misc FOR EACH ROW SET NEW.code = NEW.code",
    );
    const dialect = getDialect(engine);
    const conn = await dialect.connect(db.target, { retryForMs: 5_000 });
    try {
      // the progress tables, once created, are not part of the schema
      for (const q of dialect.statements.progressDdl()) await conn.query(q);
      const schema = await dialect.introspect(conn);
      const s = schema.defaultSchema;
      expect(s).toBe(pg ? "public" : db.name);
      expect([...schema.tables.keys()].sort()).toEqual(
        ["misc", "orders", "payment_audit_log", "session_tokens", "support_tickets", "users"].map((t) => `${s}.${t}`),
      );
      const users = schema.tables.get(`${s}.users`)!;
      expect(users.primaryKey).toEqual(["id"]);
      const email = users.columns.find((c) => c.name === "email")!;
      expect(email).toMatchObject({
        typeClass: "text",
        maxLength: 255,
        nullable: false,
        unique: true,
        isPrimaryKey: false,
        generated: false,
      });
      expect(users.columns.find((c) => c.name === "id")).toMatchObject({ typeClass: "integer", unique: true, isPrimaryKey: true });
      expect(users.columns.find((c) => c.name === "phone")).toMatchObject({ nullable: true, unique: false });
      expect(users.hasTriggers).toBe(false);

      const misc = schema.tables.get(`${s}.misc`)!;
      expect(misc.primaryKey).toEqual(["b", "a"]);
      expect(misc.hasTriggers).toBe(true);
      const col = (n: string) => misc.columns.find((c) => c.name === n)!;
      expect(col("a")).toMatchObject({ isPrimaryKey: true, unique: false });
      expect(col("flag").typeClass).toBe("boolean");
      expect(col("amount").typeClass).toBe("decimal");
      expect(col("born").typeClass).toBe("date");
      expect(col("seen").typeClass).toBe("timestamp");
      // MariaDB: JSON is LONGTEXT + CHECK (json_valid(doc)); still classed json
      expect(col("doc").typeClass).toBe("json");
      expect(col(pg ? "blob" : "blob_col").typeClass).toBe("binary");
      expect(col("ident")).toMatchObject({ unique: true, typeClass: pg ? "uuid" : "text" });
      expect(col("code")).toMatchObject({ typeClass: "text", maxLength: 3 });
      expect(col("full_name").generated).toBe(true);
      if (!pg) expect(col("created").generated).toBe(false);

      const fk = schema.foreignKeys.find((f) => f.name === "orders_user_fk")!;
      expect(fk).toMatchObject({ fromTable: `${s}.orders`, fromColumns: ["user_id"], toTable: `${s}.users`, toColumns: ["id"] });
      expect(["NO ACTION", "RESTRICT"]).toContain(fk.onDelete);
      expect(schema.foreignKeys.map((f) => f.name).sort()).toEqual([
        "orders_user_fk",
        "payment_order_fk",
        "session_user_fk",
        "ticket_user_fk",
      ]);
    } finally {
      await conn.close();
    }
  });
});

describe.each(engines)("introspection of uniqueness, enums, identity, foreign key actions and materialized views on %s", (engine) => {
  const pg = engine === "postgres";

  it("marks every column of any unique index (composite, expression, partial) and reads enum members", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      pg
        ? `CREATE TYPE mood AS ENUM ('calm', 'it''s', 'c:\\d');
           CREATE TABLE acc (id int PRIMARY KEY, tenant_id int NOT NULL, email text NOT NULL, alt_email text, code text, active boolean,
             note text, kept text, m mood, UNIQUE (tenant_id, email));
           CREATE UNIQUE INDEX acc_lower ON acc (lower(alt_email));
           CREATE UNIQUE INDEX acc_partial ON acc (code) WHERE active;
           CREATE UNIQUE INDEX acc_incl ON acc (tenant_id, id) INCLUDE (kept)`
        : `CREATE TABLE acc (id int PRIMARY KEY, tenant_id int NOT NULL, email varchar(100) NOT NULL, alt_email varchar(100), code varchar(10),
             active boolean, note text, kept text, m enum('calm','it''s','c:\\\\d'),
             alt_lower varchar(100) AS (lower(alt_email)) VIRTUAL, UNIQUE KEY (tenant_id, email), UNIQUE KEY (alt_lower), UNIQUE KEY (code))`,
    );
    const t = (await introspectDb(db)).tables.get(`${pg ? "public" : db.name}.acc`)!;
    const col = (n: string) => t.columns.find((c) => c.name === n)!;
    expect(col("email")).toMatchObject({ unique: false, inUniqueIndex: true });
    expect(col("tenant_id")).toMatchObject({ unique: false, inUniqueIndex: true });
    expect(col("alt_email")).toMatchObject({ unique: false, inUniqueIndex: true });
    // a partial unique index doesn't make the column identify a row on its own
    expect(col("code")).toMatchObject({ unique: !pg, inUniqueIndex: true });
    expect(col("id")).toMatchObject({ unique: true, inUniqueIndex: true });
    expect(col("note").inUniqueIndex).toBe(false);
    expect(col("kept").inUniqueIndex).toBe(false);
    expect(col("m").enumValues).toEqual(["calm", "it's", "c:\\d"]);
    expect(col("note").enumValues).toBeUndefined();
  });

  it("gives each table an identity that changes on TRUNCATE and on DROP + CREATE, and reads ON UPDATE actions", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      `CREATE TABLE p (id int PRIMARY KEY, email varchar(100) NOT NULL UNIQUE);
       CREATE TABLE c (id int PRIMARY KEY, p_email varchar(100), CONSTRAINT c_fk FOREIGN KEY (p_email) REFERENCES p (email) ON UPDATE CASCADE ON DELETE SET NULL);
       INSERT INTO p VALUES (1, 'a')`,
    );
    const s1 = await introspectDb(db);
    const key = `${s1.defaultSchema}.p`;
    const first = s1.tables.get(key)!.identity;
    expect(first).toMatch(/\S/);
    expect((await introspectDb(db)).tables.get(key)!.identity).toBe(first);
    const fk = s1.foreignKeys.find((f) => f.name === "c_fk")!;
    expect(fk).toMatchObject({ onUpdate: "CASCADE", onDelete: "SET NULL" });
    if (pg) expect(fk.definition).toBe("FOREIGN KEY (p_email) REFERENCES p(email) ON UPDATE CASCADE ON DELETE SET NULL");
    expect(s1.tables.get(key)!.partitioned).toBe(false);

    await db.exec(pg ? "TRUNCATE p CASCADE" : "SET FOREIGN_KEY_CHECKS = 0; TRUNCATE TABLE p; SET FOREIGN_KEY_CHECKS = 1");
    const truncated = (await introspectDb(db)).tables.get(key)!.identity;
    expect(truncated).not.toBe(first);
    await db.exec("DROP TABLE c; DROP TABLE p; CREATE TABLE p (id int PRIMARY KEY)");
    const recreated = (await introspectDb(db)).tables.get(key)!.identity;
    expect([first, truncated]).not.toContain(recreated);

    // partitioned tables and names that InnoDB stores encoded (space, dot, #) too
    const q = (n: string) => (pg ? `"${n}"` : `\`${n}\``);
    const odd = "odd #P# name.x";
    await db.exec(
      pg
        ? `CREATE TABLE parted (id int, at date) PARTITION BY RANGE (at);
           CREATE TABLE parted_a PARTITION OF parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
           CREATE TABLE ${q(odd)} (id int PRIMARY KEY)`
        : `CREATE TABLE parted (id int PRIMARY KEY) PARTITION BY RANGE (id) (PARTITION a VALUES LESS THAN (10), PARTITION b VALUES LESS THAN MAXVALUE);
           CREATE TABLE ${q(odd)} (id int PRIMARY KEY)`,
    );
    const before = await introspectDb(db);
    const parted = `${before.defaultSchema}.parted`;
    const oddKey = `${before.defaultSchema}.${odd}`;
    if (!pg) for (const k of [parted, oddKey, key]) expect(before.tables.get(k)!.identity).toMatch(/^innodb:\d+(,\d+)*$/);
    await db.exec(`TRUNCATE TABLE parted; TRUNCATE TABLE ${q(odd)}`);
    const after = await introspectDb(db);
    expect(after.tables.get(parted)!.identity).not.toBe(before.tables.get(parted)!.identity);
    expect(after.tables.get(oddKey)!.identity).not.toBe(before.tables.get(oddKey)!.identity);
    expect(after.tables.get(key)!.identity).toBe(recreated);
  });
});

async function introspectDb(db: Awaited<ReturnType<typeof freshDatabase>>) {
  const dialect = getDialect(db.engine);
  const conn = await dialect.connect(db.target, { retryForMs: 5_000 });
  try {
    return await dialect.introspect(conn);
  } finally {
    await conn.close();
  }
}

describe("PostgreSQL-only introspection", () => {
  it("lists materialized views with the tables they read (through views and other matviews), and partitioned parents", async () => {
    const db = await freshDatabase("postgres");
    await db.exec(
      `CREATE TABLE users (id int PRIMARY KEY, email text);
       CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
       CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
       CREATE VIEW active_users AS SELECT id, email FROM users;
       CREATE MATERIALIZED VIEW mv_users AS SELECT email FROM active_users;
       CREATE MATERIALIZED VIEW mv_mix AS SELECT u.email, e.at FROM mv_users u, events_2026 e WITH NO DATA;
       CREATE MATERIALIZED VIEW mv_const AS SELECT 1 AS one`,
    );
    const s = await introspectDb(db);
    expect(s.tables.get("public.events")!.partitioned).toBe(true);
    expect(s.tables.get("public.users")!.partitioned).toBe(false);
    expect(s.tables.get("public.users")!.identity).toMatch(/^\d+\/\d+$/);
    expect(s.materializedViews).toEqual([
      { schema: "public", name: "mv_const", qualified: "public.mv_const", dependsOn: [], populated: true },
      { schema: "public", name: "mv_mix", qualified: "public.mv_mix", dependsOn: ["public.events", "public.mv_users"], populated: false },
      { schema: "public", name: "mv_users", qualified: "public.mv_users", dependsOn: ["public.users"], populated: true },
    ]);
  });
});

describe("MySQL-only introspection", () => {
  it("has no materialized views and no partitioned parents", async () => {
    const db = await freshDatabase("mysql");
    await db.exec(
      "CREATE TABLE t (id int PRIMARY KEY, at date) PARTITION BY RANGE (id) (PARTITION a VALUES LESS THAN (10), PARTITION b VALUES LESS THAN MAXVALUE)",
    );
    const s = await introspectDb(db);
    expect(s.materializedViews).toEqual([]);
    expect(s.tables.get(`${db.name}.t`)!.partitioned).toBe(false);
  });
});
