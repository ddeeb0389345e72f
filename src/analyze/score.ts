import type { FindingKind, Severity } from "../model/index.js";

/**
 * How a count compares with the window before: new (nothing before), increased, steady or
 * unknown (no data before the window). Baselines are the same length as the window.
 */
export type Change = "new" | "increased" | "steady" | "decreased" | "unknown";

export function change(current: number, baseline: number | null, minRatio = 3): Change {
  if (baseline === null) return "unknown";
  if (baseline === 0) return current > 0 ? "new" : "steady";
  const ratio = current / baseline;
  if (ratio >= minRatio) return "increased";
  if (ratio <= 1 / minRatio) return "decreased";
  return "steady";
}

/**
 * Kinds that describe a consequence rather than a failure: slowness, traffic that moved or
 * fell, odd TCP states. A SERVFAIL storm makes DNS slow and a 503 storm makes responses
 * slow; the failure is the cause and must rank above the symptom it produces.
 */
export const SYMPTOM_KINDS: ReadonlySet<FindingKind> = new Set(["dns_latency", "http_latency", "traffic_imbalance", "traffic_drop", "tcp_state_anomaly"]);

const SEVERITY_BASE: Record<Severity, number> = { critical: 300, warning: 200, info: 100 };
/** Within a severity, every failure (50–95) ranks above every symptom (0–45). */
const FAILURE_LIFT = 50;

/**
 * Score = severity first, then failure before symptom, then how new the trouble is, then
 * its size. New or increased beats steady; a large failure beats a small one of its kind.
 */
export function score(kind: FindingKind, severity: Severity, current: number, baseline: number | null): number {
  const novelty = baseline === null ? 0.3 : Math.min(Math.log2((current + 1) / (baseline + 1)), 10) / 10;
  const magnitude = Math.min(Math.log10(current + 1), 6) / 6;
  const within = 30 * Math.max(novelty, 0) + 15 * magnitude;
  return SEVERITY_BASE[severity] + (SYMPTOM_KINDS.has(kind) ? 0 : FAILURE_LIFT) + within;
}
