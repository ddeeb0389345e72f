/**
 * Edit distances for typo tolerance (keywords) and "did you mean …?" (inventory names).
 * Damerau–Levenshtein in its optimal-string-alignment form: an adjacent swap ("dsn") costs
 * one edit, which is the typo people actually make on phones and keyboards.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: the swap looks two rows back.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/** True when b is a with exactly one pair of adjacent letters swapped. */
export function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** The brief's typo rule: DL ≤ 1 for keywords of 4+ letters, only a swap for 3-letter ones. */
export function isTypoOf(word: string, keyword: string): boolean {
  if (word === keyword) return false;
  if (keyword.length < 3) return false;
  if (keyword.length === 3) return isTransposition(word, keyword);
  if (Math.abs(word.length - keyword.length) > 1) return false;
  return editDistance(word, keyword) <= 1;
}
