/**
 * Issue 13 §1: `scan` drafts rules that are safe to apply. A rental-business schema written
 * for this test (customers, staff with a picture and passwords, addresses, lookup tables):
 * the draft, applied unchanged with the masking key, is VERIFIED, leaves every lookup table's
 * data exactly as it was, masks the personal columns, and never quotes a sampled value.
 */
import { describe, expect, it } from "vitest";
import { sanitize, scan } from "../sanitize/index";
import { runCli } from "./harness/cli";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const KEY = "scan-draft-key-0123456789abcdef";
const CUSTOMERS = 40;
const LOOKUPS = ["country", "city", "language", "category", "film", "film_category", "department"];

const first = (i: number) => ["MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH"][i % 5];
const last = (i: number) => `SURNAME${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i * 7) % 26))}`;
const email = (i: number) => `${first(i).toLowerCase()}.${i}@rental.test`;

function ddl(db: TestDatabase): string {
  const blob = db.engine === "postgres" ? "bytea" : "longblob";
  return `
    CREATE TABLE country (country_id int PRIMARY KEY, country varchar(50) NOT NULL);
    CREATE TABLE city (city_id int PRIMARY KEY, city varchar(50) NOT NULL, country_id int NOT NULL REFERENCES country (country_id));
    CREATE TABLE address (address_id int PRIMARY KEY, address varchar(50) NOT NULL, address2 varchar(50) NULL, district varchar(20) NOT NULL,
      city_id int NOT NULL REFERENCES city (city_id), postal_code varchar(10) NULL, phone varchar(20) NOT NULL);
    CREATE TABLE language (language_id int PRIMARY KEY, name char(20) NOT NULL);
    CREATE TABLE category (category_id int PRIMARY KEY, name varchar(25) NOT NULL);
    CREATE TABLE film (film_id int PRIMARY KEY, title varchar(128) NOT NULL, description text, language_id int NOT NULL REFERENCES language (language_id));
    CREATE TABLE film_category (film_id int NOT NULL REFERENCES film (film_id), category_id int NOT NULL REFERENCES category (category_id), PRIMARY KEY (film_id, category_id));
    CREATE TABLE customer (customer_id int PRIMARY KEY, first_name varchar(45) NOT NULL, last_name varchar(45) NOT NULL, email varchar(50) NULL,
      address_id int NOT NULL REFERENCES address (address_id), notes text NULL, contact varchar(60) NULL, last_seen varchar(45) NULL, active boolean NOT NULL);
    CREATE TABLE staff (staff_id int PRIMARY KEY, first_name varchar(45) NOT NULL, last_name varchar(45) NOT NULL, address_id int NOT NULL REFERENCES address (address_id),
      picture ${blob} NULL, email varchar(50) NULL, username varchar(16) NOT NULL UNIQUE, password varchar(40) NULL);
    CREATE TABLE department (department_id int PRIMARY KEY, name varchar(40) NOT NULL);
    CREATE TABLE employee (employee_id int PRIMARY KEY, first_name varchar(45) NOT NULL, gender char(1) NOT NULL, birth_date date NULL, hire_date date NOT NULL,
      department_id int NOT NULL REFERENCES department (department_id), reason varchar(200) NULL);`;
}

async function load(db: TestDatabase): Promise<void> {
  await db.exec(ddl(db));
  const hex = "89504e470d0a1a0a0000000d49484452";
  const bytes = db.engine === "postgres" ? `decode('${hex}', 'hex')` : `X'${hex}'`;
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, k) => `(${f(k + 1)})`).join(", ");
  await db.exec(`
    INSERT INTO country VALUES ${rows(5, (i) => `${i}, 'Country ${i}'`)};
    INSERT INTO city VALUES ${rows(10, (i) => `${i}, 'Town${i}', ${1 + (i % 5)}`)};
    INSERT INTO address VALUES ${rows(CUSTOMERS + 2, (i) => `${i}, '${i} Main Road', NULL, 'Region ${i % 4}', ${1 + (i % 10)}, '${String(10000 + i * 37)}', '+1 555 ${String(1000000 + i).slice(1)}'`)};
    INSERT INTO language VALUES (1, 'English'), (2, 'Italian'), (3, 'Japanese');
    INSERT INTO category VALUES (1, 'Action'), (2, 'Comedy'), (3, 'Drama');
    INSERT INTO film VALUES ${rows(6, (i) => `${i}, 'FILM ${i}', 'A thoughtful drama of a boat and a dog in a castle', ${1 + (i % 3)}`)};
    INSERT INTO film_category VALUES ${rows(6, (i) => `${i}, ${1 + (i % 3)}`)};
    INSERT INTO customer VALUES ${rows(
      CUSTOMERS,
      (i) =>
        `${i}, '${first(i)}', '${last(i)}', '${email(i)}', ${i}, ${i % 4 === 0 ? `'called, ${last(i)} wants a refund'` : "NULL"}, '${email(i + 100)}', '203.0.113.${i}', true`,
    )};
    INSERT INTO staff VALUES (1, 'MIKE', 'HILLYER', ${CUSTOMERS + 1}, ${bytes}, 'mike.hillyer@rental.test', 'Mike', '8cb2237d0679ca88db6464eac60da96345513964'),
                             (2, 'JON', 'STEPHENS', ${CUSTOMERS + 2}, NULL, 'jon.stephens@rental.test', 'Jon', '8cb2237d0679ca88db6464eac60da96345513964');
    INSERT INTO department VALUES (1, 'Sales'), (2, 'Support');
    INSERT INTO employee VALUES ${rows(
      8,
      (i) =>
        `${i}, '${first(i)}', '${i % 2 ? "F" : "M"}', '198${i}-0${i}-1${i}', '2015-0${i}-0${i}', ${1 + (i % 2)}, ${i % 3 === 0 ? `'left, write to hr.case${i}@rental.test'` : "NULL"}`,
    )};`);
}

