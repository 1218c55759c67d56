/**
 * The built CLI (`node dist/sanitize/cli/main.js`) as a user runs it, against real databases
 * on both engines: exit codes, output, and that secrets never reach stdout/stderr.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRules } from "../sanitize/index";
import { Redactor, redactUrl } from "../sanitize/cli/redact";
import { loadSample } from "../sanitize/local/sample";
import { freePort } from "../sanitize/local/servers";
import { cli, root, runCli, type CliResult } from "./harness/cli";
import { engines, freshDatabase, type TestDatabase } from "./harness/db";

const defaultRules = join(root, "sanitize", "default-rules.yaml");
const work = mkdtempSync(join(tmpdir(), "cli-test-"));

function file(name: string, text: string): string {
  const p = join(work, `${randomBytes(4).toString("hex")}-${name}`);
  writeFileSync(p, text);
  return p;
}

/** Everything a run could have changed in the sample: table list and the personal columns. */
async function snapshot(db: TestDatabase): Promise<string> {
  const tables =
    db.engine === "postgres"
      ? await db.exec(
          "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') ORDER BY 1, 2",
        )
      : await db.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1");
  const users = await db.exec("SELECT id, email, phone, first_name, last_name, password_hash FROM users ORDER BY id");
  const counts = await db.exec("SELECT (SELECT COUNT(*) FROM session_tokens) AS s, (SELECT COUNT(*) FROM support_tickets) AS t");
  return JSON.stringify({ tables, users, counts });
}

async function sampleDb(engine: TestDatabase["engine"], rows = 60): Promise<TestDatabase> {
  const db = await freshDatabase(engine, "cli");
  await loadSample(db.target, { rows });
  return db;
}

function expectNoSecrets(r: CliResult, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}

beforeAll(() => {
  // dist/ is built once by test/harness/global-setup.ts, before any test file starts.
  expect(existsSync(cli)).toBe(true);
});

describe("redaction of what the CLI prints", () => {
  it("hides URL passwords and every registered secret, wherever they appear", () => {
    expect(redactUrl("connect postgres://app:s3cr%40t@db.internal:5432/app failed")).toBe(
      "connect postgres://app:***@db.internal:5432/app failed",
    );
    expect(redactUrl("mysql://root@h/db?password=abc&ssl=1")).toBe("mysql://root@h/db?password=***&ssl=1");
    expect(redactUrl("postgres://app@h/db")).toBe("postgres://app@h/db");
    const r = new Redactor();
    r.add("key-with/slash-0123");
    r.add("ab"); // too short to redact usefully: ignored
    expect(r.scrub("key key-with/slash-0123 and key-with%2Fslash-0123, ab")).toBe("key *** and ***, ab");
    r.add('quote"back\\slash');
    expect(r.scrub(JSON.stringify({ detail: 'x quote"back\\slash y' }))).toBe('{"detail":"x *** y"}');
  });
});

