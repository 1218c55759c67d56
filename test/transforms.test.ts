import { describe, expect, it } from "vitest";
import { engines, freshDatabase } from "./harness/db";
import { ident, param, render, sql, type Sql } from "../sanitize/core/sql";
import { deriveMaskingKey } from "../sanitize/core/masking-key";
import type { TransformSpec } from "../sanitize/core/types";
import { FIRST_NAMES, LAST_NAMES, getTransform, needsMaskingKey, validateSpec } from "../sanitize/transforms";
import { referenceDigitMask } from "./harness/digit-mask-reference";
import { KEY, MK, col, ctxFor, dialects, hmac, id, mask, table, values, violations } from "./harness/transform-helpers";

const EMAILS = ["alice@corp.io", "bob@corp.io", "Zoë.Ångström@例え.jp", null, "carol@corp.io"];

describe.each(engines)("SQL functions on %s", (engine) => {
  const { functions: fn, quoter } = dialects[engine];
  it("hmacHex equals Node's HMAC-SHA256, including non-ASCII input, 64-byte and longer (multi-byte) keys", async () => {
    const db = await freshDatabase(engine);
    const inputs = ["alice@example.org", "Zoë Ångström ✓ 日本", "", "x".repeat(300)];
    for (const key of [KEY, "k".repeat(100), "é".repeat(40), "y".repeat(64)]) {
      const mk = deriveMaskingKey(key);
      for (const input of inputs) {
        const r = render(sql`SELECT ${fn.hmacHex(param(input), mk)} AS h`, quoter);
        expect(await db.scalar(r.text, r.values)).toBe(hmac(input, key));
        expect(r.display).not.toContain(key);
        expect(r.display).toContain("<secret>");
      }
    }
  });

  it("hmacHex hashes the UTF-8 text of a column whatever its charset", async () => {
    const db = await freshDatabase(engine);
    const charset = engine === "postgres" ? "" : " CHARACTER SET latin1";
    await db.exec(`CREATE TABLE t (id int primary key, v varchar(40)${charset})`);
    await db.exec(`INSERT INTO t VALUES (1, ${engine === "postgres" ? "$1" : "?"})`, ["Zoë Ångström"]);
    const r = render(sql`SELECT ${fn.hmacHex(ident("v"), MK)} AS h FROM t`, quoter);
    expect(await db.scalar(r.text, r.values)).toBe(hmac("Zoë Ångström"));
  });

  it("quotes identifiers with embedded quotes and rejects empty or NUL names", () => {
    expect(render(ident('we"ird`name'), quoter).text).toBe(engine === "postgres" ? '"we""ird`name"' : '`we"ird``name`');
    expect(() => quoter.quoteIdent("")).toThrow(/empty/);
    expect(() => quoter.quoteIdent("a\0b")).toThrow(/NUL/);
  });

  it("pick, hexToInt, mapDigits and concat behave alike on both engines", async () => {
    const db = await freshDatabase(engine);
    const q = async (s: Sql) => {
      const r = render(sql`SELECT ${s} AS v`, quoter);
      return db.scalar(r.text, r.values);
    };
    expect(String(await q(fn.hexToInt(param("ffffffff"))))).toBe("4294967295");
    expect(await q(fn.pick(["a", "b", "c"], param(2)))).toBe("c");
    expect(await q(fn.mapDigits(param("+1 (555) 010-9"), param("9876543210")))).toBe("+8 (444) 989-0");
    expect(await q(fn.concat([param("a"), sql`NULL`, param("b")]))).toBe("ab");
  });
});

