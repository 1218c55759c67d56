import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { engines, freshDatabase } from "./harness/db";
import { getDialect } from "../sanitize/dialect";
import { loadSample } from "../sanitize/local/sample";
import { coverage, draftRules, looksPersonal, splitKeepEntry, suggestSpec, words } from "../sanitize/coverage";
import { classifyColumn, lookupReason } from "../sanitize/scan-classify";
import { plan, SanitizeError } from "../sanitize/index";
import { loadRules } from "../sanitize/rules";
import type { ColumnInfo, Rules, SchemaInfo, TableInfo, TypeClass } from "../sanitize/core/types";
import { validateSpec } from "../sanitize/transforms";
import { parseTableKey } from "../sanitize/table-key";

function col(name: string, typeClass: TypeClass = "text", o: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name,
    rawType: typeClass === "text" ? "varchar(255)" : typeClass,
    typeClass,
    maxLength: typeClass === "text" ? 255 : undefined,
    nullable: true,
    unique: false,
    isPrimaryKey: false,
    generated: false,
    inUniqueIndex: false,
    ...o,
  };
}
const pk = (name = "id") => col(name, "integer", { isPrimaryKey: true, unique: true, nullable: false });
function table(schema: string, name: string, columns: ColumnInfo[]): TableInfo {
  return {
    schema,
    name,
    qualified: `${schema}.${name}`,
    columns,
    primaryKey: columns.filter((c) => c.isPrimaryKey).map((c) => c.name),
    estimatedRows: 10,
    hasTriggers: false,
    identity: `test/${name}`,
    partitioned: false,
  };
}
function schemaOf(tables: TableInfo[], fks: SchemaInfo["foreignKeys"] = []): SchemaInfo {
  return { defaultSchema: "public", tables: new Map(tables.map((t) => [t.qualified, t])), foreignKeys: fks, materializedViews: [] };
}
const rules = (r: Partial<Rules>): Rules => ({ tables: {}, keep: [], verify: [], ...r });

const SCHEMA = schemaOf(
  [
    table("public", "users", [
      pk(),
      col("email", "text", { unique: true }),
      col("first_name"),
      col("lastName"),
      col("username", "text", { unique: true, nullable: false }),
      col("phone"),
      col("email_verified", "boolean"),
      col("created_at", "timestamp"),
      col("status"),
      col("last_login_ip"),
    ]),
    table("public", "orders", [
      pk(),
      col("user_id", "integer"),
      col("customer_email"),
      col("shipping_method"),
      col("zip", "text", { maxLength: 10, rawType: "varchar(10)" }),
      col("total", "decimal"),
    ]),
    table("public", "session_tokens", [pk(), col("token")]),
    table("billing", "cards", [
      pk(),
      col("card_number", "text", { maxLength: 19, rawType: "varchar(19)", nullable: false }),
      col("holder_name"),
    ]),
  ],
  [
    {
      name: "fk",
      fromTable: "public.orders",
      fromColumns: ["user_id"],
      toTable: "public.users",
      toColumns: ["id"],
      onDelete: "NO ACTION",
      onUpdate: "NO ACTION",
    },
  ],
);

describe("looksPersonal", () => {
  it("matches whole words of snake_case and camelCase names", () => {
    const cases: Record<string, string | undefined> = {
      email: "email",
      customerEmail: "email",
      phone_number: "phone",
      mobile: "phone",
      first_name: "first name",
      lastName: "last name",
      surname: "last name",
      full_name: "full name",
      username: "user name",
      userName: "user name",
      name: "name",
      street_address: "address",
      address2: "address",
      postcode: "postcode",
      zip: "postcode",
      date_of_birth: "birth date",
      dob: "birth date",
      ssn: "national id",
      national_id: "national id",
      passport_no: "passport",
      iban: "bank account",
      account_number: "bank account",
      card_number: "payment card",
      ip: "ip address",
      ip_address: "ip address",
      last_login_ip: "ip address",
      lastLoginIP: "ip address",
      api_token: "token",
      client_secret: "secret",
      password_hash: "password",
      email_verified: "email",
    };
    for (const [column, category] of Object.entries(cases)) expect(looksPersonal(column), column).toBe(category);
  });

  it("flags driving licences in British and American spelling, as words or one word", () => {
    for (const column of [
      "driver_licence",
      "driver_license",
      "drivers_licence",
      "drivers_license",
      "driving_licence",
      "driving_license",
      "driverLicence",
      "DrivingLicenseNumber",
      "driverslicence",
      "drivinglicense",
      "customer_driver_licence_no",
    ]) {
      expect(looksPersonal(column), column).toBe("national id");
    }
    // A reference to one is not one.
    expect(looksPersonal("driver_licence_id")).toBeUndefined();
  });

  it("does not match inside other words or on things' names and references", () => {
    for (const column of [
      "shipping",
      "recipe",
      "description",
      "zipper",
      "created_at",
      "id",
      "status",
      "total",
      "ship_to_country",
      "table_name",
      "product_name",
      "card_id",
      "email_count",
      "tipping_point",
      "membership",
      "relationship",
    ]) {
      expect(looksPersonal(column), column).toBeUndefined();
    }
    expect(words("lastLoginIPAddress2")).toEqual(["last", "login", "ip", "address", "2"]);
  });
});

