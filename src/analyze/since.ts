/**
 * When did the trouble start? The first bucket from which the trouble series stays above
 * its normal level (the window before the question's window: mean + 3 standard deviations),
 * sustained for most of the following minutes. Null when it was already there before.
 */
export function since(points: { t: string; v: number }[], windowFrom: string): string | null {
  if (points.length === 0) return null;
  const before = points.filter((p) => p.t < windowFrom).map((p) => p.v);
  let threshold: number;
  if (before.length >= 5) {
    const mean = before.reduce((a, b) => a + b, 0) / before.length;
    const sd = Math.sqrt(before.reduce((a, b) => a + (b - mean) ** 2, 0) / before.length);
    threshold = Math.max(mean + 3 * sd, mean * 2, 1);
  } else {
    // No history: compare with the quiet part of the window itself.
    const sorted = points.map((p) => p.v).sort((a, b) => a - b);
    threshold = Math.max(3 * sorted[Math.floor(sorted.length / 4)]!, 1);
  }
  const above = points.map((p) => p.v > threshold);
  for (let i = 0; i < points.length; i++) {
    if (!above[i]) continue;
    const ahead = above.slice(i, i + 5);
    if (ahead.filter(Boolean).length >= Math.min(3, ahead.length)) {
      // Already above at the very start of the data: it began before we can see.
      return i === 0 && before.length > 0 ? null : points[i]!.t;
    }
  }
  return null;
}
