import type { FindingDraft } from "../analyze/index.js";
import type { ChartSpec } from "./charts/index.js";

type Series = { name: string; values: number[] };
const hhmm = (iso: string) => iso.slice(11, 16);

/** The culprit's flows over time against the rest, with a marker where it began. */
export function timeseriesChart(d: FindingDraft, title: string, t: { buckets: string[]; series: Series[]; since: string | null }): ChartSpec {
  return {
    kind: "timeseries",
    title,
    subtitle: `${perBucket(d.unit)} per bucket, the hour before and the question's window${t.since ? `; began ${hhmm(t.since)} UTC` : ""}`,
    unit: perBucket(d.unit),
    buckets: t.buckets,
    series: t.series.map((s, i) => ({ ...s, highlight: i === 0 })),
    ...(t.since && { marker: { at: t.since, label: `since ${hhmm(t.since)}` } }),
  };
}

/** What a timeline counts: flows, or what a metric counts (packets, connections, responses). */
function perBucket(unit: string): string {
  if (unit === "unanswered requests") return "requests";
  return ["packets", "RST packets", "connections", "responses"].includes(unit) ? unit : "flows";
}

export function stackedChart(title: string, b: { buckets: string[]; series: Series[] }): ChartSpec {
  return { kind: "stacked", title, subtitle: "flows per bucket, stacked", unit: "flows", ...b };
}

export function heatmapChart(title: string, b: { buckets: string[]; series: Series[] }): ChartSpec {
  const rows = b.series.filter((s) => s.name !== "other");
  return { kind: "heatmap", title, subtitle: `flows per bucket, the ${rows.length} busiest; darker is more`, unit: "flows", buckets: b.buckets, rows: rows.map((s) => s.name), values: rows.map((s) => s.values) };
}

export function barsChart(d: FindingDraft): ChartSpec | null {
  if (!d.bars) return null;
  return { kind: "bars", title: d.bars.title, subtitle: d.title, unit: d.bars.unit, categories: d.bars.categories, values: d.bars.values, highlight: d.bars.highlight };
}
