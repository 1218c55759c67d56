/**
 * Which stacks a fleet run covers: a name pattern (`team-*`, `*-eu`, `a,b`) over the project's
 * stacks, or a file listing them one per line (# comments). A listed stack the project doesn't
 * have is an error naming it: a typo must not silently skip a team.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../sanitize/cli/usage-error";

/** `*` any run of characters, `?` one; comma-separated alternatives. Pulumi stack names have no commas. */
export function matcher(pattern: string): (name: string) => boolean {
  const alternatives = pattern
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map(
      (p) =>
        new RegExp(
          `^${p
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        ),
    );
  return (name) => alternatives.some((re) => re.test(name));
}

export function readStackFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(
      `--stacks-file ${file}: can't be read (${(e as NodeJS.ErrnoException).code ?? "unreadable"}); list one stack name per line`,
    );
  }
  return text
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean);
}

export function selectStacks(all: string[], by: { pattern?: string; listed?: string[] }): string[] {
  if ((by.pattern === undefined) === (by.listed === undefined)) {
    throw new UsageError("fleet: pick the stacks with exactly one of --stacks PATTERN (e.g. 'team-*') or --stacks-file FILE");
  }
  if (by.listed) {
    const missing = by.listed.filter((s) => !all.includes(s));
    if (missing.length) {
      throw new UsageError(
        `fleet: the stacks file lists stacks the project doesn't have: ${missing.join(", ")} (stacks: ${all.join(", ") || "none"})`,
      );
    }
    return [...new Set(by.listed)];
  }
  const picked = all.filter(matcher(by.pattern!));
  if (!picked.length) throw new UsageError(`fleet: no stack matches "${by.pattern}" (stacks: ${all.join(", ") || "none"})`);
  return picked;
}
