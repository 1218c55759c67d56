/**
 * Layer 1: the provider object's methods called directly (as the engine's provider host
 * would after deserializing it), against the real PostgreSQL and MariaDB of the harness.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sanitizationProvider as provider, type SanitizationInputs, type SanitizationState } from "../components/sanitization";
import { engines, execWith } from "./harness/db";
import { dedicatedServers } from "./harness/dedicated-db";
import {
  FAILING_VERIFY,
  MASKING_KEY,
  UNKNOWN,
  USERS,
  expectNoSecrets,
  expectSanitized,
  expectUntouched,
  inputsFor,
  offlineInputs,
  rulesYaml,
  seedArticleSchema,
} from "./harness/sanitization-fixture";

/** check() as the engine runs it before create: adds rulesHash. */
async function checked(inputs: SanitizationInputs): Promise<SanitizationInputs> {
  const r = await provider.check!({}, inputs);
  expect(r.failures ?? []).toEqual([]);
  return r.inputs as SanitizationInputs;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

// sanitizeCluster sees every database and login of the server: this file gets its own servers.
const servers = dedicatedServers();
afterAll(() => servers.stop());

describe("Sanitization provider: check", () => {
  // No database needed: check never connects.
  const base = (): SanitizationInputs => offlineInputs("postgres");

  it("accepts good inputs and adds the rules hash", async () => {
    const r = await provider.check!({}, base());
    expect(r.failures ?? []).toEqual([]);
    expect(r.inputs.rulesHash).toMatch(/^[0-9a-f]{64}$/);
    // The hash follows the rules: other rules, other hash; same rules, same hash.
    const other = await provider.check!({}, { ...base(), rules: rulesYaml({ fullName: "Someone Else" }) });
    expect(other.inputs.rulesHash).not.toBe(r.inputs.rulesHash);
    expect((await provider.check!({}, base())).inputs.rulesHash).toBe(r.inputs.rulesHash);
  });

  it("fails on bad rules with the loader's message (so `pulumi preview` fails)", async () => {
    const bad = "tables:\n  users:\n    columns:\n      email: { transform: no-such-transform }\n";
    const r = await provider.check!({}, { ...base(), rules: bad });
    const f = (r.failures ?? []).find((x) => x.property === "rules");
    expect(f?.reason).toMatch(/rules are invalid/);
    expect(f?.reason).toMatch(/no-such-transform|transform/);
    expect(f?.reason).toMatch(/line \d+|:\d+/);
  });

  it("skips what is unknown during preview", async () => {
    const r = await provider.check!(
      {},
      { ...base(), host: UNKNOWN, port: UNKNOWN, password: UNKNOWN, rules: UNKNOWN, forbiddenHosts: [UNKNOWN] },
    );
    expect(r.failures ?? []).toEqual([]);
    expect(r.inputs.rulesHash).toBe(UNKNOWN);
  });

  it("names each bad input and never echoes the masking key or password", async () => {
    const r = await provider.check!(
      {},
      { ...base(), engine: "oracle", port: 70000, maskingKey: "short-key", options: { chunkSize: 0, coverage: "some", bogus: 1 } },
    );
    const props = (r.failures ?? []).map((f) => f.property).sort();
    expect(props).toEqual(["engine", "maskingKey", "options.bogus", "options.chunkSize", "options.coverage", "port"]);
    expect(JSON.stringify(r.failures)).not.toContain("short-key");
  });

  it("checks options with the shared schema: its limits, its messages, did-you-mean, unknown values skipped", async () => {
    // The schema's chunkSize limit (10M) holds here too (this check used to allow up to MAX_SAFE_INTEGER).
    const big = await provider.check!({}, { ...base(), options: { chunkSize: 10_000_001 } });
    expect(big.failures).toEqual([{ property: "options.chunkSize", reason: "options.chunkSize: must be at most 10000000, e.g. 50000" }]);
    const near = await provider.check!({}, { ...base(), options: { chunksize: 5, ssl: "verify_full", parallelism: UNKNOWN } as never });
    expect(near.failures?.map((f) => f.property)).toEqual(["options.ssl", "options.chunksize"]);
    expect(near.failures?.[0].reason).toMatch(/^options\.ssl: must be one of "require", "verify-full", "disable"/);
    expect(near.failures?.[1].reason).toMatch(/^options\.chunksize: is not a known key.*did you mean "?chunkSize"?/);
    const unknownYet = await provider.check!({}, { ...base(), options: { chunkSize: UNKNOWN, connectHost: "127.0.0.1" } as never });
    expect(unknownYet.failures ?? []).toEqual([]);
  });

  it("checks the masking key with the shared schema, never echoing it", async () => {
    const short = await provider.check!({}, { ...base(), maskingKey: "fifteen-chars!!" });
    const reason = expect.stringMatching(/shorter than 16 characters.*openssl rand -hex 32/);
    expect(short.failures).toEqual([{ property: "maskingKey", reason }]);
    expect(JSON.stringify(short.failures)).not.toContain("fifteen-chars");
    const object = await provider.check!({}, { ...base(), maskingKey: { key: "0123456789abcdef0123" } as never });
    expect(object.failures?.[0]).toMatchObject({ property: "maskingKey", reason: expect.stringMatching(/must be a string/) });
    expect(JSON.stringify(object.failures)).not.toContain("0123456789abcdef0123");
    expect((await provider.check!({}, { ...base(), maskingKey: "sixteen-chars!!!" })).failures ?? []).toEqual([]);
  });

  it("checks the application user inputs: both or neither, a safe name, a long password never echoed", async () => {
    const only = await provider.check!({}, { ...base(), appUserName: "app_user" });
    expect(only.failures?.map((f) => f.property)).toEqual(["appUserPassword"]);
    const bad = await provider.check!({}, { ...base(), appUserName: "App User", appUserPassword: "short-secret", clusterResourceId: "" });
    expect(bad.failures?.map((f) => f.property)).toEqual(["appUserName", "appUserPassword", "clusterResourceId"]);
    expect(JSON.stringify(bad.failures)).not.toContain("short-secret");
    expect(
      (await provider.check!({}, { ...base(), appUserName: "app_user", appUserPassword: UNKNOWN, clusterResourceId: UNKNOWN })).failures ??
        [],
    ).toEqual([]);
  });

  it("refuses a host that is one of the forbidden hosts", async () => {
    const r = await provider.check!({}, { ...base(), forbiddenHosts: ["CLONE.cluster-x.invalid"] });
    expect(r.failures?.[0]?.property).toBe("host");
    expect(r.failures?.[0]?.reason).toMatch(/forbiddenHosts entry/);
    // Entries use the sanitizer's grammar: a port or database narrows the match.
    const otherPort = await provider.check!({}, { ...base(), forbiddenHosts: ["clone.cluster-x.invalid:3306"] });
    expect(otherPort.failures ?? []).toEqual([]);
    const samePort = await provider.check!({}, { ...base(), forbiddenHosts: ["clone.cluster-x.invalid:5432/app"] });
    expect(samePort.failures?.[0]?.property).toBe("host");
  });

  describe("without a built sanitizer", () => {
    const saved = process.env.AURORA_STAGING_HOME;
    afterEach(() => {
      if (saved === undefined) delete process.env.AURORA_STAGING_HOME;
      else process.env.AURORA_STAGING_HOME = saved;
    });
    it("says to build dist/ and where it looked", async () => {
      const empty = mkdtempSync(path.join(tmpdir(), "no-dist-"));
      process.env.AURORA_STAGING_HOME = empty;
      await expect(provider.check!({}, base())).rejects.toThrow(
        new RegExp(`${path.join(empty, "dist", "sanitize", "index.js").replace(/[.\\/]/g, "\\$&")} is missing.*npm run build`),
      );
    });
  });
});

describe("Sanitization provider: diff", () => {
  const olds = {
    host: "a.invalid",
    port: 5432,
    engine: "postgres",
    database: "app",
    username: "admin",
    rulesHash: "h1",
    options: { chunkSize: 5 },
    forbiddenHosts: ["p"],
    verified: true,
  };
  const news = { ...olds, password: "x", maskingKey: "y", rules: "..." };

  it("reports no change for the same database, rules and options (password/key are not compared)", async () => {
    expect(await provider.diff!("id", olds, news)).toMatchObject({ changes: false, replaces: [] });
  });
  it("re-runs (update, not replace) when the rules hash or options change", async () => {
    expect(await provider.diff!("id", olds, { ...news, rulesHash: "h2" })).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff!("id", olds, { ...news, options: { chunkSize: 6 } })).toMatchObject({ changes: true, replaces: [] });
  });
  it("replaces when the physical cluster (clusterResourceId) changes; updates when the app user's name does", async () => {
    const withId = { ...olds, clusterResourceId: "cluster-AAA", appUserName: "app_user" };
    expect(await provider.diff!("id", withId, { ...news, clusterResourceId: "cluster-AAA", appUserName: "app_user" })).toMatchObject({
      changes: false,
      replaces: [],
    });
    expect((await provider.diff!("id", withId, { ...news, clusterResourceId: "cluster-BBB", appUserName: "app_user" })).replaces).toEqual([
      "clusterResourceId",
    ]);
    expect((await provider.diff!("id", withId, { ...news, clusterResourceId: UNKNOWN, appUserName: "app_user" })).replaces).toEqual([
      "clusterResourceId",
    ]);
    expect(await provider.diff!("id", withId, { ...news, clusterResourceId: "cluster-AAA", appUserName: "other_user" })).toMatchObject({
      changes: true,
      replaces: [],
    });
  });
  it("replaces when the clone (host, port, engine, database) changes or is not known yet", async () => {
    expect((await provider.diff!("id", olds, { ...news, host: "b.invalid" })).replaces).toEqual(["host"]);
    expect((await provider.diff!("id", olds, { ...news, port: 3306, engine: "mysql" })).replaces).toEqual(["port", "engine"]);
    expect((await provider.diff!("id", olds, { ...news, host: UNKNOWN })).replaces).toEqual(["host"]);
  });
});

