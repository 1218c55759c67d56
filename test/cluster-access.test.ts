/**
 * §3 of the whole-clone issue: production's access and jobs don't come along. Before any
 * masking, every login copied from production is locked (except the connecting user and
 * logins.keep), pg_cron jobs / events are disabled, subscriptions disabled, foreign-server
 * user mappings dropped; each is reported and checked. Once verified, a least-privilege
 * application user is published.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sanitizeCluster } from "../sanitize/index";
import { loadSample, openExec } from "../sanitize/local/sample";
import { postgresBinDir, type LocalServer } from "../sanitize/local/servers";
import { defaultRulesYaml, KEY, run, startServer } from "./harness/cluster";
import { engines } from "./harness/db";

const APP = { name: "app_user", password: "app-user-password-0123456789" };
const rules = `${defaultRulesYaml}\nlogins:\n  keep: [reporting_ro]\ndatabases:\n  old_reports: { drop: true }\n`;

/** Logs in as `user` and runs the statements; the error message when it can't. */
async function as(
  server: LocalServer,
  user: string,
  password: string,
  ...statements: string[]
): Promise<{ rows?: Record<string, unknown>[]; error?: string }> {
  try {
    const exec = await openExec({ ...server.target("app"), user, password });
    try {
      let rows: Record<string, unknown>[] = [];
      for (const s of statements) rows = await exec(s);
      return { rows };
    } finally {
      await exec.close();
    }
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe.each(engines)("sanitizeCluster: production's access and jobs on %s", (engine) => {
  let server: LocalServer;
  beforeAll(async () => {
    if (engine === "postgres" && !existsSync(`${postgresBinDir()}/../lib/pg_cron.so`)) {
      throw new Error("this test needs pg_cron: apt-get install -y postgresql-15-cron");
    }
    server = await startServer(
      engine,
      engine === "postgres" ? { settings: { shared_preload_libraries: "pg_cron", "cron.database_name": "postgres" } } : {},
    );
    await server.createDatabase("app");
    await server.createDatabase("old_reports");
    await loadSample(server.target("app"), { rows: 30 });
    if (engine === "postgres") {
      await run(
        server,
        "postgres",
        "CREATE ROLE prod_app LOGIN PASSWORD 'prod-app-password'",
        "CREATE ROLE reporting_ro LOGIN PASSWORD 'reporting-password'",
        "CREATE ROLE app_group NOLOGIN",
        "CREATE EXTENSION pg_cron",
        "SELECT cron.schedule('nightly-export', '0 3 * * *', 'SELECT 1')",
        "SELECT cron.schedule('*/5 * * * *', 'SELECT 2')",
      );
      await run(
        server,
        "app",
        "GRANT CONNECT ON DATABASE app TO reporting_ro",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting_ro",
        // connect = false: the subscription exists without reaching a publisher; enabling it only makes its worker retry.
        "CREATE SUBSCRIPTION prod_sub CONNECTION 'host=127.0.0.1 port=1 dbname=app user=repl password=prod-repl-secret' PUBLICATION pub WITH (connect = false)",
        "ALTER SUBSCRIPTION prod_sub ENABLE",
        "CREATE EXTENSION postgres_fdw",
        "CREATE SERVER prod_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '1', dbname 'app')",
        "CREATE USER MAPPING FOR prod_app SERVER prod_srv OPTIONS (user 'etl', password 'prod-fdw-secret')",
        "CREATE USER MAPPING FOR PUBLIC SERVER prod_srv OPTIONS (user 'anyone', password 'prod-fdw-secret-2')",
      );
      // DROP DATABASE refuses while a subscription lives in the database.
      await run(
        server,
        "old_reports",
        "CREATE SUBSCRIPTION old_sub CONNECTION 'host=127.0.0.1 port=1 dbname=x' PUBLICATION pub WITH (connect = false)",
      );
    } else {
      await run(
        server,
        "app",
        "CREATE USER 'prod_app'@'%' IDENTIFIED BY 'prod-app-password'",
        "CREATE USER 'reporting_ro'@'%' IDENTIFIED BY 'reporting-password'",
        "GRANT SELECT ON app.* TO 'reporting_ro'@'%'",
        "GRANT ALL ON app.* TO 'prod_app'@'%'",
        "CREATE EVENT nightly_purge ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DO DELETE FROM session_tokens",
      );
    }
    // Production's application login works on the copy before the run.
    expect((await as(server, "prod_app", "prod-app-password", "SELECT 1 AS one")).error).toBeUndefined();
  });
  afterAll(async () => server?.stop());

  it("locks production's logins, disables jobs/subscriptions, drops user mappings, checks them, then publishes the app user", async () => {
    const report = await sanitizeCluster({ target: server.target("app"), rules, maskingKey: KEY, appUser: APP });
    expect(report.verified, JSON.stringify(report.checks)).toBe(true);
    const step = (prefix: string) => report.steps.find((s) => s.name.startsWith(prefix))?.detail ?? "(missing)";
    if (engine === "postgres") {
      expect(step("login roles locked")).toBe("1: prod_app");
      expect(step("pg_cron jobs disabled")).toMatch(/^2: (postgres: nightly-export, postgres: 2|postgres: 2, postgres: nightly-export)$/);
      expect(step("logical-replication subscriptions disabled")).toBe("1: app: prod_sub");
      expect(step("subscriptions dropped with their database")).toBe("old_reports: old_sub");
      expect(step("foreign-server user mappings dropped")).toMatch(
        /^2: app: (prod_app@prod_srv, app: PUBLIC@prod_srv|PUBLIC@prod_srv, app: prod_app@prod_srv)$/,
      );
      expect(report.checks.map((c) => [c.name, c.passed])).toEqual([
        ["no login role outside the allowed set can log in", true],
        ["no active pg_cron job", true],
        ["no enabled subscription", true],
        ["no foreign-server user mapping", true],
        ["dropped databases are gone", true],
      ]);
      expect(await run(server, "postgres", "SELECT count(*)::int AS n FROM cron.job WHERE active")).toEqual([{ n: 0 }]);
      expect(await run(server, "app", "SELECT subenabled FROM pg_subscription")).toEqual([{ subenabled: false }]);
      expect(await run(server, "app", "SELECT count(*)::int AS n FROM pg_user_mappings")).toEqual([{ n: 0 }]);
    } else {
      // root@localhost is production's too (socket login): locked like any other account.
      expect(step("login users locked")).toBe("2: prod_app@%, root@localhost");
      expect(step("events disabled")).toBe("1: app.nightly_purge");
      expect(report.checks.map((c) => [c.name, c.passed])).toEqual([
        ["no login user outside the allowed set can log in", true],
        ["no enabled event", true],
        ["dropped databases are gone", true],
      ]);
    }
    expect(step("databases dropped")).toBe("old_reports");
    expect(step("application user created")).toMatch(/^app_user: SELECT, INSERT, UPDATE, DELETE on app$/);
    expect(JSON.stringify(report)).not.toContain(APP.password);

    // Production's login can't log in; the kept one and the application user can.
    expect((await as(server, "prod_app", "prod-app-password", "SELECT 1 AS one")).error).toMatch(/not permitted to log in|locked/i);
    expect((await as(server, "reporting_ro", "reporting-password", "SELECT COUNT(*) AS n FROM users")).error).toBeUndefined();
    // (a value the `name` transform can produce: its built-in check flags any other value)
    const dml = await as(
      server,
      APP.name,
      APP.password,
      "UPDATE users SET first_name = 'Alex' WHERE id = 1",
      "INSERT INTO session_tokens (user_id, token, expires_at) VALUES (1, 'staging-token', '2030-01-01 00:00:00')",
      "DELETE FROM session_tokens",
      "SELECT first_name FROM users WHERE id = 1",
    );
    expect(dml).toEqual({ rows: [{ first_name: "Alex" }] });
    // Least privilege: no DDL.
    expect((await as(server, APP.name, APP.password, "CREATE TABLE app_user_table (id INT)")).error).toMatch(/denied/i);

    // A re-run keeps everything locked and updates the application user (ALTER, not a second CREATE).
    const again = await sanitizeCluster({ target: server.target("app"), rules, maskingKey: KEY, appUser: APP });
    expect(again.verified).toBe(true);
    expect(again.steps.find((s) => s.name.startsWith("application user"))?.name).toBe("application user updated");
    expect((await as(server, APP.name, APP.password, "SELECT COUNT(*) AS n FROM users")).error).toBeUndefined();
    expect((await as(server, "prod_app", "prod-app-password", "SELECT 1 AS one")).error).toMatch(/not permitted to log in|locked/i);
  });
});
