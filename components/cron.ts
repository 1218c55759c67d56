/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), the form Pulumi
 * Deployments schedules and GitHub Actions accept. Checked here so a typo fails at preview
 * with the field named, not later in the Pulumi Service (or never, as a schedule that never fires).
 */

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  // 7 is Sunday as well as 0 in both Pulumi's and GitHub's parsers.
  { name: "day of week", min: 0, max: 7 },
] as const;

const PART = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

/** Why `expr` is not a valid five-field cron expression, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `must have 5 fields (minute hour day-of-month month day-of-week), has ${expr.trim() === "" ? 0 : fields.length}`;
  }
  for (let i = 0; i < 5; i++) {
    const { name, min, max } = FIELDS[i];
    for (const part of fields[i].split(",")) {
      const m = PART.exec(part);
      if (!m) return `${name} field "${fields[i]}" must be *, a number, a range a-b, a step */n or a-b/n, or a comma list of those`;
      const [, , lo, hi, step] = m;
      for (const v of [lo, hi]) {
        if (v !== undefined && (Number(v) < min || Number(v) > max)) return `${name} field "${fields[i]}": ${v} is outside ${min}-${max}`;
      }
      if (lo !== undefined && hi !== undefined && Number(lo) > Number(hi))
        return `${name} field "${fields[i]}": range ${lo}-${hi} runs backwards`;
      if (step !== undefined && Number(step) === 0) return `${name} field "${fields[i]}": a step of 0 never advances`;
    }
  }
  return undefined;
}
