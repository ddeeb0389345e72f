import { thousands } from "../model/text.js";
import type { Finding, Scope } from "../model/index.js";

const hhmm = (iso: string) => iso.slice(11, 16);

export function scopeLabel(s: Scope): string {
  const parts: string[] = [];
  if (s.pod) parts.push(`pod ${s.namespace ? `${s.namespace}/` : ""}${s.pod}`);
  else if (s.workload) parts.push(`${s.namespace ? `${s.namespace}/` : ""}${s.workload}`);
  else if (s.namespace) parts.push(`namespace ${s.namespace}`);
  if (s.peer && (s.peer.workload || s.peer.pod)) parts.push(`and ${s.peer.namespace ? `${s.peer.namespace}/` : ""}${s.peer.workload ?? s.peer.pod}`);
  if (s.node) parts.push(`node ${s.node}`);
  // A channel limited to some namespaces never sees "the whole cluster".
  if (!parts.length && s.allowed && !s.allowed.includes("*")) return `namespace${s.allowed.length > 1 ? "s" : ""} ${s.allowed.join(", ")}`;
  return parts.join(" ") || "the whole cluster";
}

export function windowLabel(s: Scope): string {
  const sameDay = s.from.slice(0, 10) === s.to.slice(0, 10);
  return sameDay ? `${s.from.slice(0, 10)} ${hhmm(s.from)}–${hhmm(s.to)} UTC` : `${s.from.slice(0, 16).replace("T", " ")} to ${s.to.slice(0, 16).replace("T", " ")} UTC`;
}

const n = (v: number) => (Number.isInteger(v) ? thousands(v) : String(Math.round(v * 10) / 10));

/** How much, against the window before, in words that fit the unit. */
function amount(f: Finding): string {
  // The title already says what came before, from the data inside the window.
  if (f.baseline === null && /minutes of data before\)/.test(f.title)) return `${n(f.value)} ${unitFor(f.value, f.unit)} in this window`;
  if (f.unit.startsWith("%")) return `${n(f.value)}%${f.baseline === null ? "; no earlier data to compare with" : `, ${n(f.baseline)}% in the window before`}`;
  if (f.unit.startsWith("ms")) return `p95 ${n(f.value)} ms${f.baseline === null ? "; no earlier data to compare with" : `, ${n(f.baseline)} ms in the window before`}`;
  // A title that already states the count needs only the comparison.
  if (new RegExp(`(^|[^\\d,.:])${n(f.value).replace(/[.]/g, "\\.")}([^\\d,.:%]|$)`).test(f.title)) {
    return f.baseline === null ? "no earlier data to compare with" : f.baseline === 0 ? `none in the window before` : `${n(f.baseline)} in the window before`;
  }
  const before = f.baseline === null ? "; no earlier data to compare with" : f.baseline === 0 ? ", none in the window before" : `, ${n(f.baseline)} in the window before`;
  return `${n(f.value)} ${unitFor(f.value, f.unit)} in this window${before}`;
}

export interface SummaryInput {
  scope: Scope;
  findings: Finding[];
  flowsInScope: number;
  dataFrom: string | null;
  dataTo: string | null;
  didYouMean?: string[];
  /** What was asked when it was one playbook ("DNS"); null for an open question. */
  asked: string | null;
  /** Ranks of findings from the asked playbooks' own checks. */
  fromAsked: Set<number>;
  /** Every playbook whose checks ran, in words ("DNS", "packet drops"…), and how many checks. */
  checked: string[];
  checks: number;
  /** No flow logs: "no data" means no metric rows. */
  metricsOnly?: boolean;
  /** Whether the asked playbooks had no check that could run (no source for them): never "nothing wrong". */
  askedUnchecked?: boolean;
  hasBaseline: boolean;
  /** Figures the question asked for: the check's title and what it measured. */
  figures?: { title: string; text: string }[];
}

