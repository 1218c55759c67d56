/**
 * The benchmark's own correctness: the generated dataset is what the bench claims, the
 * hand-written floors do the same work as the sanitizer runs they are compared with, and the
 * medians/targets/options logic. (No benchmark runs here: sizes are tiny.)
 */
import { describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";
import { datasetStatements as postgresDataset } from "../bench/postgres-engine";
import { datasetStatements as mysqlDataset } from "../bench/mysql-engine";
import { ARTICLE_RULES, DETERMINISTIC_RULES, articleSteps, floorDeterministicSteps, floorSteps, type SqlStep } from "../bench/contenders";
import { median, summarize, type Measurement } from "../bench/measurement";
import { targets } from "../bench/report";
import { parseBenchArgs } from "../bench/args";
import { BENCH_MASKING_KEY } from "../bench/sanitizer-child";
import { deriveMaskingKey } from "../sanitize/core/masking-key";
import { sanitize } from "../sanitize/index";
import type { EngineName } from "../sanitize/core/types";

const SIZES = { users: 400, orders: 900 };

async function run(db: TestDatabase, steps: SqlStep[]): Promise<void> {
  if (db.engine === "mysql" && steps.every((s) => !s.params)) {
    // One session: the MySQL dataset switches foreign_key_checks for its index builds.
    await db.exec(steps.map((s) => s.text).join(";\n"));
    return;
  }
  for (const s of steps) await db.exec(s.text, s.params);
}

async function dataset(engine: EngineName): Promise<TestDatabase> {
  const db = await freshDatabase(engine, "bench");
  await run(db, engine === "postgres" ? postgresDataset(SIZES) : mysqlDataset(SIZES));
  return db;
}

const usersRows = (db: TestDatabase) => db.exec("SELECT id, email, phone, first_name, last_name, password_hash FROM users ORDER BY id");

describe.each(engines)("bench on %s", (engine) => {
  it("generates the dataset it claims: sizes, unique emails, orders copying their user's email, FKs", async () => {
    const db = await dataset(engine);
    const n = async (q: string) => Number(await db.scalar(q));
    expect(await n("SELECT COUNT(*) FROM users")).toBe(SIZES.users);
    expect(await n("SELECT COUNT(DISTINCT email) FROM users")).toBe(SIZES.users);
    expect(await n("SELECT COUNT(*) FROM orders")).toBe(SIZES.orders);
    expect(await n("SELECT COUNT(*) FROM payment_audit_log")).toBe(Math.floor(SIZES.orders / 2));
    expect(await n("SELECT COUNT(*) FROM session_tokens")).toBe(Math.floor(SIZES.users / 2));
    expect(await n("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email = u.email")).toBe(SIZES.orders);
    await expect(
      db.exec(
        "INSERT INTO users (id, email, first_name, last_name, password_hash, created_at) SELECT 99999, email, 'x', 'y', 'z', created_at FROM users WHERE id = 1",
      ),
    ).rejects.toThrow();
    await expect(
      db.exec(
        "INSERT INTO orders (id, user_id, customer_email, total_cents, status, created_at) SELECT 99999, 123456789, 'a', 1, 'paid', created_at FROM users WHERE id = 1",
      ),
    ).rejects.toThrow();
  });

  it("(c)'s rules do exactly what the article's script (a) and the floor (b) do to users", async () => {
    const [a, b, c] = await Promise.all([dataset(engine), dataset(engine), dataset(engine)]);
    await run(a, articleSteps());
    await run(b, floorSteps(engine));
    const report = await sanitize({ target: c.target, rules: ARTICLE_RULES, maskingKey: BENCH_MASKING_KEY, parallelism: 1 });
    expect(report.verified).toBe(true);
    const expected = await usersRows(a);
    expect(expected[0].email).toBe("user_1@example.com");
    expect(await usersRows(b)).toEqual(expected);
    expect(await usersRows(c)).toEqual(expected);
    for (const db of [a, b, c]) expect(Number(await db.scalar("SELECT COUNT(*) FROM session_tokens"))).toBe(0);
  });

  it("(b') computes the same masked emails as the sanitizer's email transform (d), in both tables", async () => {
    const [b2, d] = await Promise.all([dataset(engine), dataset(engine)]);
    const originals = await b2.exec("SELECT id, email FROM users ORDER BY id");
    await run(b2, floorDeterministicSteps(engine, deriveMaskingKey(BENCH_MASKING_KEY)));
    const report = await sanitize({ target: d.target, rules: DETERMINISTIC_RULES, maskingKey: BENCH_MASKING_KEY, parallelism: 2 });
    expect(report.verified).toBe(true);
    const masked = await usersRows(b2);
    // Independently of both: HMAC-SHA256 in Node over the original address.
    const hex = createHmac("sha256", BENCH_MASKING_KEY).update(String(originals[0].email), "utf8").digest("hex");
    expect(masked[0].email).toBe(`u${hex.slice(0, 20)}@example.com`);
    expect(await usersRows(d)).toEqual(masked);
    const orderEmails = (db: TestDatabase) => db.exec("SELECT id, customer_email FROM orders ORDER BY id");
    expect(await orderEmails(d)).toEqual(await orderEmails(b2));
    expect(
      Number(await b2.scalar("SELECT COUNT(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.customer_email <> u.email")),
    ).toBe(0);
  });
});

describe("bench arithmetic and options", () => {
  const m = (run: Measurement["run"], ms: number, logBytes: number, extra: Partial<Measurement> = {}): Measurement => ({
    engine: "postgres",
    run,
    round: 1,
    wallMs: ms + (extra.innerMs !== undefined ? 300 : 0),
    rows: 100,
    settleAfterMs: 10,
    written: { logBytes, pagesWritten: logBytes / 8192, pageSize: 8192 },
    ...extra,
  });

  it("takes medians of odd and even counts", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("grades issue 11's targets on the CLI's whole-process time (start to exit)", () => {
    // CLI runs have no inside view (no innerMs): their wall time is what counts.
    const ms: Measurement[] = [
      m("a", 3000, 8192 * 300),
      m("b", 1000, 8192 * 100),
      ...[1000, 1050, 5000].map((t, i) => m("c1", t, 8192 * 103, { round: i + 1, peakRssKb: 80_000 })),
      ...[700, 790, 900].map((t, i) => m("cn", t, 8192 * 103, { round: i + 1, peakRssKb: 90_000 })),
      m("lib", 600, 8192 * 103, { innerMs: 600, peakRssKb: 200_000 }),
      m("rerun", 120, 1000, { peakRssKb: 70_000 }),
      m("verify", 100, 0),
    ];
    expect(summarize(ms, "postgres", "c1")?.runMs).toBe(1050);
    const byName = Object.fromEntries(targets(ms, "postgres").map((t) => [t.name, t]));
    expect(byName["cN/b time (whole process)"].ratio).toBeCloseTo(0.79);
    expect(byName["cN/b time (whole process)"].pass).toBe(true);
    expect(byName["c1/b time, one connection (whole process)"].ratio).toBeCloseTo(1.05);
    expect(byName["cN/a time (whole process)"].pass).toBe(true);
    expect(byName["cN/b log bytes (WAL/redo)"].pass).toBe(true);
    expect(byName["cN/b data pages written"].pass).toBe(false);
    expect(byName["re-run / verify time (whole processes)"].ratio).toBeCloseTo(1.2);
    expect(byName["re-run / verify time (whole processes)"].pass).toBe(false);
    expect(byName["re-run/cN log bytes"].pass).toBe(false);
    // The library run's RSS counts too: a limit must hold for every run.
    expect(byName["peak RSS (MB) / 150 MB"].pass).toBe(false);
  });

  it("rejects bad options with the option's name and the usage", () => {
    expect(parseBenchArgs(["--users", "1_000"]).users).toBe(1000);
    expect(() => parseBenchArgs(["--users", "0"])).toThrow(/--users must be a positive whole number.*\n.*usage/s);
    expect(() => parseBenchArgs(["--engines", "oracle"])).toThrow(/unknown engine "oracle"/);
    expect(() => parseBenchArgs(["--only", "z"])).toThrow(/unknown contender "z"/);
    // --chunk-size is a sanitize option: the shared schema's limits and wording.
    expect(parseBenchArgs(["--chunk-size", "5_000"]).chunkSize).toBe(5000);
    const tooBig = /--chunk-size: must be at most 10000000, e\.g\. 50000 \(got "10_000_001"\)\n.*usage/s;
    expect(() => parseBenchArgs(["--chunk-size", "10_000_001"])).toThrow(tooBig);
  });
});
