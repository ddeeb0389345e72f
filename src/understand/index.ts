/**
 * understand: chat text → Question { intent, scope }. Deterministic rules, no LLM:
 *   markup → time phrases (cut out) → words → intent scores → names → inventory lookup.
 */
import type { Ask, Intent, Inventory, Question, Scope } from "../model/question.js";
import { isTransposition, isTypoOf } from "./distance.js";
import { scoreIntent } from "./intent.js";
import { resolveNames } from "./inventory.js";
import { stripMarkup } from "./markup.js";
import { findNames, type Draft } from "./names.js";
import { isTimeZone, parseTimes } from "./time.js";
import { tokenize, type Token } from "./tokens.js";
import { HTTP_METHOD_CAPS, KEYWORDS, NAMEABLE_KEYWORDS, STOP_WORDS, type Weights } from "./vocabulary.js";

export interface ParseOptions {
  /** "Now" for relative times and the default window (the last hour). */
  now: Date;
  /** IANA zone for clock times ("since 14:10"), from NETRCA_TZ; default UTC. */
  tz?: string;
  /** The names present in the data: settles namespace vs workload, offers "did you mean …?". */
  inventory?: Inventory;
  /** The question this one follows up in a chat thread: what it does not change, it keeps. */
  previous?: Question;
}

export { stripMarkup } from "./markup.js";
export { suggest } from "./inventory.js";

/** Long pastes (alert bodies, logs) are read only this far: questions are short. */
const MAX_READ = 4000;

export function parseQuestion(text: string, opts: ParseOptions): Question {
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new TypeError("parseQuestion: opts.now must be a valid Date");
  const notes: string[] = [];
  let tz = opts.tz?.trim() || "UTC";
  if (!isTimeZone(tz)) {
    notes.push(`unknown time zone '${tz}': clock times read as UTC`);
    tz = "UTC";
  }

  const clean = stripMarkup(text);
  const time = parseTimes(stripMarkup(text, { clauses: true }).slice(0, MAX_READ).toLowerCase(), opts.now, tz);
  const inv = opts.inventory;
  // A name the data holds is never "corrected" into a keyword.
  const known = new Set(inv ? [...inv.namespaces, ...inv.workloads.map((w) => w.workload), ...inv.pods.map((p) => p.pod), ...inv.nodes] : []);
  const kinds = correctKindWords(tokenize(time.text), known);
  const tokens = kinds.tokens;
  // GET/POST/DELETE in capitals name the kind of request: L7.
  const methods: Weights = HTTP_METHOD_CAPS.test(clean) ? { l7: 2.5 } : {};
  let scored = scoreIntent(tokens, known, new Set(), methods);
  const draft = findNames(tokens, scored.keywordAt);

  let unknownNames: Question["unknownNames"] = [];
  if (inv) {
    const r = resolveNames(draft, inv);
    unknownNames = r.unknownNames;
    notes.push(...r.notes);
  } else if (draft.namespace?.via === "in") {
    notes.push(`'${draft.namespace.name}' read as a namespace`);
  }
  // A keyword used as a name ("errors from the kafka pods") is the subject, not the topic.
  const named = new Set(
    [draft.namespace, draft.workload, draft.pod, draft.node, draft.peer?.namespace, draft.peer?.workload, draft.peer?.pod]
      .flatMap((s) => (s && s.at >= 0 && NAMEABLE_KEYWORDS.has(tokens[s.at]?.p ?? "") ? [s.at] : [])),
  );
  if (named.size > 0) scored = scoreIntent(tokens, known, named, methods);
  for (const c of [...kinds.corrections, ...scored.corrections]) notes.push(`read '${c.typed}' as '${c.read}'`);
  for (const bad of draft.invalid) notes.push(`'${bad.value}' is not a valid ${bad.field} name: ${bad.why}`);
  for (const e of draft.extra) {
    const chosen = draft[e.field];
    if (chosen) notes.push(`also mentioned ${e.field} '${e.name}'; this answer looks at '${chosen.name}'`);
  }

  // "pets and shop dns errors": a second namespace of the data that no slot took is said, so
  // "nothing wrong in pets" is never read as covering shop too.
  if (inv) {
    const taken = new Set([draft.namespace, draft.workload, draft.pod, draft.node, draft.peer?.namespace, draft.peer?.workload, draft.peer?.pod, ...draft.extra].flatMap((x) => (x ? [x.name] : [])));
    const looked = draft.namespace?.name ?? draft.peer?.namespace?.name;
    const others = [...new Set(tokens.filter((t, i) => !t.gap && !scored.keywordAt.has(i) && !STOP_WORDS.has(t.w) && inv.namespaces.includes(t.w) && !taken.has(t.w)).map((t) => t.w))];
    for (const n of others) notes.push(`also mentioned namespace '${n}'; this answer looks at ${looked ? `'${looked}'` : "the names above"} only: ask about '${n}' on its own`);
  }
  const fresh = toScope(draft, time.from, time.to);
  const scope = opts.previous ? followUp(fresh, opts.previous.scope, time.stated) : fresh;
  const anyName = !!(scope.namespace || scope.workload || scope.pod || scope.node || scope.peer);
  // An open question about a node alone is that node's network health.
  const nodeOnly = !!scope.node && !(scope.namespace || scope.workload || scope.pod || scope.peer);
  let intent: Intent;
  if (scored.intent && !(scored.intent === "help" && anyName)) intent = scored.intent;
  else if (anyName) {
    intent = "triage";
    if (!scored.intent && !nodeOnly) notes.push("no specific check asked for: running all of them");
  } else {
    intent = "help";
    if (clean.length > 0 && scored.intent !== "help") notes.push("question not recognised: here is what netrca can do");
  }
  if (intent === "triage" && nodeOnly) intent = "health";
  // "and over the last 6 hours?" asks the same thing again: keep the thread's intent.
  if (!scored.intent && opts.previous && opts.previous.intent !== "help") intent = opts.previous.intent;
  notes.push(...time.notes);
  const also = intent === scored.intent ? closeSeconds(scored.scores, intent) : [];
  const asks = asksOf(tokens.map((t) => (t.gap ? "|" : t.p)).join(" "), scope);

  const explain = wantsExplanation(clean, !!opts.previous);
  return { text: clean, intent, scope, also, asks, invalidNames: draft.invalid, notes: [...new Set(notes)], unknownNames, denied: null, explain };
}

