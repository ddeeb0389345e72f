/**
 * Intent by weighted keywords: phrases first (they consume their words), then single
 * words, then typo-corrected words. The highest total wins; ties go to the more specific
 * playbook. Below a total of 1 nothing was recognised and the caller falls back.
 */
import type { Intent } from "../model/question.js";
import { isTypoOf } from "./distance.js";
import { ENGLISH_NEAR_KEYWORDS } from "./english-near.js";
import type { Token } from "./tokens.js";
import {
  FUZZY_TARGETS, GENERIC_SYMPTOMS, HTTP_STATUS, INTENT_ORDER, KEYWORDS, NAMEABLE_KEYWORDS, PHRASES, STOP_WORDS, type Weights,
} from "./vocabulary.js";

export interface IntentScore {
  /** The winner, or null when nothing scored at least MIN_SCORE. */
  intent: Intent | null;
  scores: Record<Intent, number>;
  /** Tokens spent as keywords: they are not names ("for traffic", "in dsn"). */
  keywordAt: Set<number>;
  /** Typos read as keywords, for a note ("read 'dsn' as 'dns'"). */
  corrections: { typed: string; read: string }[];
}

const MIN_SCORE = 1;
// Compiled once: a RegExp made per question is compiled again each time.
const PHRASES_D = PHRASES.map(({ re, w }) => ({ re: new RegExp(re.source, "gd"), w })); // d: group positions, for (?<name>…)
const SPECIFIC: readonly Intent[] = ["dns", "drops", "traffic", "health", "l7"];

/** The keyword a typo stands for, or null. Ordinary English words and known names stay as typed. */
export function correctTypo(word: string, protect: ReadonlySet<string> = new Set()): string | null {
  if (!/^[a-z_]{3,}$/.test(word) || KEYWORDS.has(word) || STOP_WORDS.has(word)) return null;
  if (ENGLISH_NEAR_KEYWORDS.has(word) || protect.has(word)) return null;
  let best: string | null = null;
  let bestWeight = 0;
  for (const target of FUZZY_TARGETS) {
    if (!isTypoOf(word, target)) continue;
    const weight = Math.max(...Object.values(KEYWORDS.get(target) ?? {}));
    if (weight > bestWeight) [best, bestWeight] = [target, weight];
  }
  return best;
}

/**
 * `protect`: names the data holds (never typo-corrected). `ignore`: tokens already known to
 * be names ("the kafka pods", "from coredns"), so they no longer count as keywords.
 */
export function scoreIntent(
  tokens: readonly Token[],
  protect: ReadonlySet<string> = new Set(),
  ignore: ReadonlySet<number> = new Set(),
  /** Weight from outside the words (HTTP methods written in capitals). */
  extra: Weights = {},
): IntentScore {
  const scores: Record<Intent, number> = { dns: 0, drops: 0, traffic: 0, health: 0, l7: 0, triage: 0, help: 0 };
  for (const [k, v] of Object.entries(extra) as [Intent, number][]) scores[k] += v;
  let generic = 0;
  const add = (w: Weights, word?: string) => {
    if (word !== undefined && GENERIC_SYMPTOMS.has(word)) generic += w.triage ?? 0;
    else for (const [k, v] of Object.entries(w) as [Intent, number][]) scores[k] += v;
  };
  const keywordAt = new Set<number>();
  const corrections: IntentScore["corrections"] = [];

  // Phrases run over the joined words; map each match back to the tokens it covers.
  const starts: number[] = [];
  let joined = "";
  tokens.forEach((t, i) => {
    if (i > 0) joined += " ";
    starts.push(joined.length);
    joined += t.gap ? "|" : t.p;
  });
  for (const { re, w } of PHRASES_D) {
    for (const m of joined.matchAll(re)) {
      const from = m.index;
      const to = from + m[0].length;
      const covers = (a: number, b: number) => tokens.map((_, i) => i).filter((i) => starts[i]! < b && starts[i]! + tokens[i]!.p.length > a);
      const covered = covers(from, to);
      if (covered.some((i) => keywordAt.has(i) || ignore.has(i))) continue;
      // A phrase's (?<name>…) part is a slot for a name, not one of its words.
      const span = m.indices?.groups?.name;
      const skip = span ? covers(span[0], span[1]) : [];
      covered.filter((i) => !skip.includes(i)).forEach((i) => keywordAt.add(i));
      add(w);
    }
  }

  tokens.forEach((t, i) => {
    if (t.gap || keywordAt.has(i) || ignore.has(i)) return;
    const direct = KEYWORDS.get(t.p);
    if (direct) {
      add(direct, t.p);
      if (!NAMEABLE_KEYWORDS.has(t.p)) keywordAt.add(i);
      return;
    }
    if (HTTP_STATUS.test(t.p)) {
      add({ l7: 3 });
      keywordAt.add(i);
      return;
    }
    const read = correctTypo(t.p, protect);
    if (read) {
      add(KEYWORDS.get(read) ?? {}, read);
      keywordAt.add(i);
      corrections.push({ typed: t.p, read });
    }
  });

  // Generic symptoms count only when nothing specific was asked.
  if (!SPECIFIC.some((k) => scores[k] >= MIN_SCORE)) scores.triage += generic;
  let intent: Intent | null = null;
  for (const k of INTENT_ORDER) if (scores[k] >= MIN_SCORE && (intent === null || scores[k] > scores[intent])) intent = k;
  return { intent, scores, keywordAt, corrections };
}
