/**
 * The planner runs every rules SQL fragment through core/fragment's checks and reports what
 * they find as rules errors naming the key; a refused fragment never reaches the database.
 * The checks themselves are tested in test/fragment.test.ts: here they are stand-ins that
 * refuse any fragment containing REFUSE, so this file tests only the wiring.
 */
import { describe, expect, it, vi } from "vitest";
import { plan, SanitizeError } from "../sanitize/index";
import { engines, freshDatabase } from "./harness/db";

vi.mock("../sanitize/core/fragment", () => ({
  checkExpression: (text: string, engine: string) => (text.includes("REFUSE") ? [`is refused (expression, ${engine})`] : []),
  checkQuery: (text: string, engine: string) => (text.includes("REFUSE") ? [`is refused (query, ${engine})`] : []),
}));

describe.each(engines)("rules SQL fragments on %s", (engine) => {
  it("reports each refused fragment under its key and never sends it to the database", async () => {
    const db = await freshDatabase(engine);
    await db.exec(
      "CREATE TABLE people (id int PRIMARY KEY, email varchar(100), note varchar(100)); CREATE TABLE logs (id int PRIMARY KEY)",
    );
    const refused = "REFUSE";
    const err = await plan({
      target: db.target,
      coverage: "off",
      rules: {
        tables: {
          people: { kind: "mask", where: refused, delete: refused, columns: { note: { transform: "sql", expression: refused } } },
          logs: { kind: "delete", delete: refused },
        },
        keep: [],
        verify: [
          { name: "fine", sql: "SELECT 1", expect: 1 },
          { name: "bad", sql: refused, expect: 1 },
        ],
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    // Exactly these: had EXPLAIN run on them, the database would have added "not valid" errors.
    expect((err as SanitizeError).problems.sort()).toEqual(
      [
        `tables.people.delete: is refused (expression, ${engine})`,
        `tables.people.where: is refused (expression, ${engine})`,
        `tables.people.columns.note.expression: is refused (expression, ${engine})`,
        `tables.logs.delete: is refused (expression, ${engine})`,
        `verify[1].sql (check "bad"): is refused (query, ${engine})`,
      ].sort(),
    );
    expect((err as SanitizeError).kind).toBe("rules");
  });

  it("still has the database check fragments that pass the parser (EXPLAIN)", async () => {
    const db = await freshDatabase(engine);
    await db.exec("CREATE TABLE people (id int PRIMARY KEY, email varchar(100))");
    const err = await plan({
      target: db.target,
      coverage: "off",
      rules: { tables: { people: { kind: "delete", delete: "no_such_column = 1" } }, keep: [], verify: [] },
    }).catch((e: unknown) => e);
    expect((err as SanitizeError).problems).toHaveLength(1);
    expect((err as SanitizeError).problems[0]).toMatch(/^tables\.people: the delete condition .* is not valid for .*people/);
  });
});
