import type { Finding, Scope } from "../model/index.js";

const hhmm = (iso: string) => iso.slice(11, 16);

export function scopeLabel(s: Scope): string {
  const parts: string[] = [];
  if (s.pod) parts.push(`pod ${s.namespace ? `${s.namespace}/` : ""}${s.pod}`);
  else if (s.workload) parts.push(`${s.namespace ? `${s.namespace}/` : ""}${s.workload}`);
  else if (s.namespace) parts.push(`namespace ${s.namespace}`);
  if (s.peer && (s.peer.workload || s.peer.pod)) parts.push(`and ${s.peer.namespace ? `${s.peer.namespace}/` : ""}${s.peer.workload ?? s.peer.pod}`);
  if (s.node) parts.push(`node ${s.node}`);
  return parts.join(" ") || "the whole cluster";
}

export function windowLabel(s: Scope): string {
  const sameDay = s.from.slice(0, 10) === s.to.slice(0, 10);
  return sameDay ? `${s.from.slice(0, 10)} ${hhmm(s.from)}–${hhmm(s.to)} UTC` : `${s.from.slice(0, 16).replace("T", " ")} to ${s.to.slice(0, 16).replace("T", " ")} UTC`;
}

/** How much, against the window before, in words that fit the unit. */
function amount(f: Finding): string {
  const before = f.baseline === null ? "" : f.baseline === 0 ? ", none in the window before" : `, ${f.baseline} in the window before`;
  if (f.unit.startsWith("%")) return `${f.value}%${f.baseline === null ? "" : `, ${f.baseline}% in the window before`}`;
  if (f.unit.startsWith("ms")) return `p95 ${f.value} ms${f.baseline === null ? "" : `, ${f.baseline} ms in the window before`}`;
  return `${f.value} ${f.unit} in this window${before}`;
}

/** The paragraph a person reads first: the root cause, since when, how much, what to do. */
export function summarize(a: { scope: Scope; findings: Finding[]; flowsInScope: number; dataFrom: string | null; dataTo: string | null; didYouMean?: string[] }): string {
  const where = `${scopeLabel(a.scope)}, ${windowLabel(a.scope)}`;
  if (a.flowsInScope === 0) {
    const cover = a.dataFrom ? ` The data covers ${a.dataFrom.slice(0, 16).replace("T", " ")} to ${(a.dataTo ?? "").slice(0, 16).replace("T", " ")} UTC.` : " There is no flow data at all.";
    const names = a.didYouMean?.length ? ` ${a.didYouMean.join(" ")}` : " Check the names and the time window.";
    return `No flows for ${where}: nothing to judge, which is not the same as healthy.${cover}${names}`;
  }
  const active = a.findings.filter((f) => f.severity !== "info");
  const top = active[0];
  if (!top) {
    const steady = a.findings[0];
    return `No active fault in ${where}: nothing new or growing against the window before.` + (steady ? ` Steady and noted: ${steady.title}.` : "");
  }
  const others = active.slice(1);
  const next = top.next[0] ? ` Next: ${top.next[0]}.` : "";
  const also = others.length ? ` Also: ${others.slice(0, 2).map((f) => f.title).join("; ")}${others.length > 2 ? ` and ${others.length - 2} more` : ""}.` : "";
  return `Most probable root cause in ${where}: ${top.title} (${amount(top)}).${next}${also}`;
}
