/**
 * `triggers: disable` without the privilege, through sanitizeCluster (what the Pulumi resource
 * runs): refused before ANY write, so production's logins are not locked, no progress record is
 * made and no data changes. A dedicated server: sanitizeCluster sees every login of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SanitizeError, sanitizeCluster } from "../sanitize/index";
import type { LocalServer } from "../sanitize/local/servers";
import { KEY, run, startServer } from "./harness/cluster";

describe("sanitizeCluster with triggers: disable on PostgreSQL", () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer("postgres");
    await server.createDatabase("app");
    await run(
      server,
      "app",
      "CREATE ROLE limited LOGIN CREATEROLE PASSWORD 'limited-password'",
      "CREATE ROLE prod_reader LOGIN PASSWORD 'prod-reader-password'",
      "CREATE ROLE prod_super LOGIN SUPERUSER PASSWORD 'prod-super-password'",
      "CREATE TABLE people (id int PRIMARY KEY, email varchar(255))",
      "INSERT INTO people VALUES (1, 'a@corp.test')",
      "GRANT ALL ON ALL TABLES IN SCHEMA public TO limited",
      "GRANT CREATE ON DATABASE app TO limited",
    );
  });
  afterAll(async () => server?.stop());

  it("a user who can't disable triggers is refused before the lockdown, the progress record or any data changes", async () => {
    const err = await sanitizeCluster({
      target: { ...server.target("app"), user: "limited", password: "limited-password" },
      rules: "tables:\n  people:\n    columns:\n      email: { transform: email }\n",
      maskingKey: KEY,
      triggers: "disable",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).message).toMatch(/triggers: "disable" was requested but user "limited" can't disable triggers/);
    expect(await run(server, "app", "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'prod_reader'")).toEqual([
      { rolname: "prod_reader", rolcanlogin: true },
    ]);
    expect(await run(server, "app", "SELECT nspname FROM pg_namespace WHERE nspname = 'aurora_staging'")).toEqual([]);
    expect(await run(server, "app", "SELECT email FROM people")).toEqual([{ email: "a@corp.test" }]);
  });

  it("a login that can't lock a superuser role is refused before the first role is locked, naming the role and the fixes", async () => {
    const err = await sanitizeCluster({
      target: { ...server.target("app"), user: "limited", password: "limited-password" },
      rules: "tables:\n  people:\n    columns:\n      email: { transform: email }\n",
      maskingKey: KEY,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    const message = (err as SanitizeError).message;
    expect(message).toMatch(/"prod_super"/);
    expect(message).toMatch(/nothing was changed/);
    expect(message).toMatch(/logins\.keep/);
    // prod_reader comes before prod_super in name order: without the up-front check it was locked.
    expect(
      await run(server, "app", "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('prod_reader', 'prod_super') ORDER BY 1"),
    ).toEqual([
      { rolname: "prod_reader", rolcanlogin: true },
      { rolname: "prod_super", rolcanlogin: true },
    ]);
    expect(await run(server, "app", "SELECT email FROM people")).toEqual([{ email: "a@corp.test" }]);
  });
});
