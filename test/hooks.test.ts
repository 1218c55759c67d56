/**
 * The hooks' environment follows sanitizeOptions.connectHost/connectPort (an SSM port forward),
 * like the sanitizer; without them it is the clone's writer endpoint and port. Under the mocks.
 */
import { describe, expect, it } from "vitest";
import { hookEnvironment } from "../components/hooks";
import { byType, plain, resolve, runWithMocks } from "./harness/pulumi-mocks";
import { build, COMMAND, mysqlStack, pgStack } from "./harness/staging-stack";

const WRITER = "clone.cluster-abc.eu-west-1.rds.amazonaws.com";
const READER = "clone.cluster-ro-abc.eu-west-1.rds.amazonaws.com";
const base = {
  host: WRITER,
  readerHost: READER,
  port: 5432,
  username: "postgres",
  password: "pw",
  database: "app",
  clusterIdentifier: "clone",
};

async function envOf(env: Record<string, unknown>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = String((await resolve(v)).value);
  return out;
}

describe("hookEnvironment", () => {
  it("points every host/port variable at connectHost/connectPort when set, the reader at the clone's reader", async () => {
    const { result } = await runWithMocks(async () => ({
      pg: await envOf(hookEnvironment({ ...base, engine: "postgres", connectHost: "127.0.0.1", connectPort: 15432 })),
      my: await envOf(hookEnvironment({ ...base, engine: "mysql", port: 3306, connectHost: "127.0.0.1", connectPort: 13306 })),
    }));
    expect(result.pg).toMatchObject({
      AURORA_STAGING_HOST: "127.0.0.1",
      AURORA_STAGING_PORT: "15432",
      PGHOST: "127.0.0.1",
      PGPORT: "15432",
    });
    expect(result.pg.AURORA_STAGING_READER_HOST).toBe(READER);
    expect(result.my).toMatchObject({
      AURORA_STAGING_HOST: "127.0.0.1",
      AURORA_STAGING_PORT: "13306",
      MYSQL_HOST: "127.0.0.1",
      MYSQL_TCP_PORT: "13306",
    });
  });

  it("connectHost alone keeps the clone's port; neither set: the clone's endpoint and port", async () => {
    const { result } = await runWithMocks(async () => ({
      hostOnly: await envOf(hookEnvironment({ ...base, engine: "postgres", connectHost: "localhost" })),
      none: await envOf(hookEnvironment({ ...base, engine: "postgres" })),
    }));
    expect(result.hostOnly).toMatchObject({ PGHOST: "localhost", PGPORT: "5432", AURORA_STAGING_HOST: "localhost" });
    expect(result.none).toMatchObject({ PGHOST: WRITER, PGPORT: "5432", AURORA_STAGING_HOST: WRITER, AURORA_STAGING_PORT: "5432" });
  });
});

describe("StagingClone hooks behind a port forward", () => {
  const hook = { postCloneCommands: [{ name: "grants", command: "psql -f grants.sql" }] };

  it("PostgreSQL: the hook's PGHOST/PGPORT are sanitizeOptions.connectHost/connectPort", async () => {
    const { resources } = await build({ ...pgStack, ...hook, sanitizeOptions: { connectHost: "127.0.0.1", connectPort: 15432 } });
    const [grants] = byType(resources, COMMAND);
    const env = plain(grants.inputs.environment) as Record<string, string>;
    expect(env).toMatchObject({ PGHOST: "127.0.0.1", PGPORT: "15432", AURORA_STAGING_HOST: "127.0.0.1", AURORA_STAGING_PORT: "15432" });
  });

  it("MySQL: MYSQL_HOST/MYSQL_TCP_PORT follow them too", async () => {
    const { resources } = await build({
      ...mysqlStack,
      ...hook,
      sanitizeOptions: { ...mysqlStack.sanitizeOptions, connectHost: "127.0.0.1", connectPort: 13306 },
    });
    const [grants] = byType(resources, COMMAND);
    const env = plain(grants.inputs.environment) as Record<string, string>;
    expect(env).toMatchObject({ MYSQL_HOST: "127.0.0.1", MYSQL_TCP_PORT: "13306", AURORA_STAGING_HOST: "127.0.0.1" });
  });
});
