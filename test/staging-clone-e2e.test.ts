/**
 * The whole `pulumi up` flow of one stack, with only AWS faked: the program (index.ts path:
 * config -> component args -> source lookup and plan inside the component) runs under Pulumi mocks, the "clone" is a real
 * PostgreSQL/MariaDB database holding article-like production data, the Sanitization resource
 * runs its REAL serialized provider against it, and the post-clone hook really runs as a
 * shell command with the environment the component gives it. Asserts the order the engine
 * would follow: sanitize, then hook, then publish; and that a failed verification publishes
 * nothing.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { parseStagingConfig } from "../components/config";
import { SANITIZATION_TOKEN } from "../components/sanitization";
import { cloneArgs } from "../components/program";
import { StagingClone } from "../components/staging-clone";
import { engines, type TestDatabase } from "./harness/db";
import { dedicatedServers } from "./harness/dedicated-db";
import { fakeCluster, one, plain, REGION, resolve, runWithMocks } from "./harness/pulumi-mocks";
import { expectSanitized, FAILING_VERIFY, MASKING_KEY, rulesYaml, seedArticleSchema } from "./harness/sanitization-fixture";
import { loadSerializedProvider } from "./harness/serialized-provider";

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..");
const NOW = new Date("2026-11-26T14:00:00Z");

/**
 * A hook that connects with ONLY the environment it was given and counts unmasked emails.
 * (PGSSLMODE=disable overrides the component's `require`: the local test server has no TLS.)
 */
const HOOK = `PGSSLMODE=disable node -e "
const e = process.env;
const q = 'SELECT COUNT(*) AS n FROM users WHERE email LIKE \\'%real@gmail.com\\'';
(async () => {
  let n;
  if (e.AURORA_STAGING_ENGINE === 'postgres') {
    const c = new (require('pg').Client)({ host: e.PGHOST, port: Number(e.PGPORT), user: e.PGUSER, password: e.PGPASSWORD, database: e.PGDATABASE });
    await c.connect(); n = Number((await c.query(q)).rows[0].n); await c.end();
  } else {
    const c = await require('mysql2/promise').createConnection({ host: e.MYSQL_HOST, port: Number(e.MYSQL_TCP_PORT), user: e.MYSQL_USER, password: e.MYSQL_PWD, database: e.MYSQL_DATABASE });
    n = Number((await c.query(q))[0][0].n); await c.end();
  }
  console.log('unmasked=' + n);
})().catch((err) => { console.error(err.message); process.exit(1); });
"`;

async function deploy(db: TestDatabase, rules: string) {
  const events: string[] = [];
  const hookOutput: string[] = [];
  const playProvider = async (args: pulumi.runtime.MockResourceArgs): Promise<Record<string, unknown> | undefined> => {
    if (args.type === SANITIZATION_TOKEN) {
      // Play the engine's dynamic provider host: the code stored in state, check + create.
      const inputs = plain(args.inputs) as Record<string, unknown>;
      const provider = loadSerializedProvider(String(inputs.__provider));
      const checked = await provider.check!({}, inputs);
      if (checked.failures?.length) throw new Error(JSON.stringify(checked.failures));
      return (await provider.create(checked.inputs)).outs as Record<string, unknown>;
    }
    if (args.type === "command:local:Command") {
      // Play the command provider: the create command under sh, with the given environment only.
      const env = plain(args.inputs.environment) as Record<string, string>;
      const { stdout } = await run("sh", ["-c", String(plain(args.inputs.create))], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", ...env },
      });
      hookOutput.push(stdout.trim());
      return { stdout, stderr: "" };
    }
    return undefined;
  };
  const source = fakeCluster(
    "prod-db",
    db.engine === "postgres" ? "aurora-postgresql" : "aurora-mysql",
    db.engine === "postgres" ? "16.4" : "8.0.mysql_aurora.3.08.0",
    db.target.port,
    {
      databaseName: db.name,
      masterUsername: db.target.user,
    },
  );
  const outcome = await runWithMocks(
    async () => {
      const config = parseStagingConfig(
        {
          team: "payments",
          sourceCluster: "prod-db",
          refresh: "2026-11-26",
          sanitizeOptions: { ssl: "disable", connectRetrySeconds: 5, chunkSize: 5 },
          postCloneCommands: [{ name: "check-masked", command: HOOK }],
          stableHostname: { zoneId: "Z0123456789ABC", name: "payments.db.staging.example.com" },
          connectionSecretName: "staging/payments/aurora",
        },
        { region: REGION },
      );
      const clone = new StagingClone("staging", { ...cloneArgs(config, rules, NOW), maskingKey: pulumi.secret(MASKING_KEY) });
      await clone.declared();
      return { clone };
    },
    {
      sources: { "prod-db": source },
      state: (type, name) =>
        // The "clone" is the test database's server: its endpoint, port and master user. The
        // master password is the server's; the application user gets its own (>= 16 chars).
        type === "aws:rds/cluster:Cluster"
          ? { endpoint: db.target.host, readerEndpoint: db.target.host, port: db.target.port, masterUsername: db.target.user }
          : type === "random:index/randomPassword:RandomPassword"
            ? {
                result: pulumi.secret(
                  name.includes("app") ? "app-user-password-0123456789" : (db.target.password ?? ""),
                ) as unknown as string,
              }
            : {},
      async provider(args) {
        events.push(`start ${args.type}`);
        const state = await playProvider(args);
        // Only reached on success: a failed step has no "end".
        events.push(`end ${args.type}`);
        return state;
      },
    },
  );
  return { outcome, events, hookOutput, failure: () => outcome.failure };
}

