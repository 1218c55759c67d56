/**
 * aurora-staging: one team's sanitized copy-on-write Aurora staging clone per stack.
 * The program lives in components/program.ts (so tests can run it with injected config): the
 * adapter from stack config to the StagingClone component (components/staging-clone.ts), which
 * other programs can declare directly (examples/multi-team). Pulumi calls the exported
 * function and uses what it returns as the stack outputs.
 */
import { stagingProgram } from "./components/program";

export = () => stagingProgram();
