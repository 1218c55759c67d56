/**
 * §2 of the whole-clone issue: sanitizeCluster covers every database of the server. An
 * unmentioned database with tables fails closed before anything is written anywhere; with a
 * rule for each database, each is sanitized, dropped or kept clean, and the report says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SanitizeError, sanitizeCluster } from "../sanitize/index";
import { loadSample } from "../sanitize/local/sample";
import type { LocalServer } from "../sanitize/local/servers";
import { databases, defaultRulesYaml, KEY, run, startServer } from "./harness/cluster";
import { engines } from "./harness/db";

const billingRules = `
  billing:
    tables:
      invoices:
        columns:
          customer_email: { transform: email }
    keep: [invoices.amount_cents]
  reports:
    clean: true
    verify:
      - { name: totals kept, sql: "SELECT COUNT(*) FROM daily_totals", expect: 2 }
`;

describe.each(engines)("sanitizeCluster: every database on %s", (engine) => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer(engine);
    for (const db of ["app", "billing", "legacy", "reports"]) await server.createDatabase(db);
    await loadSample(server.target("app"), { rows: 50 });
    await run(
      server,
      "billing",
      "CREATE TABLE invoices (id INT PRIMARY KEY, customer_email VARCHAR(200) NOT NULL, amount_cents INT)",
      "INSERT INTO invoices VALUES (1, 'ann@real-mail.test', 100), (2, 'bob@real-mail.test', 250)",
    );
    await run(
      server,
      "legacy",
      "CREATE TABLE old_customers (id INT PRIMARY KEY, email VARCHAR(200))",
      "INSERT INTO old_customers VALUES (1, 'carl@real-mail.test')",
    );
    await run(
      server,
      "reports",
      "CREATE TABLE daily_totals (day DATE PRIMARY KEY, total INT)",
      "INSERT INTO daily_totals VALUES ('2024-01-01', 5), ('2024-01-02', 7)",
    );
  });
  afterAll(async () => server?.stop());

  const snapshot = async () => {
    const dbs = (await databases(server)).sort();
    return {
      users: await run(server, "app", "SELECT id, email FROM users ORDER BY id"),
      invoices: await run(server, "billing", "SELECT id, customer_email FROM invoices ORDER BY id"),
      legacy: dbs.includes("legacy") ? await run(server, "legacy", "SELECT id, email FROM old_customers ORDER BY id") : [],
      databases: dbs,
    };
  };

  it("fails closed on an unmentioned database, then handles each one when the rules name it", async () => {
    const before = await snapshot();
    const refused = await sanitizeCluster({
      target: server.target("app"),
      rules: `${defaultRulesYaml}\ndatabases:${billingRules}`,
      maskingKey: KEY,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SanitizeError);
    const err = refused as SanitizeError;
    expect(err.kind).toBe("coverage");
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/database "legacy" has tables/);
    expect(err.problems[0]).toMatch(/drop: true.*clean: true.*tables/s);
    // Nothing written anywhere: data, databases, and no progress record in the target.
    expect(await snapshot()).toEqual(before);
    const progress =
      engine === "postgres"
        ? await run(server, "app", "SELECT nspname FROM pg_namespace WHERE nspname = 'aurora_staging'")
        : await run(
            server,
            "app",
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME LIKE 'aurora_staging%'",
          );
    expect(progress).toEqual([]);

    const report = await sanitizeCluster({
      target: server.target("app"),
      rules: `${defaultRulesYaml}\ndatabases:${billingRules}\n  legacy: { drop: true }\n`,
      maskingKey: KEY,
    });
    expect(
      report.verified,
      JSON.stringify([...report.checks, ...report.databases.flatMap((d) => d.report?.checks ?? [])].filter((c) => !c.passed)),
    ).toBe(true);
    const actions = Object.fromEntries(report.databases.map((d) => [d.database, d.action]));
    expect(actions).toMatchObject({ app: "sanitize", billing: "sanitize", legacy: "drop", reports: "clean" });
    // Every other database of the server is listed, as empty.
    for (const [db, action] of Object.entries(actions))
      if (!["app", "billing", "legacy", "reports"].includes(db)) expect(action).toBe("empty");
    expect(report.databases[0].database).toBe("app");
    expect(report.databases.find((d) => d.database === "billing")?.report?.tables.map((t) => t.table)).toEqual([
      engine === "postgres" ? "public.invoices" : "billing.invoices",
    ]);
    expect(report.checks.find((c) => c.name === "dropped databases are gone")?.passed).toBe(true);
    expect(report.checks.find((c) => c.name === "reports: verify: totals kept")?.passed).toBe(true);

    const after = await snapshot();
    expect(after.databases).not.toContain("legacy");
    expect(after.users.every((u) => /@example\.com$/.test(String(u.email)))).toBe(true);
    expect(after.invoices.map((i) => i.customer_email)).not.toContain("ann@real-mail.test");
    expect(after.invoices.every((i) => /@example\.com$/.test(String(i.customer_email)))).toBe(true);
    expect(Number((await run(server, "reports", "SELECT COUNT(*) AS n FROM daily_totals"))[0].n)).toBe(2);
    expect(JSON.stringify(report)).not.toContain(KEY);

    // A re-run finds the dropped database gone (its rule is fulfilled) and every database done.
    const again = await sanitizeCluster({
      target: server.target("app"),
      rules: `${defaultRulesYaml}\ndatabases:${billingRules}\n  legacy: { drop: true }\n`,
      maskingKey: KEY,
    });
    expect(again.verified).toBe(true);
    expect(again.databases.filter((d) => d.report).every((d) => d.report?.alreadyDone)).toBe(true);
  });

  it("refuses a databases: entry naming a database the server doesn't have", async () => {
    const err = (await sanitizeCluster({
      target: server.target("app"),
      rules: `${defaultRulesYaml}\ndatabases:${billingRules}\n  biling: { clean: true }\n`,
      maskingKey: KEY,
    }).catch((e: unknown) => e)) as SanitizeError;
    expect(err).toBeInstanceOf(SanitizeError);
    expect(err.problems.join("\n")).toMatch(/databases: "biling" is not a database on this server/);
  });
});
