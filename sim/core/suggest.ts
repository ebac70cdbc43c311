/**
 * "Did you mean …?" for typos: the known word nearest to what the user wrote, by edit distance
 * (Levenshtein's insertions, deletions, substitutions, plus swapping two neighbours — "fial" is
 * one slip from "fail", not two). Only close words are offered — a
 * suggestion far from the typo would mislead more than it helps.
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `word` (case-insensitive), if within a third of the word's length
 * (at least 1, at most 3 edits); ties go to the earlier candidate, so the order is stable.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    if (c === word) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** " — did you mean 'x'?" when a near candidate exists, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const n = nearest(word, candidates);
  return n === undefined ? '' : ` — did you mean '${n}'?`;
}

/** An enum's error with what was found, and the nearest allowed value. */
export function oneOf(values: readonly string[], found: unknown): string {
  const text = typeof found === 'string' ? `'${found}'` : (JSON.stringify(found) ?? String(found));
  return `expected one of ${values.join(', ')}, found ${text}${typeof found === 'string' ? didYouMean(found, values) : ''}`;
}
