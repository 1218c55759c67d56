/**
 * Issue 11 follow-up: Aurora shows a SQL session no CPU count, so the program gives the
 * Sanitization one masking connection per vCPU of the instance class it declared, unless the
 * stack sets `sanitizeOptions.parallelism`.
 */
import { describe, expect, it } from "vitest";
import { defaultParallelism, instanceVcpus } from "../components/instance-vcpus";
import { SANITIZATION_TOKEN } from "../components/sanitization";
import { one, plain } from "./harness/pulumi-mocks";
import { build, pgStack } from "./harness/staging-stack";

describe("instance class vCPUs", () => {
  it("reads EC2-style sizes", () => {
    expect(instanceVcpus("db.r6g.large")).toBe(2);
    expect(instanceVcpus("db.t4g.medium")).toBe(2);
    expect(instanceVcpus("db.r6g.xlarge")).toBe(4);
    expect(instanceVcpus("db.r7g.2xlarge")).toBe(8);
    expect(instanceVcpus("db.r6i.16xlarge")).toBe(64);
    expect(instanceVcpus("db.serverless")).toBeUndefined();
    expect(defaultParallelism("db.r6i.16xlarge")).toBe(16);
  });

  it("the Sanitization runs with one connection per vCPU unless the stack says otherwise", async () => {
    const options = async (stack: Record<string, unknown>) => {
      const { resources } = await build(stack);
      return (plain(one(resources, SANITIZATION_TOKEN).inputs) as { options: Record<string, unknown> }).options;
    };
    expect((await options({ ...pgStack, instanceClass: "db.r6g.2xlarge" })).parallelism).toBe(8);
    expect((await options({ ...pgStack, instanceClass: "db.r6g.2xlarge", sanitizeOptions: { parallelism: 3 } })).parallelism).toBe(3);
    expect((await options({ ...pgStack, instanceClass: "db.serverless" })).parallelism).toBeUndefined();
  });
});
