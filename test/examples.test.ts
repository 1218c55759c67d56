/**
 * examples/multi-team: several teams' clones in one stack with StagingClone used directly,
 * run under the mocks the way `pulumi up` runs it (its config, its own aws provider).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { SANITIZATION_TOKEN } from "../components/sanitization";
import { COMPONENT_TYPE } from "../components/staging-clone";
import { TEAMS } from "../examples/multi-team/teams";
import { byType, isSecret, plain, REGION, resolve, runWithMocks, type RegisteredResource } from "./harness/pulumi-mocks";
import { CLUSTER, COMMAND, INSTANCE, MASKING_KEY, RECORD, SECRET } from "./harness/staging-stack";

async function runExample() {
  const mod = (await import("../examples/multi-team/index")) as unknown as
    | (() => Promise<Record<string, unknown>>)
    | { default: () => Promise<Record<string, unknown>> };
  const main = typeof mod === "function" ? mod : mod.default;
  return runWithMocks(() => {
    pulumi.runtime.setAllConfig({ "aws:region": REGION, [`${pulumi.getProject()}:maskingKey`]: MASKING_KEY }, [
      `${pulumi.getProject()}:maskingKey`,
    ]);
    return main();
  });
}

const inputs = (r: RegisteredResource) => plain(r.inputs) as Record<string, unknown>;

describe("examples/multi-team", () => {
  it("declares one StagingClone per team, each with its own cluster, instances, sanitization and publishing", async () => {
    const { resources, result, invokes } = await runExample();
    const components = byType(resources, COMPONENT_TYPE);
    expect(components.map((c) => c.name).sort()).toEqual(Object.keys(TEAMS).sort());

    const identifiers = new Set<string>();
    for (const component of components) {
      const team = component.name;
      const mine = resources.filter((r) => r.parent === component.urn);
      const cluster = byType(mine, CLUSTER);
      expect(
        cluster.map((c) => c.name),
        team,
      ).toEqual([`${team}-cluster`]);
      const id = String(inputs(cluster[0]).clusterIdentifier);
      expect(id).toMatch(new RegExp(`^${team}-staging-[0-9a-f]{8}$`));
      identifiers.add(id);
      expect(inputs(cluster[0]).tags).toMatchObject({ Team: team, ManagedBy: "aurora-staging" });
      expect(byType(mine, INSTANCE)).toHaveLength(TEAMS[team].instanceCount ?? 1);
      expect(byType(mine, INSTANCE).every((i) => inputs(i).instanceClass === (TEAMS[team].instanceClass ?? "db.r6g.large"))).toBe(true);
      // Sanitized with the shipped rules and the stack's one (secret) masking key.
      const [sanitization] = byType(mine, SANITIZATION_TOKEN);
      expect(String(inputs(sanitization).rules)).toMatch(/Default sanitization rules/);
      expect(isSecret(sanitization.inputs.maskingKey)).toBe(true);
      expect(inputs(sanitization).maskingKey).toBe(MASKING_KEY);
      expect(byType(mine, RECORD)).toHaveLength(TEAMS[team].stableHostname ? 1 : 0);
      expect(byType(mine, SECRET)).toHaveLength(TEAMS[team].connectionSecretName ? 1 : 0);
      expect(byType(mine, COMMAND)).toHaveLength(TEAMS[team].postCloneCommands?.length ?? 0);

      const out = (result as Record<string, Record<string, pulumi.Output<unknown>>>)[team];
      expect((await resolve(out.clusterIdentifier)).value).toBe(id);
      expect((await resolve(out.masterPassword)).secret).toBe(true);
      expect((await resolve(out.ready)).value).toBe(true);
    }
    expect(identifiers.size).toBe(components.length);
    expect(inputs(byType(resources, CLUSTER).find((c) => c.name === "orders-cluster")!).tags).toMatchObject({ CostCenter: "4711" });

    // Every clone and every source lookup went through the example's provider, none through the default one.
    const provider = resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "staging")!;
    expect(invokes.length).toBeGreaterThan(0);
    for (const call of invokes) expect(call.provider, call.token).toMatch(new RegExp(`^${provider.urn.replace(/[$]/g, "\\$")}::`));
  });
});
