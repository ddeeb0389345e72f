/**
 * When did the trouble start? The first bucket from which the trouble series stays above
 * its normal level (the window before the question's window: mean + 3 standard deviations,
 * at least twice the mean), sustained for most of the following buckets. Counts are
 * smoothed over three buckets first, so a few flows a minute do not make noise a start.
 * Null when it was already there before, or never rose.
 */
export function since(points: { t: string; v: number }[], windowFrom: string, opts: { floor?: number } = {}): string | null {
  if (points.length === 0) return null;
  const v = points.map((_, i) => {
    const near = points.slice(Math.max(0, i - 1), i + 2).map((q) => q.v);
    return near.reduce((a, b) => a + b, 0) / near.length;
  });
  const before = v.filter((_, i) => points[i]!.t < windowFrom);
  const floor = opts.floor ?? 1;
  // What normal looks like: the window before when the data has it, else the data's first
  // quarter, so the onset does not move with how far back the question's window reaches.
  const reference = before.length >= 5 ? before : v.length >= 20 ? v.slice(0, Math.floor(v.length / 4)) : null;
  let threshold: number;
  if (reference) {
    const mean = reference.reduce((a, b) => a + b, 0) / reference.length;
    const sd = Math.sqrt(reference.reduce((a, b) => a + (b - mean) ** 2, 0) / reference.length);
    threshold = Math.max(mean + 3 * sd, mean * 2, floor);
  } else {
    // Too little data for a reference: compare with the quiet part of the series itself.
    const sorted = [...v].sort((a, b) => a - b);
    threshold = Math.max(3 * sorted[Math.floor(sorted.length / 4)]!, floor);
  }
  const above = v.map((x) => x > threshold);
  for (let i = 0; i < points.length; i++) {
    if (!above[i]) continue;
    const ahead = above.slice(i, i + 5);
    if (ahead.filter(Boolean).length >= Math.min(4, ahead.length)) {
      // Already above at the very start of the data: it began before we can see.
      if (i === 0 && before.length > 0) return null;
      // Smoothing reaches one bucket back: the onset is the first bucket that is itself above.
      let at = i;
      while (at < i + 2 && at < points.length - 1 && points[at]!.v <= threshold) at++;
      return points[at]!.t;
    }
  }
  return null;
}

/** A share series (first / (first + second)) smoothed the same way, for "since" on shares. */
export function shareSeries(first: number[], second: number[]): number[] {
  const roll = (xs: number[], i: number) => xs.slice(Math.max(0, i - 1), i + 2).reduce((a, b) => a + b, 0);
  return first.map((_, i) => {
    const a = roll(first, i), b = roll(second, i);
    return a + b > 0 ? a / (a + b) : 0;
  });
}
