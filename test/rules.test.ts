import type { ValidateFunction } from "ajv";
import { compileValidator } from "../sanitize/rules/schema";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import Ajv from "ajv";
import { parse } from "yaml";
import { hashRules, loadRules, parseRules, rulesSchema } from "../sanitize/rules";
import { SanitizeError } from "../sanitize/core/types";
import { transformNames, transforms } from "../sanitize/transforms";

const GOOD = `# yaml-language-server: $schema=../sanitize/rules/rules.schema.json
tables:
  users:                               # or schema.table
    where: "id > 0"
    columns:
      email:         { transform: email }
      phone:         { transform: fixed, value: "555-000-0000" }
      first_name:    { transform: template, value: "FirstName_{id}" }
      last_name:     { transform: template, value: "LastName_{id}" }
      password_hash: { transform: fixed, value: "$2b$12$LJ3m4ys8Kqx.staged.hash.for.testing.only" }
  orders:
    columns:
      customer_email: { transform: email }
  payment_audit_log: { truncate: true }
  session_tokens:    { truncate: true, cascade: true }
  support_tickets:   { delete: "closed_at < '2024-01-01'" }
  billing.cards:
    delete: "expired"
    columns:
      note:   { transform: null }
      number: { transform: partial, keepLast: 4 }
keep: [users.email_verified, billing.cards.id, audit.*]
verify:
  - { name: no real emails, sql: "SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@example.com'", expect: 0 }
`;

