/** Issue 13 §3: the CLI takes `--leak-sample-size` like the Pulumi config's `leakSampleSize`. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./harness/cli";
import { engines, freshDatabase } from "./harness/db";

const KEY = "cli-leak-sample-key-0123456789abcdef";

describe.each(engines)("--leak-sample-size (%s)", (engine) => {
  it("sets how many originals the leak check samples; a bad value is a usage error naming the flag", async () => {
    const db = await freshDatabase(engine, "leak");
    await db.exec("CREATE TABLE people (id int PRIMARY KEY, email varchar(100) NOT NULL)");
    await db.exec(`INSERT INTO people VALUES ${Array.from({ length: 50 }, (_, k) => `(${k + 1}, 'p${k + 1}@corp.test')`).join(", ")}`);
    const rules = join(mkdtempSync(join(tmpdir(), "leak-")), "rules.yaml");
    writeFileSync(rules, "tables:\n  people:\n    columns:\n      email: { transform: email }\n");

    const bad = await runCli(["sanitize", "--url", db.url, "--rules", rules, "--leak-sample-size", "0"], {
      AURORA_STAGING_MASKING_KEY: KEY,
    });
    expect(bad.code).toBe(2);
    // The wording is the shared option schema's (sanitize/options), with the flag named.
    expect(bad.stderr).toContain('--leak-sample-size: must be at least 1, e.g. 100 (got "0")');

    const r = await runCli(["sanitize", "--url", db.url, "--rules", rules, "--leak-sample-size", "7", "--json"], {
      AURORA_STAGING_MASKING_KEY: KEY,
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { verified: boolean; checks: { name: string; detail?: string }[] };
    expect(report.verified).toBe(true);
    const leak = report.checks.filter((c) => /email/.test(c.name) && /sampled rows/.test(c.detail ?? ""));
    expect(leak.map((c) => c.detail)).toEqual(["0 of 7 sampled rows still hold their original value"]);
  });
});
