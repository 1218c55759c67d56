/** `aurora-staging sanitize`: run the rules against one database, verify, report. */
import { parseArgs } from "node:util";
import { sanitize, sanitizeCluster } from "../../index";
import { clusterReportLines } from "../cluster-output";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import { reportLines } from "../format";
import type { Io } from "../io";
import { clusterOption, connectionOptions, coverageOption, readSanitizeOptions, rulesOptions, runOptions } from "../options";
import { ProgressLine } from "../progress";

export const sanitizeHelp = `Usage: aurora-staging sanitize --url URL --rules FILE [options]

Sanitizes the database at URL with the rules in FILE: refuses forbidden hosts, plans and
validates everything before the first write, masks in resumable chunks, then verifies.
Exits 0 only when every check passed.

Options:
  --url URL                 postgres://user@host:5432/db or mysql://user@host:3306/db
                            (or $AURORA_STAGING_URL). Put the password in PGPASSWORD /
                            MYSQL_PWD rather than in the URL.
  --rules FILE              rules YAML (see docs/rules.md)
  --masking-key-file PATH   file holding the masking key; or $AURORA_STAGING_MASKING_KEY
  --masking-key KEY         the key itself: visible in \`ps\`, avoid. One key source only:
                            two of these three are a usage error (exit 2)
  --forbid HOST             never write to HOST, HOST:PORT or HOST[:PORT]/DATABASE
                            (repeatable; also $AURORA_STAGING_FORBIDDEN_HOSTS, comma list)
  --coverage MODE           personal (default) | strict | off
  --chunk-size N            rows per chunk / transaction (default 50000)
  --leak-sample-size N      original values per masked table kept as keyed digests for
                            the leak check (default 100, like the Pulumi leakSampleSize)
  --parallel N              most connections masking chunks at once, also of one table
                            (default: the server's CPU count where readable, else 2)
  --triggers fire|disable   disable: PostgreSQL only, session_replication_role = replica
  --cluster                 the whole server: every database (the rules' databases:),
                            production's logins locked, jobs, subscriptions and user
                            mappings switched off first (docs/safety.md)
  --retry-for SECONDS       keep retrying the connection while the host boots (default 120)
  --progress                progress on stderr even without a terminal (one line per
                            chunk, for CI logs); on a terminal it is always shown
  --json                    print the run report as JSON (plus peakRssKb)
  -h, --help                this help
`;

export const sanitizeOptions = {
  ...connectionOptions,
  ...rulesOptions,
  ...coverageOption,
  ...runOptions,
  ...clusterOption,
  progress: { type: "boolean" },
} as const;

export async function sanitizeCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values } = parseArgs({ args: argv, options: sanitizeOptions, strict: true });
  if (values.help) {
    io.out(sanitizeHelp);
    return ExitCode.ok;
  }
  const { options, url } = readSanitizeOptions(values, io);
  const progress = values.progress || (!values.json && io.stderrIsTTY) ? new ProgressLine(io, io.stderrIsTTY ? "tty" : "plain") : undefined;
  if (!values.json) io.err(`Sanitizing ${url} ...`);
  // Ctrl-C: the open chunk's transaction dies with the connection (rolled back by the
  // server); every committed chunk is recorded, so the same command resumes after it.
  const onSignal = (signal: NodeJS.Signals) => {
    progress?.finish();
    io.err(`\n${signal}: stopped. Chunks committed so far are kept; run the same command again to resume.`);
    process.exit(signal === "SIGINT" ? ExitCode.interrupted : ExitCode.terminated);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let report: Awaited<ReturnType<typeof sanitize>>;
  try {
    if (values.cluster) {
      const cluster = await sanitizeCluster({ ...options, onProgress: progress?.onProgress });
      progress?.finish();
      if (values.json) io.json({ ...cluster, peakRssKb: process.resourceUsage().maxRSS });
      else for (const line of clusterReportLines(cluster)) io.out(line);
      return cluster.verified ? ExitCode.ok : ExitCode.verificationFailed;
    }
    report = await sanitize({ ...options, onProgress: progress?.onProgress });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    progress?.finish();
  }
  if (values.json) io.json({ ...report, peakRssKb: process.resourceUsage().maxRSS });
  else for (const line of reportLines(report)) io.out(line);
  return report.verified ? ExitCode.ok : ExitCode.verificationFailed;
}
