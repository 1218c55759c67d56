/**
 * The CLI's documentation against its code, both ways, so they can't drift apart again:
 * every flag a command accepts (its parseArgs option table) is documented for that command in
 * docs/cli.md, every flag documented there or in the README's CLI section exists for the
 * command it is documented for, and the exit codes the docs (and `--help`) list are those of
 * sanitize/cli/exit-codes.ts, each failure kind under the code the CLI really exits with.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fleetHelp } from "../fleet/command";
import { costOptions } from "../sanitize/cli/commands/cost";
import { demoOptions } from "../sanitize/cli/commands/demo";
import { planOptions } from "../sanitize/cli/commands/plan";
import { sanitizeOptions } from "../sanitize/cli/commands/sanitize";
import { scanOptions } from "../sanitize/cli/commands/scan";
import { transformsOptions } from "../sanitize/cli/commands/transforms";
import { verifyOptions } from "../sanitize/cli/commands/verify";
import { ExitCode, exitCodeFor } from "../sanitize/cli/exit-codes";
import { commands, mainHelp } from "../sanitize/cli/main";
import { OPTION_FLAGS } from "../sanitize/cli/option-flags";
import type { SanitizeError } from "../sanitize/core/types";
import { LIMITS } from "../sanitize/options";

const root = join(__dirname, "..");
const cliDoc = readFileSync(join(root, "docs", "cli.md"), "utf8");
const readme = readFileSync(join(root, "README.md"), "utf8");

const longFlags = (table: Record<string, unknown>): string[] => Object.keys(table).map((k) => `--${k}`);
const flagsIn = (text: string): string[] => [...text.matchAll(/--[a-z][a-z-]*[a-z]/g)].map((m) => m[0]);

/**
 * The flags each command accepts, from its option table. A new command must be added here
 * (and documented): the test below fails until it is. fleet/command.ts keeps its table inside
 * the function, so its flags are read from its --help text, which lists each one.
 */
const accepted: Record<string, string[]> = {
  plan: longFlags(planOptions),
  sanitize: longFlags(sanitizeOptions),
  verify: longFlags(verifyOptions),
  scan: longFlags(scanOptions),
  cost: longFlags(costOptions),
  demo: longFlags(demoOptions),
  transforms: longFlags(transformsOptions),
  // Each option line of the help starts with its flag (other lines may quote other programs' flags).
  fleet: [...fleetHelp.matchAll(/^ {2}(--[a-z][a-z-]*)/gm)].map((m) => m[1]).concat("--help"),
};
const commandNames = Object.keys(accepted);

