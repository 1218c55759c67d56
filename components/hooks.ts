/**
 * The environment post-clone hooks run with. Connection details reach a hook ONLY through its
 * environment (the password as a secret input), never through the command string, so they
 * don't appear in the command, in `pulumi preview` diffs or in logs.
 *
 * Both engine-neutral names and the engine's own client variables are set, so `psql` and
 * `mysql` work without arguments.
 *
 * Hooks run where the sanitizer runs (the machine running `pulumi up`), so they connect the way
 * it does: through `connectHost`/`connectPort` when set (e.g. the local end of an SSM port
 * forward), else to the clone's writer endpoint and port.
 */
import * as pulumi from "@pulumi/pulumi";

export interface HookConnection {
  engine: "postgres" | "mysql";
  host: pulumi.Input<string>;
  readerHost: pulumi.Input<string>;
  port: pulumi.Input<number>;
  username: pulumi.Input<string>;
  /** Secret. */
  password: pulumi.Input<string>;
  database: string;
  clusterIdentifier: pulumi.Input<string>;
  /** sanitizeOptions.connectHost: connect here instead of `host` (the forward reaches the writer only). */
  connectHost?: pulumi.Input<string | undefined>;
  /** sanitizeOptions.connectPort: connect to this port instead of `port`. */
  connectPort?: pulumi.Input<number | undefined>;
}

export function hookEnvironment(c: HookConnection): Record<string, pulumi.Input<string>> {
  // The options may be Outputs (a component caller's Inputs): fall back per value, once known.
  const host = pulumi.all([c.connectHost, c.host]).apply(([forwarded, real]) => forwarded ?? real);
  const port = pulumi.all([c.connectPort, c.port]).apply(([forwarded, real]) => String(forwarded ?? real));
  const password = pulumi.secret(c.password);
  const common: Record<string, pulumi.Input<string>> = {
    AURORA_STAGING_ENGINE: pulumi.output(c.engine),
    AURORA_STAGING_HOST: host,
    // The clone's own reader endpoint even behind a forward: there is no forward to it.
    AURORA_STAGING_READER_HOST: pulumi.output(c.readerHost),
    AURORA_STAGING_PORT: port,
    AURORA_STAGING_USER: pulumi.output(c.username),
    AURORA_STAGING_PASSWORD: password,
    AURORA_STAGING_DATABASE: pulumi.output(c.database),
    AURORA_STAGING_CLUSTER: pulumi.output(c.clusterIdentifier),
  };
  const native: Record<string, pulumi.Input<string>> = c.engine === "postgres"
    ? {
        PGHOST: host,
        PGPORT: port,
        PGUSER: pulumi.output(c.username),
        PGPASSWORD: password,
        PGDATABASE: pulumi.output(c.database),
        PGSSLMODE: pulumi.output("require"),
      }
    : {
        MYSQL_HOST: host,
        MYSQL_TCP_PORT: port,
        MYSQL_PWD: password,
        // The mysql client has no user/database variables; hooks use these.
        MYSQL_USER: pulumi.output(c.username),
        MYSQL_DATABASE: pulumi.output(c.database),
      };
  return { ...common, ...native };
}
