/**
 * Invisible and direction-changing characters (zero-width spaces, bidi overrides, soft
 * hyphens, control characters) made visible as \uXXXX. Names come from the data, and
 * "shop\u200b" must not print as "shop" in an incident channel.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
