/**
 * Invisible and direction-changing characters (zero-width spaces, bidi overrides, soft
 * hyphens, control characters) made visible as \uXXXX. Names come from the data, and
 * "shop\u200b" must not print as "shop" in an incident channel.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A number as `toLocaleString("en-US")` writes it ("1,234,567", at most 3 decimals), without
 * ICU: its first locale-aware call loads locale data, 20–40 ms of every `ask`.
 */
export function thousands(v: number): string {
  // Past 1e21 JavaScript writes an exponent; NaN and infinities: the slow path, rarely taken.
  if (!Number.isFinite(v) || Math.abs(v) >= 1e21) return v.toLocaleString("en-US");
  const [whole, frac] = threeDecimals(Math.abs(v));
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ",")}${frac ? `.${frac}` : ""}`;
}

/** ICU's rounding: the shortest decimal that reads back as the number, rounded half up. */
function threeDecimals(a: number): [string, string] {
  if (a < 1e-6) return ["0", ""]; // String() would write an exponent; it rounds to 0 anyway
  const [whole, frac = ""] = String(a).split(".") as [string, string?];
  if (frac.length <= 3) return [whole, frac.replace(/0+$/, "")];
  let digits = BigInt(whole + frac.slice(0, 3));
  if (frac[3]! >= "5") digits += 1n;
  const d = digits.toString().padStart(4, "0");
  return [d.slice(0, -3), d.slice(-3).replace(/0+$/, "")];
}