describe.each(engines)("transforms executed on %s", (engine) => {
  it("email: deterministic across tables, unique, keeps NULL, matches Node's HMAC", async () => {
    const db = await freshDatabase(engine);
    const text = engine === "postgres" ? "varchar(255)" : "varchar(255) CHARACTER SET utf8mb4";
    await db.exec(`CREATE TABLE users (id int primary key, email ${text} unique)`);
    await db.exec(`CREATE TABLE orders (id int primary key, customer_email ${text})`);
    for (const [i, e] of EMAILS.entries()) {
      await db.exec("INSERT INTO users VALUES (" + (i + 1) + ", " + (engine === "postgres" ? "$1" : "?") + ")", [e]);
      await db.exec("INSERT INTO orders VALUES (" + (i + 1) + ", " + (engine === "postgres" ? "$1" : "?") + ")", [
        EMAILS[EMAILS.length - 1 - i],
      ]);
    }
    const users = table("users", [id, col("email", "text", { unique: true })]);
    const orders = table("orders", [id, col("customer_email", "text")]);
    const spec: TransformSpec = { transform: "email" };
    expect(await violations(db, users, "email", spec)).toBe(4);
    await mask(db, users, { email: spec });
    await mask(db, orders, { customer_email: spec });
    const u = await values(db, "users", "email");
    const o = await values(db, "orders", "customer_email");
    expect(u).toEqual(EMAILS.map((e) => (e === null ? null : `u${hmac(e).slice(0, 20)}@example.com`)));
    expect(o).toEqual([...u].reverse());
    expect(new Set(u.filter((x) => x !== null)).size).toBe(4);
    expect(await violations(db, users, "email", spec)).toBe(0);
  });

  it("email with a custom domain; hash of length 12 and 64", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int primary key, a varchar(100), h1 varchar(64), h2 varchar(64))");
    await db.exec("INSERT INTO t VALUES (1, 'x@y.z', 'secret-1', 'secret-1'), (2, NULL, NULL, 'secret-2')");
    const t = table("t", [id, col("a", "text"), col("h1", "text"), col("h2", "text")]);
    await mask(db, t, {
      a: { transform: "email", domain: "staging.test" },
      h1: { transform: "hash", length: 12 },
      h2: { transform: "hash" },
    });
    expect(await values(db, "t", "a")).toEqual([`u${hmac("x@y.z").slice(0, 20)}@staging.test`, null]);
    expect(await values(db, "t", "h1")).toEqual([hmac("secret-1").slice(0, 12), null]);
    expect(await values(db, "t", "h2")).toEqual([hmac("secret-1"), hmac("secret-2")]);
    expect(await violations(db, t, "h1", { transform: "hash", length: 12 })).toBe(0);
    expect(await violations(db, t, "h2", { transform: "hash", length: 12 })).toBe(2);
  });

  it("phone: keeps punctuation, length and prefix; same number gives the same output", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int primary key, p varchar(40))");
    const phones = ["+1 (555) 123-4567", "+1 (555) 123-4567", "+44 20 7946 0958", null];
    for (const [i, p] of phones.entries()) await db.exec(`INSERT INTO t VALUES (${i + 1}, ${engine === "postgres" ? "$1" : "?"})`, [p]);
    await mask(db, table("t", [id, col("p", "text")]), { p: { transform: "phone", keepPrefix: 3 } });
    const out = await values(db, "t", "p");
    const expected = phones.map((p) => (p === null ? null : referenceDigitMask(p, 3, false, KEY)));
    expect(out).toEqual(expected);
    expect(out[0]).toMatch(/^\+1 \(\d{3}\) \d{3}-\d{4}$/);
    expect(out[0]).toBe(out[1]);
    expect(out[2]!.length).toBe(phones[2]!.length);
  });

  it("name: first, last and full come from the shipped lists, deterministically", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int primary key, f varchar(40), l varchar(40), n varchar(80))");
    await db.exec("INSERT INTO t VALUES (1, 'Jane', 'Doe', 'Jane Doe'), (2, 'Jane', 'Roe', NULL), (3, 'Ann', 'Doe', 'Ann Lee')");
    const t = table("t", [id, col("f", "text"), col("l", "text"), col("n", "text")]);
    await mask(db, t, { f: { transform: "name", kind: "first" }, l: { transform: "name", kind: "last" }, n: { transform: "name" } });
    const pickF = (v: string) => FIRST_NAMES[parseInt(hmac(v).slice(0, 8), 16) % FIRST_NAMES.length];
    const pickL = (v: string) => LAST_NAMES[parseInt(hmac(v).slice(8, 16), 16) % LAST_NAMES.length];
    expect(await values(db, "t", "f")).toEqual(["Jane", "Jane", "Ann"].map(pickF));
    expect(await values(db, "t", "l")).toEqual(["Doe", "Roe", "Doe"].map(pickL));
    expect(await values(db, "t", "n")).toEqual([
      `${pickF("Jane Doe")} ${pickL("Jane Doe")}`,
      null,
      `${pickF("Ann Lee")} ${pickL("Ann Lee")}`,
    ]);
  });

  it("partial: keeps the ends, masks the middle, masks short values whole, keeps NULL", async () => {
    const db = await freshDatabase(engine);
    const text = engine === "postgres" ? "varchar(40)" : "varchar(40) CHARACTER SET utf8mb4";
    await db.exec(`CREATE TABLE t (id int primary key, card ${text}, nm ${text})`);
    await db.exec("INSERT INTO t VALUES (1, '4111111111111111', 'Zoë Ångström'), (2, '123', 'Al'), (3, NULL, NULL)");
    const t = table("t", [id, col("card", "text"), col("nm", "text")]);
    await mask(db, t, { card: { transform: "partial" }, nm: { transform: "partial", keepFirst: 1, keepLast: 1, mask: "#" } });
    expect(await values(db, "t", "card")).toEqual(["************1111", "***", null]);
    expect(await values(db, "t", "nm")).toEqual(["Z##########m", "##", null]);
  });

  it("template with {id} and {{ escapes; fixed, null and sql", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      "CREATE TABLE t (id int primary key, fn varchar(40) unique, tag varchar(40), pw varchar(80) NOT NULL, n int, gone varchar(10), s varchar(10))",
    );
    await db.exec("INSERT INTO t VALUES (7, 'Jane', 'a', 'x', 5, 'bye', 'q'), (8, NULL, 'b', 'y', 6, NULL, 'r')");
    const t = table("t", [
      id,
      col("fn", "text", { unique: true }),
      col("tag", "text", { maxLength: undefined, rawType: "text" }),
      col("pw", "text", { nullable: false }),
      col("n", "integer"),
      col("gone", "text"),
      col("s", "text"),
    ]);
    const specs: Record<string, TransformSpec> = {
      fn: { transform: "template", value: "FirstName_{id}" },
      tag: { transform: "template", value: "{{{id}}}-{fn}" },
      pw: { transform: "fixed", value: "$2b$12$staged" },
      n: { transform: "fixed", value: 0 },
      gone: { transform: "null" },
      s: { transform: "sql", expression: "lower('ABC')" },
    };
    for (const [c, s] of Object.entries(specs)) expect(validateSpec(s, t.columns.find((x) => x.name === c)!, t)).toEqual([]);
    await mask(db, t, specs);
    expect(await values(db, "t", "fn")).toEqual(["FirstName_7", null]);
    // {fn} reads the masked value, never the original (and a NULL stays NULL, so it adds nothing).
    expect(await values(db, "t", "tag")).toEqual(["{7}-FirstName_7", "{8}-"]);
    expect(await values(db, "t", "pw")).toEqual(["$2b$12$staged", "$2b$12$staged"]);
    expect(await values(db, "t", "n")).toEqual(["0", "0"]);
    expect(await values(db, "t", "gone")).toEqual([null, null]);
    expect(await values(db, "t", "s")).toEqual(["abc", "abc"]);
    expect(await violations(db, t, "gone", { transform: "null" })).toBe(0);
    expect(await violations(db, t, "pw", { transform: "fixed", value: "other" })).toBe(2);
  });
});

