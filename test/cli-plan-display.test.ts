/** Issue 13 §3: `plan` prints long literals as their length; `--full-sql` prints them whole; secrets stay <secret> either way. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIRST_NAMES } from "../sanitize/transforms/names";
import { runCli } from "./harness/cli";
import { engines, freshDatabase } from "./harness/db";

const KEY = "cli-plan-display-key-0123456789abcdef";
const LONG = "L".repeat(2048);

describe.each(engines)("plan display (%s)", (engine) => {
  it("elides long literals and name lists with their count; --full-sql shows them; the key never", async () => {
    const db = await freshDatabase(engine, "pland");
    await db.exec("CREATE TABLE people (id int PRIMARY KEY, first_name varchar(100), bio text)");
    const rules = join(mkdtempSync(join(tmpdir(), "pland-")), "rules.yaml");
    writeFileSync(
      rules,
      `tables:\n  people:\n    columns:\n      first_name: { transform: name, kind: first }\n      bio: { transform: fixed, value: ${LONG} }\n`,
    );
    const env = { AURORA_STAGING_MASKING_KEY: KEY };

    const brief = await runCli(["plan", "--url", db.url, "--rules", rules], env);
    expect(brief.code, brief.stderr).toBe(0);
    expect(brief.stdout).toContain("'<2,048 chars>'");
    expect(brief.stdout).toMatch(new RegExp(`ARRAY\\[<${FIRST_NAMES.length} items>\\]|<${FIRST_NAMES.length} values>`));
    expect(brief.stdout).not.toContain(LONG);
    expect(brief.stdout).not.toContain(`'${FIRST_NAMES[1]}'`);
    expect(brief.stdout).toContain("<secret>");
    expect(Math.max(...brief.stdout.split("\n").map((l) => l.length))).toBeLessThan(1500);

    const full = await runCli(["plan", "--url", db.url, "--rules", rules, "--full-sql"], env);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain(`'${LONG}'`);
    expect(full.stdout).toContain(`'${FIRST_NAMES[1]}'`);
    expect(full.stdout).toContain("<secret>");
    for (const r of [brief, full]) expect(r.stdout + r.stderr).not.toContain(KEY);
  });
});
