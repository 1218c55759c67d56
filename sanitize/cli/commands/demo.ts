/** `aurora-staging demo`: the one-command local rehearsal (see sanitize/local/demo.ts). */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runDemo } from "../../local/demo";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import { reportLines } from "../format";
import type { Io } from "../io";
import { defaultRulesPath } from "../options";
import { ProgressLine } from "../progress";
import { UsageError } from "../usage-error";

export const demoHelp = `Usage: aurora-staging demo [--engine postgres|mysql] [--rows N] [--keep]

A local rehearsal of the whole flow, no AWS needed: starts a throwaway PostgreSQL (or
MariaDB with --engine mysql), loads a sample "production" database with FAKE personal
data, clones it into "staging", sanitizes staging with the shipped default rules
(sanitize/default-rules.yaml) and a random masking key, verifies, shows before/after rows,
shows that the sanitizer refuses to write to production and that production is unchanged,
then stops the server and removes its temp dir.

Options:
  --engine postgres|mysql   default postgres (mysql runs MariaDB)
  --rows N                  sample users, default 5000 (orders: 2 per user, ...)
  --keep                    leave the server running and print how to connect
  -h, --help                this help
`;

export const demoOptions = {
  engine: { type: "string", default: "postgres" },
  rows: { type: "string", default: "5000" },
  keep: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function demoCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values } = parseArgs({ args: argv, options: demoOptions, strict: true });
  if (values.help) {
    io.out(demoHelp);
    return ExitCode.ok;
  }
  const engine =
    values.engine === "postgres" || values.engine === "postgresql"
      ? "postgres"
      : values.engine === "mysql" || values.engine === "mariadb"
        ? "mysql"
        : undefined;
  if (!engine) throw new UsageError(`--engine must be postgres or mysql (got "${values.engine}")`);
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 10 || rows > 1_000_000)
    throw new UsageError(`--rows must be a whole number between 10 and 1000000 (got "${values.rows}")`);

  const progress = io.stderrIsTTY ? new ProgressLine(io) : undefined;
  const result = await runDemo({
    engine,
    rows,
    keep: Boolean(values.keep),
    rulesText: readFileSync(defaultRulesPath(), "utf8"),
    log: (line) => {
      progress?.finish();
      io.out(line);
    },
    onProgress: progress?.onProgress,
    onSecret: (s) => io.redactor.add(s),
  });
  progress?.finish();

  io.out("");
  io.out("Sanitization report:");
  for (const line of reportLines(result.report)) io.out("  " + line);
  const ok = result.report.verified && result.productionUntouched && result.productionRefused;
  if (result.server) {
    const s = result.server;
    const pwEnv = s.engine === "postgres" ? "PGPASSWORD" : "MYSQL_PWD";
    // Stopping is what --keep waits for, but it is still a stop by signal: exit 130 (143),
    // as scripts expect of Ctrl-C, once the server is down and its temp dir gone. Listening
    // starts before the lines below are printed: whoever reads them may signal at once.
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      const done = (sig: NodeJS.Signals) => {
        process.off("SIGINT", done);
        process.off("SIGTERM", done);
        void s.stop().then(() => resolve(sig));
      };
      process.on("SIGINT", done);
      process.on("SIGTERM", done);
    });
    io.out("");
    io.out(`--keep: the server is still running (stop it with Ctrl-C or kill ${process.pid}).`);
    io.out(`  production: ${s.url("production")}`);
    io.out(`  staging:    ${s.url("staging")}`);
    io.out(`  the password of this throwaway local server: export ${pwEnv}=${s.password}`);
    const signal = await stopped;
    io.out("Server stopped, temp dir removed.");
    io.out(ok ? "DEMO OK: staging is sanitized and verified, production is untouched." : "DEMO FAILED: see above.");
    // A failed demo stays a failure (exit 1) however it was stopped.
    if (!ok) return ExitCode.verificationFailed;
    return signal === "SIGINT" ? ExitCode.interrupted : ExitCode.terminated;
  }
  io.out("Demo server stopped, temp dir removed.");
  io.out(ok ? "DEMO OK: staging is sanitized and verified, production is untouched." : "DEMO FAILED: see above.");
  return ok ? ExitCode.ok : ExitCode.verificationFailed;
}
