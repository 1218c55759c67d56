/**
 * What the fleet orchestration needs from Pulumi and AWS: one interface, implemented for real
 * by workspace.ts (Automation API) and by a stand-in in the tests. Nothing else in fleet/
 * touches Pulumi, so everything but workspace.ts runs (and is tested) without the Pulumi CLI.
 */

export type FleetOperation = "preview" | "up" | "destroy";

/** What one stack's run gives back: the stack outputs after `up` (names and counts only). */
export interface StackRunResult {
  /** Stack outputs, secrets already left out by the workspace. */
  outputs: Record<string, unknown>;
  /** One-line summary of the changes, e.g. "3 to create, 1 to delete". */
  summary?: string;
}

export interface FleetWorkspace {
  /** Every stack of the project. */
  listStacks(): Promise<string[]>;
  /** Runs `op` on `stack`; rejects when the operation fails. `onLine` gets progress lines. */
  run(stack: string, op: FleetOperation, onLine?: (line: string) => void): Promise<StackRunResult>;
  /** Aurora clusters that exist in the region now (all of them: the quota counts every cluster). */
  regionClusterCount(): Promise<number>;
}

export type StackState = "queued" | "running" | "succeeded" | "failed";

export interface StackOutcome {
  stack: string;
  state: StackState;
  /** The clone's cluster identifier (after `up`). */
  cloneId?: string;
  /** Rows the sanitizer changed, summed over tables (after `up` with sanitization). */
  rowsMasked?: number;
  checks?: { passed: number; total: number };
  verified?: boolean;
  summary?: string;
  durationMs?: number;
  /** The failure message (never stack outputs or config values). */
  error?: string;
  /** The latest progress line while running. */
  lastLine?: string;
}

export interface FleetReport {
  operation: FleetOperation;
  startedAt: string;
  finishedAt: string;
  concurrency: number;
  stacks: StackOutcome[];
  succeeded: number;
  failed: number;
}
