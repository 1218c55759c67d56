import { describe, expect, it } from "vitest";
import { sanitize } from "../sanitize/index";
import { engines, freshDatabase } from "./harness/db";

const KEY = "bigkeys-test-key-0123456789abcdef";

describe.each(engines)("chunking on big keys on %s", (engine) => {
  it("chunks bigint keys beyond 2^53 exactly (no row skipped or masked twice)", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE events (id bigint NOT NULL PRIMARY KEY, email varchar(255))");
    // 2^60 + k: as doubles these are all the same number
    const base = 2n ** 60n;
    const values = Array.from({ length: 10 }, (_, k) => `(${base + BigInt(k)}, 'p${k}@corp.test')`).join(",");
    await db.exec(`INSERT INTO events VALUES ${values}`);
    const report = await sanitize({
      target: db.target,
      rules: "tables:\n  events:\n    columns:\n      email: { transform: email }\n",
      maskingKey: KEY,
      chunkSize: 3,
    });
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    expect(report.tables[0].rows).toBe(10);
    expect(report.tables[0].chunks).toBe(4); // 3 + 3 + 3, then the open-ended last chunk with 1 row
    expect(Number(await db.scalar("SELECT COUNT(*) FROM events WHERE email LIKE '%@example.com'"))).toBe(10);
  });

  it("chunks text keys in the database's own order", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE codes (code varchar(20) NOT NULL PRIMARY KEY, email varchar(255))");
    const codes = ["a", "B", "c", "D", "e-1", "e_2", "Z", "zz", "0", "9"];
    await db.exec(`INSERT INTO codes VALUES ${codes.map((c, i) => `('${c}', 'p${i}@corp.test')`).join(",")}`);
    const report = await sanitize({
      target: db.target,
      rules: "tables:\n  codes:\n    columns:\n      email: { transform: email }\n",
      maskingKey: KEY,
      chunkSize: 3,
    });
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    expect(report.tables[0].rows).toBe(10);
  });
});
