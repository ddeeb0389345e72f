/**
 * Words of a cleaned, lower-cased question. A time phrase cut out by time.ts leaves a gap
 * token, so "for ⁞" (was "for the last hour") never takes the next word as a name.
 */
export const GAP = "\u205e"; // ⁞ : cannot be typed as part of a word

export interface Token {
  /** The piece as typed (lower-cased), punctuation included: "ns:shop", "mongodb-0?". */
  raw: string;
  /** The word for keywords and phrases: wrapping punctuation removed ("what's" stays). */
  p: string;
  /** The word for names: also without a possessive 's ("checkout's" → checkout). Empty for gaps. */
  w: string;
  /** A removed time phrase. */
  gap: boolean;
  /** A clause ends after this word (",", "?", ";", "!", "." or a gap follows). */
  end: boolean;
}

const ARROW = /^(?:-+>|=>|→|<-+)$/;
const LEADING = /^[("'[{<]+/;
const TRAILING = /[)"'\]}>?,.!;:]+$/;

export function tokenize(text: string): Token[] {
  // Arrows are relations, not parts of names: "web->api" is three tokens.
  const spaced = text.replace(/\s*(-+>|=>|→|<-+)\s*/g, " $1 ").replace(new RegExp(GAP, "g"), ` ${GAP} `);
  const tokens: Token[] = [];
  for (const raw of spaced.split(/\s+/).filter(Boolean)) {
    if (raw === GAP) {
      tokens.push({ raw, p: "", w: "", gap: true, end: true });
      const prev = tokens[tokens.length - 2];
      if (prev) prev.end = true;
      continue;
    }
    if (ARROW.test(raw)) {
      const w = raw.startsWith("<") ? "<-" : "->";
      tokens.push({ raw, p: w, w, gap: false, end: false });
      continue;
    }
    let p = raw.replace(LEADING, "");
    const trail = TRAILING.exec(p);
    if (trail) p = p.slice(0, trail.index);
    tokens.push({ raw, p, w: p.replace(/'s$/, ""), gap: false, end: !!trail && /[?,.!;]/.test(trail[0]) });
  }
  return tokens;
}