describe("coverage", () => {
  it("personal mode reports uncovered personal-looking columns with a suggested rule line", () => {
    const r = coverage(
      SCHEMA,
      rules({ tables: { users: { kind: "mask", columns: { email: { transform: "email" } } } }, keep: ["users.email_verified"] }),
      "personal",
    );
    const byColumn = Object.fromEntries(r.problems.map((p) => [`${p.table}.${p.column}`, p]));
    expect(Object.keys(byColumn).sort()).toEqual(
      [
        "billing.cards.card_number",
        "billing.cards.holder_name",
        "public.orders.customer_email",
        "public.orders.zip",
        "public.session_tokens.token",
        "public.users.first_name",
        "public.users.lastName",
        "public.users.last_login_ip",
        "public.users.phone",
        "public.users.username",
      ].sort(),
    );
    expect(byColumn["public.users.phone"].suggestion).toBe("phone: { transform: phone }");
    expect(byColumn["public.users.first_name"].suggestion).toBe("first_name: { transform: name, kind: first }");
    expect(byColumn["public.users.lastName"].suggestion).toBe("lastName: { transform: name, kind: last }");
    expect(byColumn["public.orders.customer_email"].suggestion).toBe("customer_email: { transform: email }");
    // Unique NOT NULL user name: a template on the primary key keeps it unique.
    expect(byColumn["public.users.username"].suggestion).toBe('username: { transform: template, value: "user_{id}" }');
    expect(byColumn["billing.cards.card_number"].suggestion).toBe("card_number: { transform: partial, keepLast: 4 }");
    expect(byColumn["public.users.phone"].message).toBe(
      "public.users.phone: looks personal (phone) but no rule covers it. Add under tables.users.columns:  phone: { transform: phone }  -- or, if it is not personal data, list it under keep: [users.phone]",
    );
    expect(byColumn["billing.cards.holder_name"].message).toContain("tables.billing.cards.columns:");
    expect(r.classified).toContainEqual({ table: "public.users", column: "email", as: "masked" });
    expect(r.classified).toContainEqual({ table: "public.users", column: "email_verified", as: "kept" });
    expect(r.classified).toContainEqual({ table: "public.orders", column: "user_id", as: "key" });
    expect(r.unclassified).toContainEqual({ table: "public.users", column: "created_at", category: undefined });
  });

  it("the guard and scan's classifier flag a driver_licence column (British spelling) with a rule that fits", () => {
    const drivers = table("public", "drivers", [pk(), col("driver_licence", "text", { maxLength: 20, rawType: "varchar(20)" })]);
    const r = coverage(schemaOf([drivers]), rules({}), "personal");
    expect(r.problems.map((p) => [p.column, p.category, p.suggestion])).toEqual([
      ["driver_licence", "national id", "driver_licence: { transform: partial, keepLast: 0 }"],
    ]);
    const classified = classifyColumn(drivers, drivers.columns[1], undefined);
    expect(classified).toMatchObject({ category: "national id", reason: "name match: national id" });
  });

  it("truncated, deleted and kept tables cover all their columns; unknown keep entries are reported", () => {
    const r = coverage(
      SCHEMA,
      rules({
        tables: { session_tokens: { kind: "truncate", cascade: false }, orders: { kind: "delete", delete: "1=1" } },
        keep: ["billing.cards.*", "users.nope", "ghosts.x"],
      }),
      "personal",
    );
    expect(r.problems.map((p) => p.table)).not.toContain("public.session_tokens");
    expect(r.problems.map((p) => p.table)).not.toContain("public.orders");
    expect(r.problems.map((p) => p.table)).not.toContain("billing.cards");
    expect(r.classified).toContainEqual({ table: "public.session_tokens", column: "token", as: "truncated" });
    expect(r.unusedKeep).toEqual(["users.nope", "ghosts.x"]);
  });

  it("strict mode requires every non-key column to be classified; off reports nothing", () => {
    const strict = coverage(SCHEMA, rules({}), "strict");
    const cols = strict.problems.map((p) => `${p.table}.${p.column}`);
    expect(cols).toContain("public.users.created_at");
    expect(cols).toContain("public.orders.total");
    expect(cols).not.toContain("public.users.id");
    expect(cols).not.toContain("public.orders.user_id");
    const total = strict.problems.find((p) => p.column === "total")!;
    expect(total.message).toMatch(
      /public\.orders\.total: has no rule, and strict coverage requires every column to be classified.*keep: \[orders\.total\]/,
    );
    expect(coverage(SCHEMA, rules({}), "off").problems).toEqual([]);
  });

  it("a foreign key on a personal-looking column is not auto-classified as a key", () => {
    const s = schemaOf(
      [
        table("public", "a", [col("email", "text", { isPrimaryKey: true, unique: true, nullable: false })]),
        table("public", "b", [pk(), col("owner_email")]),
      ],
      [
        {
          name: "fk",
          fromTable: "public.b",
          fromColumns: ["owner_email"],
          toTable: "public.a",
          toColumns: ["email"],
          onDelete: "CASCADE",
          onUpdate: "NO ACTION",
        },
      ],
    );
    expect(coverage(s, rules({}), "personal").problems.map((p) => p.column)).toEqual(["email", "owner_email"]);
  });

  it("suggestions always pass the transform's own validation", () => {
    for (const t of SCHEMA.tables.values()) {
      for (const c of t.columns.filter((x) => !x.isPrimaryKey)) {
        const spec = suggestSpec(t, c, looksPersonal(c.name));
        expect(validateSpec(spec, c, t), `${t.qualified}.${c.name}`).toEqual([]);
      }
    }
    // zip is varchar(10): digits keeps its format and length.
    const zip = SCHEMA.tables.get("public.orders")!.columns.find((c) => c.name === "zip")!;
    expect(suggestSpec(SCHEMA.tables.get("public.orders")!, zip, "postcode")).toEqual({ transform: "digits" });
  });
});