describe.each(engines)("fixed and NULLs on %s", (engine) => {
  it("fixed keeps NULL NULL by default; fillNulls: true sets them; the check follows", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int primary key, a varchar(20), b varchar(20), n int)");
    await db.exec("INSERT INTO t VALUES (1, 'x', 'x', 5), (2, NULL, NULL, NULL)");
    const t = table("t", [id, col("a", "text"), col("b", "text"), col("n", "integer")]);
    const keep: TransformSpec = { transform: "fixed", value: "v" };
    const fill: TransformSpec = { transform: "fixed", value: "v", fillNulls: true };
    const zero: TransformSpec = { transform: "fixed", value: 0 };
    await mask(db, t, { a: keep, b: fill, n: zero });
    expect(await values(db, "t", "a")).toEqual(["v", null]);
    expect(await values(db, "t", "b")).toEqual(["v", "v"]);
    expect(await values(db, "t", "n")).toEqual(["0", null]);
    expect(await violations(db, t, "a", keep)).toBe(0);
    expect(await violations(db, t, "b", fill)).toBe(0);
    // A NULL left by a fillNulls rule is a row the rule didn't reach.
    await db.exec("UPDATE t SET b = NULL WHERE id = 2");
    expect(await violations(db, t, "b", fill)).toBe(1);
    expect(await violations(db, t, "a", { transform: "fixed", value: "w" })).toBe(1);
  });
});

