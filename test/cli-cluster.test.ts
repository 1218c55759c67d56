/** `--cluster` on plan / sanitize / verify: the whole server, through the built CLI. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSample } from "../sanitize/local/sample";
import type { LocalServer } from "../sanitize/local/servers";
import { runCli } from "./harness/cli";
import { databases, defaultRulesYaml, KEY, run, startServer } from "./harness/cluster";

describe("aurora-staging --cluster (postgres)", () => {
  let server: LocalServer;
  let dir: string;
  beforeAll(async () => {
    server = await startServer("postgres");
    dir = mkdtempSync(join(tmpdir(), "aurora-staging-cli-cluster-"));
    await server.createDatabase("app");
    await server.createDatabase("legacy");
    await loadSample(server.target("app"), { rows: 20 });
    await run(server, "legacy", "CREATE TABLE old_customers (id INT PRIMARY KEY, email TEXT)");
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("plan refuses an unmentioned database; with a rule for it, plan, sanitize and verify cover the server", async () => {
    const env = { AURORA_STAGING_MASKING_KEY: KEY, AURORA_STAGING_URL: `${server.url("app")}?sslmode=disable` };
    const partial = join(dir, "partial.yaml");
    writeFileSync(partial, defaultRulesYaml);
    const refused = await runCli(["plan", "--cluster", "--rules", partial], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/database "legacy" has tables/);
    // Without --cluster, the URL's database alone is planned as before.
    expect((await runCli(["plan", "--rules", partial], env)).code).toBe(0);

    const full = join(dir, "full.yaml");
    writeFileSync(full, `${defaultRulesYaml}\ndatabases:\n  legacy: { drop: true }\n`);
    const planned = await runCli(["plan", "--cluster", "--rules", full], env);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/legacy\s+drop/);
    expect(planned.stdout).toMatch(/app\s+sanitize\s+5/);
    expect(await databases(server)).toContain("legacy");

    const sanitized = await runCli(["sanitize", "--cluster", "--rules", full, "--json"], env);
    expect(sanitized.code, sanitized.stderr).toBe(0);
    const report = JSON.parse(sanitized.stdout) as { verified: boolean; databases: { database: string; action: string }[] };
    expect(report.verified).toBe(true);
    expect(report.databases.find((d) => d.database === "legacy")?.action).toBe("drop");
    expect(sanitized.stdout).not.toContain(KEY);
    expect(await databases(server)).not.toContain("legacy");

    const verified = await runCli(["verify", "--cluster", "--rules", full], env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/ok\s+no login role outside the allowed set can log in/);
    expect(verified.stdout).toMatch(/ok\s+app: verify: no real user emails/);
  });
});
