import { describe, expect, it } from "vitest";
import { engines, freshDatabase } from "./harness/db";

describe.each(engines)("test harness on %s", (engine) => {
  it("gives each test its own empty database on a real server", async () => {
    const a = await freshDatabase(engine);
    const b = await freshDatabase(engine);
    expect(a.name).not.toBe(b.name);
    await a.exec("CREATE TABLE t (id int primary key)");
    await a.exec("INSERT INTO t VALUES (1), (2)");
    expect(Number(await a.scalar("SELECT COUNT(*) FROM t"))).toBe(2);
    await expect(b.scalar("SELECT COUNT(*) FROM t")).rejects.toThrow();
  });
});
