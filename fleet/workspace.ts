/**
 * The real FleetWorkspace: the Pulumi Automation API over the project's local workspace (the
 * Pulumi CLI must be installed and logged in). The only file of fleet/ that calls Pulumi; it
 * stays thin so the orchestration is tested through a stand-in with the same methods.
 *
 * Clusters in the region: @pulumi/aws invokes only run inside a Pulumi program and the AWS
 * SDK isn't a dependency, so the count comes from the caller (`--region-clusters N`).
 */
import { LocalWorkspace, type OpMap, type OutputMap } from "@pulumi/pulumi/automation";
import type { FleetOperation, FleetWorkspace, StackRunResult } from "./types";

export class AutomationWorkspace implements FleetWorkspace {
  constructor(
    /** The Pulumi project directory (holds Pulumi.yaml). */
    private readonly workDir: string,
    private readonly clustersInRegion?: number,
  ) {}

  async listStacks(): Promise<string[]> {
    const ws = await LocalWorkspace.create({ workDir: this.workDir });
    return (await ws.listStacks()).map((s) => s.name);
  }

  async run(stackName: string, op: FleetOperation, onLine?: (line: string) => void): Promise<StackRunResult> {
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: this.workDir });
    const onOutput = (text: string) => {
      for (const line of text.split("\n")) if (line.trim()) onLine?.(line.trim());
    };
    switch (op) {
      case "preview": {
        const r = await stack.preview({ onOutput, color: "never" });
        return { outputs: {}, summary: changes(r.changeSummary) };
      }
      case "up": {
        const r = await stack.up({ onOutput, color: "never" });
        return { outputs: plainOutputs(r.outputs), summary: changes(r.summary.resourceChanges) };
      }
      case "destroy": {
        const r = await stack.destroy({ onOutput, color: "never" });
        return { outputs: {}, summary: changes(r.summary.resourceChanges) };
      }
    }
  }

  async regionClusterCount(): Promise<number> {
    if (this.clustersInRegion === undefined) throw new Error("the number of clusters in the region was not given (--region-clusters N)");
    return this.clustersInRegion;
  }
}

/** Secret outputs (master password) never leave the workspace. */
function plainOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([, v]) => !v.secret)
      .map(([k, v]) => [k, v.value]),
  );
}

function changes(ops: OpMap | undefined): string {
  const parts = Object.entries(ops ?? {})
    .filter(([op, n]) => op !== "same" && (n ?? 0) > 0)
    .map(([op, n]) => `${n} ${op}`);
  return parts.length ? parts.join(", ") : "no changes";
}
