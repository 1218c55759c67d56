import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { plan, scan, sanitize, SanitizeError } from "../sanitize/index";
import { engines, freshDatabase } from "./harness/db";
import { articleRulesYaml, createArticleSchema } from "./fixtures/article-schema";

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.each(engines)("connecting and coverage on %s", (engine) => {
  it("retries a refused connection, then names host:port, the last error and how to reach the cluster, never the password", async () => {
    const port = await closedPort();
    const target = {
      engine,
      host: "127.0.0.1",
      port,
      user: "app",
      password: "pw-very-secret-123",
      database: "shop",
      ssl: "disable" as const,
    };
    const err = await sanitize({ target, rules: articleRulesYaml, maskingKey: "k".repeat(32), connect: { retryForMs: 700 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SanitizeError);
    const e = err as SanitizeError;
    expect(e.kind).toBe("connection");
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.message).toMatch(/VPN/);
    expect(e.message).toMatch(/SSM/);
    expect(e.message).not.toContain("pw-very-secret-123");
  });

  it("fails at once on bad credentials, without the password", async () => {
    const db = await freshDatabase(engine);
    const err = await plan({
      target: { ...db.target, password: "wrong-password-xyz" },
      rules: articleRulesYaml,
      connect: { retryForMs: 60_000 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).kind).toBe("connection");
    expect((err as SanitizeError).message).not.toContain("wrong-password-xyz");
  });

  it("turns uncovered personal-looking columns into plan errors, and scan() drafts rules for them", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 5 });
    const partial = "tables:\n  users:\n    columns:\n      email: { transform: email }\n";
    const err = await plan({ target: db.target, rules: partial, maskingKey: "k".repeat(32) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SanitizeError);
    expect((err as SanitizeError).kind).toBe("coverage");
    expect((err as SanitizeError).message).toMatch(/users\.phone/);
    expect((err as SanitizeError).message).toMatch(/orders\.customer_email/);
    // the full rules cover everything personal
    const p = await plan({ target: db.target, rules: articleRulesYaml, maskingKey: "k".repeat(32) });
    expect(p.coverage.problems).toEqual([]);

    const s = await scan({ target: db.target, rules: partial });
    const cols = s.columns.map((c) => `${c.table.split(".").pop()}.${c.column}`);
    expect(cols).toContain("users.phone");
    expect(cols).not.toContain("users.email");
    expect(s.draft).toMatch(/phone:/);
  });
});
