#!/usr/bin/env node
/**
 * `aurora-staging`: plan | sanitize | verify | scan | demo | cost | transforms | fleet. See docs/cli.md.
 *
 * Expected failures (bad flags, bad rules, refused targets, connection problems) print a
 * message and a list of problems, never a stack trace; set AURORA_STAGING_DEBUG=1 to see
 * stacks of unexpected errors. Everything printed passes through the redactor.
 */
import { costCommand } from "./commands/cost";
import { demoCommand } from "./commands/demo";
import { planCommand } from "./commands/plan";
import { sanitizeCommand } from "./commands/sanitize";
import { scanCommand } from "./commands/scan";
import { transformsCommand } from "./commands/transforms";
import { verifyCommand } from "./commands/verify";
import { ExitCode, exitCodeFor, type ExitCodeValue } from "./exit-codes";
import { Io } from "./io";
import { UsageError } from "./usage-error";
import { SanitizeError } from "../core/types";

export const commands: Record<string, (argv: string[], io: Io) => Promise<ExitCodeValue>> = {
  plan: planCommand,
  sanitize: sanitizeCommand,
  verify: verifyCommand,
  scan: scanCommand,
  demo: demoCommand,
  cost: costCommand,
  transforms: transformsCommand,
  // Lazy: the fleet drives Pulumi; the sanitizer's own commands never load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  fleet: (argv, io) => (require("../../fleet/command") as typeof import("../../fleet/command")).fleetCommand(argv, io),
};

export const mainHelp = `Usage: aurora-staging <command> [options]

Sanitize a copy of a production PostgreSQL/MySQL database (e.g. an Aurora clone) so it is
safe to hand to a team, with declarative rules, checks and resumable runs.

Commands:
  plan       print the SQL of the changes sanitize would make, and the coverage report; writes nothing
  sanitize   sanitize the database, verify, print the report (exit 0 only when verified)
  verify     re-run the checks on a sanitized database
  scan       list personal-looking columns the rules don't cover; --write a draft rules file
  demo       local rehearsal: throwaway server, fake production data, clone, sanitize, verify
  cost       estimate the storage the sanitized clone will own, in GB and $/month
  transforms list the transforms rules can use: options and defaults, column types, examples
  fleet      pulumi preview|up|destroy over many team stacks (Automation API), bounded by the cluster quota

Run \`aurora-staging <command> --help\` for the options of a command.

Exit codes: 0 ok, 1 verification failed, 2 usage or rules error (also rules that can't run on
this database), 3 refused (forbidden host, coverage gap, a table or column not in the database,
the server would log statements), 4 cannot connect, 5 failed while writing (re-run to resume)
or unexpected error, 130/143 interrupted (SIGINT/SIGTERM). Details: docs/cli.md.

Try it locally, no AWS needed: aurora-staging demo   (or: npm run demo)
`;

export async function main(argv: string[], io = new Io()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.out(mainHelp);
    return name ? ExitCode.ok : ExitCode.usage;
  }
  if (name === "--version" || name === "version") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.out(require("../../../package.json").version);
    return ExitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    io.err(`aurora-staging: unknown command "${name}"; expected one of ${Object.keys(commands).join(", ")} (see --help)`);
    return ExitCode.usage;
  }
  const json = rest.includes("--json");
  try {
    return await command(rest, io);
  } catch (e) {
    return reportError(e, io, name, json);
  }
}

function reportError(e: unknown, io: Io, command: string, json: boolean): number {
  let code: number;
  let message: string;
  let problems: string[] = [];
  let kind: string;
  if (e instanceof SanitizeError || (e instanceof Error && e.name === "SanitizeError" && Array.isArray((e as SanitizeError).problems))) {
    const se = e as SanitizeError;
    code = exitCodeFor(se.kind);
    kind = se.kind;
    problems = se.problems;
    message = headline(se.kind, se.problems.length);
  } else if (e instanceof UsageError) {
    code = ExitCode.usage;
    kind = "usage";
    message = e.message;
    problems = e.problems;
  } else if (
    e instanceof TypeError &&
    typeof (e as NodeJS.ErrnoException).code === "string" &&
    (e as NodeJS.ErrnoException).code!.startsWith("ERR_PARSE_ARGS")
  ) {
    code = ExitCode.usage;
    kind = "usage";
    message = `${e.message} (see aurora-staging ${command} --help)`;
  } else {
    code = ExitCode.failed;
    kind = "unexpected";
    message = e instanceof Error ? e.message : String(e);
    if (process.env.AURORA_STAGING_DEBUG && e instanceof Error && e.stack) problems = [e.stack];
  }
  if (json) io.json({ error: { kind, message, problems }, exitCode: code });
  io.err(`aurora-staging ${command}: ${message}`);
  for (const p of problems) io.err(`  - ${p.replace(/\n/g, "\n    ")}`);
  return code;
}

function headline(kind: SanitizeError["kind"], n: number): string {
  const what = n === 1 ? "1 problem" : `${n} problems`;
  switch (kind) {
    case "rules":
      return `the rules are invalid (${what}); nothing was written`;
    case "schema":
      return `the rules don't fit the database schema (${what}); nothing was written`;
    case "coverage":
      return `refused: personal-looking columns have no rule (${what}); add a rule or list them under keep; nothing was written`;
    case "forbidden-host":
      return `refused: the target is a forbidden (production) host; nothing was written`;
    case "connection":
      return `cannot connect (${what})`;
    case "verification":
      return `verification failed (${what})`;
    case "execution":
      return `failed while writing (${what}); committed chunks are kept, re-run the same command to resume`;
    case "logging":
      return `refused: the server would log statements with their values (${what}); nothing was written`;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`aurora-staging: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = ExitCode.failed;
    },
  );
}