/** The SanitizeError's message, asserting the type. */
function problemsOf(text: string): string[] {
  try {
    loadRules(text, "rules.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(SanitizeError);
    expect((e as SanitizeError).kind).toBe("rules");
    return (e as SanitizeError).problems;
  }
  throw new Error("expected the rules to be rejected");
}

describe("loadRules", () => {
  it("normalises the documented example", () => {
    const r = loadRules(GOOD, "rules.yaml");
    expect(r.tables.users).toEqual({
      kind: "mask",
      where: "id > 0",
      columns: {
        email: { transform: "email" },
        phone: { transform: "fixed", value: "555-000-0000" },
        first_name: { transform: "template", value: "FirstName_{id}" },
        last_name: { transform: "template", value: "LastName_{id}" },
        password_hash: { transform: "fixed", value: "$2b$12$LJ3m4ys8Kqx.staged.hash.for.testing.only" },
      },
    });
    expect(r.tables.payment_audit_log).toEqual({ kind: "truncate", cascade: false });
    expect(r.tables.session_tokens).toEqual({ kind: "truncate", cascade: true });
    expect(r.tables.support_tickets).toEqual({ kind: "delete", delete: "closed_at < '2024-01-01'" });
    expect(r.tables["billing.cards"]).toEqual({
      kind: "mask",
      delete: "expired",
      columns: { note: { transform: "null" }, number: { transform: "partial", keepLast: 4 } },
    });
    expect(r.keep).toEqual(["users.email_verified", "billing.cards.id", "audit.*"]);
    expect(r.verify).toEqual([
      { name: "no real emails", sql: "SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@example.com'", expect: 0 },
    ]);
  });

  it("the shipped default rules load and use the documented transforms", () => {
    const r = loadRules(readFileSync(join(__dirname, "../sanitize/default-rules.yaml"), "utf8"), "default-rules.yaml");
    expect(r.tables.users.kind).toBe("mask");
    expect(r.tables.session_tokens).toEqual({ kind: "truncate", cascade: false });
    expect(r.keep.length).toBeGreaterThan(0);
  });

  it("the rules hash ignores layout and comments but changes with content", () => {
    const r = loadRules(GOOD);
    const relaid = loadRules(GOOD.replace(/ {2,}#.*$/gm, "").replace("{ transform: email }", "\n        transform: email"));
    expect(hashRules(relaid)).toBe(hashRules(r));
    expect(hashRules(r)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRules(loadRules(GOOD.replace("FirstName_{id}", "First_{id}")))).not.toBe(hashRules(r));
  });

  it("locates paths for later errors (e.g. the planner's unknown table)", () => {
    const { locate } = parseRules(GOOD, "rules.yaml");
    expect(locate(["tables", "orders", "columns", "customer_email"])).toEqual({ path: "tables.orders.columns.customer_email", line: 13 });
    expect(locate(["verify", 0, "sql"]).line).toBe(24);
  });

  it("malformed YAML gives the line", () => {
    const p = problemsOf("tables:\n  users:\n    columns: { email: { transform: email }\n  orders: {}\n");
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^rules\.yaml:\d+: invalid YAML: /);
    expect(problemsOf("tables:\n  a: { truncate: true }\n  a: { truncate: true }\n")[0]).toMatch(
      /^rules\.yaml:3: invalid YAML: Map keys must be unique/,
    );
  });

  it("unknown transform names the path, the line and the choices", () => {
    const p = problemsOf("tables:\n  users:\n    columns:\n      id_ok: { transform: hash }\n      email: { transform: emial }\n");
    expect(p).toEqual([
      `rules.yaml:5 tables.users.columns.email: unknown transform "emial"; expected one of fixed, null, template, email, hash, phone, name, partial, sql, digits, uuid, address, ip, date, blob, json`,
    ]);
    // Block style: the line is the one holding the bad name.
    expect(problemsOf("tables:\n  users:\n    columns:\n      email:\n        domain: x.io\n        transform: emial\n")[0]).toMatch(
      /^rules\.yaml:6 tables\.users\.columns\.email: unknown transform "emial"/,
    );
  });

  it("unknown option and wrong types, all reported at once, in file order", () => {
    const p = problemsOf(
      [
        "tables:",
        "  users:",
        "    columns:",
        "      phone: { transform: phone, keepPrefx: 2 }",
        '      h: { transform: hash, length: "12" }',
        "      h2: { transform: hash, length: 100 }",
        "      n: { transform: name, kind: middle }",
        "      f: { transform: fixed }",
        "      p: { transform: partial, mask: '**' }",
        "  orders: { colums: {} }",
        "verify:",
        "  - { name: x, sql: 'select 1', expect: [1] }",
        "extra: 1",
      ].join("\n"),
    );
    expect(p).toEqual([
      `rules.yaml:4 tables.users.columns.phone.keepPrefx: unknown option "keepPrefx" for transform "phone"; did you mean "keepPrefix"? expected one of keepPrefix`,
      "rules.yaml:5 tables.users.columns.h.length: must be an integer, got a string",
      "rules.yaml:6 tables.users.columns.h2.length: 100 is above the maximum 64",
      `rules.yaml:7 tables.users.columns.n.kind: "middle" is not allowed; expected one of first, last, full`,
      `rules.yaml:8 tables.users.columns.f: missing required "value"`,
      "rules.yaml:9 tables.users.columns.p.mask: must be at most 1 character",
      `rules.yaml:10 tables.orders.colums: unknown key "colums"; did you mean "columns"? expected one of columns, where, delete, truncate, cascade`,
      'rules.yaml:10 tables.orders: the table entry does nothing: add `columns`, `truncate: true` or `delete: "condition"`, or remove the table',
      "rules.yaml:12 verify[0].expect: must be a number or a string, got a list",
      `rules.yaml:13 extra: unknown key "extra"; expected one of tables, keep, verify, databases, logins`,
    ]);
  });

  it("a bare transform name instead of a mapping gets a hint", () => {
    expect(problemsOf("tables:\n  users:\n    columns:\n      email: email\n")).toEqual([
      "rules.yaml:4 tables.users.columns.email: must be a mapping, got a string (write { transform: email })",
    ]);
  });

  it("contradictory table entries are explained", () => {
    const p = problemsOf(
      [
        "tables:",
        "  logs:",
        "    truncate: true",
        "    columns: { a: { transform: null } }",
        "  t2: { cascade: true }",
        "  t3: { where: 'a > 1' }",
        "  t4: { columns: {} }",
      ].join("\n"),
    );
    expect(p).toHaveLength(4);
    expect(p[0]).toMatch(/^rules\.yaml:4 tables\.logs\.columns: truncate can't be combined with columns/);
    expect(p[1]).toMatch(/^rules\.yaml:5 tables\.t2\.cascade: cascade only applies to `truncate: true`/);
    expect(p[2]).toMatch(/^rules\.yaml:6 tables\.t3\.where: where only selects .* use `delete/);
    expect(p[3]).toMatch(/^rules\.yaml:7 tables\.t4\.columns: columns is empty/);
  });

  it("bad keep entries, bad table names, template syntax and duplicate verify names", () => {
    const p = problemsOf(
      [
        "tables:",
        "  a.b.c: { truncate: true }",
        "  u:",
        "    columns:",
        "      t: { transform: template, value: 'x_{id' }",
        'keep: [users, "a b.c", users.*, "x.*.y", \'"my.t".e\', \'"open.e\']',
        "verify:",
        "  - { name: n, sql: 'select 1', expect: 1 }",
        "  - { name: n, sql: 'select 2', expect: 2 }",
      ].join("\n"),
    );
    expect(p).toEqual([
      `rules.yaml:2 tables.a.b.c: bad table name "a.b.c"; expected table or schema.table (at most one dot)`,
      `rules.yaml:5 tables.u.columns.t.value: template "x_{id" has a "{" without a matching "}" at character 3; write "{{" for a literal brace.`,
      `rules.yaml:6 keep[0]: bad keep entry "users"; expected table.column, schema.table.column or table.* (write a name holding a dot in double quotes: "my.table".column)`,
      `rules.yaml:6 keep[3]: bad keep entry "x.*.y"; expected table.column, schema.table.column or table.* (write a name holding a dot in double quotes: "my.table".column)`,
      `rules.yaml:6 keep[5]: bad keep entry "\\"open.e"; expected table.column, schema.table.column or table.* (write a name holding a dot in double quotes: "my.table".column)`,
      `rules.yaml:9 verify[1].name: verify name "n" is used twice; give each check its own name`,
    ]);
  });

  it("an empty file or a list instead of a mapping", () => {
    expect(problemsOf("")).toEqual(["rules.yaml:1: the rules file is empty; expected a mapping with `tables:` (see docs/rules.md)"]);
    expect(problemsOf("tables: []")).toEqual(["rules.yaml:1 tables: must be a mapping, got a list"]);
  });
});

describe("the published JSON Schema", () => {
  it("lists every transform, describes each one, and accepts the documented example", () => {
    const schema = rulesSchema as unknown as {
      definitions: Record<string, { description?: string; properties?: Record<string, unknown> }>;
    };
    const variant = schema.definitions.transform as unknown as { properties: { transform: { enum: string[] } } };
    expect(variant.properties.transform.enum.filter((x) => x !== null)).toEqual(transformNames);
    for (const n of transformNames) {
      expect(schema.definitions[n].description?.length, n).toBeGreaterThan(30);
      expect(transforms[n].summary.length).toBeGreaterThan(10);
    }
    const validate = new Ajv({ strict: false }).compile(rulesSchema);
    expect(validate(parse(GOOD))).toBe(true);
    expect(validate(parse("tables: { u: { columns: { e: { transform: email, domain: 'bad domain' } } } }"))).toBe(false);
  });
});

describe("the build's precompiled schema validator", () => {
  // `npm run build` (and the test global setup) writes dist/sanitize/rules/rules-validator.js;
  // the library uses it instead of compiling the schema at run time. It must judge exactly
  // like the validator compiled from the schema.
  it("gives the same verdicts and errors as compiling the schema at run time", () => {
    const file = join(__dirname, "..", "dist", "sanitize", "rules", "rules-validator.js");
    const pre = require(file) as { default?: ValidateFunction } & ValidateFunction;
    const precompiled = pre.default ?? pre;
    const runtime = compileValidator();
    const docs: unknown[] = [
      { tables: { users: { columns: { email: { transform: "email" } } } } },
      { tables: { users: { columns: { email: { transform: "emial" } } } } },
      { tables: { users: { columns: { x: { transform: "fixed", vlue: 1 } } } }, keep: ["a"] },
      { tables: { t: { truncate: "yes" } }, verify: [{ name: 1 }] },
      { tabels: {} },
    ];
    for (const doc of docs) {
      const a = precompiled(doc);
      const b = runtime(doc);
      expect(a).toBe(b);
      const strip = (errs: typeof runtime.errors) => (errs ?? []).map((e) => ({ ...e, schema: undefined, parentSchema: undefined }));
      expect(strip(precompiled.errors)).toEqual(strip(runtime.errors));
    }
    expect(docs.filter((d) => runtime(d)).length).toBe(1);
  });
});

describe("loading limits", () => {
  const BOMB = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...["b", "c", "d", "e", "f", "g", "h", "i"].map((k, n) => `${k}: &${k} [${Array(9).fill(`*${"abcdefgh"[n]}`).join(",")}]`),
    "tables: *i",
  ].join("\n");

  it("a YAML bomb (billion laughs) is a rules error with file:line, not an unexpected crash", () => {
    const p = problemsOf(BOMB);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^rules\.yaml:2: invalid YAML: .*billion laughs/);
  });

  it("a key written twice in one mapping is found at its line, at any depth", () => {
    expect(problemsOf("tables:\n  users:\n    columns:\n      email: { transform: email }\n      email: { transform: hash }\n")[0]).toMatch(
      /^rules\.yaml:5: invalid YAML: Map keys must be unique: "email" appears twice/,
    );
  });

  /** ~3 MB: `tables` entries with three columns each plus as many `keep` entries; 100k entries in all. */
  function bigRules(tables: number, broken = false): string {
    const lines = ["tables:"];
    for (let t = 0; t < tables; t++) {
      lines.push(
        `  t${t}:`,
        "    columns:",
        "      email: { transform: email }",
        "      phone: { transform: phone }",
        `      notes: { transform: ${broken ? "nul" : '"null"'} }`,
      );
    }
    lines.push("keep:");
    for (let t = 0; t < tables; t++) lines.push(`  - t${t}.created_at`);
    return lines.join("\n") + "\n";
  }

  const cpuMs = (fn: () => void): number => {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };

  // Timing bounds here only guard against quadratic blow-up (the loader took > 120 s on this
  // file): CPU time, not wall time, so a busy machine doesn't fail it, and a generous bound.
  it("a 3 MB file of 100k entries loads in linear time, and 25k located problems too", () => {
    const text = bigRules(25_000);
    expect(text.length).toBeGreaterThan(2_500_000);
    let rules: ReturnType<typeof loadRules> | undefined;
    const full = cpuMs(() => (rules = loadRules(text, "big.yaml")));
    expect(Object.keys(rules!.tables)).toHaveLength(25_000);
    expect(rules!.keep).toHaveLength(25_000);
    expect(full).toBeLessThan(10_000);
    // Linear: a quarter of the file takes about a quarter of the time (quadratic would be 1/16).
    const quarter = cpuMs(() => loadRules(bigRules(6_250), "big.yaml"));
    expect(full / quarter).toBeLessThan(8);

    let problems: string[] = [];
    const broken = cpuMs(() => {
      try {
        loadRules(bigRules(25_000, true), "big.yaml");
      } catch (e) {
        problems = (e as SanitizeError).problems;
      }
    });
    expect(problems).toHaveLength(25_000);
    expect(problems[24_999]).toMatch(/^big\.yaml:\d+ tables\.t24999\.columns\.notes: unknown transform "nul"/);
    expect(broken).toBeLessThan(15_000);
    console.log(
      `rules loading: ${text.length} bytes, 100k entries: ${Math.round(full)} ms CPU; quarter ${Math.round(quarter)} ms; 25k problems ${Math.round(broken)} ms`,
    );
  });
});
