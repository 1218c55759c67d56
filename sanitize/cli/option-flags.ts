/**
 * The sanitize options given as flags, checked by the shared schema (sanitize/options): the
 * limits and the wording of every problem come from there, the CLI only names the flag.
 * Flags are text, so numbers are converted first; text that is not a number becomes NaN and
 * gets the schema's "must be a whole number" message.
 */
import { didYouMean } from "../core/closest";
import { LIMITS, sanitizeOptionsSchema, type SanitizeOptionsConfig } from "../options";

/** Each flag and the option it sets. */
export const OPTION_FLAGS = {
  coverage: "coverage",
  "chunk-size": "chunkSize",
  "leak-sample-size": "leakSampleSize",
  parallel: "parallelism",
  triggers: "triggers",
  "retry-for": "connectRetrySeconds",
} as const satisfies Record<string, keyof SanitizeOptionsConfig>;

export type OptionFlag = keyof typeof OPTION_FLAGS;

/** "5000" -> 5000; "" and anything Number() can't read -> NaN (the schema reports it). */
export function flagNumber(text: string, { underscores = false } = {}): number {
  const t = (underscores ? text.replace(/_/g, "") : text).trim();
  return t === "" ? NaN : Number(t);
}

/** The options the flags set, or one problem per bad flag (all of them). */
export function readOptionFlags(values: Partial<Record<OptionFlag, string>>): { options: SanitizeOptionsConfig; problems: string[] } {
  const input: Record<string, unknown> = {};
  const flagOf = new Map<string, OptionFlag>();
  for (const [flag, key] of Object.entries(OPTION_FLAGS) as [OptionFlag, (typeof OPTION_FLAGS)[OptionFlag]][]) {
    const text = values[flag];
    if (text === undefined) continue;
    input[key] = key in LIMITS ? flagNumber(text) : text;
    flagOf.set(key, flag);
  }
  const parsed = sanitizeOptionsSchema.safeParse(input);
  if (parsed.success) return { options: parsed.data, problems: [] };
  const problems = parsed.error.issues.map((issue) => {
    const flag = flagOf.get(String(issue.path[0]))!;
    const text = values[flag]!;
    // Enum flags: the allowed values, e.g. ["personal", "strict", "off"], for a "did you mean".
    const allowed = "values" in issue && Array.isArray(issue.values) ? issue.values.map(String) : [];
    return `--${flag}: ${issue.message} (got "${text}")${didYouMean(text, allowed)}`;
  });
  return { options: {}, problems };
}