/** `| a | b \| c |` -> ["a", "b | c"] (an escaped pipe stays in its cell). */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** The markdown section from the heading `start` (exact line) to the next heading of the same or a higher level. */
function section(text: string, start: string): string {
  const lines = text.split("\n");
  const at = lines.indexOf(start);
  if (at < 0) throw new Error(`no heading "${start}"`);
  const level = start.match(/^#+/)![0].length;
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && l.match(/^#+/)![0].length <= level);
  return lines.slice(at, end < 0 ? undefined : end).join("\n");
}

/**
 * docs/cli.md's option tables (first column "Option"): with a Commands column ("all" = every
 * command), or else belonging to the command its `## \`name\`` section is about.
 */
function documentedFlags(): Map<string, Set<string>> {
  const out = new Map(commandNames.map((c) => [c, new Set<string>()]));
  const lines = cliDoc.split("\n");
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    if (/^#+ /.test(lines[i])) heading = lines[i];
    if (!/^\| *Option *\|/.test(lines[i])) continue;
    const header = cells(lines[i]);
    const commandsColumn = header.indexOf("Commands");
    const sectionCommand = /`(\w+)`/.exec(heading)?.[1];
    for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) {
      const row = cells(lines[i]);
      let cmds: string[];
      if (commandsColumn >= 0) {
        const text = row[commandsColumn];
        cmds = /\ball\b/.test(text) ? commandNames : commandNames.filter((c) => new RegExp(`\\b${c}\\b`).test(text));
      } else cmds = sectionCommand ? [sectionCommand] : [];
      expect(cmds.length, `docs/cli.md: no command for the row ${lines[i]}`).toBeGreaterThan(0);
      for (const c of cmds) for (const f of flagsIn(row[0])) (out.get(c) ?? out.set(c, new Set()).get(c)!).add(f);
    }
  }
  return out;
}

describe("docs/cli.md documents every flag, and only real ones", () => {
  const documented = documentedFlags();

  it("covers every command of the CLI", () => {
    expect(Object.keys(commands).sort()).toEqual([...commandNames].sort());
  });

  it("every flag a command accepts is documented for that command", () => {
    const missing = commandNames.flatMap((c) => accepted[c].filter((f) => !documented.get(c)!.has(f)).map((f) => `${c} ${f}`));
    expect(missing).toEqual([]);
  });

  it("every documented flag exists for the command it is documented for", () => {
    const unknown = [...documented].flatMap(([c, flags]) => [...flags].filter((f) => !accepted[c]?.includes(f)).map((f) => `${c} ${f}`));
    expect(unknown).toEqual([]);
  });

  it("each command's section and usage lines name only flags that command accepts", () => {
    const wrong: string[] = [];
    for (const c of commandNames) {
      const start = cliDoc.split("\n").find((l) => l.startsWith(`## \`${c}\``));
      expect(start, `docs/cli.md has a section for ${c}`).toBeDefined();
      // Prose may mention another command's flags ("as `plan --full-sql`"); the command's own usage lines may not.
      const usage = section(cliDoc, start!)
        .split("\n")
        .filter((l) => new RegExp(`(aurora-staging|main\\.js) ${c}\\b`).test(l));
      for (const l of usage) for (const f of flagsIn(l)) if (!accepted[c].includes(f)) wrong.push(`${c}: ${f} in "${l.trim()}"`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("docs/cli.md states the shared schema's limits", () => {
  it("each numeric flag's row gives the schema's range", () => {
    const rows = section(cliDoc, "## Options").split("\n");
    const wrong: string[] = [];
    for (const [flag, key] of Object.entries(OPTION_FLAGS)) {
      if (!(key in LIMITS)) continue;
      const { min, max } = LIMITS[key as keyof typeof LIMITS];
      const row = rows.find((l) => l.startsWith(`| \`--${flag} `));
      const range = `${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}`;
      if (!row?.includes(range)) wrong.push(`--${flag}: expected "${range}" in ${row ?? "(no row)"}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("the README's CLI section names only real flags", () => {
  const cli = section(readme, "### CLI");

  it("its command table lists every command, each with flags it accepts", () => {
    const rows = cli.split("\n").filter((l) => /^\| `\w+/.test(l));
    const listed = rows.map((r) => /^\| `(\w+)/.exec(r)![1]);
    expect([...listed].sort()).toEqual([...commandNames].sort());
    const wrong = rows.flatMap((r, i) =>
      flagsIn(cells(r)[0])
        .filter((f) => !accepted[listed[i]].includes(f))
        .map((f) => `${listed[i]} ${f}`),
    );
    expect(wrong).toEqual([]);
  });

  it("the flags its prose calls common are accepted by plan, sanitize and cost", () => {
    const common = /Common flags[^:]*:([^.]*)\./.exec(cli);
    expect(common).not.toBeNull();
    const flags = flagsIn(common![1]);
    expect(flags.length).toBeGreaterThan(3);
    const wrong = flags.flatMap((f) => ["plan", "sanitize", "cost"].filter((c) => !accepted[c].includes(f)).map((c) => `${c} ${f}`));
    expect(wrong).toEqual([]);
  });

  it("every other flag it mentions exists", () => {
    const all = new Set(Object.values(accepted).flat());
    expect(flagsIn(cli).filter((f) => !all.has(f))).toEqual([]);
  });
});

/**
 * "Exit codes: 0 ok, 1 verification failed, 3 refused (a, b), 130/143 interrupted." ->
 * { 0: "ok", 1: "verification failed", 3: "refused (a, b)", 130: "interrupted", 143: ... }.
 */
function exitCodeSentence(text: string): Map<number, string> {
  const at = text.indexOf("Exit codes:");
  expect(at, "an `Exit codes:` sentence").toBeGreaterThanOrEqual(0);
  let body = text.slice(at + "Exit codes:".length);
  body = body.slice(0, body.search(/\.\s*(\n|$)/));
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of body.replace(/\s+/g, " ")) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  const out = new Map<number, string>();
  for (const p of parts) {
    const m = /^\s*(\d+(?:\s*\/\s*\d+)*)\s+(.*)$/s.exec(p);
    // A part not starting with a code continues the previous one ("5 failed while writing, or unexpected").
    if (!m) {
      const last = [...out.keys()].pop()!;
      out.set(last, `${out.get(last)}, ${p.trim()}`);
      continue;
    }
    for (const code of m[1].split("/")) out.set(Number(code), m[2].trim());
  }
  return out;
}

/** docs/cli.md's exit code table: code -> its meaning. */
function exitCodeTable(): Map<number, string> {
  const out = new Map<number, string>();
  const table = section(cliDoc, "## Exit codes");
  for (const line of table.split("\n").filter((l) => /^\| *\d/.test(l))) {
    const [codes, meaning] = cells(line);
    for (const c of codes.match(/\d+/g)!) out.set(Number(c), meaning);
  }
  return out;
}

/** What each failure kind is called in the docs: it must be under the code exitCodeFor() gives it, and under no other. */
const KIND_WORDS: Record<SanitizeError["kind"], RegExp> = {
  rules: /rules (file|error)|invalid rules|rules that can't run/i,
  schema: /table or column/i,
  coverage: /coverage/i,
  "forbidden-host": /forbidden/i,
  logging: /log statements|statement logging|server logging|would log/i,
  connection: /connect/i,
  verification: /verification failed/i,
  execution: /while writing/i,
};

function expectMatchesCode(docs: Map<number, string>, where: string): void {
  const byNumber = (a: number, b: number) => a - b;
  expect([...docs.keys()].sort(byNumber), `${where}: the codes`).toEqual([...new Set<number>(Object.values(ExitCode))].sort(byNumber));
  const wrong: string[] = [];
  for (const [kind, words] of Object.entries(KIND_WORDS) as [SanitizeError["kind"], RegExp][]) {
    const code = exitCodeFor(kind);
    if (!words.test(docs.get(code) ?? "")) wrong.push(`${kind}: not described under ${code}`);
    for (const [other, text] of docs)
      if (other !== code && words.test(text)) wrong.push(`${kind}: described under ${other}, but the CLI exits ${code}`);
  }
  expect(wrong, where).toEqual([]);
}

describe("documented exit codes are the code's", () => {
  it("docs/cli.md's exit code table", () => expectMatchesCode(exitCodeTable(), "docs/cli.md"));
  it("the README's CLI section", () => expectMatchesCode(exitCodeSentence(section(readme, "### CLI")), "README.md"));
  it("aurora-staging --help", () => expectMatchesCode(exitCodeSentence(mainHelp), "--help"));
});
