/**
 * Layer 3: the engine path. The SDK's own dynamic-provider host runs as a child process
 * (plain node, as `pulumi up` starts it) and is driven over gRPC with the SDK's stubs, using
 * the provider text a program serialized (layer 2), against the real databases. The host runs
 * in a temporary directory, not the project: as under the Automation API or a CI runner that
 * checked out elsewhere, it finds the sanitizer through the `sanitizerHome` the program recorded.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness/db";
import { dedicatedServers } from "./harness/dedicated-db";
import { startProviderHost, type ProviderHost, type Props } from "./harness/provider-host";
import {
  FAILING_VERIFY,
  UNKNOWN,
  expectNoSecrets,
  expectSanitized,
  expectUntouched,
  inputsFor,
  offlineInputs,
  rulesYaml,
  seedArticleSchema,
} from "./harness/sanitization-fixture";
import { declareSanitization } from "./harness/serialized-provider";

let host: ProviderHost;
// sanitizeCluster sees every database and login of the server: this file gets its own servers.
const servers = dedicatedServers();
let providerText: string;
/** What the program recorded as the sanitizer's home (its project directory). */
let sanitizerHome: string;
/** The provider host's working directory: an empty temporary directory, not the project. */
const elsewhere = mkdtempSync(path.join(tmpdir(), "provider-host-cwd-"));
const projectDir = path.resolve(__dirname, "..");

beforeAll(async () => {
  // Any inputs will do: the serialized provider text does not depend on them.
  const declared = await declareSanitization(offlineInputs("postgres"));
  providerText = String(declared.inputs.__provider);
  sanitizerHome = String(declared.inputs.sanitizerHome);
  // Only the recorded home may lead to the sanitizer: no override from the test's environment.
  host = await startProviderHost({ cwd: elsewhere, env: { AURORA_STAGING_HOME: undefined } });
});

afterAll(async () => {
  await host?.stop();
  await servers.stop();
});

/** The inputs as the engine sends them: resolved, secrets unwrapped, `__provider` and `sanitizerHome` included. */
function engineInputs(props: object): Props {
  return { ...props, sanitizerHome, __provider: providerText };
}

describe("Sanitization over gRPC: finding the sanitizer from another working directory", () => {
  it("the program records its own project directory as sanitizerHome", () => {
    expect(sanitizerHome).toBe(projectDir);
  });

  it("without a recorded home, says which paths it tried and how to fix it", async () => {
    const { sanitizerHome: _h, ...unrecorded } = engineInputs(offlineInputs("postgres"));
    const err = await host.check({}, unrecorded).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain(`${path.join(elsewhere, "dist", "sanitize", "index.js")} (the provider host's working directory)`);
    expect(err?.message).toMatch(/npm run build.*AURORA_STAGING_HOME/);
  });

  it("with a recorded home that holds no dist/, names both paths tried", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "no-sanitizer-"));
    const err = await host.check({}, { ...engineInputs(offlineInputs("postgres")), sanitizerHome: empty }).then(
      () => undefined,
      (e: Error) => e,
    );
    const recorded = path.join(empty, "dist", "sanitize", "index.js");
    expect(err?.message).toContain(`${recorded} (the program's project directory, input sanitizerHome)`);
    expect(err?.message).toContain(`${path.join(elsewhere, "dist", "sanitize", "index.js")} (the provider host's working directory)`);
    expect(err?.message).toMatch(/npm run build/);
  });
});

