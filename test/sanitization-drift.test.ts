/**
 * The Sanitization resource records which sanitizer build ran (`sanitizerVersion`: package
 * version + a hash of dist/sanitize) and where it was loaded from. A different build later is
 * an update (the clone is re-verified with it and the change is recorded), never a silent swap;
 * a build that changes between `check` and the run is refused before any write. Copies of the
 * compiled sanitizer in temporary directories play "another checkout" and "a rebuilt dist".
 */
import { appendFileSync, cpSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sanitizationProvider as provider, type SanitizationInputs, type SanitizationState } from "../components/sanitization";
import { projectRoot } from "../components/sanitization/locate";
import { dedicatedServers } from "./harness/dedicated-db";
import { expectSanitized, expectUntouched, inputsFor, offlineInputs, seedArticleSchema } from "./harness/sanitization-fixture";

const root = path.resolve(__dirname, "..");
const packageVersion = (require(path.join(root, "package.json")) as { version: string }).version;
const BUILD = /^(.+)\+([0-9a-f]{16})$/;

/** A copy of the compiled sanitizer in its own directory, with the project's dependencies. */
function copySanitizer(version = packageVersion): string {
  const home = mkdtempSync(path.join(tmpdir(), "sanitizer-copy-"));
  cpSync(path.join(root, "dist", "sanitize"), path.join(home, "dist", "sanitize"), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(home, "node_modules"), "dir");
  writeFileSync(path.join(home, "package.json"), JSON.stringify({ name: "aurora-staging", version }));
  return home;
}

/** "Rebuilt from changed sources": same package version, different compiled code. */
function rebuild(home: string, note: string): void {
  appendFileSync(path.join(home, "dist", "sanitize", "index.js"), `\n// rebuilt: ${note}\n`);
}

async function checked(inputs: SanitizationInputs): Promise<SanitizationInputs> {
  const r = await provider.check!({}, inputs);
  expect(r.failures ?? []).toEqual([]);
  return r.inputs as SanitizationInputs;
}

// sanitizeCluster sees every database and login of the server: this file gets its own servers.
const servers = dedicatedServers();
afterAll(() => servers.stop());

describe("where the sanitizer is found", () => {
  const saved = process.env.AURORA_STAGING_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.AURORA_STAGING_HOME;
    else process.env.AURORA_STAGING_HOME = saved;
  });

  it("the program side finds the project root from the component's own directory", () => {
    expect(projectRoot(path.join(root, "components", "sanitization"))).toBe(root);
    expect(projectRoot(path.join(root, "components"))).toBe(root);
  });

  it("check records the build it found: package version + content hash, the same for the same build anywhere", async () => {
    delete process.env.AURORA_STAGING_HOME;
    const here = (await checked(offlineInputs())).sanitizerVersion!;
    expect(here).toMatch(BUILD);
    expect(BUILD.exec(here)![1]).toBe(packageVersion);
    // The same build checked out elsewhere is the same version: a new path is no drift.
    const elsewhere = copySanitizer();
    expect((await checked({ ...offlineInputs(), sanitizerHome: elsewhere })).sanitizerVersion).toBe(here);
    // Rebuilt from other sources under the same package version: another build.
    rebuild(elsewhere, "other sources");
    const rebuilt = (await checked({ ...offlineInputs(), sanitizerHome: elsewhere })).sanitizerVersion!;
    expect(rebuilt).not.toBe(here);
    expect(BUILD.exec(rebuilt)![1]).toBe(packageVersion);
    // Another package version, same code: another build too.
    const bumped = copySanitizer("9.9.9");
    expect((await checked({ ...offlineInputs(), sanitizerHome: bumped })).sanitizerVersion).toBe(here.replace(BUILD, "9.9.9+$2"));
  });

  it("AURORA_STAGING_HOME, when set, wins over the recorded home", async () => {
    const override = copySanitizer("2.0.0");
    process.env.AURORA_STAGING_HOME = override;
    expect((await checked({ ...offlineInputs(), sanitizerHome: root })).sanitizerVersion).toMatch(/^2\.0\.0\+/);
  });

  it("a sanitizer too old for this provider is refused by name", async () => {
    const old = copySanitizer();
    // A dist built before the shared option schema existed.
    writeFileSync(path.join(old, "dist", "sanitize", "index.js"), "exports.sanitizeCluster = () => {}; exports.loadRules = () => ({});\n");
    await expect(provider.check!({}, { ...offlineInputs(), sanitizerHome: old })).rejects.toThrow(
      /is older than this provider: it lacks hashRules, assertNotForbidden, sanitizeOptionsSchema.*npm run build/,
    );
  });
});

