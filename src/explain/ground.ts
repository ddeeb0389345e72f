import type { Report } from "../model/index.js";

/**
 * The grounding check for an LLM's explanation of a Report: every figure, time, name, address
 * and status it states must be in the Report (findings, evidence, scope, summary), and a sentence
 * that asserts a cause must point at a finding. Sentences that fail are removed; when too little
 * is left to read, the explanation is dropped. A pure function: no model, no I/O.
 */
export interface Grounded {
  /** The explanation to show (failing sentences removed), or null when it is dropped. */
  text: string | null;
  /** Each removed sentence and what in it the Report does not hold. */
  removed: { sentence: string; unsupported: string[] }[];
  /** One sentence for the Report's notes when anything was removed or dropped. */
  note: string | null;
}

/** More than this share of sentences failing, or nothing left: the whole explanation goes. */
const MAX_REMOVED_SHARE = 0.34;

const CAUSAL = /\b(because|caused by|causing|root cause|due to|is the cause|the cause is|leads? to|led to|results? in|resulting in|triggered by|since .* (started|began) (failing|dropping))\b/i;
const ALL_CLEAR = /\b(is|are|looks?|seems?) (healthy|fine|ok(ay)?|normal|working( fine| normally)?)\b|\bno (issues?|problems?|faults?|errors?|action)\b|\bnothing (is )?(wrong|to worry)|\ball (good|clear)\b/i;
const DATE = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?\b/g;
const TIME = /\b([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?\b/g;
const IP = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
/** A figure: digits (with thousands separators), decimals, and a unit that changes its reading (%, x). */
const NUMBER = /(?<![\w.:/-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%|x|×)?(?![\w])/g;
/** Names as Kubernetes and DNS write them: `ns/name`, hyphenated names with a digit, dotted names. */
const SLASHED = /\b[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?\b/g;
const HYPHENATED = /\b[a-z0-9]+(?:-[a-z0-9]+)+\b/g;
const DOTTED = /\b[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)+\.?/gi;
/** "finding 2", "findings 2 and 3", "findings 1, 2 and 4", "findings 2–3", "#2". */
const FINDING_REF = /(?:\bfindings?\s+|#)(\d+)(?:(?:,\s*|,?\s+and\s+|,?\s+or\s+|\s*[-–]\s*|\s+to\s+)\d+)*\b/gi;

export function groundExplanation(text: string, report: Report): Grounded {
  const known = knownOf(report);
  const sentences = splitSentences(text);
  const kept: string[] = [];
  const removed: Grounded["removed"] = [];
  for (const sentence of sentences) {
    const unsupported = unsupportedIn(sentence, known, report);
    if (unsupported.length) removed.push({ sentence, unsupported });
    else kept.push(sentence);
  }
  if (!removed.length) return { text: kept.join(" "), removed, note: null };
  // What it stated that the Report does not hold, and the rules it broke, said apart.
  const all = [...new Set(removed.flatMap((r) => r.unsupported))];
  const rules = all.filter((u) => RULES.has(u));
  const stated = all.filter((u) => !RULES.has(u)).slice(0, 6);
  const values = stated.map((u) => `"${u}"`).join(", ");
  const broke = rules.map((u) => RULES.get(u)!).join(" and ");
  if (kept.length === 0 || removed.length / sentences.length > MAX_REMOVED_SHARE) {
    const why = [values && `it stated ${values}, which the evidence does not hold`, broke && `it ${broke}`].filter(Boolean).join(", and ");
    return { text: null, removed, note: `The model's explanation was dropped: ${why}.` };
  }
  const n = removed.length;
  const why = [values && `${values} ${stated.length > 1 ? "are" : "is"} not in the evidence`, broke && `the model ${broke}`].filter(Boolean).join("; ");
  return { text: kept.join(" "), removed, note: `${n} sentence${n > 1 ? "s" : ""} of the model's explanation ${n > 1 ? "were" : "was"} removed: ${why}.` };
}

/** Rules a sentence can break, as they are listed and as the note says them. */
const CONTRADICTED_ALL_CLEAR = "an all-clear the findings contradict";
const UNNAMED_CAUSE = "a cause no finding names";
const RULES = new Map([
  [CONTRADICTED_ALL_CLEAR, "gave an all-clear while a finding is live"],
  [UNNAMED_CAUSE, "asserted a cause no finding names"],
]);

interface Known {
  /** Every word and name the Report writes, lower case, trailing dots trimmed. */
  words: Set<string>;
  /** Every figure in it (findings' values, evidence cells, numbers in its text). */
  numbers: number[];
  /** Ratios of a finding's value to its baseline ("3x"). */
  ratios: number[];
  /** Clock times it states (HH:MM), UTC. */
  times: Set<string>;
  /** The names findings are about (subject and peer), for a causal sentence to point at. */
  parties: Set<string>;
}

function knownOf(r: Report): Known {
  const texts: string[] = [r.question, r.summary, ...r.notes, r.scope.from, r.scope.to];
  const numbers: number[] = [];
  const parties = new Set<string>();
  for (const f of r.findings) {
    texts.push(f.title, f.unit, f.reason ?? "", f.query ?? "", f.since ?? "", ...f.next);
    numbers.push(f.value, ...(f.baseline !== null ? [f.baseline] : []));
    for (const p of [f.subject, f.peer]) {
      if (!p) continue;
      for (const v of Object.values(p)) if (typeof v === "string" && v) {
        texts.push(v);
        parties.add(v.toLowerCase());
      }
      if (p.namespace && p.workload) parties.add(`${p.namespace}/${p.workload}`.toLowerCase());
      if (p.namespace && p.pod) parties.add(`${p.namespace}/${p.pod}`.toLowerCase());
    }
  }
  for (const e of r.evidence) {
    texts.push(e.title, ...e.columns);
    // A row's namespace and its names are written "ns/name" in prose (srcNamespace + srcWorkload).
    const nsColumns = e.columns.flatMap((c, i) => (/namespace$/i.test(c) ? [i] : []));
    for (const row of e.rows) {
      for (const c of row) {
        if (typeof c === "number") numbers.push(c);
        else if (typeof c === "string") texts.push(c);
      }
      for (const i of nsColumns) {
        const ns = row[i];
        if (typeof ns !== "string" || !ns) continue;
        for (const c of row) if (typeof c === "string" && c && c !== ns) texts.push(`${ns}/${c}`);
      }
    }
  }
  for (const n of ["namespace", "workload", "pod", "node"] as const) if (r.scope[n]) texts.push(r.scope[n]!);
  const all = texts.join("\n");
  for (const m of all.replace(DATE, " ").replace(IP, " ").matchAll(NUMBER)) numbers.push(parseNumber(m));
  const times = new Set<string>();
  for (const m of all.matchAll(TIME)) times.add(`${m[1]!.padStart(2, "0")}:${m[2]}`);
  for (const iso of all.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g) ?? []) times.add(iso.slice(11, 16));
  const words = new Set<string>();
  for (const w of all.toLowerCase().split(/[\s,;()"'`<>|[\]{}=]+/)) {
    const t = w.replace(/[.:!?]+$/, "");
    if (t) words.add(t);
    // "shop/checkout" also knows "shop" and "checkout"; "a.b.c." knows "a.b.c".
    for (const part of t.split("/")) if (part) words.add(part.replace(/\.+$/, ""));
  }
  const ratios = r.findings.filter((f) => f.baseline && f.baseline > 0).map((f) => f.value / f.baseline!);
  return { words, numbers, ratios, times, parties };
}

function parseNumber(m: RegExpMatchArray): number {
  return Number(`${m[1]!.replace(/,/g, "")}${m[2] ? `.${m[2]}` : ""}`);
}

/** A figure as written matches a known one at the precision written (51% for 0.508 or 50.8). */
function figureKnown(value: number, decimals: number, unit: string | undefined, k: Known): boolean {
  // Written at a precision, a figure stands for anything within half its last digit (40.5 → "40%" or "41%").
  const half = 0.5 / 10 ** decimals + 1e-9;
  const near = (x: number) => Math.abs(x - value) <= half;
  if (unit === "x" || unit === "×") return k.ratios.some(near);
  return k.numbers.some((n) => near(n) || (unit === "%" && n <= 1 && near(n * 100)));
}

function unsupportedIn(sentence: string, k: Known, r: Report): string[] {
  const out: string[] = [];
  let rest = sentence;
  // Dates and times first, so their digits are not read as figures.
  for (const d of rest.match(DATE) ?? []) {
    if (!k.words.has(d.toLowerCase()) && !k.times.has(d.slice(11, 16)) && !r.scope.from.startsWith(d.slice(0, 10))) out.push(d);
  }
  rest = rest.replace(DATE, " ");
  for (const ip of rest.match(IP) ?? []) if (!k.words.has(ip)) out.push(ip);
  rest = rest.replace(IP, " ");
  for (const m of rest.matchAll(TIME)) {
    const t = `${m[1]!.padStart(2, "0")}:${m[2]}`;
    if (!k.times.has(t)) out.push(m[0]);
  }
  rest = rest.replace(TIME, " ");
  // "finding 2" must be a finding of this Report.
  for (const m of rest.matchAll(FINDING_REF)) for (const n of m[0].match(/\d+/g)!) if (Number(n) < 1 || Number(n) > r.findings.length) out.push(m[0]);
  const names = new Set<string>();
  for (const re of [SLASHED, DOTTED, HYPHENATED]) {
    for (const m of rest.matchAll(re)) {
      const name = m[0].toLowerCase().replace(/\.+$/, "");
      // An abbreviation or a number with a decimal point is not a name.
      if (re === DOTTED && (/^[\d.]+$/.test(name) || /^(e\.g|i\.e|etc|vs)$/.test(name))) continue;
      names.add(name);
    }
  }
  for (const name of names) {
    // A word the Report writes is fine; a hyphenated English word without a digit is not a name.
    if (k.words.has(name)) continue;
    // A cut-off pod name ("checkout-6b8f") has a digit, so it is a name the Report must hold.
    if (!/\d|\//.test(name) && !name.includes(".") && !namedAsResource(name, sentence)) continue;
    out.push(name);
  }
  rest = rest.replace(SLASHED, " ").replace(DOTTED, " ").replace(FINDING_REF, " ").replace(HYPHENATED, (h) => (/\d/.test(h) ? " " : h));
  for (const m of rest.matchAll(NUMBER)) {
    const value = parseNumber(m);
    if (!figureKnown(value, m[2]?.length ?? 0, m[3], k)) out.push(m[0]);
  }
  // The worst answer is an all-clear while a fault is live: one the findings contradict never stands.
  // A finding's own title, quoted, is the Report speaking ("… normal noise, not a root cause").
  let own = sentence.toLowerCase();
  for (const f of r.findings) own = own.split(f.title.toLowerCase().replace(/\.$/, "")).join(" ");
  if (ALL_CLEAR.test(own) && r.findings.some((f) => f.severity !== "info")) out.push(CONTRADICTED_ALL_CLEAR);
  if (CAUSAL.test(own) && ![...k.parties].some((p) => sentence.toLowerCase().includes(p)) && !/(?:\bfindings?\s+|#)\d+\b/i.test(sentence)) {
    out.push(UNNAMED_CAUSE);
  }
  return [...new Set(out)];
}

/** Words that make the hyphenated word next to them a Kubernetes name ("the payments-api pods"). */
const KIND_WORD = "pods?|services?|deployments?|workloads?|namespaces?|nodes?|statefulsets?|daemonsets?|servers?|clients?|replicas?";

/** A hyphenated word with no digit reads as a name when a kind word stands beside it or it is in backticks. */
function namedAsResource(name: string, sentence: string): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`\`${n}\`|\\b${n}\\s+(${KIND_WORD})\\b|\\b(${KIND_WORD})\\s+${n}\\b`, "i").test(sentence);
}

/** Sentences, so one bad claim costs its sentence and not the whole explanation. */
export function splitSentences(text: string): string[] {
  const flat = text.replace(/\s+/g, " ").trim();
  if (!flat) return [];
  // A full stop and a space end a sentence, unless the stop ends a DNS name ("api.example.com. fails").
  const out: string[] = [];
  let start = 0;
  for (const m of flat.matchAll(/[.!?]\s+/g)) {
    const before = flat.slice(start, m.index! + 1).split(" ").pop() ?? "";
    if (m[0].startsWith(".") && /[a-z0-9]\.[a-z0-9]/i.test(before) && !/[A-Z]/.test(flat[m.index! + m[0].length] ?? "")) continue;
    out.push(flat.slice(start, m.index! + 1).trim());
    start = m.index! + m[0].length;
  }
  out.push(flat.slice(start).trim());
  return out.filter(Boolean);
}
