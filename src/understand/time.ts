/**
 * Time expressions → a window [from, to). Relative phrases count back from `now`; clock
 * times are wall-clock times in the user's zone (NETRCA_TZ, default UTC) on now's local
 * date. Each phrase found is cut out of the text (replaced by a gap) so that no later
 * step reads "in the last 15 minutes" as a namespace or "between 13:00 and 14:00" as a
 * pair of workloads.
 */
import { GAP } from "./tokens.js";

export interface TimeWindow {
  from: Date;
  to: Date;
  /** The text with every time phrase replaced by a gap. */
  text: string;
  /** True when the question said when; false for the default last hour. */
  stated: boolean;
  notes: string[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// ---- zones ---------------------------------------------------------------------------

/** True when Intl knows the IANA zone. */
export function isTimeZone(tz: string): boolean {
  // The default needs no Intl: its first formatter loads the zone data, a tenth of `parse`'s start.
  if (tz === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

interface Wall { y: number; mo: number; d: number; h: number; mi: number; s: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(ms: number, tz: string): Wall {
  if (tz === "UTC") {
    const d = new Date(ms);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(tz, f);
  }
  const get = (type: string) => Number(f.formatToParts(new Date(ms)).find((p) => p.type === type)?.value ?? 0);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour"), mi: get("minute"), s: get("second") };
}

/** How far the zone's wall clock is ahead of UTC at instant ms. */
function offsetAt(ms: number, tz: string): number {
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time in tz names (day may overflow: Date.UTC normalises it). */
function fromWall(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  // Two rounds settle the offset also on a day the clocks change.
  const first = guess - offsetAt(guess, tz);
  return guess - offsetAt(first, tz);
}

// ---- vocabulary ----------------------------------------------------------------------

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, "forty-five": 45, forty: 40, sixty: 60, ninety: 90,
  couple: 2, few: 3, several: 3, half: 0.5,
};
const NUM = String.raw`\d+(?:\.\d+)?|(?:a\s+)?couple(?:\s+of)?|(?:a\s+)?few|several|half(?:\s+an?)?|forty-five|[a-z]+teen|eleven|twelve|twenty|thirty|forty|sixty|ninety|one|two|three|four|five|six|seven|eight|nine|ten|an?`;
const UNIT = String.raw`seconds?|secs?|s|minutes?|mins?|mn|m|hours?|hrs?|h|days?|d|weeks?|wks?|w`;
const CLOCK = String.raw`(?<![\d:.])(?:\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?|\d{1,2}\s*[ap]\.?m\b\.?|\d{1,2}h\d{2}|\d{1,2}\s*o'?clock\b|\bnoon\b|\bmidnight\b)(?![\d:])(?:\s*(?:utc|gmt|z)\b)?`;
const ISO = String.raw`(?<![\w-])\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2}|\s*utc)?)?(?![\w:])`;
const WHEN = `(?:${ISO}|${CLOCK})`;

function amount(spec: string | undefined): number | null {
  if (spec === undefined || spec === "") return 1;
  const s = spec.replace(/\s+/g, " ").trim();
  if (/^\d/.test(s)) return Number(s);
  const word = s.replace(/^a /, "").replace(/ of$/, "").replace(/ an?$/, "");
  return NUMBER_WORDS[word] ?? null;
}

function unitMs(u: string): number {
  if (/^s/.test(u)) return 1000;
  if (/^m/.test(u)) return MIN;
  if (/^h/.test(u)) return HOUR;
  if (/^d/.test(u)) return DAY;
  return 7 * DAY;
}

interface Clock { h: number; mi: number; s: number; utc: boolean }

function parseClock(text: string): Clock | null {
  const t = text.trim();
  const utc = /(?:utc|gmt|z)$/.test(t);
  const core = t.replace(/\s*(?:utc|gmt|z)$/, "");
  if (core === "noon") return { h: 12, mi: 0, s: 0, utc };
  if (core === "midnight") return { h: 0, mi: 0, s: 0, utc };
  const m = /^(\d{1,2})(?:[:h](\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?m\.?|o'?clock)?$/.exec(core);
  if (!m) return null;
  let h = Number(m[1]);
  const mi = Number(m[2] ?? 0);
  const s = Number(m[3] ?? 0);
  if (m[4]) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (m[4] === "p" ? 12 : 0);
  }
  if (h > 23 || mi > 59 || s > 59) return null;
  return { h, mi, s, utc };
}

// ---- the parser ----------------------------------------------------------------------

interface Found { from?: number; to?: number }

export function parseTimes(text: string, now: Date, tz = "UTC"): TimeWindow {
  const nowMs = now.getTime();
  const notes: string[] = [];
  const today = wall(nowMs, tz);
  // "yesterday" next to a clock time moves the clock to yesterday instead of naming the whole day.
  const clockDay = /\byesterday\b/.test(text) && new RegExp(`(?:${CLOCK})`).test(text) ? -1 : 0;
  let usedClock = false;

  const dayStart = (offset: number) => fromWall(today.y, today.mo, today.d + offset, 0, 0, 0, tz);
  const clockMs = (c: Clock, offset: number) => {
    usedClock ||= !c.utc;
    const zone = c.utc ? "UTC" : tz;
    const w = zone === tz ? today : wall(nowMs, zone);
    return fromWall(w.y, w.mo, w.d + offset, c.h, c.mi, c.s, zone);
  };
  /** A point in time: an ISO stamp (zone-less = the user's zone) or a clock time on the clock day. */
  const point = (spec: string): { ms: number; clock: boolean; dateOnly: boolean } | null => {
    const s = spec.trim();
    const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(z|utc|[+-]\d{2}:?\d{2})?)?$/.exec(s);
    if (iso) {
      const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0)) as [number, number, number, number, number, number];
      if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return null;
      const zone = iso[7];
      let ms: number;
      if (!zone) ms = fromWall(y, mo, d, h, mi, sec, tz);
      else if (zone === "z" || zone === "utc") ms = Date.UTC(y, mo - 1, d, h, mi, sec);
      else {
        const sign = zone[0] === "-" ? -1 : 1;
        const digits = zone.slice(1).replace(":", "");
        const off = sign * (Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2)) * MIN);
        ms = Date.UTC(y, mo - 1, d, h, mi, sec) - off;
      }
      if (!zone && iso[4] !== undefined) usedClock = true;
      return { ms, clock: false, dateOnly: iso[4] === undefined };
    }
    const c = parseClock(s);
    return c ? { ms: clockMs(c, clockDay), clock: true, dateOnly: false } : null;
  };
  /** A clock time with no day named that lies ahead of now meant the day before. */
  const past = (p: { ms: number; clock: boolean }, said: string) => {
    if (p.clock && clockDay === 0 && p.ms > nowMs) {
      notes.push(`'${said.trim()}' is later than now: read as yesterday`);
      return p.ms - DAY;
    }
    return p.ms;
  };

  const found: Found[] = [];
  let work = ` ${text} `;
  const rule = (re: string, handle: (m: string[]) => Found | null) => {
    work = work.replace(new RegExp(re, "g"), (...args: unknown[]) => {
      const groups = args.slice(0, -2).filter((a): a is string | undefined => typeof a === "string" || a === undefined) as string[];
      const got = handle(groups);
      if (!got) return groups[0]!;
      found.push(got);
      return ` ${GAP} `;
    });
  };

  // Ranges first: both ends in one phrase.
  rule(String.raw`(?:\b(?:between|from)\s+)?(${WHEN})\s*(?:and|to|until|till|through|-)\s*(${WHEN})`, ([, a, b]) => {
    const p = point(a!);
    const q = point(b!);
    if (!p || !q) return null;
    let from = p.ms;
    let to = q.dateOnly ? q.ms + DAY : q.ms;
    if (p.clock && q.clock && clockDay === 0 && from > nowMs) {
      notes.push(`'${a!.trim()}' is later than now: read as yesterday`);
      from -= DAY;
      to -= DAY;
    }
    if (to <= from) to += DAY; // "between 23:00 and 01:00" crosses midnight
    return { from, to };
  });
  // "since 9 this morning", "from 2 this afternoon": a bare hour made clear by the part of the day.
  rule(String.raw`\b(?:since|after|from|starting(?:\s+at)?)\s+(?:at\s+)?(\d{1,2})\s+(this\s+morning|this\s+afternoon|this\s+evening|tonight)\b`, ([, h, part]) => {
    let hour = Number(h);
    if (hour > 12) return null;
    if (!/morning/.test(part!) && hour < 12) hour += 12;
    if (/morning/.test(part!) && hour === 12) hour = 0;
    return { from: past({ ms: clockMs({ h: hour, mi: 0, s: 0, utc: false }, clockDay), clock: true }, `${h} ${part}`) };
  });
  rule(String.raw`\b(?:since|after|from|starting(?:\s+(?:at|from))?|beginning(?:\s+at)?)\s+(?:(?:today|yesterday)\s+)?(?:at\s+)?(${WHEN})`, ([, a]) => {
    const p = point(a!);
    return p ? { from: past(p, a!) } : null;
  });
  rule(String.raw`\b(?:until|till|til|before|up\s+to)\s+(?:at\s+)?(${WHEN})`, ([, a]) => {
    const p = point(a!);
    // Like "since": a clock time still ahead today means yesterday's.
    return p ? { to: past(p, a!) } : null;
  });
  rule(String.raw`(?:\b(?:at|around|about|near|on)\s+)?(${WHEN})`, ([, a]) => {
    const p = point(a!);
    if (!p) return null;
    if (p.dateOnly) return { from: p.ms, to: p.ms + DAY };
    // A moment: half an hour either side, enough to see the change.
    const at = past(p, a!);
    return { from: at - 30 * MIN, to: at + 30 * MIN };
  });
  rule(String.raw`(?:\b(?:since|from|starting|beginning)\s+)?\b(${NUM})\s*(${UNIT})\s+ago\b`, ([, n, u]) => {
    const k = amount(n);
    return k === null ? null : { from: nowMs - k * unitMs(u!) };
  });
  rule(String.raw`(?:\b(?:for|in|over|during|within|from|of|across|throughout)\s+)?(?:the\s+)?\b(?:last|past|previous|prior|recent|trailing)\s+(?:(${NUM})\s*)?(${UNIT})\b`, ([, n, u]) => {
    const k = amount(n);
    return k === null ? null : { from: nowMs - k * unitMs(u!) };
  });
  rule(String.raw`\b(?:since|for|over|within|during)\s+(?:the\s+)?(\d+(?:\.\d+)?|an?)\s*(${UNIT})\b`, ([, n, u]) => {
    const k = amount(n);
    return k === null ? null : { from: nowMs - k * unitMs(u!) };
  });
  // Day words. Next to a clock time they only say which day the clock is on.
  rule(String.raw`\bsince\s+(yesterday|midnight|this\s+morning)\b`, ([, w]) => ({ from: dayStart(w === "yesterday" ? -1 : 0) }));
  rule(String.raw`(?:\b(?:for|from|during|over|on|in)\s+)?\b(so\s+far\s+today|today|yesterday|this\s+morning|this\s+afternoon|last\s+night|tonight)\b`, ([, w]) => {
    if (found.length > 0) return {};
    switch (w!.replace(/\s+/g, " ")) {
      case "yesterday": return clockDay ? {} : { from: dayStart(-1), to: dayStart(0) };
      case "this morning": return { from: dayStart(0), to: dayStart(0) + 12 * HOUR };
      case "this afternoon": return { from: dayStart(0) + 12 * HOUR, to: dayStart(0) + 18 * HOUR };
      case "last night": return { from: dayStart(-1) + 18 * HOUR, to: dayStart(0) + 6 * HOUR };
      default: return { from: dayStart(0) };
    }
  });

  const fromFound = found.find((f) => f.from !== undefined && f.to !== undefined) ?? {
    from: found.find((f) => f.from !== undefined)?.from,
    to: found.find((f) => f.to !== undefined)?.to,
  };
  let to = fromFound.to ?? nowMs;
  let from = fromFound.from ?? to - HOUR;
  if (to > nowMs) to = nowMs; // nothing to see in the future
  if (from >= to) {
    notes.push("the time range given ends before it starts: using the hour before its end");
    from = to - HOUR;
  }
  if (usedClock) notes.push(tz === "UTC" ? "clock times read as UTC (NETRCA_TZ sets another zone)" : `clock times read as ${tz}`);
  return { from: new Date(from), to: new Date(to), text: work.replace(/\s+/g, " ").trim(), stated: found.length > 0, notes };
}
