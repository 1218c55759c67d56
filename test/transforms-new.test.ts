/**
 * The transforms added for real schemas (issue 13 §2): digits, uuid, address, ip, date, blob.
 * Each output is recomputed in Node from its definition and compared, on both engines.
 */
import { describe, expect, it } from "vitest";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";
import type { ColumnInfo, SanitizeError, TransformSpec, TypeClass } from "../sanitize/core/types";
import { loadRules } from "../sanitize/rules";
import { validateSpec } from "../sanitize/transforms";
import { STREETS } from "../sanitize/transforms/streets";
import { KEY, col, hmac, id, insertValues, mask, table, violations } from "./harness/transform-helpers";
import { referenceDigitMask } from "./harness/digit-mask-reference";

const ph = (db: TestDatabase) => (db.engine === "postgres" ? "$1" : "?");
const asText = (db: TestDatabase, c: string) => (db.engine === "postgres" ? `${c}::text` : `CAST(${c} AS CHAR)`);
async function texts(db: TestDatabase, c: string): Promise<(string | null)[]> {
  const rows = await db.exec(`SELECT ${asText(db, c)} AS v FROM t ORDER BY id`);
  return rows.map((r) => (r.v === null ? null : String(r.v)));
}
const hexInt = (h: string, from: number, len: number) => parseInt(h.slice(from, from + len), 16);

/** One table t(id, v <type>) holding `rows`; returns the TableInfo for column v. */
async function setup(db: TestDatabase, sqlType: string, rows: (string | null)[], info: Partial<ColumnInfo> & { typeClass: TypeClass }) {
  await db.exec(`CREATE TABLE t (id int primary key, v ${sqlType})`);
  await insertValues(db, "t", rows);
  return table("t", [id, col("v", info.typeClass, info)]);
}

