/** `aurora-staging scan`: which personal-looking columns do the rules not cover yet? */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { scan } from "../../index";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import { table } from "../format";
import type { Io } from "../io";
import { connectionOptions, readConnect, readRules, readTarget } from "../options";
import { UsageError } from "../usage-error";

export const scanHelp = `Usage: aurora-staging scan --url URL [--rules FILE] [--write FILE [--force]]

Lists the columns that look personal (email, phone, name, address, ip, token, ...) and that
FILE's rules (if given) don't transform, keep or drop yet, by name and by content: it reads
up to 200 rows per table (patterns, free text, all-NULL columns; lookup tables are kept).
Sampled values are never printed. Writes nothing to the database.

Options:
  --url URL          the database to scan (or $AURORA_STAGING_URL)
  --rules FILE       existing rules: only columns they don't cover are listed
  --write FILE       also write a draft rules file covering them (review before use!)
  --force            overwrite FILE if it exists
  --retry-for SECONDS, --json, -h/--help
`;

export const scanOptions = {
  ...connectionOptions,
  rules: { type: "string" },
  write: { type: "string" },
  force: { type: "boolean" },
} as const;

export async function scanCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values } = parseArgs({ args: argv, options: scanOptions, strict: true });
  if (values.help) {
    io.out(scanHelp);
    return ExitCode.ok;
  }
  const { target, url } = readTarget(values, io);
  const { rules } = readRules(values, { required: false });
  const result = await scan({
    target,
    rules,
    connect: readConnect(values),
    schemaRef: values.write ? schemaRefFrom(values.write) : undefined,
  });
  if (values.write) {
    try {
      writeFileSync(values.write, result.draft, { flag: values.force ? "w" : "wx" });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw new UsageError(`${values.write} already exists; pass --force to overwrite it`);
      throw new UsageError(`cannot write ${values.write}: ${code ?? (e as Error).message}`);
    }
  }
  if (values.json) {
    io.json({ columns: result.columns, kept: result.kept, ...(values.write ? { written: values.write } : {}) });
    return ExitCode.ok;
  }
  if (!result.columns.length) io.out(`No unclassified personal-looking columns in ${url}.`);
  else {
    io.out(`${result.columns.length} personal-looking column(s) without a rule in ${url}:`);
    for (const line of table([
      ["column", "looks like", "suggested rule"],
      ...result.columns.map((c) => [`${c.table}.${c.column}`, c.reason, c.suggestion]),
    ]))
      io.out(line);
  }
  if (result.kept.length) {
    io.out(`${result.kept.length} column(s) of lookup tables the draft keeps (reference data, not personal by default):`);
    for (const k of result.kept) io.out(`  ${k.entry}   (${k.reason})`);
  }
  if (values.write) io.out(`Draft rules written to ${values.write}: review every entry before using it.`);
  return ExitCode.ok;
}

/**
 * The rules schema as a path relative to the draft being written, so an editor finds it
 * wherever the draft goes: the committed sanitize/rules/rules.schema.json of this project
 * (from dist/ or from the sources), else the copy the build puts next to the compiled rules.
 */
export function schemaRefFrom(file: string): string | undefined {
  const candidates = [
    join(__dirname, "..", "..", "..", "..", "sanitize", "rules", "rules.schema.json"),
    join(__dirname, "..", "..", "rules", "rules.schema.json"),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) return undefined;
  const rel = relative(dirname(resolve(file)), found)
    .split(sep)
    .join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}
