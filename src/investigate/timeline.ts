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
  /** The trouble was there from the first minute of data, which starts inside the window. */
  sinceAtDataStart?: boolean;
  /** The finding's ratio (errors of responses, unanswered of requests) from the onset on. */
  sinceShare?: number | null;
  /** Where the onset search began (ISO): the window before, or the look-back of a short window. */
  lookedFrom?: string;
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
  return seriesBetween(source, { from: baseline.from, to: current.to }, bucketsOf(scope, bin), where, series, bin);
}

async function seriesBetween(
  source: FlowSource, window: { from: Date; to: Date }, buckets: string[], where: Predicate[], series: { name: string; where: Predicate[] }[], bin: BinName,
): Promise<{ buckets: string[]; series: { name: string; values: number[] }[] }> {
  const q = flowQuery({
    window,
    where,
    bin,
    measures: series.map((s, i) => ({ fn: "flowsWhere" as const, where: s.where.length ? s.where : [{ field: "time" as const, op: "notNull" as const }], as: `s${i}` })),
  });
  const r = await source.query(q);
  const at = new Map(r.rows.map((row) => [String(row[r.columns.indexOf(BUCKET)]), row]));
  return {
    buckets,
    series: series.map((s, i) => ({ name: s.name, values: buckets.map((b) => Number(at.get(b)?.[r.columns.indexOf(`s${i}`)] ?? 0)) })),
  };
}

/**
 * Onsets are found on one-minute buckets whatever the window's length, so the same fault
 * starts at the same minute over an hour, a day or three days; and only over the data's own
 * extent, so an onset never falls before the first flow.
 */
const ONSET_BINS: BinName[] = ["1m", "5m", "15m", "1h"];
/**
 * A window shorter than this is judged for its onset over this much before it: "last 20m" in
 * an incident that began 25 minutes ago has a window before that is itself in the incident,
 * and the normal level must come from before the incident (what the data holds of it).
 */
const ONSET_LOOKBACK_MS = 60 * 60_000;

/** Whether a window's onset is looked for over ONSET_LOOKBACK_MS before it. */
export function looksBackFurther(window: { from: Date; to: Date }): boolean {
  return window.to.getTime() - window.from.getTime() < ONSET_LOOKBACK_MS;
}
const ONSET_MAX_BUCKETS = 20_000;

export interface Extent { from: string | null; to: string | null }

/** A finding's flows against the rest of its check's trouble, when it began, and its share since. */
export async function timelineOf(source: FlowSource, scope: Scope, check: Check, d: FindingDraft, extent: Extent): Promise<Timeline | null> {
  if (d.timeline === null) return null;
  const custom = d.timeline;
  const named = label(d.subject) + (d.reason && d.kind !== "traffic_imbalance" ? ` ${d.reason}` : "");
  const series = custom?.series ?? [
    { name: named, where: d.match },
    { name: "everything else", where: [{ not: d.match.length === 1 ? d.match[0]! : { all: d.match } }] },
  ];
  const where = custom ? scopePredicates(scope, check.scope) : checkWhere(check, scope);
  const kind = custom?.trouble ?? "first";
  const troubleOf = (first: number[], second: number[]) =>
    kind === "firstMinusSecond" ? first.map((v, i) => Math.max(v - (second[i] ?? 0), 0))
    : kind === "share" ? shareSeries(first, second)
    : first;

  const { baseline, current } = windows(scope);
  const short = looksBackFurther(current);
  const reach = short ? Math.min(baseline.from.getTime(), current.from.getTime() - ONSET_LOOKBACK_MS) : baseline.from.getTime();
  // Minutes, unless the data in range is weeks long: then the finest bin that fits.
  const span = (bin: BinName) => {
    const step = BIN_SECONDS[bin] * 1000;
    const lo = Math.max(reach, extent.from ? Math.floor(Date.parse(extent.from) / step) * step : -Infinity);
    const hi = Math.min(current.to.getTime(), extent.to ? Math.floor(Date.parse(extent.to) / step) * step + step : Infinity);
    return { bin, step, lo, hi };
  };
  const r = ONSET_BINS.map(span).find((x) => (x.hi - x.lo) / x.step <= ONSET_MAX_BUCKETS);
  const lo = r?.lo ?? 0;
  const fine = r && r.hi > r.lo
    ? await seriesBetween(source, { from: new Date(r.lo), to: new Date(r.hi) }, stepsOf(r.lo, r.hi, r.step), where, series, r.bin)
    : null;
  let began: string | null = null;
  let atDataStart = false;
  let share: number | null = null;
  if (fine) {
    const first = fine.series[0]!.values, second = fine.series[1]?.values ?? [];
    const trouble = troubleOf(first, second);
    // Normal is what came before the window; for a short window, the first half of the look-back.
    const normalUntil = short ? new Date((lo + current.from.getTime()) / 2).toISOString() : scope.from;
    began = since(fine.buckets.map((t, i) => ({ t, v: trouble[i]! })), normalUntil, { floor: kind === "share" ? 0 : 0.5 });
    // Already there in the first minute of data that starts inside the window: the onset is not seen.
    atDataStart = began !== null && began === fine.buckets[0] && lo > reach && lo >= Date.parse(scope.from);
    if (began && custom?.ratio) {
      const from = fine.buckets.indexOf(began);
      const a = first.slice(from).reduce((x, y) => x + y, 0), b = second.slice(from).reduce((x, y) => x + y, 0);
      share = custom.ratio === "firstOfSecond" ? (b > 0 ? a / b : null) : a > 0 ? Math.min(Math.max((a - b) / a, 0), 1) : null;
    }
  }
  // The chart keeps a bin that shows the whole window and the one before; outside the data's
  // extent every bucket is empty, so the minute series adds up to it.
  const bin = binFor(scope);
  const chart = fine ? rebin(fine, bucketsOf(scope, bin), BIN_SECONDS[bin] * 1000) : await seriesOver(source, scope, where, series, bin);
  const trouble = troubleOf(chart.series[0]!.values, chart.series[1]?.values ?? []);
  // Requests against responses draw as one line while all is answered: show what goes unanswered.
  const drawn = kind === "firstMinusSecond" ? [{ name: `unanswered ${chart.series[0]!.name}`, values: trouble }, ...chart.series.slice(1)] : chart.series;
  return { buckets: chart.buckets, series: drawn, trouble, since: began, sinceAtDataStart: atDataStart, sinceShare: share, ...(fine && { lookedFrom: new Date(lo).toISOString() }) };
}

function rebin(s: { buckets: string[]; series: { name: string; values: number[] }[] }, buckets: string[], step: number) {
  const index = new Map(buckets.map((b, i) => [b, i]));
  return {
    buckets,
    series: s.series.map((x) => {
      const values = buckets.map(() => 0);
      s.buckets.forEach((t, i) => {
        const at = index.get(new Date(Math.floor(Date.parse(t) / step) * step).toISOString());
        if (at !== undefined) values[at]! += x.values[i]!;
      });
      return { name: x.name, values };
    }),
  };
}

function stepsOf(lo: number, hi: number, step: number): string[] {
  const out: string[] = [];
  for (let t = lo; t < hi; t += step) out.push(new Date(t).toISOString());
  return out;
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