describe("Sanitization provider: delete and read", () => {
  it("delete is a no-op that tolerates any state (it runs the OLD serialized code)", async () => {
    await expect(provider.delete!("id", {})).resolves.toBeUndefined();
    await expect(provider.delete!("id", { garbage: true })).resolves.toBeUndefined();
  });
  it("read returns the stored state unchanged", async () => {
    const state = { host: "a", runId: "r", verified: true };
    expect(await provider.read!("id-1", state)).toEqual({ id: "id-1", props: state });
  });
});

describe.each(engines)("Sanitization provider on %s", (engine) => {
  it("create sanitizes the clone, verifies it and returns state without secrets or data", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const inputs = await checked(inputsFor(db));
    const { id, outs } = await provider.create(inputs);
    const state = outs as SanitizationState;

    await expectSanitized(db);
    expect(id).toContain(db.name);
    expect(state.verified).toBe(true);
    expect(state.rulesHash).toBe(inputs.rulesHash);
    expect(state.runId).toBeTruthy();
    expect(Date.parse(state.finishedAt)).not.toBeNaN();
    expect(Object.entries(state.rowsPerTable).find(([t]) => t.endsWith("users"))?.[1]).toBe(USERS);
    expect(Object.entries(state.rowsPerTable).find(([t]) => t.endsWith("orders"))?.[1]).toBe(2 * USERS);
    expect(state.checks.length).toBeGreaterThan(0);
    expect(state.checks.every((c) => c.passed)).toBe(true);
    expect(state.checks.some((c) => c.name.includes("order emails still match their user"))).toBe(true);
    expect(Object.keys(state)).not.toContain("password");
    expect(Object.keys(state)).not.toContain("maskingKey");
    expectNoSecrets(state, db);
  });

  it("create runs over the whole cluster: reports each database and step, publishes the app user, keeps its password out of state", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const app = { appUserName: "app_user", appUserPassword: "app-user-password-0123456789" };
    const { outs } = await provider.create(await checked(inputsFor(db, { ...app, clusterResourceId: "cluster-ABC123" })));
    const state = outs as SanitizationState;
    expect(state.verified).toBe(true);
    expect(state.clusterResourceId).toBe("cluster-ABC123");
    expect(state.appUserName).toBe("app_user");
    expect(state.databases.find((d) => d.database === db.name)).toEqual({ database: db.name, action: "sanitize", verified: true });
    expect(state.databases.filter((d) => d.database !== db.name).every((d) => d.action === "empty")).toBe(true);
    expect(state.steps.map((st) => st.name)).toContain("application user created");
    expect(state.checks.some((c) => /can log in/.test(c.name) && c.passed)).toBe(true);
    expect(JSON.stringify(state)).not.toContain(app.appUserPassword);
    expectNoSecrets(state, db);
    await expectSanitized(db);
    // The published user logs in with the password and reads the sanitized data.
    const rows = await execWith(
      engine,
      { ...db.target, password: app.appUserPassword, user: app.appUserName } as never,
      db.name,
      "SELECT COUNT(*) AS n FROM users",
    );
    expect(Number(rows[0].n)).toBe(USERS);
  });

  it("update with the same rules is a verified no-op; with new rules it re-runs", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const first = (await provider.create(await checked(inputsFor(db)))).outs as SanitizationState;

    const same = await checked(inputsFor(db));
    expect((await provider.diff!("id", first, same)).changes).toBe(false);
    const again = (await provider.update!("id", first, same)).outs as SanitizationState;
    expect(again.alreadyDone).toBe(true);
    expect(again.verified).toBe(true);
    expect(again.rulesHash).toBe(first.rulesHash);

    const changed = await checked(inputsFor(db, { rules: rulesYaml({ fullName: "Test Person" }) }));
    expect(await provider.diff!("id", first, changed)).toMatchObject({ changes: true, replaces: [] });
    const second = (await provider.update!("id", first, changed)).outs as SanitizationState;
    expect(second.rulesHash).toBe(changed.rulesHash);
    expect(second.rulesHash).not.toBe(first.rulesHash);
    expect(second.verified).toBe(true);
    expect(second.runId).not.toBe(first.runId);
    await expectSanitized(db, "Test Person");
    expectNoSecrets(second, db);
  });

  it("a failed verification fails create with a message naming the failed check", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const inputs = await checked(inputsFor(db, { rules: rulesYaml({ extraVerify: FAILING_VERIFY }) }));
    const err = await provider.create(inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/FAILED verification/);
    expect(err?.message).toContain("every user was removed");
    expect(err?.message).not.toContain("order emails still match their user"); // only the failed ones
    expect(err?.message).toMatch(/pulumi up/);
    expectNoSecrets(err?.message, db);
  });

  it("the next `pulumi up` after a failed verification checks again instead of opening the gate", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const failing = await checked(inputsFor(db, { rules: rulesYaml({ extraVerify: FAILING_VERIFY }) }));
    await expect(provider.create(failing)).rejects.toThrow(/every user was removed/);
    // Same rules again (a failed create leaves no state, so the engine creates again): still refused.
    await expect(provider.create(failing)).rejects.toThrow(/every user was removed/);
    // Fixed rules: passes, and the data is sanitized.
    const { outs } = await provider.create(await checked(inputsFor(db)));
    expect((outs as SanitizationState).verified).toBe(true);
    await expectSanitized(db);
  });

  it("refuses a forbidden host (by name) before any write", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const inputs = await checked(inputsFor(db));
    await expect(provider.create({ ...inputs, forbiddenHosts: [db.target.host] })).rejects.toThrow(
      /refused, nothing was written.*forbiddenHosts entry "127\.0\.0\.1" \(by name\)/,
    );
    await expectUntouched(db);
  });

  it("refuses a forbidden host by resolved address (localhost is 127.0.0.1)", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    expect(db.target.host).toBe("127.0.0.1");
    const inputs = await checked(inputsFor(db));
    await expect(provider.create({ ...inputs, forbiddenHosts: ["localhost"] })).rejects.toThrow(
      /refused, nothing was written.*forbiddenHosts entry "localhost" \(by resolved address\)/,
    );
    await expectUntouched(db);
  });

  it("connects through connectHost/connectPort but still compares the real endpoint with forbiddenHosts", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const forwarded = { ...(inputsFor(db).options ?? {}), connectHost: db.target.host, connectPort: db.target.port };
    // The real endpoint is the production writer: refused, although the forward goes to loopback.
    const prod = inputsFor(db, { host: "prod-writer.cluster-abc.eu-west-1.rds.amazonaws.invalid", port: 1, options: forwarded });
    expect((await provider.check!({}, prod)).failures?.map((f) => f.property)).toEqual(["host"]);
    await expect(provider.create(prod)).rejects.toThrow(/refused, nothing was written.*prod-writer/);
    await expectUntouched(db);
    // A clone endpoint only reachable through the forward: sanitized.
    const clone = await checked(
      inputsFor(db, { host: "clone-writer.cluster-def.eu-west-1.rds.amazonaws.invalid", port: 1, options: forwarded }),
    );
    const { outs } = await provider.create(clone);
    expect((outs as SanitizationState).host).toBe("clone-writer.cluster-def.eu-west-1.rds.amazonaws.invalid");
    await expectSanitized(db);
  });

  it("gives up on an unreachable clone with a clear message that names the reach options", async () => {
    const db = await servers.fresh(engine);
    const inputs = await checked(inputsFor(db, { port: await closedPort(), options: { ssl: "disable", connectRetrySeconds: 1 } }));
    const err = await provider.create(inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`database "${db.name}" on 127\\.0\\.0\\.1:${inputs.port}`));
    expect(err?.message).toMatch(/AWS-StartPortForwardingSessionToRemoteHost/);
    expect(err?.message).toMatch(/options\.connectRetrySeconds.*options\.connectHost\/connectPort/);
    expect(err?.message).not.toContain(MASKING_KEY);
    expect(err?.message).not.toContain(db.target.password!);
  });
});
