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
