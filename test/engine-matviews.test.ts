/**
 * Issue 8 §5: a PostgreSQL materialized view over personal columns keeps a copy of the
 * original data. Every run refreshes the views that read sanitized tables, and every run
 * and `verify` check, now, that each view holds exactly what its query returns.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sanitize, verify } from "../sanitize/index";
import { freshDatabase } from "./harness/db";

const KEY = "matview-key-0123456789abcdef";
const masked = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;
const rules = `
tables:
  people:
    columns:
      email: { transform: email }
keep: [people.city]
`;

async function setup() {
  const db = await freshDatabase("postgres");
  await db.exec(`
    CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, city text);
    INSERT INTO people SELECT g, 'person' || g || '@corp.test', 'city' || (g % 3) FROM generate_series(1, 50) g;
    CREATE MATERIALIZED VIEW people_by_city AS SELECT city, email FROM people;
    CREATE MATERIALIZED VIEW city_counts AS SELECT city, count(*) AS n FROM people_by_city GROUP BY city;`);
  return db;
}

describe("materialized views (postgres)", () => {
  it("refreshes every view reading a sanitized table, sources first, and checks each holds what its query returns", async () => {
    const db = await setup();
    const report = await sanitize({ target: db.target, rules, maskingKey: KEY });
    expect(report.verified, JSON.stringify(report.checks.filter((c) => !c.passed))).toBe(true);
    const views = await db.exec("SELECT email FROM people_by_city ORDER BY email");
    expect(views).toHaveLength(50);
    for (const v of views) expect(String(v.email)).toMatch(/^u[0-9a-f]{20}@example\.com$/);
    expect(views.map((v) => v.email).sort()).toEqual(Array.from({ length: 50 }, (_, i) => masked(`person${i + 1}@corp.test`)).sort());
    const fresh = report.checks.filter((c) => c.name.includes("materialized view holds what its query returns now"));
    expect(fresh.map((c) => c.name.split(":")[0]).sort()).toEqual(["public.city_counts", "public.people_by_city"]);
    expect(fresh.every((c) => c.passed)).toBe(true);
  });

  it("verify fails a stale view, naming it", async () => {
    const db = await setup();
    expect((await sanitize({ target: db.target, rules, maskingKey: KEY })).verified).toBe(true);
    await db.exec("UPDATE people SET city = 'elsewhere' WHERE id <= 5");
    const result = await verify({ target: db.target, rules, maskingKey: KEY });
    expect(result.verified).toBe(false);
    const stale = result.checks.find((c) => c.name === "public.people_by_city: materialized view holds what its query returns now");
    expect(stale?.passed).toBe(false);
    expect(stale?.detail).toMatch(/stale/);
    // The next run refreshes it again.
    expect((await sanitize({ target: db.target, rules, maskingKey: KEY })).verified).toBe(true);
  });
});
