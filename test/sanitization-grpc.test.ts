/**
 * Layer 3: the engine path. The SDK's own dynamic-provider host runs as a child process
 * (plain node, project directory as cwd, exactly as `pulumi up` starts it) and is driven over
 * gRPC with the SDK's stubs, using the provider text a program serialized (layer 2), against
 * the real databases.
 */
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

beforeAll(async () => {
  // Any inputs will do: the serialized provider text does not depend on them.
  const declared = await declareSanitization(offlineInputs("postgres"));
  providerText = String(declared.inputs.__provider);
  host = await startProviderHost();
});

afterAll(async () => {
  await host?.stop();
  await servers.stop();
});

/** The inputs as the engine sends them: resolved, secrets unwrapped, `__provider` included. */
function engineInputs(props: object): Props {
  return { ...props, __provider: providerText };
}

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
