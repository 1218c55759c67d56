/**
 * The shipped default rules against the shipped sample "production" data, on both engines:
 * the sample loads, the rules pass coverage (personal and strict), the run verifies, and the
 * data really is sanitized (checked here with our own queries, not only the rules' verify).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plan, sanitize } from "../sanitize/index";
import { loadSample, oldTicketCutoff, sampleRowCounts } from "../sanitize/local/sample";
import { engines, freshDatabase } from "./harness/db";

const rulesText = readFileSync(join(__dirname, "..", "sanitize", "default-rules.yaml"), "utf8");
const maskingKey = "default-rules-test-key-0123456789";
const users = 300;

describe.each(engines)("sample data and default rules on %s", (engine) => {
  it("loads the article's schema with realistic fake personal data", async () => {
    const db = await freshDatabase(engine, "sample");
    const counts = await loadSample(db.target, { rows: users });
    expect(counts).toEqual(sampleRowCounts(users));
    // Realistic: real-looking mail domains, formatted phones, distinct emails, copies in orders.
    expect(Number(await db.scalar("SELECT COUNT(DISTINCT email) FROM users"))).toBe(users);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM users WHERE email LIKE '%@example.com'"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM users WHERE phone LIKE '+1 (%) %-%'"))).toBeGreaterThan(users / 2);
    expect(
      Number(await db.scalar("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email <> u.email")),
    ).toBe(0);
    // Both old closed tickets (deleted by the rules) and others (masked) exist.
    expect(Number(await db.scalar(`SELECT COUNT(*) FROM support_tickets WHERE closed_at < '${oldTicketCutoff}'`))).toBeGreaterThan(0);
    expect(
      Number(await db.scalar(`SELECT COUNT(*) FROM support_tickets WHERE closed_at IS NULL OR closed_at >= '${oldTicketCutoff}'`)),
    ).toBeGreaterThan(0);
  });

  it("the same row count gives the same data (before/after comparisons rely on it)", async () => {
    const a = await freshDatabase(engine, "sample");
    const b = await freshDatabase(engine, "sample");
    await loadSample(a.target, { rows: 50 });
    await loadSample(b.target, { rows: 50 });
    const q = "SELECT id, email, phone, first_name, last_name FROM users ORDER BY id";
    expect(await a.exec(q)).toEqual(await b.exec(q));
  });

  it("pass coverage in personal and strict mode", async () => {
    const db = await freshDatabase(engine, "rules");
    await loadSample(db.target, { rows: 50 });
    for (const coverage of ["personal", "strict"] as const) {
      const p = await plan({ target: db.target, rules: rulesText, maskingKey, coverage });
      expect(p.statements.length).toBeGreaterThan(0);
      expect(p.statements.join("\n")).not.toContain(maskingKey);
    }
  });

  it("sanitize the sample: verified, personal data gone, relationships kept", async () => {
    const db = await freshDatabase(engine, "rules");
    await loadSample(db.target, { rows: users });
    const originalEmails = (await db.exec("SELECT email FROM users ORDER BY id")).map((r) => String(r.email));
    const originalPhones = (await db.exec("SELECT phone FROM users WHERE phone IS NOT NULL ORDER BY id")).map((r) => String(r.phone));
    const openTickets = Number(
      await db.scalar(`SELECT COUNT(*) FROM support_tickets WHERE closed_at IS NULL OR closed_at >= '${oldTicketCutoff}'`),
    );

    const report = await sanitize({ target: db.target, rules: rulesText, maskingKey, chunkSize: 100 });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.verified).toBe(true);
    // Every verify query of the shipped rules ran.
    for (const name of ["no real user emails", "order emails still match their user", "no old closed tickets"]) {
      expect(report.checks.map((c) => c.name)).toContain(`verify: ${name}`);
    }

    const emails = (await db.exec("SELECT email FROM users ORDER BY id")).map((r) => String(r.email));
    expect(emails).toHaveLength(users);
    expect(new Set(emails).size).toBe(users); // uniqueness kept
    expect(emails.filter((e) => originalEmails.includes(e))).toEqual([]);
    const phones = (await db.exec("SELECT phone FROM users WHERE phone IS NOT NULL ORDER BY id")).map((r) => String(r.phone));
    expect(phones).toHaveLength(originalPhones.length); // NULL stayed NULL, others stayed set
    for (const [i, p] of phones.entries()) expect(p.replace(/\d/g, "9")).toBe(originalPhones[i].replace(/\d/g, "9")); // format kept
    expect(phones.filter((p, i) => p === originalPhones[i]).length).toBeLessThan(phones.length / 10);

    expect(
      Number(await db.scalar("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email <> u.email")),
    ).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM orders"))).toBe(users * 2);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM session_tokens"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM payment_audit_log"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM support_tickets"))).toBe(openTickets);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM support_tickets WHERE body LIKE '%this is%'"))).toBe(0);
  });
});