describe.each(engines)("new transforms on %s", (engine) => {
  const utf8 = engine === "postgres" ? "" : " CHARACTER SET utf8mb4";

  it("digits: postcodes and account numbers keep their format; a preset of phone; a permutation on unique columns", async () => {
    const db = await freshDatabase(engine);
    const rows = ["2800", "D-10115", "DE89 3704 0044 0532 0130 00", "2801", null];
    const t = await setup(db, `varchar(40)${utf8} UNIQUE`, rows, {
      typeClass: "text",
      unique: true,
      maxLength: 40,
      rawType: "varchar(40)",
    });
    expect(validateSpec({ transform: "digits", keepPrefix: 2 }, t.columns[1], t)).toEqual([]);
    await mask(db, t, { v: { transform: "digits", keepPrefix: 2 } });
    const out = await texts(db, "v");
    expect(out).toEqual(rows.map((r) => (r === null ? null : referenceDigitMask(r, 2, true, KEY))));
    for (const [i, o] of out.entries()) if (o !== null) expect(o).not.toBe(rows[i]);
  });

  it("uuid: a valid v4 UUID from the HMAC, in text and native uuid columns; the check flags others", async () => {
    const db = await freshDatabase(engine);
    const rows = ["0b7e3f5c-1f0e-11ee-be56-0242ac120002", "alice", null];
    const native = engine === "postgres";
    const t = await setup(
      db,
      native ? "uuid" : "char(36)",
      native ? [rows[0], "9c5b94b1-35ad-49bb-b118-8e8fc24abf80", null] : rows,
      native ? { typeClass: "uuid", rawType: "uuid" } : { typeClass: "text", maxLength: 36, rawType: "char(36)" },
    );
    const before = await texts(db, "v");
    expect(await violations(db, t, "v", { transform: "uuid" })).toBe(native ? 1 : 2); // a v4 UUID could be an output
    await mask(db, t, { v: { transform: "uuid" } });
    const expected = before.map((v) => {
      if (v === null) return null;
      const h = hmac(v);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[hexInt(h, 16, 1) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    });
    expect(await texts(db, "v")).toEqual(expected);
    expect(await violations(db, t, "v", { transform: "uuid" })).toBe(0);
  });

  it("address: '<number> <street>' from the shipped list; the check flags anything else", async () => {
    const db = await freshDatabase(engine);
    const rows = ["12 Real Road, Springfield", "Flat 3", null];
    const t = await setup(db, `varchar(40)${utf8}`, rows, { typeClass: "text", maxLength: 40, rawType: "varchar(40)" });
    expect(await violations(db, t, "v", { transform: "address" })).toBe(2);
    await mask(db, t, { v: { transform: "address" } });
    const expected = rows.map((v) =>
      v === null ? null : `${1 + (hexInt(hmac(v), 0, 8) % 999)} ${STREETS[hexInt(hmac(v), 8, 8) % STREETS.length]}`,
    );
    expect(await texts(db, "v")).toEqual(expected);
    expect(await violations(db, t, "v", { transform: "address" })).toBe(0);
    expect(validateSpec({ transform: "address" }, col("v", "text", { maxLength: 16, rawType: "varchar(16)" }), t).join()).toMatch(
      /can be 17 characters/,
    );
  });

  it("ip: IPv4 and IPv6 into the documentation ranges, in text columns (and inet on PostgreSQL)", async () => {
    const db = await freshDatabase(engine);
    const rows = ["10.1.2.3", "2a00:1450:4001:81b::200e", "8.8.8.8", null];
    const t = await setup(db, `varchar(45)${utf8}`, rows, { typeClass: "text", maxLength: 45, rawType: "varchar(45)" });
    expect(await violations(db, t, "v", { transform: "ip" })).toBe(3);
    await mask(db, t, { v: { transform: "ip" } });
    const v4 = (h: string) => `${["192.0.2.", "198.51.100.", "203.0.113."][hexInt(h, 0, 2) % 3]}${1 + (hexInt(h, 2, 2) % 254)}`;
    const v6 = (h: string) => `2001:db8:${[0, 1, 2, 3, 4, 5].map((g) => h.slice(4 + 4 * g, 8 + 4 * g)).join(":")}`;
    expect(await texts(db, "v")).toEqual(rows.map((v) => (v === null ? null : v.includes(":") ? v6(hmac(v)) : v4(hmac(v)))));
    expect(await violations(db, t, "v", { transform: "ip" })).toBe(0);
    expect(validateSpec({ transform: "ip" }, col("v", "text", { maxLength: 15, rawType: "varchar(15)" }), t).join()).toMatch(
      /IPv6 output.*version: 4/,
    );
    expect(validateSpec({ transform: "ip", version: 4 }, col("v", "text", { maxLength: 15, rawType: "varchar(15)" }), t)).toEqual([]);
    if (engine !== "postgres") return;
    await db.exec("CREATE TABLE n (id int primary key, a inet)");
    await db.exec("INSERT INTO n VALUES (1, '10.1.2.3'), (2, '2a00:1450:4001:81b::200e'), (3, NULL)");
    const n = table("n", [id, col("a", "other", { rawType: "inet" })]);
    const raw = (await db.exec("SELECT a::text AS v FROM n ORDER BY id")).map((r) => r.v as string | null);
    expect(await violations(db, n, "a", { transform: "ip" })).toBe(2);
    await mask(db, n, { a: { transform: "ip" } });
    const got = (await db.exec("SELECT host(a) AS v FROM n ORDER BY id")).map((r) => r.v);
    expect(got[0]).toBe(v4(hmac(raw[0]!)));
    expect(got[1]).toMatch(/^2001:db8:/);
    expect(got[2]).toBeNull();
    expect(await violations(db, n, "a", { transform: "ip" })).toBe(0);
  });

  it("date: a keyed shift within +-range (never 0) for dates and timestamps; keep year / month", async () => {
    const db = await freshDatabase(engine);
    await db.exec(`CREATE TABLE t (id int primary key, d date, ts ${engine === "postgres" ? "timestamp" : "datetime"}, y date, m date)`);
    const rows = [
      ["1980-02-29", "2024-01-31 10:11:12", "1990-07-15", "1990-07-15"],
      ["2024-12-31", "1999-12-31 23:59:59", "2000-12-31", "2001-02-28"],
      [null, null, null, null],
    ];
    for (const [i, r] of rows.entries())
      await db.exec(`INSERT INTO t VALUES (${i + 1}, ${r.map((v) => (v === null ? "NULL" : `'${v}'`)).join(", ")})`);
    const t = table("t", [
      id,
      col("d", "date", { rawType: "date" }),
      col("ts", "timestamp", { rawType: "timestamp" }),
      col("y", "date", { rawType: "date" }),
      col("m", "date", { rawType: "date" }),
    ]);
    await mask(db, t, {
      d: { transform: "date", range: 10 },
      ts: { transform: "date" },
      y: { transform: "date", keep: "year" },
      m: { transform: "date", keep: "month" },
    });
    const shift = (v: string, r: number) => {
      const k = hexInt(hmac(v), 0, 8) % (2 * r);
      const days = k < r ? k - r : k - r + 1;
      const d = new Date(v.replace(" ", "T") + "Z");
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().replace("T", " ").slice(0, v.length);
    };
    const day = (v: string, unit: "year" | "month") => {
      const start = new Date(unit === "year" ? `${v.slice(0, 4)}-01-01T00:00:00Z` : `${v.slice(0, 7)}-01T00:00:00Z`);
      start.setUTCDate(start.getUTCDate() + (hexInt(hmac(v), 0, 8) % (unit === "year" ? 365 : 28)));
      return start.toISOString().slice(0, 10);
    };
    expect(await texts(db, "d")).toEqual(rows.map((r) => (r[0] === null ? null : shift(r[0], 10))));
    expect(await texts(db, "ts")).toEqual(rows.map((r) => (r[1] === null ? null : shift(r[1], 30))));
    expect(await texts(db, "y")).toEqual(rows.map((r) => (r[2] === null ? null : day(r[2], "year"))));
    expect(await texts(db, "m")).toEqual(rows.map((r) => (r[3] === null ? null : day(r[3], "month"))));
    expect(validateSpec({ transform: "date" }, col("v", "text"), t).join()).toMatch(/works on date and timestamp columns/);
    expect(validateSpec({ transform: "date", range: 0 }, t.columns[1], t).join()).toMatch(/range 0 must be an integer from 1/);
  });

  it("blob: empty, placeholder or NULL in binary columns; NULL stays NULL; the check flags leftovers", async () => {
    const db = await freshDatabase(engine);
    const bin = engine === "postgres" ? "bytea" : "blob";
    await db.exec(`CREATE TABLE t (id int primary key, a ${bin}, b ${bin}, c ${bin})`);
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);
    await db.exec(`INSERT INTO t VALUES (1, ${ph(db)}, ${engine === "postgres" ? "$2, $3" : "?, ?"}), (2, NULL, NULL, NULL)`, [
      photo,
      photo,
      photo,
    ]);
    const c = (n: string) => col(n, "binary", { rawType: bin });
    const t = table("t", [id, c("a"), c("b"), c("c")]);
    const specs: Record<string, TransformSpec> = {
      a: { transform: "blob" },
      b: { transform: "blob", fill: "placeholder" },
      c: { transform: "blob", fill: "null" },
    };
    for (const [n, s] of Object.entries(specs)) expect(await violations(db, t, n, s)).toBe(1);
    await mask(db, t, specs);
    const rows = await db.exec("SELECT a, b, c FROM t ORDER BY id");
    expect(rows.map((r) => [r.a, r.b, r.c].map((x) => (x === null ? null : Buffer.from(x as Buffer).toString("utf8"))))).toEqual([
      ["", "REDACTED", null],
      [null, null, null],
    ]);
    for (const [n, s] of Object.entries(specs)) expect(await violations(db, t, n, s)).toBe(0);
    expect(validateSpec({ transform: "blob" }, col("x", "binary", { rawType: "binary(16)" }), t).join()).toMatch(/fixed-length type/);
    expect(validateSpec({ transform: "blob", fill: "null" }, col("x", "binary", { rawType: bin, nullable: false }), t).join()).toMatch(
      /NOT NULL/,
    );
  });
});