describe("Sanitization over gRPC: check", () => {
  it("returns failures for bad rules and the rules hash for good ones", async () => {
    const base = offlineInputs("mysql");
    const good = await host.check({}, engineInputs(base));
    expect(good.failures).toEqual([]);
    expect(good.inputs.rulesHash).toMatch(/^[0-9a-f]{64}$/);
    expect(good.inputs.__provider).toBe(providerText);

    const bad = await host.check({}, engineInputs({ ...base, rules: "tables:\n  users: { truncate: maybe }\n" }));
    expect(bad.failures.map((f) => f.property)).toEqual(["rules"]);
    expect(bad.failures[0].reason).toMatch(/rules are invalid/);
  });

  it("during preview skips what is unknown (the engine's placeholder) and still validates the rules", async () => {
    const base = offlineInputs("postgres");
    const preview = { ...base, host: UNKNOWN, port: UNKNOWN, username: UNKNOWN, password: UNKNOWN };
    const ok = await host.check({}, engineInputs(preview));
    expect(ok.failures).toEqual([]);
    expect(ok.inputs.rulesHash).toMatch(/^[0-9a-f]{64}$/);
    const bad = await host.check({}, engineInputs({ ...preview, rules: "tables: [" }));
    expect(bad.failures.map((f) => f.property)).toEqual(["rules"]);
  });
});

describe.each(engines)("Sanitization over gRPC on %s", (engine) => {
  it("check, create, diff, update and delete through the provider host", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);

    const checked = await host.check({}, engineInputs(inputsFor(db)));
    expect(checked.failures).toEqual([]);
    const created = await host.create(checked.inputs);
    expect(created.id).toContain(db.name);
    expect(created.properties.verified).toBe(true);
    expect(created.properties.rulesHash).toBe(checked.inputs.rulesHash);
    expect(created.properties.__provider).toBe(providerText);
    // The build check found is the one that ran, loaded from the program's project, not the host's cwd.
    expect(checked.inputs.sanitizerVersion).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{16}$/);
    expect(created.properties.sanitizerVersion).toBe(checked.inputs.sanitizerVersion);
    expect(created.properties.sanitizerPath).toBe(path.join(projectDir, "dist", "sanitize", "index.js"));
    await expectSanitized(db);
    const { __provider: _p, ...stateWithoutCode } = created.properties;
    expectNoSecrets(stateWithoutCode, db);

    expect(await host.diff(created.id, created.properties, checked.inputs)).toEqual({ changes: "none", replaces: [] });
    const news = (await host.check(checked.inputs, engineInputs(inputsFor(db, { rules: rulesYaml({ fullName: "Grpc User" }) })))).inputs;
    expect(await host.diff(created.id, created.properties, news)).toEqual({ changes: "some", replaces: [] });
    const moved = (await host.check(checked.inputs, engineInputs(inputsFor(db, { host: "other-clone.invalid" })))).inputs;
    expect((await host.diff(created.id, created.properties, moved)).replaces).toEqual(["host"]);

    const updated = await host.update(created.id, created.properties, news);
    expect(updated.verified).toBe(true);
    expect(updated.rulesHash).toBe(news.rulesHash);
    expect(updated.runId).not.toBe(created.properties.runId);
    await expectSanitized(db, "Grpc User");
    const { __provider: _q, ...updatedWithoutCode } = updated;
    expectNoSecrets(updatedWithoutCode, db);

    expect(await host.read(created.id, updated)).toEqual({ id: created.id, properties: updated });
    await expect(host.delete(created.id, updated)).resolves.toBeUndefined();
  });

  it("a failed verification fails Create with the failed check's name", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const checked = await host.check({}, engineInputs(inputsFor(db, { rules: rulesYaml({ extraVerify: FAILING_VERIFY }) })));
    const err = await host.create(checked.inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/FAILED verification.*every user was removed/s);
    expectNoSecrets(err?.message, db);
    expectNoSecrets(host.stderr(), db); // nothing secret in what the host logs either
  });

  it("refuses a forbidden host before any write", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const inputs = engineInputs(inputsFor(db, { forbiddenHosts: [db.target.host] }));
    expect((await host.check({}, inputs)).failures.map((f) => f.property)).toEqual(["host"]);
    // Even if check were bypassed, create refuses.
    await expect(host.create({ ...inputs, rulesHash: "x" })).rejects.toThrow(/refused/);
    await expectUntouched(db);
  });
});
