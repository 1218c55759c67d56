/** The rules format for several databases (`databases:`) and kept logins (`logins.keep`). */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SanitizeError } from "../sanitize/core/types";
import { canonicalJson, hashRules, loadRules } from "../sanitize/rules";

const own = `tables:\n  users:\n    columns:\n      email: { transform: email }\n`;

function problems(text: string): string[] {
  try {
    loadRules(text, "rules.yaml");
  } catch (e) {
    if (e instanceof SanitizeError) return e.problems;
    throw e;
  }
  throw new Error("expected the rules to be refused");
}

describe("databases: and logins: in the rules", () => {
  it("reads drop, clean (with keep/verify) and per-database rules, and logins.keep", () => {
    const r = loadRules(
      `${own}databases:\n  legacy: { drop: true }\n  reports:\n    clean: true\n    keep: [totals.*]\n    verify: [{ name: n, sql: "SELECT 1", expect: 1 }]\n` +
        `  billing:\n    tables:\n      invoices: { truncate: true }\nlogins:\n  keep: [reporting_ro]\n`,
    );
    expect(r.databases).toEqual({
      legacy: { kind: "drop" },
      reports: {
        kind: "sanitize",
        clean: true,
        rules: { tables: {}, keep: ["totals.*"], verify: [{ name: "n", sql: "SELECT 1", expect: 1 }] },
      },
      billing: {
        kind: "sanitize",
        clean: false,
        rules: { tables: { invoices: { kind: "truncate", cascade: false } }, keep: [], verify: [] },
      },
    });
    expect(r.logins).toEqual({ keep: ["reporting_ro"] });
  });

  it("a single-database file stays valid, with no other databases and no kept logins, and hashes as before", () => {
    const r = loadRules(own);
    expect(r.databases).toEqual({});
    expect(r.logins).toEqual({ keep: [] });
    const legacy = createHash("sha256")
      .update(canonicalJson({ tables: r.tables, keep: r.keep, verify: r.verify }))
      .digest("hex");
    expect(hashRules(r)).toBe(legacy);
    expect(hashRules(loadRules(`${own}databases:\n  legacy: { drop: true }\n`))).not.toBe(legacy);
  });

  it("refuses entries that do nothing or contradict themselves, each with its line and the fix", () => {
    const p = problems(
      `${own}databases:\n  a: {}\n  b: { drop: true, clean: true }\n  c: { clean: true, tables: { t: { truncate: true } } }\n  d: { drop: false }\n  e:\n    tables:\n      t: { truncat: true }\n`,
    );
    expect(p).toEqual([
      expect.stringMatching(/^rules\.yaml:6 databases\.a: the database entry does nothing: write \{ drop: true \}, \{ clean: true \}/),
      expect.stringMatching(/^rules\.yaml:7 databases\.b\.clean: drop: true removes the database, so clean can't apply/),
      expect.stringMatching(/^rules\.yaml:8 databases\.c\.tables: clean: true keeps the database as it is/),
      expect.stringMatching(/^rules\.yaml:9 databases\.d\.drop: /),
      expect.stringMatching(/^rules\.yaml:12 databases\.e\.tables\.t\.truncat: unknown key "truncat"/),
      expect.stringMatching(/^rules\.yaml:12 databases\.e\.tables\.t: the table entry does nothing/),
    ]);
  });
});
