/** `aurora-staging verify`: re-run the checks on an already sanitized database. */
import { parseArgs } from "node:util";
import { verify, verifyCluster } from "../../index";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import { checksLines } from "../format";
import type { Io } from "../io";
import { clusterOption, connectionOptions, readSanitizeOptions, rulesOptions } from "../options";
import { UsageError } from "../usage-error";

export const verifyHelp = `Usage: aurora-staging verify --url URL --rules FILE [options]

Runs the checks a sanitize run ends with against the data as it is now (transform checks,
the per-row leak check against the run's stored digests, truncated tables empty, deleted
rows gone, your verify queries) and exits 0 only when all pass. Writes nothing.

Options: --url, --rules, --masking-key-file, --masking-key, --forbid, --retry-for,
--cluster (every database and the cluster checks), --json, -h/--help
(see \`aurora-staging sanitize --help\`). No --coverage: verify checks the data, not the
rules' coverage of the schema; \`aurora-staging plan --coverage MODE\` checks that.
`;

export const verifyOptions = { ...connectionOptions, ...rulesOptions, ...clusterOption } as const;

/**
 * The library's verify() checks the data and never runs the coverage guard, so a --coverage
 * here would be a promise not kept: refused, with where coverage is checked.
 */
function refuseCoverage(argv: string[]): void {
  if (argv.some((a) => a === "--coverage" || a.startsWith("--coverage=")))
    throw new UsageError(
      "verify does not take --coverage: it re-runs the checks on the data, and the coverage guard runs only while planning " +
        "(plan, sanitize); to check coverage without writing, run: aurora-staging plan --url URL --rules FILE --coverage MODE",
    );
}

export async function verifyCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  refuseCoverage(argv);
  const { values } = parseArgs({ args: argv, options: verifyOptions, strict: true });
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
