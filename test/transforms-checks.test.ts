/**
 * The built-in checks (`violation`) are exact: TRUE for every value the transform can't have
 * produced, FALSE for its outputs, on both engines.
 */
import { describe, expect, it } from "vitest";
import { engines, freshDatabase } from "./harness/db";
import type { TransformSpec } from "../sanitize/core/types";
import { col, hmac, id, insertValues, mask, table, violations } from "./harness/transform-helpers";

const text = (engine: string, n = 80) => (engine === "postgres" ? `varchar(${n})` : `varchar(${n}) CHARACTER SET utf8mb4`);

describe.each(engines)("built-in checks on %s", (engine) => {
  async function check(spec: TransformSpec, raw: (string | null)[], opts: { near?: string[] } = {}) {
    const db = await freshDatabase(engine);
    await db.exec(`CREATE TABLE t (id int primary key, v ${text(engine)})`);
    await insertValues(db, "t", raw);
    const t = table("t", [id, col("v", "text")]);
    const nonNull = raw.filter((v) => v !== null).length;
    expect(await violations(db, t, "v", spec)).toBe(nonNull);
    await mask(db, t, { v: spec });
    expect(await violations(db, t, "v", spec)).toBe(0);
    // Values that look almost like outputs are still flagged.
    for (const near of opts.near ?? []) {
      await db.exec(`UPDATE t SET v = ${engine === "postgres" ? "$1" : "?"} WHERE id = 1`, [near]);
      expect(await violations(db, t, "v", spec), near).toBe(1);
    }
  }

  it("email: the whole value is u + 20 lowercase hex @ the domain", () =>
    check({ transform: "email", domain: "ex-ample.test" }, ["alice@corp.io", "bob@ex-ample.test", null, "x"], {
      near: [
        `U${hmac("a").slice(0, 20)}@ex-ample.test`,
        `u${hmac("a").slice(0, 20).toUpperCase()}@ex-ample.test`,
        `u${hmac("a").slice(0, 19)}@ex-ample.test`,
        `u${hmac("a").slice(0, 20)}@exxample.test`,
        `u${hmac("a").slice(0, 20)}@ex-ample.test.evil`,
        `xu${hmac("a").slice(0, 20)}@ex-ample.test`,
      ],
    }));

  it("hash: exactly `length` lowercase hex characters", () =>
    check({ transform: "hash", length: 12 }, ["secret-1", "0123456789ab".toUpperCase(), "0123456789abc", null], {
      near: ["0123456789AB", "0123456789a", "0123456789abc", "0123456789ag"],
    }));

  it("name: one of the shipped names, or 'First Last' of them", async () => {
    await check({ transform: "name" }, ["Jane Doe", "Alex", "Alex  Chen", null], {
      near: ["alex chen", "Alex Chen ", "Alex Chenx", "Chen Alex"],
    });
    await check({ transform: "name", kind: "first" }, ["Jane", "Alex Chen", "Zoë"], { near: ["alex", "Alexx", "Abbott"] });
  });

  it("partial: the masked part is all mask characters", () =>
    check({ transform: "partial", keepFirst: 2, keepLast: 2, mask: "." }, ["4111111111111111", "abcd", "abc", "a", null], {
      near: ["41..x...11", "41.......\u00b7..11", "ab.c", "..x", "4111"],
    }));

  it("template: equals the template rendered from the row's current values", async () => {
    const db = await freshDatabase(engine);
    await db.exec(`CREATE TABLE t (id int primary key, v ${text(engine)}, w ${text(engine)})`);
    await db.exec("INSERT INTO t VALUES (7, 'Jane', 'a'), (8, NULL, 'b'), (9, 'staff9', NULL)");
    const t = table("t", [id, col("v", "text"), col("w", "text")]);
    const spec: TransformSpec = { transform: "template", value: "staff{id}{w}" };
    // Row 7 is flagged; row 8 is NULL; row 9 happens to equal its rendering already.
    expect(await violations(db, t, "v", spec)).toBe(1);
    await mask(db, t, { v: spec });
    expect(await violations(db, t, "v", spec)).toBe(0);
    await db.exec("UPDATE t SET v = 'STAFF7a' WHERE id = 7");
    expect(await violations(db, t, "v", spec)).toBe(1);
    await db.exec("UPDATE t SET v = 'staff7a', w = 'c' WHERE id = 7");
    expect(await violations(db, t, "v", spec)).toBe(1);
  });
});
