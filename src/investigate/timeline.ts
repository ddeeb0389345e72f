import { label, shareSeries, since, type FindingDraft } from "../analyze/index.js";
import type { Scope } from "../model/index.js";
import { scopePredicates, windows, type Check } from "../playbooks/index.js";
import { BIN_SECONDS, BUCKET, flowQuery, type FieldName, type FlowSource, type Predicate } from "../query/index.js";

export interface Timeline {
  buckets: string[];
  series: { name: string; values: number[] }[];
  /** The trouble series (what "since" is judged on). */
  trouble: number[];
  since: string | null;
}

type BinName = keyof typeof BIN_SECONDS;

/** The finest bin that keeps the chart over window + baseline within `points` buckets. */
export function binFor(scope: Scope, points = 150): BinName {
  const span = (Date.parse(scope.to) - Date.parse(scope.from)) * 2;
  const fits = (Object.entries(BIN_SECONDS) as [BinName, number][]).find(([, s]) => span / (s * 1000) <= points);
  return fits ? fits[0] : "1h";
}

/** Every bucket start from the baseline's start to the window's end, aligned to the bin. */
function bucketsOf(scope: Scope, bin: BinName): string[] {
  const { baseline, current } = windows(scope);
  const step = BIN_SECONDS[bin] * 1000;
  const out: string[] = [];
  for (let t = Math.floor(baseline.from.getTime() / step) * step; t < current.to.getTime(); t += step) out.push(new Date(t).toISOString());
  return out;
}

/** The check's own flows (its main query's filters and trouble), in the question's scope. */
export function checkWhere(check: Check, scope: Scope): Predicate[] {
  const main = Object.values(check.queries)[0]!;
  return [...scopePredicates(scope, check.scope), ...main.where, ...check.trouble];
}

/** Series over the baseline and the window, one query, missing buckets filled with zeros. */
async function seriesOver(source: FlowSource, scope: Scope, where: Predicate[], series: { name: string; where: Predicate[] }[], bin: BinName): Promise<{ buckets: string[]; series: { name: string; values: number[] }[] }> {
  const { baseline, current } = windows(scope);
  const q = flowQuery({
    window: { from: baseline.from, to: current.to },
    where,
    bin,
    measures: series.map((s, i) => ({ fn: "flowsWhere" as const, where: s.where.length ? s.where : [{ field: "time" as const, op: "notNull" as const }], as: `s${i}` })),
  });
  const r = await source.query(q);
  const buckets = bucketsOf(scope, bin);
  const at = new Map(r.rows.map((row) => [String(row[r.columns.indexOf(BUCKET)]), row]));
  return {
    buckets,
    series: series.map((s, i) => ({ name: s.name, values: buckets.map((b) => Number(at.get(b)?.[r.columns.indexOf(`s${i}`)] ?? 0)) })),
  };
}

/** A finding's flows against the rest of its check's trouble, and when it began. */
export async function timelineOf(source: FlowSource, scope: Scope, check: Check, d: FindingDraft): Promise<Timeline | null> {
  if (d.timeline === null) return null;
  const custom = d.timeline;
  const named = label(d.subject) + (d.reason && d.kind !== "traffic_imbalance" ? ` ${d.reason}` : "");
  const series = custom?.series ?? [
    { name: named, where: d.match },
    { name: "everything else", where: [{ not: d.match.length === 1 ? d.match[0]! : { all: d.match } }] },
  ];
  const where = custom ? scopePredicates(scope, check.scope) : checkWhere(check, scope);
  const s = await seriesOver(source, scope, where, series, binFor(scope));
  const first = s.series[0]!.values, second = s.series[1]?.values ?? [];
  const kind = custom?.trouble ?? "first";
  const trouble =
    kind === "firstMinusSecond" ? first.map((v, i) => Math.max(v - (second[i] ?? 0), 0))
    : kind === "share" ? shareSeries(first, second)
    : first;
  const began = since(s.buckets.map((t, i) => ({ t, v: trouble[i]! })), scope.from, { floor: kind === "share" ? 0 : 1 });
  return { ...s, trouble, since: began };
}

/** The check's trouble over time split by a field (drop reason, pod), top values and "other". */
export async function breakdownOf(source: FlowSource, scope: Scope, check: Check, by: FieldName, top: number): Promise<{ buckets: string[]; series: { name: string; values: number[] }[] }> {
  // Bars and heatmap cells need fewer buckets than a line to read well (and render fast).
  const bin = binFor(scope, 60);
  const { baseline, current } = windows(scope);
  const where = checkWhere(check, scope);
  const totals = await source.query(flowQuery({ window: { from: baseline.from, to: current.to }, where, groupBy: [by], measures: [{ fn: "flows", as: "flows" }], top }));
  const names = totals.rows.map((r) => r[0]).filter((v) => v !== null) as (string | number)[];
  if (names.length === 0) return { buckets: bucketsOf(scope, bin), series: [] };
  const series: { name: string; where: Predicate[] }[] = names.map((n) => ({ name: String(n), where: [{ field: by, op: "eq", value: n }] }));
  series.push({ name: "other", where: [{ not: { field: by, op: "in" as const, values: names } }] });
  const s = await seriesOver(source, scope, where, series, bin);
  return { buckets: s.buckets, series: s.series.filter((x) => x.values.some((v) => v > 0)) };
}
