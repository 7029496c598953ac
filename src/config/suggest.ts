/**
 * "Did you mean" suggestions for misspelt keys and operators.
 *
 * @module
 */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("lenght"). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => [i, ...Array(cols - 1).fill(0)]);
  for (let j = 0; j < cols; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1);
      best = Math.min(best, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most 40% of
 * the longer of the two in edits (at least one). Ties go to the earlier candidate. Failing that,
 * the first candidate the word begins, up to a `_` (`status` → `status_code`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suggest } from "./suggest.ts";
 * assert.equal(suggest("paths", ["path", "method"]), "path");
 * assert.equal(suggest("zzz", ["path", "method"]), undefined);
 * assert.equal(suggest("regex", ["not_regex_match", "regex_match"]), "regex_match");
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(word.length, candidate.length) * 0.4));
    if (distance < bestDistance && distance <= limit) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best ?? candidates.find((c) => c.toLowerCase().startsWith(`${lower}_`));
}

/**
 * A ` (did you mean 'x'?)` suffix for a message, or `""` when nothing is close.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./suggest.ts";
 * assert.equal(`unknown operator 'maxx'${didYouMean("maxx", ["max", "min"])}`, "unknown operator 'maxx' (did you mean 'max'?)");
 * ```
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = suggest(word, candidates);
  return match === undefined ? "" : ` (did you mean '${match}'?)`;
}
