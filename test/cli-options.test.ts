/**
 * The built CLI's reading of its flags: values checked by the shared option schema (the flag
 * named, the schema's wording), one masking key only, malformed --forbid entries and verify's
 * --coverage as usage errors (exit 2). None of these reaches a database: they fail first.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../sanitize/options";
import { root, runCli } from "./harness/cli";

const rules = join(root, "sanitize", "default-rules.yaml");
// Port 1 on loopback: nothing listens there, so reaching the connection would exit 4, not 2.
const url = "postgres://u@127.0.0.1:1/x?sslmode=disable";
const work = mkdtempSync(join(tmpdir(), "cli-options-"));

function keyFile(text: string): string {
  const p = join(work, `key-${Math.random().toString(36).slice(2)}`);
  writeFileSync(p, text);
  return p;
}

describe("option values come from the shared schema", () => {
  it("names the flag and uses the schema's limit and example", async () => {
    const r = await runCli(["plan", "--url", url, "--rules", rules, "--chunk-size", String(LIMITS.chunkSize.max + 1), "--retry-for", "0"], {
      AURORA_STAGING_MASKING_KEY: "cli-options-key-0123456789",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--chunk-size: must be at most ${LIMITS.chunkSize.max}, e.g. ${LIMITS.chunkSize.example}`);
  });

  it("reports every bad flag at once, with a did-you-mean for a near-miss value", async () => {
    const r = await runCli(["sanitize", "--url", url, "--rules", rules, "--parallel", "65", "--coverage", "persnal", "--triggers", "of"], {
      AURORA_STAGING_MASKING_KEY: "cli-options-key-0123456789",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("3 problems");
    expect(r.stderr).toContain(`--parallel: must be at most ${LIMITS.parallelism.max}`);
    expect(r.stderr).toContain('--coverage: must be one of "personal", "strict", "off" (got "persnal") (did you mean "personal"?)');
    expect(r.stderr).toContain('--triggers: must be one of "fire", "disable" (got "of")');
  });

  it("checks the masking key's length with the schema, never showing it", async () => {
    const short = "short-key-123";
    const r = await runCli(["plan", "--url", url, "--rules", rules, "--masking-key-file", keyFile(short)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is shorter than 16 characters (value not shown)");
    expect(r.stderr).toContain("--masking-key-file");
    expect(r.stderr).not.toContain(short);
  });
});

describe("one masking key", () => {
  const envKey = "env-masking-key-0123456789abcdef";
  const flagKey = "flag-masking-key-0123456789abcdef";
  const fileKey = "file-masking-key-0123456789abcdef";

  it("$AURORA_STAGING_MASKING_KEY and --masking-key together: exit 2 naming both, values not shown", async () => {
    const r = await runCli(["plan", "--url", url, "--rules", rules, "--masking-key", flagKey], { AURORA_STAGING_MASKING_KEY: envKey });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("two masking keys given");
    expect(r.stderr).toContain("$AURORA_STAGING_MASKING_KEY");
    expect(r.stderr).toContain("--masking-key");
    for (const k of [envKey, flagKey]) expect(r.stdout + r.stderr).not.toContain(k);
  });

  it("--masking-key-file and $AURORA_STAGING_MASKING_KEY together: exit 2 naming both", async () => {
    const args = ["sanitize", "--url", url, "--rules", rules, "--masking-key-file", keyFile(fileKey)];
    const r = await runCli(args, { AURORA_STAGING_MASKING_KEY: envKey });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--masking-key-file and $AURORA_STAGING_MASKING_KEY");
    for (const k of [envKey, fileKey]) expect(r.stdout + r.stderr).not.toContain(k);
  });

  it("--masking-key-file and --masking-key together: exit 2", async () => {
    const r = await runCli(["verify", "--url", url, "--rules", rules, "--masking-key-file", keyFile(fileKey), "--masking-key", flagKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--masking-key-file and --masking-key");
    for (const k of [flagKey, fileKey]) expect(r.stdout + r.stderr).not.toContain(k);
  });

  it("one key alone goes on to connect (exit 4 on this closed port)", async () => {
    const r = await runCli(["plan", "--url", url, "--rules", rules, "--retry-for", "0"], { AURORA_STAGING_MASKING_KEY: envKey });
    expect(r.code, r.stderr).toBe(4);
  });
});

describe("malformed --forbid is a usage error", () => {
  it("exits 2 naming the entry and where it came from, before connecting", async () => {
    const env = { AURORA_STAGING_MASKING_KEY: "cli-options-key-0123456789", AURORA_STAGING_FORBIDDEN_HOSTS: "prod.internal:abc" };
    const r = await runCli(["sanitize", "--url", url, "--rules", rules, "--forbid", ":5432"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--forbid: forbiddenHosts entry ":5432" has no host');
    expect(r.stderr).toContain('$AURORA_STAGING_FORBIDDEN_HOSTS: forbiddenHosts entry "prod.internal:abc": port "abc" is not a number');
  });
});

describe("verify --coverage", () => {
  it("is refused (verify never runs the coverage guard), pointing at plan", async () => {
    for (const args of [["--coverage", "strict"], ["--coverage=off"]]) {
      const env = { AURORA_STAGING_MASKING_KEY: "cli-options-key-0123456789" };
      const r = await runCli(["verify", "--url", url, "--rules", rules, ...args], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("verify does not take --coverage");
      expect(r.stderr).toContain("aurora-staging plan");
    }
  });
});
