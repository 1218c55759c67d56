/**
 * A dense unique column masked with a permutation collides mid-run with rows not masked yet
 * (the database checks each row as it is written). The run refuses before writing anything,
 * and the error says why and what works instead; the suggested rule then masks it.
 */
import { describe, expect, it } from "vitest";
import { SanitizeError, sanitize } from "../sanitize/index";
import { engines, freshDatabase } from "./harness/db";

const KEY = "unique-collision-key-0123456789abcdef";

describe.each(engines)("a dense unique phone column on %s", (engine) => {
  it("is refused with the cause and a rule that works, nothing written; that rule then masks it", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, phone varchar(20) NOT NULL UNIQUE)");
    // 2,000 of the 10,000 numbers after the kept "+1 555 ": every permuted value has a 1 in 5
    // chance of being another row's original.
    const rows = Array.from({ length: 2000 }, (_, i) => `(${i}, '+1 555 ${String(i * 5).padStart(4, "0")}')`);
    await db.exec(`INSERT INTO t VALUES ${rows.join(",")}`);
    const before = await db.exec("SELECT id, phone FROM t ORDER BY id");

    const err = await sanitize({
      target: db.target,
      rules: "tables:\n  t:\n    columns:\n      phone: { transform: phone, keepPrefix: 7 }\n",
      maskingKey: KEY,
      coverage: "off",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    const message = (err as SanitizeError).message;
    expect(message).toMatch(/masking fails on its first rows/);
    expect(message).toMatch(/can collide with rows not masked yet/);
    expect(message).toMatch(/transform: template, value: "\+0 000 \{id\}"/);
    expect(message).not.toMatch(/\+1 555 \d{4}/); // no original value in the message
    expect(await db.exec("SELECT id, phone FROM t ORDER BY id")).toEqual(before);

    const r = await sanitize({
      target: db.target,
      rules: 'tables:\n  t:\n    columns:\n      phone: { transform: template, value: "+0 000 {id}" }\n',
      maskingKey: KEY,
      coverage: "off",
    });
    expect(r.verified, JSON.stringify(r.checks)).toBe(true);
    expect(await db.exec("SELECT phone FROM t WHERE id = 7")).toEqual([{ phone: "+0 000 7" }]);
  });
});
