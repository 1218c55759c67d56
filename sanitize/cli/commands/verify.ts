/** `aurora-staging verify`: re-run the checks on an already sanitized database. */
import { parseArgs } from "node:util";
import { verify, verifyCluster } from "../../index";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import { checksLines } from "../format";
import type { Io } from "../io";
import { clusterOption, connectionOptions, readSanitizeOptions, rulesOptions } from "../options";

export const verifyHelp = `Usage: aurora-staging verify --url URL --rules FILE [options]

Re-runs the checks that don't need the pre-run sample (transform checks, truncated tables
empty, deleted rows gone, your verify queries) and exits 0 only when all pass. Writes nothing.

Options: --url, --rules, --masking-key-file, --masking-key, --forbid, --coverage,
--retry-for, --cluster (every database and the cluster checks), --json, -h/--help
(see \`aurora-staging sanitize --help\`).
`;

export async function verifyCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values } = parseArgs({ args: argv, options: { ...connectionOptions, ...rulesOptions, ...clusterOption }, strict: true });
  if (values.help) {
    io.out(verifyHelp);
    return ExitCode.ok;
  }
  const { options } = readSanitizeOptions(values, io);
  const result = values.cluster ? await verifyCluster(options) : await verify(options);
  if (values.json) io.json(result);
  else {
    const failed = result.checks.filter((c) => !c.passed);
    io.out(`Checks (${result.checks.length - failed.length}/${result.checks.length} passed):`);
    for (const line of checksLines(result.checks)) io.out(line);
    io.out(result.verified ? "VERIFIED: every check passed." : `NOT VERIFIED: ${failed.map((c) => c.name).join(", ")}`);
  }
  return result.verified ? ExitCode.ok : ExitCode.verificationFailed;
}