// The Sanitization resource runs sanitizeCluster, which sees every database and login of the
// server: this file gets its own servers.
const servers = dedicatedServers();
afterAll(() => servers.stop());

describe.each(engines)("a whole stack deploy on %s (AWS faked, database and sanitizer real)", (engine) => {
  it("sanitizes the clone, then runs the hook on sanitized data, then publishes", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const { outcome, events, hookOutput, failure } = await deploy(db, rulesYaml());
    expect(failure()).toBeUndefined();
    await expectSanitized(db);
    // The hook connected through its environment alone and saw no original email.
    expect(hookOutput).toEqual(["unmasked=0"]);

    const resources = outcome.resources;
    const order = (type: string, at: "start" | "end") => events.indexOf(`${at} ${type}`);
    expect(order(SANITIZATION_TOKEN, "end")).toBeGreaterThan(-1);
    expect(order("command:local:Command", "start")).toBeGreaterThan(order(SANITIZATION_TOKEN, "end"));
    for (const published of ["aws:route53/record:Record", "aws:secretsmanager/secretVersion:SecretVersion"]) {
      expect(order(published, "start")).toBeGreaterThan(order("command:local:Command", "end"));
    }
    const clone = outcome.result.clone;
    expect((await resolve(clone.ready)).value).toBe(true);
    const checks = (await resolve(clone.sanitization!.checks)).value;
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.passed)).toBe(true);
    expect((await resolve(clone.sanitization!.verified)).value).toBe(true);
    // The record points at the (sanitized) clone.
    expect((plain(one(resources, "aws:route53/record:Record").inputs) as { records: string[] }).records).toEqual([db.target.host]);
  });

  it("a failed verification stops the deploy before the hook and before anything is published", async () => {
    const db = await servers.fresh(engine);
    await seedArticleSchema(db);
    const { outcome, events, hookOutput, failure } = await deploy(db, rulesYaml({ extraVerify: FAILING_VERIFY }));
    expect(String(failure())).toMatch(/every user was removed/);
    expect(hookOutput).toEqual([]);
    // The deploy got as far as sanitizing (clone and instance created), and stopped there.
    expect(events).toContain("end aws:rds/clusterInstance:ClusterInstance");
    expect(events).toContain(`start ${SANITIZATION_TOKEN}`);
    expect(events).not.toContain(`end ${SANITIZATION_TOKEN}`);
    expect(events).not.toContain("start command:local:Command");
    expect(events).not.toContain("start aws:route53/record:Record");
    expect(events).not.toContain("start aws:secretsmanager/secretVersion:SecretVersion");
    // Nothing was registered past the failed Sanitization.
    for (const r of outcome.resources) {
      expect(["aws:route53/record:Record", "aws:secretsmanager/secretVersion:SecretVersion", "command:local:Command"]).not.toContain(
        r.type,
      );
    }
  });
});