const snapshot = async (db: TestDatabase, table: string) => JSON.stringify(await db.exec(`SELECT * FROM ${table} ORDER BY 1, 2`));
const column = async (db: TestDatabase, sqlText: string) => (await db.exec(sqlText)).map((r) => Object.values(r)[0]);

describe.each(engines)("scan drafts safe rules (%s)", (engine) => {
  it("the draft applied unchanged is VERIFIED, keeps every lookup table, masks the personal columns, quotes no value", async () => {
    const db = await freshDatabase(engine, "scan");
    await load(db);
    const before = Object.fromEntries(await Promise.all(LOOKUPS.map(async (t) => [t, await snapshot(db, t)] as const)));
    const originals = {
      emails: await column(db, "SELECT email FROM customer ORDER BY customer_id"),
      contacts: await column(db, "SELECT contact FROM customer ORDER BY customer_id"),
      phones: await column(db, "SELECT phone FROM address ORDER BY address_id"),
      hires: (await column(db, "SELECT hire_date FROM employee ORDER BY employee_id")).map(String),
    };

    const { draft, columns } = await scan({ target: db.target });

    // Why each line is there: a name or pattern match, never a value.
    const ruleLines = draft.split("\n").filter((l) => /^ {6}\S/.test(l));
    for (const l of ruleLines) expect(l).toMatch(/# (name match: .+|pattern match: .+ in \d+% of \d+ sampled values|free text: .+)$/);
    for (const v of [
      ...originals.emails,
      ...originals.contacts,
      "HILLYER",
      "Main Road",
      "Region",
      "203.0.113",
      "Town",
      "refund",
      "8cb2237d",
    ])
      expect(draft).not.toContain(String(v));
    const drafted = (t: string, c: string) =>
      draft.split("\n").find((l) => new RegExp(`^ {6}${c}: `).test(l) && columns.some((x) => x.table.endsWith(`.${t}`) && x.column === c));
    expect(drafted("staff", "picture")).toMatch(/transform: blob/);
    expect(drafted("staff", "password")).toMatch(/transform: hash/);
    expect(drafted("address", "address2")).toMatch(/\{ transform: "null" \}.*all \d+ sampled values are NULL/);
    expect(drafted("address", "district")).toBeDefined();
    expect(drafted("employee", "gender")).toBeDefined();
    expect(drafted("employee", "hire_date")).toMatch(/transform: date/);
    expect(drafted("customer", "contact")).toMatch(/transform: email.*pattern match: email in 100% of 40 sampled values/);
    expect(drafted("customer", "last_seen")).toMatch(/transform: ip.*pattern match: IP address/);
    expect(drafted("customer", "notes")).toMatch(
      /transform: "null".*free text: 10 of 10 sampled values contain the row's own personal values/,
    );
    expect(drafted("employee", "reason")).toMatch(/free text: .*contain an email address or phone number/);
    expect(drafted("film", "description")).toBeUndefined();
    expect(draft).toMatch(/keep:\n(.*\n)* {2}- city\.city +# lookup table \(10 rows, referenced by 1 foreign key, named like "city"\)/);
    expect(draft).not.toMatch(/Example Street/);

    const run = await sanitize({ target: db.target, rules: draft, maskingKey: KEY });
    expect(run.verified, JSON.stringify(run.checks.filter((c) => !c.passed))).toBe(true);

    for (const t of LOOKUPS) expect(await snapshot(db, t), t).toBe(before[t]);
    const after = {
      emails: await column(db, "SELECT email FROM customer ORDER BY customer_id"),
      contacts: await column(db, "SELECT contact FROM customer ORDER BY customer_id"),
      phones: await column(db, "SELECT phone FROM address ORDER BY address_id"),
      hires: (await column(db, "SELECT hire_date FROM employee ORDER BY employee_id")).map(String),
    };
    for (const k of Object.keys(after) as (keyof typeof after)[])
      for (const [i, v] of after[k].entries()) expect(v, `${k}[${i}]`).not.toEqual(originals[k][i]);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM address WHERE address2 IS NOT NULL"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM customer WHERE notes IS NOT NULL"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM staff WHERE picture IS NOT NULL AND length(picture) > 0"))).toBe(0);
    expect(
      Number(
        await db.scalar(
          "SELECT COUNT(*) FROM staff WHERE password = '8cb2237d0679ca88db6464eac60da96345513964' OR last_name IN ('HILLYER', 'STEPHENS')",
        ),
      ),
    ).toBe(0);
  });

  it("the CLI lists what the draft masks and which lookup columns it keeps, with reasons and no sampled value", async () => {
    const db = await freshDatabase(engine, "scancli");
    await load(db);
    const r = await runCli(["scan", "--url", db.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/customer\.contact .*pattern match: email in 100% of 40 sampled values/);
    expect(r.stdout).toMatch(/lookup tables the draft keeps[^\n]*\n(.*\n)* {2}city\.city +\(lookup table/);
    for (const v of [email(1), "HILLYER", "203.0.113", "Town1", "refund"]) expect(r.stdout + r.stderr).not.toContain(v);
    const json = JSON.parse((await runCli(["scan", "--url", db.url, "--json"])).stdout) as { kept: { entry: string }[] };
    expect(json.kept.map((k) => k.entry).sort()).toEqual(["category.name", "city.city", "department.name", "language.name"]);
  });
});
