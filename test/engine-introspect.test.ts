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
      expect(email).toMatchObject({ typeClass: "text", maxLength: 255, nullable: false, unique: true, isPrimaryKey: false, generated: false });
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
      expect(schema.foreignKeys.map((f) => f.name).sort()).toEqual(["orders_user_fk", "payment_order_fk", "session_user_fk", "ticket_user_fk"]);
    } finally {
      await conn.close();
    }
  });
});
