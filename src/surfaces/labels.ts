import { thousands } from "../model/text.js";
import type { Evidence, Finding, Report, Scope } from "../model/index.js";
import { unitFor } from "../report/summary.js";

/**
 * Words every chat surface uses for a question and its scope (Slack's blocks, Teams' card),
 * unescaped: each surface escapes them for its own markup.
 */

export const INTENT_LABEL: Record<string, string> = {
  dns: "DNS",
  drops: "Packet drops",
  traffic: "Traffic",
  health: "Network health",
  l7: "L7 errors",
  triage: "Triage",
  help: "Help",
};

export const INTENT_PHRASE: Record<string, string> = {
  dns: "DNS",
  drops: "packet drops",
  traffic: "traffic balance and TCP resets",
  health: "network health",
  l7: "HTTP, gRPC and Kafka errors",
  triage: "everything",
  help: "what I can answer",
};


export const qualified = (ns: string | null, name: string) => (ns ? `${ns}/${name}` : name);

export function peerName(s: Scope): string | null {
  const p = s.peer;
  const name = p && (p.workload ?? p.pod);
  return p && name ? qualified(p.namespace, name) : null;
}

/** The subject of a scope in a few words, or null for the whole cluster. */
export function subjectName(s: Scope): string | null {
  if (s.pod) return `pod ${qualified(s.namespace, s.pod)}`;
  if (s.workload) return qualified(s.namespace, s.workload);
  if (s.namespace) return `namespace ${s.namespace}`;
  return null;
}

/** Short label for the header: "namespace pets", "shop/checkout ↔ shop/payments", "whole cluster". */
export function scopeLabel(s: Scope): string {
  const subject = subjectName(s);
  const peer = peerName(s);
  const parts = [subject && peer ? `${subject} ↔ ${peer}` : subject ?? (peer ? `↔ ${peer}` : null), s.node ? `node ${s.node}` : null].filter(Boolean);
  if (!parts.length && s.allowed && !s.allowed.includes("*")) return `namespace${s.allowed.length > 1 ? "s" : ""} ${s.allowed.join(", ")}`;
  return parts.join(" · ") || "whole cluster";
}

/** "in shop/checkout", "between shop/checkout and shop/payments", "across the whole cluster". */
export function scopePhrase(s: Scope): string {
  const subject = subjectName(s);
  const peer = peerName(s);
  let where: string;
  if (subject && peer) where = `between ${subject} and ${peer}`;
  else if (peer) where = `to and from ${peer}`;
  else if (s.pod) where = `for ${subject}`;
  else if (subject) where = `in ${subject}`;
  else if (s.node) where = "";
  else if (s.allowed && !s.allowed.includes("*")) where = `in namespace${s.allowed.length > 1 ? "s" : ""} ${s.allowed.join(", ")}`;
  else where = "across the whole cluster";
  if (s.node) where = `${where}${where ? " " : ""}on node ${s.node}`;
  return where;
}

export const isoMinute = (iso: string) => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

/** "2026-11-20 14:00–15:00 UTC" (or both dates when the window crosses midnight). */
export function windowLabel(s: Scope, withDate = true): string {
  const from = isoMinute(s.from);
  const to = isoMinute(s.to);
  if (!from || !to) return `${s.from} – ${s.to}`;
  const day = (iso: string) => iso.slice(0, 10);
  const hm = (iso: string) => iso.slice(11, 16);
  if (day(from) === day(to)) return `${withDate ? `${day(from)} ` : ""}${hm(from)}–${hm(to)} UTC`;
  return `${day(from)} ${hm(from)} – ${day(to)} ${hm(to)} UTC`;
}

export const SEVERITY_MARK: Record<Finding["severity"], string> = { critical: "🔴", warning: "🟠", info: "⚪" };

/** What was understood, for the immediate acknowledgement: "Looking at DNS in shop/checkout, 14:00–15:00 UTC…". */
export function understoodText(q: { intent: string; scope: Scope; explain?: boolean }): string {
  const what = INTENT_PHRASE[q.intent] ?? q.intent;
  const where = scopePhrase(q.scope);
  return `Looking at ${what}${where ? ` ${where}` : ""}, ${windowLabel(q.scope, false)}${q.explain ? ", and asking the model to explain what it finds" : ""}…`;
}

/** The evidence table behind the top finding (else the first table). */
export function leadEvidence(r: Report): Evidence | undefined {
  const i = r.findings[0]?.evidence[0];
  return (i !== undefined ? r.evidence[i] : undefined) ?? r.evidence[0];
}

/** A finding's size against the window before, in words that fit its unit. */
export function amount(f: Finding): string {
  const n = (v: number) => (Number.isInteger(v) ? thousands(v) : String(Math.round(v * 100) / 100));
  if (f.unit.startsWith("%")) return `${n(f.value)}%${f.baseline === null ? "" : ` (window before: ${n(f.baseline)}%)`}`;
  if (f.unit.startsWith("ms")) return `p95 ${n(f.value)} ms${f.baseline === null ? "" : ` (window before: ${n(f.baseline)} ms)`}`;
  const before = f.baseline === null ? " · no baseline" : f.baseline === 0 ? " (none in the window before)" : ` (window before: ${n(f.baseline)})`;
  return `${n(f.value)} ${unitFor(f.value, f.unit)}${before}`;
}

const COMMAND = /^(kubectl|hubble|cilium|retina|az|dig|nslookup|curl|kubectl-|k9s|tcpdump|nsenter|crictl)\b/;

/** "what to look at: kubectl …" → prose and command; a bare command → no prose; no command → prose only. */
export function splitNext(next: string): { prose: string; command: string | null } {
  if (COMMAND.test(next)) return { prose: "", command: next };
  // The first ": " that is followed by a command.
  const at = [...next.matchAll(/:\s+/g)].find((m) => COMMAND.test(next.slice(m.index + m[0].length)));
  if (!at) return { prose: next, command: null };
  return { prose: next.slice(0, at.index), command: next.slice(at.index + at[0].length) };
}

/** `s` cut to at most `max` UTF-16 units, ending in "…" when cut; never splits a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = "";
  for (const ch of s) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return out + "…";
}

/**
 * The checked fixes of a report's policy drops (at most two), each as a caption and a fenced
 * YAML block for a chat message. A fix longer than `max` is not cut (cut YAML would not
 * apply): the caption says where to get it whole instead. `lang` names the fence (Teams shows
 * it as the block's language; Slack would print it as the first line, so none there).
 */
export function policyFixTexts(report: Report, max: number, lang = ""): string[] {
  return report.findings.filter((f) => f.policy?.fix).slice(0, 2).map((f) => {
    const p = f.policy!;
    const also = p.fixAlsoChanges
      ? `it would also change the verdict of ${p.fixAlsoChanges} other flow${p.fixAlsoChanges > 1 ? "s" : ""} seen in the window`
      : "no other flow seen in the window changes verdict";
    const caption = `The smallest policy that admits finding ${f.rank} (checked: with it added, the flow is allowed; ${also})`;
    // Names in the YAML come from the data: a fence inside it would end the code block.
    const yaml = p.fix!.replace(/```/g, "'''").trimEnd();
    if (yaml.length > max) return `${caption} is ${thousands(yaml.length)} characters, too long for a message: \`netrca ask\` with the same question and \`--policies\` prints it whole.`;
    return `${caption}:\n\`\`\`${lang}\n${yaml}\n\`\`\``;
  });
}