/**
 * "explain dns failures in shop" asks for the model's explanation; so does "why?" (or "explain
 * that") after a reply in a thread, which otherwise asks the thread's question again.
 */
function wantsExplanation(text: string, followUp: boolean): boolean {
  const t = text.trim().toLowerCase();
  if (/^(?:please\s+)?(?:explain|explanation)\b/.test(t)) return true;
  return followUp && /^(?:but\s+|so\s+|and\s+)?(?:why(?:'s| is| was| did| does)?(?: (?:that|this|it))?(?: (?:happen|happening|failing))?|how come(?: (?:that|this|it|please))?|what does (?:that|this|it) mean|what caused (?:that|this|it))\s*[?!.]*$/.test(t);
}

/** Specific playbooks that scored nearly as high as the winner: run them too. */
function closeSeconds(scores: Record<Intent, number>, winner: Intent): Intent[] {
  const specific: Intent[] = ["dns", "drops", "traffic", "health", "l7"];
  if (!specific.includes(winner)) return [];
  const best = scores[winner];
  return specific.filter((i) => i !== winner && scores[i] >= 2 && scores[i] >= 0.75 * best);
}

/** Kind words people misspell ("namesapce shop", "deploymnet checkout", "ndoe x"), read as meant. */
const KIND_WORDS = ["namespace", "deployment", "statefulset", "daemonset", "workload", "service", "node"];
function correctKindWords(tokens: Token[], known: ReadonlySet<string>): { tokens: Token[]; corrections: { typed: string; read: string }[] } {
  const corrections: { typed: string; read: string }[] = [];
  const out = tokens.map((t, i) => {
    const next = tokens[i + 1];
    if (t.gap || t.end || !next || next.gap || known.has(t.p) || STOP_WORDS.has(t.p) || KEYWORDS.has(t.p) || !/^[a-z]{4,}$/.test(t.p)) return t;
    // Four letters ("node") take only a swap: "note", "code" and "mode" are words.
    const read = KIND_WORDS.find((k) => (k.length <= 4 ? isTransposition(t.p, k) : isTypoOf(t.p, k)));
    if (!read) return t;
    corrections.push({ typed: t.p, read });
    return { ...t, p: read, w: read };
  });
  return { tokens: out, corrections };
}

/** Figures asked for by name, answered in the summary whatever else is found. */
const ASKS: [Ask, RegExp][] = [
  ["top-talkers", /\btop talkers?\b|\bwho (?:talks|sends|is sending|calls|is calling)\b.*\bmost\b|\bbusiest (?:pods?|workloads?|talkers?|clients?)\b|\bmost (?:traffic|flows|bytes)\b/],
  ["balance", /\b(?:balanced|unbalanced|imbalanced?|imbalances?|balance|balancing|uneven(?:ly)?|evenly|skew(?:ed|s)?|lopsided|hottest|hotter|hot pod|hot spot|hotspots?)\b|\b(?:most|all|the bulk) of (?:the |its )?(?:traffic|connections|conns|requests|load|work)\b|\b(?:single|one) (?:replica|pod|instance)\b|\bspread (?:across|over|between)\b/],
  ["latency", /\blatenc(?:y|ies)\b|\bresponse times?\b|\bp(?:50|90|95|99)\b|\bslow(?:ness)?\b|\bhow long\b/],
  ["top-queries", /\btop (?:dns )?(?:queries|lookups|names|domains)\b|\bmost (?:queried|looked[- ]up|frequent (?:queries|lookups))\b/],
  ["top-drops", /\b(?:which|what) (?:pods?|workloads?) (?:have|has|had|with|get|gets|see|sees) (?:the )?most (?:drops|dropped)\b|\bmost dropped\b|\btop drop(?:s|ped)?\b/],
];
function asksOf(text: string, scope: Scope): Ask[] {
  // Drops or traffic on a node, or compared across nodes: each node's forwarded and dropped flows.
  const nodes = /\b(?:drops?|dropped|dropping|bytes|flows|traffic|forwarded)\b/.test(text) && (scope.node !== null || /\b(?:nodes|per node|by node|each node|which node|what node)\b/.test(text));
  return [...ASKS.filter(([, re]) => re.test(text)).map(([a]) => a), ...(nodes ? ["node-flows" as const] : [])];
}


/**
 * A follow-up keeps what it does not change. Names nest (namespace > workload > pod): naming
 * one level replaces it and drops the levels below it; the peer goes when the subject
 * changes; the window stays unless the follow-up says when.
 */
function followUp(now: Scope, before: Scope, timeStated: boolean): Scope {
  const levels = ["namespace", "workload", "pod"] as const;
  const named = levels.findIndex((l) => now[l] !== null);
  const out: Scope = { ...now };
  levels.forEach((l, i) => {
    if (named === -1 || i < named) out[l] = now[l] ?? before[l];
  });
  out.node = now.node ?? before.node;
  // A copy: the new question must not share objects with the one it follows.
  out.peer = now.peer ?? (named === -1 && before.peer ? { ...before.peer } : null);
  if (!timeStated) {
    out.from = before.from;
    out.to = before.to;
  }
  return out;
}

function toScope(d: Draft, from: Date, to: Date): Scope {
  const name = (s: { name: string } | null | undefined) => s?.name ?? null;
  const peer = d.peer && (d.peer.namespace || d.peer.workload || d.peer.pod)
    ? { namespace: name(d.peer.namespace), workload: name(d.peer.workload), pod: name(d.peer.pod) }
    : null;
  return {
    namespace: name(d.namespace),
    workload: name(d.workload),
    pod: name(d.pod),
    node: name(d.node),
    peer,
    from: from.toISOString(),
    to: to.toISOString(),
  };
}
