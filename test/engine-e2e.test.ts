import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sanitize } from "../sanitize/index";
import { engines, freshDatabase } from "./harness/db";
import { articleRulesYaml, createArticleSchema, originalEmail } from "./fixtures/article-schema";

const KEY = "test-masking-key-0123456789abcdef";

function maskedEmail(original: string): string {
  return `u${createHmac("sha256", KEY).update(original, "utf8").digest("hex").slice(0, 20)}@example.com`;
}

describe.each(engines)("sanitize() end to end on %s (article schema)", (engine) => {
  it("masks, truncates, deletes, keeps joins and uniqueness, and verifies", async () => {
    const db = await freshDatabase(engine);
    await createArticleSchema(db, { users: 200 });
    const ticketsBefore = Number(await db.scalar("SELECT COUNT(*) FROM support_tickets"));
    const closed = Number(await db.scalar("SELECT COUNT(*) FROM support_tickets WHERE closed_at IS NOT NULL"));

    const report = await sanitize({ target: db.target, rules: articleRulesYaml, maskingKey: KEY, chunkSize: 50 });

    expect(report.verified, JSON.stringify(report.checks.filter((c) => !c.passed))).toBe(true);
    expect(report.alreadyDone).toBe(false);
    expect(report.resumed).toBe(false);
    // every email masked, deterministically: HMAC of the ORIGINAL value
    const users = await db.exec("SELECT id, email, phone, password_hash FROM users ORDER BY id");
    expect(users).toHaveLength(200);
    for (const u of users) expect(u.email).toBe(maskedEmail(originalEmail(Number(u.id))));
    expect(new Set(users.map((u) => u.email)).size).toBe(200);
    expect(users.every((u) => u.password_hash === "staging-only-hash")).toBe(true);
    expect(users.filter((u) => u.phone === null)).toHaveLength(20);
    // orders.customer_email equals the masked users.email of the same original
    expect(
      Number(await db.scalar("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email <> u.email")),
    ).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM orders WHERE customer_email NOT LIKE '%@example.com'"))).toBe(0);
    // truncated and deleted
    expect(Number(await db.scalar("SELECT COUNT(*) FROM payment_audit_log"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM session_tokens"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM support_tickets"))).toBe(ticketsBefore - closed);
    const tickets = await db.exec("SELECT id, email, subject, body FROM support_tickets ORDER BY id");
    for (const t of tickets) {
      expect(t.subject).toBe(`Ticket ${t.id}`);
      expect(t.body).toBeNull();
      expect(t.email).toBe(maskedEmail(originalEmail(Number(t.id))));
    }
    // report: per table rows and chunks
    const byTable = Object.fromEntries(report.tables.map((t) => [t.table.split(".").pop(), t]));
    expect(byTable.users.rows).toBe(200);
    // bounds at ids 50, 100, 150, 200, then the open-ended last chunk (empty here)
    expect(byTable.users.chunks).toBe(5);
    expect(byTable.orders.rows).toBe(400);
    expect(byTable.support_tickets.action).toBe("mask+delete");
    expect(report.checks.some((c) => c.name.endsWith("users.email: no original values left") && c.passed)).toBe(true);
    expect(JSON.stringify(report)).not.toContain(KEY);
  });
});
