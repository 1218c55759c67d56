/**
 * aurora-staging: one team's sanitized copy-on-write Aurora staging clone per stack.
 * The program lives in components/program.ts (so tests can run it with injected config);
 * Pulumi calls the exported function and uses what it returns as the stack outputs.
 */
import { stagingProgram } from "./components/program";

export = () => stagingProgram();
