/**
 * Layer 2: the provider as the engine stores it. A tiny program declares the Sanitization
 * resource under `pulumi.runtime.setMocks`; the registered inputs carry `__provider`, the
 * provider serialized to JavaScript text. Loading that text with require-from-string (as the
 * provider host does) and running it against a real database proves the code in state works
 * outside the program.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { SANITIZATION_TOKEN, type SanitizationState } from "../components/sanitization";
import { engines } from "./harness/db";
import { dedicatedServers } from "./harness/dedicated-db";
import { MASKING_KEY, USERS, expectNoSecrets, expectSanitized, inputsFor, seedArticleSchema } from "./harness/sanitization-fixture";
import { declareSanitization, loadSerializedProvider, outputValue } from "./harness/serialized-provider";

// sanitizeCluster sees every database and login of the server: this file gets its own servers.
const servers = dedicatedServers();
afterAll(() => servers.stop());

describe.each(engines)("serialized Sanitization provider on %s", (engine) => {
  it("the __provider text from the program sanitizes a real database and the outputs resolve", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const args = inputsFor(db);

    let state: Record<string, unknown> | undefined;
    const declared = await declareSanitization(args, async (inputs) => {
      // Play the engine: deserialize the stored provider, then check + create with it.
      const provider = loadSerializedProvider(String(inputs.__provider));
      const checked = await provider.check!({}, inputs);
      expect(checked.failures ?? []).toEqual([]);
      state = (await provider.create(checked.inputs)).outs;
      return state!;
    });

    expect(declared.type).toBe(SANITIZATION_TOKEN);
    // The password and the masking key reach the engine as secrets (so state encrypts them);
    // the rest does not need to be.
    expect(pulumi.runtime.isRpcSecret(declared.registered.password)).toBe(true);
    expect(pulumi.runtime.isRpcSecret(declared.registered.maskingKey)).toBe(true);
    expect(pulumi.runtime.isRpcSecret(declared.registered.host)).toBe(false);
    expect(SANITIZATION_TOKEN).toBe("pulumi-nodejs:dynamic/aurora-staging:Sanitization");
    const text = declared.inputs.__provider;
    expect(typeof text).toBe("string");
    // The stored code captured no secret (the provider reads them from its inputs).
    expect(String(text)).not.toContain(MASKING_KEY);
    expect(String(text)).not.toContain(db.target.password!);

    await expectSanitized(db);
    expectNoSecrets(state, db);
    expect(await outputValue(declared.resource.verified)).toBe(true);
    expect(await outputValue(declared.resource.rulesHash)).toMatch(/^[0-9a-f]{64}$/);
    const rows = await outputValue(declared.resource.rowsPerTable);
    expect(Object.entries(rows).find(([t]) => t.endsWith("users"))?.[1]).toBe(USERS);
    const checks = await outputValue(declared.resource.checks);
    expect(checks.every((c) => c.passed)).toBe(true);
  });

  it("the serialized update re-runs with new rules; delete tolerates any state", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const declared = await declareSanitization(inputsFor(db));
    const provider = loadSerializedProvider(String(declared.inputs.__provider));
    const first = (await provider.create((await provider.check!({}, inputsFor(db))).inputs)).outs as SanitizationState;
    const fullNameRules = inputsFor(db).rules.replace("Staging User", "Renamed User");
    const news = (await provider.check!(first, inputsFor(db, { rules: fullNameRules }))).inputs;
    expect((await provider.diff!("id", first, news)).changes).toBe(true);
    const second = (await provider.update!("id", first, news)).outs as SanitizationState;
    expect(second.rulesHash).not.toBe(first.rulesHash);
    await expectSanitized(db, "Renamed User");
    await expect(provider.delete!("id", {})).resolves.toBeUndefined();
  });
});
