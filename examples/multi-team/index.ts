/**
 * Several teams' sanitized copy-on-write clones in ONE stack, declared with the StagingClone
 * component from your own program (instead of the one-team-per-stack program in index.ts).
 *
 *   pulumi -C examples/multi-team stack init staging
 *   pulumi -C examples/multi-team config set aws:region eu-west-1
 *   pulumi -C examples/multi-team config set --secret maskingKey <32+ random characters>
 *   pulumi -C examples/multi-team up
 *
 * Each clone is its own component (its name prefixes its resources' names), and every clone
 * looks its source up through the provider given here, so an assumed role or another region's
 * provider applies to the lookup as well as to the clone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StagingClone } from "../../components/staging-clone";
import { TEAMS } from "./teams";

/** The shipped rules; point each team at its own file as its schema grows. */
const rules = fs.readFileSync(path.join(__dirname, "..", "..", "sanitize", "default-rules.yaml"), "utf8");

export = async () => {
  const config = new pulumi.Config();
  // One key for every clone: a value masked in one team's clone matches the same value in another's.
  const maskingKey = config.getSecret("maskingKey");
  // E.g. a role in the staging account; the components' source lookups use it too.
  const provider = new aws.Provider("staging", { region: new pulumi.Config("aws").require("region") as aws.Region });

  const clones = Object.entries(TEAMS).map(([team, args]) => new StagingClone(team, { team, rules, maskingKey, ...args }, { provider }));
  // Every clone's source lookup and plan; the first problem fails the program at preview.
  await Promise.all(clones.map((clone) => clone.declared()));

  return Object.fromEntries(
    clones.map((clone, i) => [
      Object.keys(TEAMS)[i],
      {
        clusterIdentifier: clone.clusterIdentifier,
        writerEndpoint: clone.writerEndpoint,
        stableHostname: clone.stableHostname,
        connectionSecretArn: clone.connectionSecretArn,
        masterPassword: clone.masterPassword,
        ready: clone.ready,
      },
    ]),
  );
};