/** The paragraph a person reads first: the figures asked for, the root cause, since when, how much, what to do. */
export function summarize(a: SummaryInput): string {
  const where = `${scopeLabel(a.scope)}, ${windowLabel(a.scope)}`;
  const active = a.findings.filter((f) => f.severity !== "info");
  if (a.flowsInScope === 0 && !active.length && a.metricsOnly) {
    const names = a.didYouMean?.length ? ` ${a.didYouMean.join(" ")}` : " Check the names and the time window.";
    const couldNot = a.asked && a.askedUnchecked ? `${a.asked.charAt(0).toUpperCase()}${a.asked.slice(1)} could not be checked for ${scopeLabel(a.scope)} (see the notes), and no` : "No";
    return `${couldNot} metrics for ${where}${couldNot === "No" ? "" : " otherwise"}: nothing to judge, which is not the same as healthy.${names}`;
  }
  if (a.flowsInScope === 0 && !active.length) {
    const cover = a.dataFrom ? ` The data covers ${a.dataFrom.slice(0, 16).replace("T", " ")} to ${(a.dataTo ?? "").slice(0, 16).replace("T", " ")} UTC.` : " There is no flow data at all.";
    const names = a.didYouMean?.length ? ` ${a.didYouMean.join(" ")}` : " Check the names and the time window.";
    return `No flows for ${where}: nothing to judge, which is not the same as healthy.${cover}${names}`;
  }
  const figures = a.figures?.length ? `${a.figures.map((f) => `${f.title} (${scopeLabel(a.scope)}): ${f.text}.`).join(" ")} ` : "";
  const top = active[0];
  // Nothing ran (no flows, Prometheus unreachable): that is not healthy, and must not read so.
  if (!top && a.checks === 0) return `${figures}Nothing could be checked for ${where}: no check had data to answer from (see the notes). This is not an all-clear.`;
  if (!top) {
    const steady = a.findings[0];
    const against = a.hasBaseline ? "nothing is new or growing against the window before" : "nothing is failing outright (there is no earlier data to compare with)";
    const couldNot = a.asked && a.askedUnchecked ? `${a.asked.charAt(0).toUpperCase()}${a.asked.slice(1)} could not be checked for ${scopeLabel(a.scope)} (see the notes). ` : "";
    return `${figures}${couldNot}No active fault in ${where}${couldNot ? " from the checks that could run" : ""}: checked ${list(a.checked)} (${a.checks} checks); ${against}.` + (steady ? ` Steady and noted: ${steady.title}.` : "");
  }
  const others = active.slice(1);
  const next = top.next[0] ? ` Next: ${top.next[0]}.` : "";
  const also = others.length ? ` Also: ${others.slice(0, 2).map((f) => f.title).join("; ")}${others.length > 2 ? ` and ${others.length - 2} more` : ""}.` : "";
  const cause = `${top.title} (${amount(top)}).${next}${also}`;
  // The figures asked for lead, unless something is failing: then the cause does, and they follow.
  const [lead, tail] = top.severity === "critical" && figures ? ["", ` ${figures.trim()}`] : [figures, ""];
  if (a.flowsInScope === 0 && a.scope.peer) {
    // No flows between the two named parties, yet trouble on the subject's own side (its DNS).
    const alone = scopeLabel({ ...a.scope, peer: null });
    const why = a.didYouMean?.length ? ` (${a.didYouMean.map((d) => d.charAt(0).toLowerCase() + d.slice(1).replace(/\.$/, "")).join("; ")})` : "";
    return `${lead}No flows between ${scopeLabel(a.scope)} in this window${why}, but ${alone}'s own checks found trouble. Most probable root cause for ${alone}, ${windowLabel(a.scope)}: ${cause}${tail}`;
  }
  if (a.asked && !a.fromAsked.has(top.rank)) {
    // The live cause sits outside what was asked: say so before it, never "all clear".
    const askedActive = active.filter((f) => a.fromAsked.has(f.rank));
    const askedLead = a.askedUnchecked
      ? `${a.asked.charAt(0).toUpperCase()}${a.asked.slice(1)} could not be checked for ${scopeLabel(a.scope)} (see the notes), but the other checks on the same scope found trouble.`
      : askedActive.length === 0
      ? `Nothing wrong with ${a.asked} for ${scopeLabel(a.scope)}, but the other checks on the same scope found trouble.`
      : `The ${a.asked} checks found only lesser trouble for ${scopeLabel(a.scope)} (${askedActive[0]!.title}); the other checks found worse.`;
    return `${lead}${askedLead} Most probable root cause in ${where}: ${cause}${tail}`;
  }
  return `${lead}Most probable root cause in ${where}: ${cause}${tail}`;
}

function list(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? "nothing") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** "1 flow", "1 error response": a unit in the singular for one. */
export function unitFor(value: number, unit: string): string {
  return value === 1 ? unit.replace(/^(\S+(?: \S+)?)s\b/, "$1") : unit;
}
