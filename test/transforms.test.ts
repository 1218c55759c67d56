import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { engines, freshDatabase } from "./harness/db";
import { param, render, sql } from "../sanitize/core/sql";
import { deriveMaskingKey } from "../sanitize/core/masking-key";
import * as pgDialect from "../sanitize/dialect/postgres/functions";
import * as myDialect from "../sanitize/dialect/mysql/functions";

const KEY = "test-masking-key-0123456789abcdef";
const dialects = { postgres: pgDialect, mysql: myDialect };

describe.each(engines)("SQL functions on %s", (engine) => {
  const { functions: fn, quoter } = dialects[engine];
  it("hmacHex equals Node's HMAC-SHA256, including non-ASCII input and long keys", async () => {
    const db = await freshDatabase(engine);
    const inputs = ["alice@example.org", "Zoë Ångström ✓ 日本", "", "x".repeat(300)];
    for (const key of [KEY, "k".repeat(100)]) {
      const mk = deriveMaskingKey(key);
      for (const input of inputs) {
        const r = render(sql`SELECT ${fn.hmacHex(param(input), mk)} AS h`, quoter);
        const got = await db.scalar(r.text, r.values);
        expect(got).toBe(createHmac("sha256", key).update(input, "utf8").digest("hex"));
        expect(r.display).not.toContain(key);
      }
    }
  });
});