describe("transform validation (no database)", () => {
  const t = table("users", [
    id,
    col("email", "text", { unique: true, maxLength: 20, rawType: "varchar(20)" }),
    col("age", "integer"),
    col("pw", "text", { nullable: false }),
    col("full", "text", { generated: true }),
    col("code", "text", { unique: true }),
  ]);
  const c = (n: string) => t.columns.find((x) => x.name === n)!;
  const problems = (s: TransformSpec, column: string) => validateSpec(s, c(column), t).join("\n");

  it("email output longer than varchar(n) names the length and the column", () => {
    expect(problems({ transform: "email" }, "email")).toMatch(/public\.users\.email: .*33 characters.*varchar\(20\)/);
  });
  it("lengths count characters, not bytes or UTF-16 units; bad domains are refused", () => {
    const short = { ...c("pw"), maxLength: 3, rawType: "varchar(3)" };
    expect(validateSpec({ transform: "fixed", value: "😀😀😀" }, short, t)).toEqual([]);
    expect(validateSpec({ transform: "fixed", value: "abcd" }, short, t).join()).toMatch(/can be 4 characters.*at most 3/);
    expect(problems({ transform: "email", domain: "bad domain" }, "pw")).toMatch(/email domain "bad domain" is not a host name/);
  });
  it("null on a NOT NULL column", () => {
    expect(problems({ transform: "null" }, "pw")).toMatch(/users\.pw: is NOT NULL.*use `fixed`/);
  });
  it("string transform on a numeric column; fixed string into a numeric column", () => {
    expect(problems({ transform: "email" }, "age")).toMatch(
      /users\.age: transform "email" produces text.*integer.*Numeric columns take `fixed` with a number/,
    );
    expect(problems({ transform: "fixed", value: "12" }, "age")).toMatch(/users\.age: is integer but the fixed value is a string/);
    expect(problems({ transform: "fixed", value: 12 }, "age")).toBe("");
    const enumCol = col("tier", "text", { rawType: "enum('gold','silver')" });
    expect(validateSpec({ transform: "name" }, enumCol, t).join()).toMatch(
      /users\.tier: .*enum\('gold','silver'\), which only holds its listed values: use `fixed`/,
    );
    expect(validateSpec({ transform: "fixed", value: "gold" }, enumCol, t)).toEqual([]);
  });
  it("non-unique transforms on a unique column suggest email/hash/template", () => {
    expect(problems({ transform: "fixed", value: "x" }, "code")).toMatch(
      /users\.code: is unique.*gives every row the same value.*`email`, `hash`/,
    );
    expect(problems({ transform: "hash", length: 8 }, "code")).toMatch(/is unique.*can collide/);
    expect(problems({ transform: "hash", length: 16 }, "code")).toBe("");
    expect(problems({ transform: "template", value: "c_{id}" }, "code")).toBe("");
    expect(problems({ transform: "template", value: "c_{age}" }, "code")).toMatch(/is unique/);
  });
  it("template lengths come from the referenced column's type: {int4} is at most 11 characters", () => {
    const staff = (keyType: string, n = 16) =>
      table("staff", [
        col("staff_id", "integer", { isPrimaryKey: true, unique: true, nullable: false, rawType: keyType }),
        col("username", "text", { maxLength: n, rawType: `varchar(${n})` }),
      ]);
    const check = (keyType: string, n = 16) =>
      validateSpec({ transform: "template", value: "staff{staff_id}" }, staff(keyType, n).columns[1], staff(keyType, n)).join("\n");
    for (const ok of ["integer", "int4", "int(11)", "int", "int unsigned", "smallint", "int2", "tinyint(4)", "mediumint"])
      expect(check(ok), ok).toBe("");
    expect(check("bigint")).toMatch(/staff\.username: transform "template" output can be 25 characters.*varchar\(16\)/);
    expect(check("int8")).toMatch(/can be 25/);
    expect(check("integer", 15)).toMatch(/can be 16 characters, but the column is varchar\(15\)/);
    expect(check("int unsigned", 15)).toBe("");
    expect(check("smallint", 11)).toBe("");
    expect(check("smallint", 10)).toMatch(/can be 11/);
  });
  it("primary key and generated columns can't be masked; unknown template column is named", () => {
    expect(problems({ transform: "hash" }, "id")).toMatch(/users\.id: is part of the primary key/);
    expect(problems({ transform: "null" }, "full")).toMatch(/users\.full: is a generated column/);
    expect(problems({ transform: "template", value: "x_{idd}" }, "pw")).toMatch(/unknown column \{idd\}.*has: id, email/);
    expect(problems({ transform: "template", value: "x_{id" }, "pw")).toMatch(/without a matching "}"/);
  });
  it("deterministic transforms refuse to render without a key", () => {
    const ctx = ctxFor("postgres", t, "pw", {}, null);
    expect(() => getTransform("email").render({ transform: "email" }, ctx)).toThrow(
      /users\.pw: transform "email" is deterministic.*AURORA_STAGING_MASKING_KEY.*openssl rand -hex 32/,
    );
    expect(needsMaskingKey({ tables: { u: { kind: "mask", columns: { a: { transform: "partial" } } } }, keep: [], verify: [] })).toBe(
      false,
    );
    expect(needsMaskingKey({ tables: { u: { kind: "mask", columns: { a: { transform: "phone" } } } }, keep: [], verify: [] })).toBe(true);
  });
  it("masking keys: short keys are refused without echoing them", () => {
    expect(() => deriveMaskingKey("short-secret")).toThrow(/at least 16 characters.*openssl rand -hex 32/);
    try {
      deriveMaskingKey("short-secret");
    } catch (e) {
      expect(String(e)).not.toContain("short-secret");
    }
    expect(MK.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(MK.ipad.length).toBe(64);
  });
});