describe.each(engines)("json on %s", (engine) => {
  const doc = {
    contact: { email: "alice@corp.io", phone: "+1 555 123 4567" },
    phones: ["+1 555 000 1111"],
    name: "Alice",
    n: 1,
    nothing: null,
  };
  const spec: TransformSpec = {
    transform: "json",
    paths: [
      { path: "$.contact.email", transform: "email" },
      { path: "$.phones[0]", transform: "phone", keepPrefix: 3 },
      { path: "$.nothing", transform: "hash" },
      { path: "$.missing.x", transform: "email" },
    ],
  };
  const expected = {
    ...doc,
    contact: { ...doc.contact, email: `u${hmac("alice@corp.io").slice(0, 20)}@example.com` },
    phones: [referenceDigitMask("+1 555 000 1111", 3, false, KEY)],
  };

  for (const type of engine === "postgres" ? ["jsonb", "json", "text"] : ["json"]) {
    it(`masks the values at the paths of a ${type} column and leaves the rest, JSON nulls and absent paths alone`, async () => {
      const db = await freshDatabase(engine);
      const t = await setup(db, type, [JSON.stringify(doc), null], {
        typeClass: type === "text" ? "text" : "json",
        rawType: type,
        maxLength: undefined,
      });
      expect(validateSpec(spec, t.columns[1], t)).toEqual([]);
      expect(await violations(db, t, "v", spec)).toBe(1);
      await mask(db, t, { v: spec });
      const out = await texts(db, "v");
      expect(JSON.parse(out[0]!)).toEqual(expected);
      expect(out[1]).toBeNull();
      expect(await violations(db, t, "v", spec)).toBe(0);
    });
  }

  it("refuses bad paths, overlapping paths, transforms that can't go inside JSON and unknown nested options", () => {
    const t = table("t", [id, col("v", "json", { rawType: "jsonb" })]);
    const problems = (paths: unknown[]) => validateSpec({ transform: "json", paths } as TransformSpec, t.columns[1], t).join("\n");
    expect(problems([{ path: "contact.email", transform: "email" }])).toMatch(/json path "contact.email" is not a simple path/);
    expect(
      problems([
        { path: "$.a", transform: "email" },
        { path: "$.a.b", transform: "hash" },
      ]),
    ).toMatch(/"\$\.a\.b" overlaps "\$\.a"/);
    expect(problems([{ path: "$.a", transform: "template", value: "{id}" }])).toMatch(/transform "template" can't be used inside JSON/);
    expect(problems([{ path: "$.a", transform: "phone", keepPrefx: 2 }])).toMatch(/unknown option "keepPrefx" for transform "phone"/);
    expect(problems([{ path: "$.a", transform: "hash", length: 3 }])).toMatch(/json path "\$\.a": hash length 3 is out of range/);
    expect(problems([])).toMatch(/json needs `paths`/);
    expect(validateSpec(spec, col("v", "integer"), t).join()).toMatch(/works on json, jsonb and text columns/);
  });
});

describe("the new transforms in a rules file", () => {
  it("load with their options; bad options name the file, line and option", () => {
    const rules = loadRules(
      [
        "tables:",
        "  people:",
        "    columns:",
        "      postcode: { transform: digits, keepPrefix: 1 }",
        "      ext_id:   { transform: uuid }",
        "      street:   { transform: address }",
        "      ip:       { transform: ip, version: 4 }",
        "      born:     { transform: date, keep: year }",
        "      photo:    { transform: blob, fill: placeholder }",
        "      profile:",
        "        transform: json",
        "        paths:",
        '          - { path: "$.contact.email", transform: email, domain: staging.test }',
        '          - { path: "$.nick", transform: null }',
      ].join("\n"),
      "rules.yaml",
    );
    const cols = (rules.tables.people as { columns: Record<string, TransformSpec> }).columns;
    expect(cols.born).toEqual({ transform: "date", keep: "year" });
    expect(cols.profile).toEqual({
      transform: "json",
      paths: [
        { path: "$.contact.email", transform: "email", domain: "staging.test" },
        { path: "$.nick", transform: null },
      ],
    });
    const bad = (line: string) => {
      try {
        loadRules(["tables:", "  people:", "    columns:", line].join("\n"), "rules.yaml");
      } catch (e) {
        return (e as SanitizeError).problems.join("\n");
      }
      return "";
    };
    expect(bad("      born: { transform: date, keep: day }")).toMatch(/rules\.yaml:4 .*born\.keep.*expected one of year, month/);
    expect(bad("      ip: { transform: ip, version: 6 }")).toMatch(/rules\.yaml:4 .*ip\.version/);
    expect(bad('      p: { transform: json, paths: [{ path: "contact", transform: email }] }')).toMatch(/rules\.yaml:4 .*paths/);
  });
});
