import { label, type FindingDraft } from "../analyze/index.js";

/**
 * Most probable root cause first (by score), each trouble once: the same kind, subject,
 * reason and peer found by two playbooks (triage runs them all) is one finding.
 */
export function rankDrafts<T extends { draft: FindingDraft }>(items: T[]): T[] {
  const best = new Map<string, T>();
  for (const item of items) {
    const d = item.draft;
    const key = [d.kind, label(d.subject), d.reason ?? "", d.query ?? "", d.peer ? label(d.peer) : ""].join("|");
    const seen = best.get(key);
    if (!seen || d.score > seen.draft.score) best.set(key, item);
  }
  return [...best.values()].sort((a, b) => b.draft.score - a.draft.score);
}

/**
 * The failure a symptom comes from, by rank: slow responses from a server that fails (or
 * from one of the servers a failing client gets errors from), slow DNS from a server whose
 * answers fail or go missing. The symptom's title then says so.
 */
export function causeOf<T extends { draft: FindingDraft }>(ranked: T[], i: number): number | null {
  const d = ranked[i]!.draft;
  const who = label(d.subject);
  for (let j = 0; j < i; j++) {
    const c = ranked[j]!.draft;
    if (c.severity === "info") continue;
    const parties = [c.subject, ...(c.covers ?? [])].map(label);
    if (d.kind === "http_latency" && c.kind === "http_errors" && parties.includes(who)) return j;
    if (d.kind === "dns_latency" && ((c.kind === "dns_errors" && c.peer && label(c.peer) === who) || (c.kind === "dns_missing_responses" && label({ ...c.subject, pod: null }) === who))) return j;
  }
  return null;
}
