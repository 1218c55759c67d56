import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sanitize, verify } from "../sanitize/index";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";
import { runUntilKilled } from "./harness/kill-run";

const KEY = "resume-test-key-0123456789abcdef";
const ROOT = join(__dirname, "..");
const ROWS = 1000;
const rules = `
tables:
  people:
    columns:
      email: { transform: email }
`;

const original = (i: number) => `someone.${i}@corp.test`;
const masked = (v: string) => `u${createHmac("sha256", KEY).update(v, "utf8").digest("hex").slice(0, 20)}@example.com`;

async function people(db: TestDatabase): Promise<void> {
  await db.exec("CREATE TABLE people (id int NOT NULL PRIMARY KEY, email varchar(255) NOT NULL UNIQUE)");
  const values = Array.from({ length: ROWS }, (_, k) => `(${k + 1}, '${original(k + 1)}')`);
  for (let i = 0; i < values.length; i += 500) await db.exec(`INSERT INTO people VALUES ${values.slice(i, i + 500).join(",")}`);
}

beforeAll(() => {
  // The child requires the compiled library, built once by the global setup
  // (test/harness/global-setup.ts): rebuilding here would race other files' children.
  expect(existsSync(join(ROOT, "dist/sanitize/index.js"))).toBe(true);
});

describe.each(engines)("kill -9 mid-run and resume on %s", (engine) => {
  it("resumes after the last committed chunk and masks every row exactly once", async () => {
    const db = await freshDatabase(engine);
    await people(db);

    const first = await runUntilKilled({ target: db.target, rules, maskingKey: KEY, chunkSize: 50, parallelism: 1 }, 2);
    expect(first.signal).toBe("SIGKILL");
    expect(first.lines.some((l) => l.startsWith("report "))).toBe(false);
    expect(first.lines.filter((l) => l.startsWith("progress "))).toHaveLength(2);

    // Exactly the first two chunks were committed, nothing else.
    const changed = Number(await db.scalar("SELECT COUNT(*) FROM people WHERE email LIKE '%@example.com'"));
    expect(changed).toBe(100);

    // Until a run finishes the job, verify says so (and the unmasked rows fail their checks).
    const partial = await verify({ target: db.target, rules, maskingKey: KEY });
    expect(partial.verified).toBe(false);
    expect(partial.checks.find((c) => c.name.endsWith("people: masking complete"))?.detail).toMatch(/^2 of 21 chunks done/);

    const report = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 50 });
    expect(report.resumed).toBe(true);
    expect(report.alreadyDone).toBe(false);
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    expect(report.tables[0].rows).toBe(ROWS - 100);

    const rows = await db.exec("SELECT id, email FROM people ORDER BY id");
    expect(rows).toHaveLength(ROWS);
    // HMAC of the ORIGINAL: a row masked twice would hold the HMAC of the HMAC instead.
    for (const r of rows) expect(r.email).toBe(masked(original(Number(r.id))));
    expect(report.checks.find((c) => c.name.endsWith("no rows appeared since masking"))?.passed).toBe(true);
    expect(report.checks.find((c) => c.name.endsWith("masking complete"))?.passed).toBe(true);
    // Digests were sampled chunk by chunk, in each chunk's own transaction: the killed run's
    // two chunks kept theirs, so every row the leak check samples is spread over the table.
    const leak = report.checks.find((c) => c.name.endsWith("people.email: no original values left"));
    expect(leak?.passed).toBe(true);
    expect(leak?.detail).toBe("0 of 100 sampled rows still hold their original value");

    // A re-run writes nothing and checks everything again.
    const again = await sanitize({ target: db.target, rules, maskingKey: KEY, chunkSize: 50 });
    expect(again.alreadyDone).toBe(true);
    expect(again.resumed).toBe(false);
    expect(again.verified).toBe(true);
    expect(again.checks.map((c) => c.name)).toEqual(report.checks.map((c) => c.name));
  });
});