describe("aurora-staging command line", () => {
  it("prints help for every command and exits 2 on usage errors", async () => {
    for (const cmd of ["plan", "sanitize", "verify", "scan", "demo"]) {
      const r = await runCli([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`aurora-staging ${cmd}`);
    }
    const top = await runCli(["--help"]);
    expect(top.stdout).toMatch(/Exit codes:.*1 verification failed/s);

    const unknownCmd = await runCli(["sanitise"]);
    expect(unknownCmd.code).toBe(2);
    expect(unknownCmd.stderr).toContain('unknown command "sanitise"');

    const unknownFlag = await runCli(["sanitize", "--rulez", "x.yaml"]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("--rulez");

    const noUrl = await runCli(["sanitize", "--rules", defaultRules]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("missing --url");

    const badChunk = await runCli(["sanitize", "--url", "postgres://u@127.0.0.1:1/x", "--rules", defaultRules, "--chunk-size", "ten"]);
    expect(badChunk.code).toBe(2);
    // The wording is the shared option schema's (sanitize/options), with the flag named.
    expect(badChunk.stderr).toContain('--chunk-size: must be a whole number from 1 to 10000000, e.g. 50000 (got "ten")');
  });

  it("exits 4 naming host:port when it cannot connect, without printing the password", async () => {
    const port = await freePort();
    const r = await runCli(
      ["plan", "--url", `postgres://app:hunter2-secret@127.0.0.1:${port}/app?sslmode=disable`, "--rules", defaultRules, "--retry-for", "1"],
      {
        AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789",
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expectNoSecrets(r, "hunter2-secret", "cli-test-masking-key-0123456789");
  });
});

describe.each(engines)("aurora-staging on %s", (engine) => {
  it("plan prints the SQL and coverage, writes nothing, shows no secret", async () => {
    const db = await sampleDb(engine);
    const key = randomBytes(24).toString("hex");
    const before = await snapshot(db);
    const r = await runCli(["plan", "--url", db.url, "--rules", defaultRules], { AURORA_STAGING_MASKING_KEY: key });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/UPDATE\s+(ONLY\s+)?\S*users/i);
    expect(r.stdout).toMatch(/TRUNCATE/i);
    expect(r.stdout).toContain("Coverage:");
    expect(r.stdout).toContain("Nothing was written");
    expect(r.stdout).toContain(":***@"); // the URL is shown redacted
    expectNoSecrets(r, key, db.target.password!);

    const j = await runCli(["plan", "--url", db.url, "--rules", defaultRules, "--json"], { AURORA_STAGING_MASKING_KEY: key });
    expect(j.code).toBe(0);
    const p = JSON.parse(j.stdout);
    expect(p.tables.map((t: { key: string }) => t.key).sort()).toEqual([
      "orders",
      "payment_audit_log",
      "session_tokens",
      "support_tickets",
      "users",
    ]);
    expect(p.statements.join("\n")).toContain("<secret>");
    expect(j.stdout).not.toContain("Buffer"); // the key's HMAC pads are never serialised
    expectNoSecrets(j, key, db.target.password!);
    expect(await snapshot(db)).toBe(before);
  });

  it("sanitize --json exits 0 with the run report; a second run is a no-op", async () => {
    const db = await sampleDb(engine);
    const key = randomBytes(24).toString("hex");
    const keyFile = file("key", key + "\n");
    const r = await runCli([
      "sanitize",
      "--url",
      db.url,
      "--rules",
      defaultRules,
      "--masking-key-file",
      keyFile,
      "--json",
      "--chunk-size",
      "25",
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.verified).toBe(true);
    expect(report.peakRssKb).toBeGreaterThan(1000);
    expect(report.tables.map((t: { table: string }) => t.table).join(" ")).toContain("users");
    expect(report.tables.find((t: { table: string }) => t.table.endsWith("users")).chunks).toBeGreaterThanOrEqual(3);
    expectNoSecrets(r, key, db.target.password!);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@example.com'"))).toBe(0);

    const again = await runCli(["sanitize", "--url", db.url, "--rules", defaultRules, "--masking-key-file", keyFile]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing needed writing");
    // the report says the checks ran now, not that an earlier verdict stands
    expect(again.stdout).toMatch(/Checks run now, at \d{4}-\d\d-\d\dT/);
    expect(again.stdout).toContain("VERIFIED");
  });

  it("bad rules exit 2 naming the file and line, nothing written", async () => {
    const db = await sampleDb(engine);
    const before = await snapshot(db);
    const rules = file("bad.yaml", ["tables:", "  users:", "    columns:", "      email: { transform: emial }", ""].join("\n"));
    const r = await runCli(["sanitize", "--url", db.url, "--rules", rules], {
      AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${rules}:4`);
    expect(r.stderr).toContain("emial");
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
    // A YAML bomb is a rules error too (it used to be "unexpected", exit 5).
    const laughs = ["a", "b", "c", "d", "e", "f", "g", "h"].map(
      (k, n) =>
        `${k}: &${k} [${Array(9)
          .fill(n === 0 ? '"lol"' : `*${"abcdefg"[n - 1]}`)
          .join(",")}]`,
    );
    const bomb = file("bomb.yaml", [...laughs, "tables: *h", ""].join("\n"));
    const b = await runCli(["sanitize", "--url", db.url, "--rules", bomb], {
      AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789",
    });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`${bomb}:2`);
    expect(b.stderr).toMatch(/billion laughs/);
    expect(await snapshot(db)).toBe(before);
  });

  it("a failing verify query exits 1 and names the check", async () => {
    const db = await sampleDb(engine);
    const rules = file(
      "verify.yaml",
      readFileSync(defaultRules, "utf8") + '  - { name: "users table is empty", sql: "SELECT COUNT(*) FROM users", expect: 0 }\n',
    );
    const r = await runCli(["sanitize", "--url", db.url, "--rules", rules], {
      AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789",
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+verify: users table is empty/);
    expect(r.stdout).toContain("NOT VERIFIED");

    const v = await runCli(["verify", "--url", db.url, "--rules", rules, "--json"], {
      AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789",
    });
    expect(v.code).toBe(1);
    const checks = JSON.parse(v.stdout).checks as { name: string; passed: boolean }[];
    expect(checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(["verify: users table is empty"]);
  });

  it("never prints a URL password holding an unencoded @, nor data values quoted in database errors", async () => {
    const db = await sampleDb(engine, 30);
    const login = `sec_${randomBytes(4).toString("hex")}`;
    const password = "Sup3r@Secret99";
    if (engine === "postgres") await db.exec(`CREATE ROLE ${login} LOGIN SUPERUSER PASSWORD '${password}'`);
    else await db.exec(`CREATE USER '${login}'@'%' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON *.* TO '${login}'@'%'`);
    const url = `${engine}://${login}:${password}@${db.target.host}:${db.target.port}/${db.name}`;
    const env = { AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789" };
    const emails = (await db.exec("SELECT email FROM users ORDER BY id")).map((r) => String(r.email));
    const noLeak = (r: CliResult) => {
      expectNoSecrets(r, password, "Secret99", "Sup3r", ...emails);
      expect(r.stdout + r.stderr).not.toMatch(/Sup3r|Secret99/);
    };

    // A 100 KB `fixed` value is in the printed plan (--full-sql; by default it shows as its length): redacting it must stay linear (it took 14 s).
    // The time bound only guards against that quadratic blow-up; it includes the CLI's start-up.
    const big = "b".repeat(100_000);
    const bigRules = file(
      "big.yaml",
      readFileSync(defaultRules, "utf8").replace(
        /body: +\{ transform: template, value: "[^"]*" \}/,
        `body: { transform: fixed, value: "${big}" }`,
      ),
    );
    const t0 = Date.now();
    const p = await runCli(["plan", "--url", url, "--rules", bigRules, "--full-sql"], env);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain(`${login}:***@`);
    expect(p.stdout).toContain(big);
    noLeak(p);

    // An `sql` transform that fails on the data: the engine quotes the offending value.
    const cast = engine === "postgres" ? "CAST(CAST(email AS integer) AS text)" : "CAST(CAST(email AS SIGNED) AS CHAR)";
    const failing = file(
      "cast.yaml",
      `tables:\n  users:\n    columns:\n      email: { transform: sql, expression: "${cast}", unique: true }\n`,
    );
    for (const args of [["sanitize", "--json"], ["sanitize"]]) {
      const r = await runCli([...args, "--url", url, "--rules", failing, "--coverage", "off"], env);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("<redacted>");
      noLeak(r);
    }

    if (engine === "postgres") {
      // MySQL only warns on a bad CAST in a SELECT; PostgreSQL fails the check with the value quoted.
      const verify = file(
        "verify-cast.yaml",
        `tables:\n  session_tokens: { truncate: true }\nverify:\n  - { name: cast, sql: "SELECT CAST(email AS integer) FROM users ORDER BY id LIMIT 1", expect: 0 }\n`,
      );
      const v = await runCli(["sanitize", "--json", "--url", url, "--rules", verify, "--coverage", "off"], env);
      expect(v.code).toBe(1);
      const detail = (JSON.parse(v.stdout).checks as { name: string; detail: string }[]).find((c) => c.name === "verify: cast")!.detail;
      expect(detail).toMatch(/invalid input syntax for type integer: "<redacted>"/);
      noLeak(v);
      const stored = (await db.exec("SELECT report::text AS r FROM aurora_staging.runs")).map((r) => String(r.r)).join("\n");
      expect(stored).toContain("<redacted>");
      for (const e of emails) expect(stored).not.toContain(e);
    }
  });

  it("refuses a forbidden host (flag and env) with exit 3 before writing", async () => {
    const db = await sampleDb(engine);
    const before = await snapshot(db);
    const env = { AURORA_STAGING_MASKING_KEY: "cli-test-masking-key-0123456789" };
    const byFlag = await runCli(
      ["sanitize", "--url", db.url, "--rules", defaultRules, "--forbid", `${db.target.host}:${db.target.port}/${db.name}`],
      env,
    );
    expect(byFlag.code).toBe(3);
    expect(byFlag.stderr).toContain("forbidden");
    const byEnv = await runCli(["sanitize", "--url", db.url, "--rules", defaultRules], {
      ...env,
      AURORA_STAGING_FORBIDDEN_HOSTS: `prod.example.internal, ${db.target.host}`,
    });
    expect(byEnv.code).toBe(3);
    expect(await snapshot(db)).toBe(before);
  });

  it("--masking-key warns that it is visible in ps and never echoes it", async () => {
    const db = await sampleDb(engine, 20);
    const key = "visible-in-ps-" + randomBytes(8).toString("hex");
    const r = await runCli(["sanitize", "--url", db.url, "--rules", defaultRules, "--masking-key", key]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("visible to other users in `ps`");
    expectNoSecrets(r, key, db.target.password!);
  });

  it("Ctrl-C mid-run exits 130 and the same command resumes and verifies", async () => {
    const db = await sampleDb(engine, 4000);
    const key = randomBytes(24).toString("hex");
    const env = { ...process.env, AURORA_STAGING_MASKING_KEY: key };
    const args = [cli, "sanitize", "--url", db.url, "--rules", defaultRules, "--chunk-size", "20", "--parallel", "1", "--progress"];
    const child = spawn(process.execPath, args, { cwd: root, env });
    let stderr = "";
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    // Synchronise on the run's own progress lines: interrupt after a few committed mask chunks.
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        const chunks = [...stderr.matchAll(/ mask: .*, (\d+) chunks/g)].map((m) => Number(m[1]));
        if (chunks.some((n) => n >= 3)) resolve();
      });
    });
    child.kill("SIGINT");
    expect(await closed).toBe(130);
    expect(stderr).toContain("run the same command again to resume");
    expect(stderr).not.toContain(key);

    const again = await runCli(["sanitize", "--url", db.url, "--rules", defaultRules, "--chunk-size", "20", "--json"], {
      AURORA_STAGING_MASKING_KEY: key,
    });
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.resumed).toBe(true);
    expect(report.verified).toBe(true);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM users WHERE email NOT LIKE '%@example.com'"))).toBe(0);
    expect(Number(await db.scalar("SELECT COUNT(*) FROM users"))).toBe(4000);
  });

  it("scan lists unclassified personal columns and --write produces a draft that loads", async () => {
    const db = await freshDatabase(engine, "scan");
    await db.exec("CREATE TABLE customers (id int PRIMARY KEY, email varchar(200), mobile_phone varchar(30), shipping_note varchar(50))");
    const draft = join(work, `draft-${randomBytes(4).toString("hex")}.yaml`);
    const r = await runCli(["scan", "--url", db.url, "--write", draft]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("customers.email");
    expect(r.stdout).toContain("customers.mobile_phone");
    expect(r.stdout).not.toContain("shipping_note");
    const text = readFileSync(draft, "utf8");
    // The draft lives in a temp dir: its $schema must point at the real schema from there.
    const ref = /\$schema=(\S+)/.exec(text)?.[1];
    expect(ref, text.split("\n")[0]).toBeDefined();
    expect(existsSync(resolve(dirname(draft), ref!)), ref).toBe(true);
    const rules = loadRules(text, draft);
    const key = Object.keys(rules.tables).find((t) => t.endsWith("customers"))!;
    const table = rules.tables[key];
    expect(table.kind).toBe("mask");
    if (table.kind === "mask") expect(Object.keys(table.columns).sort()).toEqual(["email", "mobile_phone"]);

    const again = await runCli(["scan", "--url", db.url, "--write", draft]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--force");
  });
});
