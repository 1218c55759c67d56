/** The stack output `estimatedMonthlyCost`: instance cost from the config and the dated price table. */
import { describe, expect, it } from "vitest";
import { estimatedMonthlyCost } from "../components/cost";
import { parseStagingConfig } from "../components/config";
import { stagingProgram } from "../components/program";
import PRICE_TABLE from "../sanitize/cost/prices.json";
import { REGION, resolve, runWithMocks } from "./harness/pulumi-mocks";
import { NOW } from "./harness/staging-stack";

const base = { team: "payments", sourceCluster: "prod-pg" };
const config = (raw: Record<string, unknown>, region: string | undefined = "eu-west-1") =>
  parseStagingConfig({ ...base, ...raw }, { region });

describe("estimatedMonthlyCost", () => {
  it("the price table states its date and source, and covers the common regions and classes", () => {
    expect(PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.source).toMatch(/aws\.amazon\.com\/rds\/aurora\/pricing/);
    for (const region of ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]) {
      const p = (
        PRICE_TABLE.regions as Record<string, { instanceHour: Record<string, number>; serverlessAcuHour: number; storageGbMonth: number }>
      )[region];
      expect(Object.keys(p.instanceHour)).toEqual(expect.arrayContaining(["db.r6g.large", "db.r7g.large", "db.t4g.medium"]));
      expect(p.serverlessAcuHour).toBeGreaterThan(0);
      expect(p.storageGbMonth).toBeGreaterThan(0);
    }
  });

  it("provisioned: class x count x hours", () => {
    const hourly = PRICE_TABLE.regions["eu-west-1"].instanceHour["db.r6g.large"];
    const c = estimatedMonthlyCost(config({ instanceClass: "db.r6g.large", instanceCount: 2 }));
    const month = Math.round(hourly * 730 * 2 * 100) / 100;
    expect(c.instances).toEqual({ low: month, high: month, basis: `2 x db.r6g.large at $${hourly}/hour` });
    expect(c.instances!.low).toBeGreaterThan(300);
    expect(c.storagePerGbMonth).toBe(PRICE_TABLE.regions["eu-west-1"].storageGbMonth);
    expect(c.priceTableDate).toBe(PRICE_TABLE.date);
  });

  it("Serverless v2: the ACU range; auto-pause noted", () => {
    const acu = PRICE_TABLE.regions["us-east-1"].serverlessAcuHour;
    const c = estimatedMonthlyCost(config({ instanceClass: "db.serverless", serverless: { minCapacity: 0, maxCapacity: 8 } }, "us-east-1"));
    expect(c.instances).toMatchObject({ low: 0, high: Math.round(8 * acu * 730 * 100) / 100 });
    expect(c.note).toMatch(/0 while auto-paused/);
  });

  it("a class or region the table doesn't have is said, not guessed", () => {
    expect(estimatedMonthlyCost(config({ instanceClass: "db.x2g.16xlarge" })).instances).toBeUndefined();
    expect(estimatedMonthlyCost(config({ instanceClass: "db.x2g.16xlarge" })).note).toMatch(/no price for db\.x2g\.16xlarge in eu-west-1/);
    expect(estimatedMonthlyCost(config({}, "ap-south-2")).note).toMatch(/no prices for region ap-south-2/);
  });

  it("is a stack output of the program", async () => {
    const run = await runWithMocks(
      () =>
        stagingProgram({
          allConfig: {
            "aws:region": REGION,
            "aurora-staging:team": "payments",
            "aurora-staging:sourceCluster": "prod-pg",
            "aurora-staging:runnerCidrs": JSON.stringify(["203.0.113.10/32"]),
          },
          secretKeys: [],
          now: NOW,
        }),
      { preview: true },
    );
    const out = (await resolve((run.result as { estimatedMonthlyCost: unknown }).estimatedMonthlyCost)).value as {
      instances: { basis: string };
    };
    expect(out.instances.basis).toBe(`1 x db.r6g.large at $${PRICE_TABLE.regions[REGION].instanceHour["db.r6g.large"]}/hour`);
  });
});
