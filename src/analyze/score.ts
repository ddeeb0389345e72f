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

/** Failure beats volume: kinds that mean something is failing weigh most. */
const KIND_WEIGHT: Partial<Record<FindingKind, number>> = {
  traffic_imbalance: 0.7,
  traffic_drop: 0.6,
  dns_latency: 0.8,
  http_latency: 0.8,
  tcp_state_anomaly: 0.7,
};
const SEVERITY_BASE: Record<Severity, number> = { critical: 300, warning: 200, info: 100 };

/**
 * Score = severity first, then how new the trouble is, then its size. New or increased
 * beats steady; a large failure beats a small one of the same kind.
 */
export function score(kind: FindingKind, severity: Severity, current: number, baseline: number | null): number {
  const weight = KIND_WEIGHT[kind] ?? 1;
  const novelty = baseline === null ? 0.3 : Math.min(Math.log2((current + 1) / (baseline + 1)), 10) / 10;
  const magnitude = Math.min(Math.log10(current + 1), 6) / 6;
  return SEVERITY_BASE[severity] + 60 * weight * Math.max(novelty, 0) + 30 * weight * magnitude;
}