describe("diff on the recorded build", () => {
  const olds = {
    host: "a.invalid",
    port: 5432,
    engine: "postgres",
    database: "app",
    username: "admin",
    rulesHash: "h1",
    options: {},
    forbiddenHosts: ["p"],
    verified: true,
  };
  const news = { ...olds, password: "x", maskingKey: "y", rules: "...", sanitizerHome: "/elsewhere" };

  it("another build is an update (re-run and re-verify), not a replacement; the same build elsewhere is no change", async () => {
    const recorded = { ...olds, sanitizerVersion: "0.1.0+aaaaaaaaaaaaaaaa", sanitizerPath: "/ci/run-1/dist/sanitize/index.js" };
    const same = { ...news, sanitizerVersion: "0.1.0+aaaaaaaaaaaaaaaa" };
    expect(await provider.diff!("id", recorded, same)).toMatchObject({ changes: false, replaces: [] });
    const other = { ...news, sanitizerVersion: "0.1.0+bbbbbbbbbbbbbbbb" };
    expect(await provider.diff!("id", recorded, other)).toMatchObject({ changes: true, replaces: [] });
  });

  it("a state written before builds were recorded is not re-run for that alone", async () => {
    expect(await provider.diff!("id", olds, { ...news, sanitizerVersion: "0.1.0+bbbbbbbbbbbbbbbb" })).toMatchObject({ changes: false });
  });
});

describe("runs with another build (PostgreSQL)", () => {
  it("an update with a rebuilt sanitizer re-verifies the clone and records the build it replaced", async () => {
    delete process.env.AURORA_STAGING_HOME;
    const db = await servers.fresh("postgres");
    await seedArticleSchema(db);
    const first = (await provider.create(await checked(inputsFor(db)))).outs as SanitizationState;
    expect(first.sanitizerVersion).toMatch(BUILD);
    expect(first.sanitizerPath).toBe(path.join(root, "dist", "sanitize", "index.js"));
    expect(first.sanitizerChangedFrom).toBeUndefined();

    const rebuilt = copySanitizer();
    rebuild(rebuilt, "between two updates");
    const news = await checked(inputsFor(db, { sanitizerHome: rebuilt }));
    expect(await provider.diff!("id", first, news)).toMatchObject({ changes: true, replaces: [] });
    const second = (await provider.update!("id", first, news)).outs as SanitizationState;
    expect(second.verified).toBe(true);
    expect(second.alreadyDone).toBe(true); // same rules: nothing to write, every check ran again
    expect(second.sanitizerVersion).toBe(news.sanitizerVersion);
    expect(second.sanitizerChangedFrom).toBe(first.sanitizerVersion);
    expect(second.sanitizerPath).toBe(path.join(rebuilt, "dist", "sanitize", "index.js"));
    await expectSanitized(db);
    // Recorded now: the next diff with the same build is no change.
    expect((await provider.diff!("id", second, await checked(inputsFor(db, { sanitizerHome: rebuilt })))).changes).toBe(false);
  });

  it("a sanitizer rebuilt between check and create is refused before any write", async () => {
    delete process.env.AURORA_STAGING_HOME;
    const db = await servers.fresh("postgres");
    await seedArticleSchema(db);
    const home = copySanitizer();
    const inputs = await checked(inputsFor(db, { sanitizerHome: home }));
    rebuild(home, "during the update");
    const checkedWith = inputs.sanitizerVersion!.replace("+", "\\+");
    await expect(provider.create(inputs)).rejects.toThrow(
      new RegExp(`refused, nothing was written: the sanitizer changed after check.*checked with ${checkedWith}.*pulumi up`),
    );
    await expectUntouched(db);
  });
});
