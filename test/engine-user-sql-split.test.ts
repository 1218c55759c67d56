/**
 * Issue 8 §6: the masking key is never a parameter of a statement that contains SQL the rules
 * author wrote. A rule with `where` or `sql` expressions next to keyed transforms runs each
 * chunk in two steps (sanitize/mask-chunk.ts): user SQL into a work table without the key,
 * then the keyed UPDATE without user SQL. Every statement the sanitizer sends is recorded
 * here (through the real drivers, on real servers) and checked.
 */
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { render } from "../sanitize/core/sql";
import type { Connection } from "../sanitize/core/types";
import { getDialect } from "../sanitize/dialect";
import { plan, sanitize } from "../sanitize/index";
import { engines, freshDatabase } from "./harness/db";

const KEY = "split-key-0123456789abcdef";
const hmacEmail = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;
const WHERE = "id % 3 <> 0";
const EXPR = "concat('ref-', id * 7)";

const rules = `
tables:
  people:
    where: "${WHERE}"
    columns:
      email: { transform: email }
      ref: { transform: sql, expression: "${EXPR}" }
      label: { transform: template, value: "{ref}/{id}" }
      first_name: { transform: name, kind: first }
`;

afterEach(() => vi.restoreAllMocks());

/** Records every statement sent on every connection the sanitizer opens. */
function recordStatements(engine: "postgres" | "mysql") {
  const dialect = getDialect(engine);
  const sent: { text: string; secret: boolean }[] = [];
  const connect = dialect.connect.bind(dialect);
  vi.spyOn(dialect, "connect").mockImplementation(async (...args) => {
    const conn = await connect(...args);
    const wrap = (c: Connection): Connection => ({
      ...c,
      query: (q) => {
        sent.push({ text: render(q, dialect.quoter).text, secret: q.pieces.some((p) => p.kind === "param" && p.param.secret) });
        return c.query(q);
      },
      transaction: (fn) => c.transaction((tx) => fn(wrap(tx))),
    });
    return wrap(conn);
  });
  return sent;
}

describe.each(engines)("user SQL and the masking key never share a statement (%s)", (engine) => {
  it("masks exactly the rows `where` selects, `sql` values from the original row, templates reading them; no keyed statement holds user SQL", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      `CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255), ref varchar(64), label varchar(100), first_name varchar(40))`,
    );
    const values = Array.from(
      { length: 90 },
      (_, k) => `(${k + 1}, 'p${k + 1}@corp.test', 'orig-${k + 1}', 'label-${k + 1}', 'Realname${k + 1}')`,
    );
    await db.exec(`INSERT INTO people VALUES ${values.join(",")}`);
    const sent = recordStatements(engine);

    const report = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 20, coverage: "off" });
    expect(report.verified, JSON.stringify(report.checks.filter((c) => !c.passed))).toBe(true);

    // The wall: no statement carrying key material contains the author's SQL.
    const keyed = sent.filter((s) => s.secret);
    expect(keyed.length).toBeGreaterThan(0);
    for (const s of keyed) {
      expect(s.text).not.toContain(WHERE);
      expect(s.text).not.toContain("'ref-'");
    }
    // ...and the author's SQL did run (in the key-free step).
    expect(sent.some((s) => !s.secret && s.text.includes(WHERE) && s.text.includes("'ref-'"))).toBe(true);

    const rows = await db.exec("SELECT id, email, ref, label, first_name FROM people ORDER BY id");
    for (const r of rows) {
      const id = Number(r.id);
      if (id % 3 === 0) {
        expect(r).toEqual({ id: r.id, email: `p${id}@corp.test`, ref: `orig-${id}`, label: `label-${id}`, first_name: `Realname${id}` });
      } else {
        expect(r.email).toBe(hmacEmail(`p${id}@corp.test`));
        expect(r.ref).toBe(`ref-${id * 7}`);
        // the template reads the masked value of `ref`, never its original
        expect(r.label).toBe(`ref-${id * 7}/${id}`);
        expect(String(r.first_name)).not.toMatch(/^Realname/);
      }
    }
  });

  it("plan shows both steps", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      `CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255), ref varchar(64), label varchar(100), first_name varchar(40))`,
    );
    const p = await plan({ target: db.target, rules, maskingKey: KEY, coverage: "off" });
    const statements = p.statements.join("\n");
    expect(statements).toMatch(/aurora_staging_work/);
    expect(statements).toContain(WHERE);
    expect(statements).toMatch(/<secret>/);
  });
});
