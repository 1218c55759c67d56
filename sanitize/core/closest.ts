/**
 * "Did you mean": the one place that measures how near a typo is to a known name. Used by the
 * stack config, the rules loader, the CLI and the option schemas.
 */

/** Levenshtein distance, case-sensitive (callers lowercase when case doesn't matter). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * The known name nearest to `word` (case-insensitive) within `maxDistance`, if one is nearest
 * on its own; a prefix of at least 3 characters ("min" for "minCapacity") counts as distance 1.
 */
export function closest(word: string, known: readonly string[], maxDistance = 2): string | undefined {
  const w = word.toLowerCase();
  let best: { k: string; d: number } | undefined;
  let tie = false;
  for (const k of known) {
    const prefix = w.length >= 3 && k.toLowerCase().startsWith(w);
    const d = prefix ? 1 : editDistance(w, k.toLowerCase());
    if (d > maxDistance) continue;
    if (!best || d < best.d) {
      best = { k, d };
      tie = false;
    } else if (d === best.d) tie = true;
  }
  return best && !tie ? best.k : undefined;
}

/** ` (did you mean "x"?)` or "". */
export function didYouMean(word: string, known: readonly string[], maxDistance = 2): string {
  const near = closest(word, known, maxDistance);
  return near ? ` (did you mean "${near}"?)` : "";
}
