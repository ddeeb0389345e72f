// Text helpers shared by the chart options: label formatting, truncation, width estimates.
//
// ECharts lays text out with its own width estimate when no canvas exists (server side):
// a table of Arial/Helvetica advance widths for printable ASCII, 1 em for anything else.
// We draw with Arimo, which is metric-compatible with Arial, so that estimate is what resvg
// really draws; the same table is used here to plan the legend and to truncate names.

/** Advance widths (em / 100, offset 20) for U+0020..U+007E, as in zrender's default measureText. */
const WIDTH_MAP_STR =
  "007LLmW'55;N0500LLLLLLLLLL00NNNLzWW\\\\WQb\\0FWLg\\bWb\\WQ\\WrWWQ000CL5LLFLL0LL**F*gLLLL5F0LF\\FFF5.5N";

function charEm(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 32 && code < 32 + WIDTH_MAP_STR.length) {
    return (WIDTH_MAP_STR.charCodeAt(code - 32) - 20) / 100;
  }
  return 1;
}

/** Estimated rendered width in px of `text` at `fontSize` (bold text is ~6% wider in Arimo). */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontSize * (bold ? 1.06 : 1);
}

const ELLIPSIS = "…";

/**
 * Shortens `text` to at most `maxPx` wide, cutting in the middle so that both the workload
 * prefix and the unique pod suffix stay visible ("checkout-7d9f…-x2x9k").
 */
export function truncateMiddle(text: string, maxPx: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= maxPx) return text;
  const chars = Array.from(text);
  const budget = maxPx - textWidth(ELLIPSIS, fontSize);
  if (budget <= 0) return ELLIPSIS;
  // Keep ~55% of the budget for the head, the rest for the tail.
  let head = "";
  let headPx = 0;
  for (const ch of chars) {
    const w = charEm(ch) * fontSize;
    if (headPx + w > budget * 0.55) break;
    head += ch;
    headPx += w;
  }
  let tail = "";
  let tailPx = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const ch = chars[i] ?? "";
    const w = charEm(ch) * fontSize;
    if (headPx + tailPx + w > budget) break;
    tail = ch + tail;
    tailPx += w;
  }
  return head + ELLIPSIS + tail;
}

/** Shortens `text` to at most `maxPx` wide, cutting at the end. */
export function truncateEnd(text: string, maxPx: number, fontSize: number, bold = false): string {
  if (textWidth(text, fontSize, bold) <= maxPx) return text;
  const budget = maxPx - textWidth(ELLIPSIS, fontSize, bold);
  let out = "";
  let px = 0;
  for (const ch of text) {
    const w = charEm(ch) * fontSize * (bold ? 1.06 : 1);
    if (px + w > budget) break;
    out += ch;
    px += w;
  }
  return out.trimEnd() + ELLIPSIS;
}

/** 1234 -> "1.2k", 0.25 -> "0.25", 12 -> "12". */
export function compactNumber(v: number): string {
  if (!Number.isFinite(v)) return "";
  const a = Math.abs(v);
  const trim = (s: string): string => s.replace(/\.0+$/, "").replace(/(\.\d*[1-9])0+$/, "$1");
  if (a >= 1e9) return trim((v / 1e9).toFixed(1)) + "G";
  if (a >= 1e6) return trim((v / 1e6).toFixed(1)) + "M";
  if (a >= 1e4) return trim((v / 1e3).toFixed(0)) + "k";
  if (a >= 1e3) return trim((v / 1e3).toFixed(1)) + "k";
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  if (a >= 1) return trim(v.toFixed(1));
  return trim(v.toPrecision(2));
}

/** Value with its unit: "70%" for percentages, "412 flows" otherwise. */
export function withUnit(v: number, unit: string): string {
  const n = compactNumber(v);
  if (!unit) return n;
  return unit === "%" ? `${n}%` : `${n} ${unit}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Parses an ISO time; NaN when it is not one. */
export function parseTime(iso: string): number {
  return Date.parse(iso);
}

/**
 * Labels for time buckets in UTC: "HH:mm", or "MM-DD HH:mm" when the buckets span more
 * than one UTC day. Unparseable buckets are shown as given.
 */
export function timeLabels(buckets: readonly string[]): string[] {
  const times = buckets.map(parseTime);
  const days = new Set<string>();
  for (const t of times) if (Number.isFinite(t)) days.add(new Date(t).toISOString().slice(0, 10));
  const withDate = days.size > 1;
  return buckets.map((b, i) => {
    const t = times[i] ?? NaN;
    if (!Number.isFinite(t)) return b;
    const d = new Date(t);
    const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    return withDate ? `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${hm}` : hm;
  });
}

/**
 * Index of the bucket that contains time `at` (the last bucket starting at or before it),
 * clamped to the bucket range; falls back to an exact label match for non-ISO buckets.
 */
export function bucketIndex(buckets: readonly string[], at: string): number {
  const t = parseTime(at);
  if (!Number.isFinite(t)) {
    const exact = buckets.indexOf(at);
    return exact >= 0 ? exact : -1;
  }
  let idx = -1;
  for (let i = 0; i < buckets.length; i++) {
    const bt = parseTime(buckets[i] ?? "");
    if (Number.isFinite(bt) && bt <= t) idx = i;
  }
  return idx < 0 ? (buckets.length > 0 ? 0 : -1) : idx;
}
