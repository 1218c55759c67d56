/** `aurora-staging transforms`: the transform catalogue (sanitize/transforms) as text or JSON. Connects to nothing. */
import { parseArgs } from "node:util";
import { didYouMean } from "../../core/closest";
import type { TransformName } from "../../core/types";
import { isTransformName, transformNames } from "../../transforms";
import { columnTypesText, describeTransform, optionsText, type TransformInfo } from "../../transforms/describe";
import { ExitCode, type ExitCodeValue } from "../exit-codes";
import type { Io } from "../io";
import { UsageError } from "../usage-error";

export const transformsHelp = `Usage: aurora-staging transforms [NAME...] [--json]

Lists the transforms a rules file can use (docs/rules.md): what each does, its options with
their defaults, the column types it writes to, whether it needs the masking key, and a valid
example. With NAMEs, only those. Connects to nothing.

Options:
  --json   the catalogue as JSON (the options' JSON Schema is in sanitize/rules/rules.schema.json)
`;

export const transformsOptions = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

export async function transformsCommand(argv: string[], io: Io): Promise<ExitCodeValue> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: transformsOptions,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(transformsHelp);
    return ExitCode.ok;
  }
  const unknown = positionals.filter((n) => !isTransformName(n));
  if (unknown.length) {
    throw new UsageError(`unknown transform${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}`, [
      ...unknown.map((n) => `"${n}"${didYouMean(n, transformNames)} is not a transform`),
      `expected one of ${transformNames.join(", ")}`,
    ]);
  }
  const names = positionals.length ? (positionals as TransformName[]) : transformNames;
  const infos = names.map(describeTransform);
  if (values.json) io.json({ transforms: infos });
  else
    io.out(
      infos
        .map(transformLines)
        .map((lines) => lines.join("\n"))
        .join("\n\n"),
    );
  return ExitCode.ok;
}

/** One transform as a short block: name and summary, then columns, key, uniqueness, options, example. */
export function transformLines(t: TransformInfo): string[] {
  const plain = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  return [
    `${t.name}: ${t.summary}`,
    `  columns: ${columnTypesText(t)}; masking key: ${t.needsMaskingKey ? "needed" : "not needed"}; keeps uniqueness: ${t.uniqueness}`,
    `  options: ${optionsText(t.options, plain)}`,
    ...t.options.filter((o) => o.description).map((o) => `    ${o.name}: ${o.description}`),
    `  example: ${exampleText(t.example)}`,
  ];
}

/** `{ transform: hash, length: 16 }`, as written in a rules file (YAML flow style). */
function exampleText(example: unknown): string {
  const flow = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
    if (v !== null && typeof v === "object")
      return `{ ${Object.entries(v)
        .map(([k, x]) => `${k}: ${flow(x)}`)
        .join(", ")} }`;
    // Quoted when YAML would read it differently, or it holds YAML punctuation.
    return typeof v === "string" && /^[\w.@-]+$/.test(v) && !/^(true|false|null|~|\d.*)$/i.test(v) ? v : JSON.stringify(v);
  };
  return flow(example);
}