describe("draftRules", () => {
  it("writes a loadable rules file covering exactly the uncovered personal-looking columns", () => {
    const existing = rules({ tables: { users: { kind: "mask", columns: { email: { transform: "email" } } } } });
    const text = draftRules(SCHEMA, existing);
    expect(text).toMatch(/^# yaml-language-server: \$schema=/);
    const draft = loadRules(text, "draft.yaml");
    expect(Object.keys(draft.tables).sort()).toEqual(["billing.cards", "orders", "session_tokens", "users"]);
    const users = draft.tables.users;
    expect(users.kind === "mask" && Object.keys(users.columns).sort()).toEqual(
      ["email_verified", "first_name", "lastName", "last_login_ip", "phone", "username"].sort(),
    );
    expect(users.kind === "mask" && users.columns.email).toBeUndefined();
    // Merged with the existing rules, nothing personal-looking is left uncovered.
    const merged: Rules = {
      ...existing,
      tables: {
        ...draft.tables,
        users: { kind: "mask", columns: { ...(users.kind === "mask" ? users.columns : {}), email: { transform: "email" } } },
      },
    };
    expect(coverage(SCHEMA, merged, "personal").problems).toEqual([]);
  });

  it("says so when nothing is left", () => {
    const s = schemaOf([table("public", "t", [pk(), col("total", "decimal")])]);
    expect(loadRules(draftRules(s), "draft.yaml").tables).toEqual({});
  });
});

describe.each(engines)("coverage of the shipped default rules on the introspected sample schema (%s)", (engine) => {
  it("passes personal and strict mode; without keep, strict names every reviewed column", async () => {
    const db = await freshDatabase(engine, "cov");
    await loadSample(db.target, { rows: 20 });
    const dialect = getDialect(engine);
    const conn = await dialect.connect(db.target);
    const schema = await conn_introspect(dialect, conn);
    const text = readFileSync(join(__dirname, "../sanitize/default-rules.yaml"), "utf8");
    const r = loadRules(text, "default-rules.yaml");
    expect(coverage(schema, r, "personal").problems).toEqual([]);
    expect(coverage(schema, r, "strict").problems).toEqual([]);
    const noKeep = coverage(schema, { ...r, keep: [] }, "strict").problems.map((p) => `${p.table.split(".")[1]}.${p.column}`);
    // Foreign-key columns (user_id) are keys, classified without a keep entry.
    expect(noKeep.sort()).toEqual(r.keep.filter((k) => !k.endsWith(".user_id")).sort());
    // Without rules, personal mode flags the personal columns, with suggestions that fit.
    const bare = coverage(schema, { tables: {}, keep: [], verify: [] }, "personal").problems;
    const flagged = bare.map((p) => `${p.table.split(".")[1]}.${p.column}`);
    expect(flagged).toEqual(
      expect.arrayContaining([
        "users.email",
        "users.phone",
        "users.first_name",
        "users.last_name",
        "users.password_hash",
        "orders.customer_email",
        "payment_audit_log.card_last4",
        "payment_audit_log.ip_address",
        "session_tokens.token",
        "support_tickets.email",
      ]),
    );
    expect(flagged).not.toContain("orders.total_cents");
    for (const p of bare) {
      const t = schema.tables.get(p.table)!;
      const c = t.columns.find((x) => x.name === p.column)!;
      expect(validateSpec(suggestSpec(t, c, p.category), c, t), p.message).toEqual([]);
    }
  });
});

async function introspected(db: Awaited<ReturnType<typeof freshDatabase>>): Promise<SchemaInfo> {
  const dialect = getDialect(db.engine);
  return conn_introspect(dialect, await dialect.connect(db.target));
}

async function planProblems(
  db: Awaited<ReturnType<typeof freshDatabase>>,
  rulesText: string,
  mode: "personal" | "strict" = "personal",
): Promise<string[]> {
  try {
    await plan({ target: db.target, rules: rulesText, coverage: mode, maskingKey: "coverage-test-key-0123456789abcdef" });
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(SanitizeError);
    return (e as SanitizeError).problems;
  }
}

describe("coverage sees every copy", () => {
  it("a rule for `email` does not cover `Email` (exact names, as the planner matches them)", () => {
    const s = schemaOf([table("public", "people", [pk(), col("email"), col("Email")])]);
    const r = rules({ tables: { people: { kind: "mask", columns: { email: { transform: "email" } } } } });
    for (const mode of ["personal", "strict"] as const) {
      const report = coverage(s, r, mode);
      expect(report.problems.map((p) => p.column)).toEqual(["Email"]);
      expect(report.classified.find((c) => c.column === "Email")).toBeUndefined();
    }
    // A keep entry may be spelled in another case only when that names exactly one column.
    expect(coverage(s, rules({ ...r, keep: ["people.EMAIL"] }), "strict").unusedKeep).toEqual(["people.EMAIL"]);
    const single = schemaOf([table("public", "people", [pk(), col("email")])]);
    expect(coverage(single, rules({ keep: ["people.EMAIL"] }), "strict").problems).toEqual([]);
  });

  it("a generated column is covered only when every source is masked, and the message says to mask the sources", () => {
    const gen = col("email", "text", { generated: true, generatedFrom: ["profile"] });
    const s = schemaOf([
      table("public", "accounts", [pk(), col("profile", "json"), gen, col("total", "decimal", { generated: true, generatedFrom: ["id"] })]),
    ]);
    const open = coverage(s, rules({}), "personal");
    expect(open.problems.map((p) => p.column)).toEqual(["email"]);
    expect(open.problems[0].message).toMatch(/generated from profile, which no rule masks.*mask the source column profile/);
    // A personal-looking source makes a neutral-named generated column personal too.
    const derived = schemaOf([
      table("public", "t", [pk(), col("email"), col("domain", "text", { generated: true, generatedFrom: ["email"] })]),
    ]);
    expect(coverage(derived, rules({ keep: ["t.email"] }), "personal").problems.map((p) => p.column)).toEqual(["domain"]);
    const masked = coverage(s, rules({ tables: { accounts: { kind: "mask", columns: { profile: { transform: "null" } } } } }), "strict");
    expect(masked.problems).toEqual([]);
    expect(masked.classified).toContainEqual({ table: "public.accounts", column: "email", as: "masked" });
  });

  it("keep entries with spaces and quoted dots split as the suggestions write them, the table part in rule-key syntax", () => {
    expect(splitKeepEntry("order items.customer email")).toEqual({ table: "order items", column: "customer email" });
    expect(splitKeepEntry('app."my.table"."a ""b"""')).toEqual({ table: 'app."my.table"', column: 'a "b"' });
    expect(splitKeepEntry("users.*")).toEqual({ table: "users", column: "*" });
    // The table keys' parser: a table part starting with a quote is re-quoted so the key reads back the same.
    expect(splitKeepEntry('"""odd".email')).toEqual({ table: '"""odd"', column: "email" });
    expect(parseTableKey(splitKeepEntry('"""odd".email').table)).toEqual({ name: '"odd' });
  });

  it("a keep entry that doesn't parse names no table and is reported as unused, not guessed at", () => {
    for (const bad of ['"users.email', "users", "users..email", '"users"x.email']) {
      const r = coverage(SCHEMA, rules({ keep: [bad] }), "personal");
      expect(r.unusedKeep, bad).toEqual([bad]);
    }
  });
});

describe.each(engines)("coverage on a real %s schema", (engine) => {
  it('PostgreSQL `"Email"` beside `email`: the rule for email leaves "Email" uncovered, even in strict mode', async () => {
    if (engine !== "postgres") {
      // MySQL column names are case-insensitive: `Email` beside `email` can't exist.
      const db = await freshDatabase(engine, "cov");
      await expect(db.exec("CREATE TABLE people (id int PRIMARY KEY, email varchar(100), Email varchar(100))")).rejects.toThrow(
        /Duplicate column/i,
      );
      return;
    }
    const db = await freshDatabase(engine, "cov");
    await db.exec('CREATE TABLE people (id int PRIMARY KEY, email varchar(100), "Email" varchar(100))');
    for (const mode of ["personal", "strict"] as const) {
      const problems = await planProblems(db, "tables:\n  people:\n    columns:\n      email: { transform: email }\n", mode);
      expect(problems.join("\n")).toMatch(/people\.Email: looks personal \(email\)/);
    }
  });

  it("a stored generated email extracted from a JSON profile: coverage refuses until the profile is masked", async () => {
    const db = await freshDatabase(engine, "cov");
    await db.exec(
      engine === "postgres"
        ? "CREATE TABLE accounts (id int PRIMARY KEY, profile jsonb, email text GENERATED ALWAYS AS (profile->>'email') STORED)"
        : "CREATE TABLE accounts (id int PRIMARY KEY, profile json, email varchar(255) AS (json_unquote(json_extract(profile, '$.email'))) STORED)",
    );
    const schema = await introspected(db);
    const email = schema.tables.get(`${schema.defaultSchema}.accounts`)!.columns.find((c) => c.name === "email")!;
    expect(email.generated).toBe(true);
    expect(email.generatedFrom).toEqual(["profile"]);
    const refused = await planProblems(db, "tables: {}\n", "personal");
    expect(refused.join("\n")).toMatch(/accounts\.email: is generated from profile, which no rule masks.*mask the source column profile/);
    expect(await planProblems(db, 'tables:\n  accounts:\n    columns:\n      profile: { transform: "null" }\n', "personal")).toEqual([]);
  });

  it("table and column names with spaces: the suggested rule and keep entry load and pass the plan", async () => {
    const db = await freshDatabase(engine, "cov");
    await db.exec(
      engine === "postgres"
        ? 'CREATE TABLE "order items" (id int PRIMARY KEY, "customer email" varchar(200), "gift note" varchar(200))'
        : "CREATE TABLE `order items` (id int PRIMARY KEY, `customer email` varchar(200), `gift note` varchar(200))",
    );
    const schema = await introspected(db);
    const report = coverage(schema, rules({}), "strict");
    const byColumn = new Map(report.problems.map((p) => [p.column, p]));
    const email = byColumn.get("customer email")!;
    const note = byColumn.get("gift note")!;
    const keepEntry = /keep: \[(.*)\]$/.exec(note.message)![1];
    const key = /Add under tables\.(.*)\.columns:/.exec(email.message)![1];
    const text = `tables:\n  ${JSON.stringify(key)}:\n    columns:\n      ${email.suggestion}\nkeep: [${keepEntry}]\n`;
    const loaded = loadRules(text, "suggested.yaml");
    expect(Object.keys(loaded.tables)).toEqual(["order items"]);
    expect(coverage(schema, loaded, "strict").problems).toEqual([]);
    expect(await planProblems(db, text, "strict"), text).toEqual([]);
  });
});

async function conn_introspect(
  dialect: ReturnType<typeof getDialect>,
  conn: Awaited<ReturnType<ReturnType<typeof getDialect>["connect"]>>,
): Promise<SchemaInfo> {
  try {
    return await dialect.introspect(conn);
  } finally {
    await conn.close();
  }
}

describe("scan's content classification (scan-classify.ts)", () => {
  const sample = (values: Record<string, (string | null)[]>) => ({
    rows: Object.values(values)[0].length,
    values: new Map(Object.entries(values)),
  });
  const fk = (from: string, to: string) => ({
    name: `fk_${from}`,
    fromTable: `public.${from}`,
    fromColumns: ["x_id"],
    toTable: `public.${to}`,
    toColumns: ["id"],
    onDelete: "NO ACTION" as const,
    onUpdate: "NO ACTION" as const,
  });

  it("finds card numbers (Luhn) and phone numbers by content, with the rate and no value in the reason", () => {
    const t = table("public", "payments", [pk(), col("ref"), col("reach")]);
    const cards = ["4111 1111 1111 1111", "5500005555555559", "4012888888881881", "4242-4242-4242-4242", "not a card"];
    const reach = ["+44 20 7946 0958", "(555) 010-4477", "+1 202-555-0147", null, null];
    const card = classifyColumn(t, t.columns[1], sample({ ref: cards, reach }));
    expect(card).toEqual({ category: "payment card", reason: "pattern match: card number in 80% of 5 sampled values", allNull: false });
    // 3 of 4 is below the 80% threshold: a rate, not a single hit, classifies a column.
    expect(classifyColumn(t, t.columns[1], sample({ ref: cards.slice(1), reach: reach.slice(1) }))).toBeUndefined();
    const phone = classifyColumn(t, t.columns[2], sample({ ref: cards, reach }));
    expect(phone?.category).toBe("phone");
    expect(JSON.stringify([card, phone])).not.toMatch(/4111|7946/);
    expect(classifyColumn(t, t.columns[1], sample({ ref: ["1234 5678 9012 3456", "x", "y"], reach: [null, null, null] }))).toBeUndefined();
  });

  it("a lookup-named table is kept only when referenced and nothing in it looks personal by name or content", () => {
    const dept = table("public", "department", [pk(), col("name")]);
    const emp = table("public", "employee", [pk(), col("x_id", "integer")]);
    const s = sample({ name: ["Sales", "Support"] });
    expect(lookupReason(schemaOf([dept, emp], [fk("employee", "department")]), dept, s)).toMatch(
      /^lookup table \(2 rows, referenced by 1 foreign key, named like "department"\)/,
    );
    expect(lookupReason(schemaOf([dept, emp]), dept, s)).toBeUndefined();
    const withManager = table("public", "department", [pk(), col("name"), col("manager_email")]);
    expect(lookupReason(schemaOf([withManager, emp], [fk("employee", "department")]), withManager, s)).toBeUndefined();
    const withContact = table("public", "department", [pk(), col("name"), col("contact")]);
    expect(
      lookupReason(
        schemaOf([withContact, emp], [fk("employee", "department")]),
        withContact,
        sample({ name: ["a", "b"], contact: ["a@corp.test", "b@corp.test"] }),
      ),
    ).toBeUndefined();
  });
});
