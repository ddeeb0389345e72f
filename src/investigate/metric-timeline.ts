import { label, since, type FindingDraft } from "../analyze/index.js";
import type { Scope } from "../model/index.js";
import { scopePredicates, windows, type Check } from "../playbooks/index.js";
import { asPredicate, BIN_SECONDS, rowTest, type Predicate } from "../query/index.js";
import type { MetricSource } from "../sources/prometheus/index.js";
import { binFor, type Timeline } from "./timeline.js";

/**
 * A metric finding's timeline, from Prometheus range queries: its own series (the finding's
 * node, pod or workload and reason) against the rest of the check's series, over the window
 * and the window before, and when it began: the same shape flow timelines have, so the same
 * charts and "since" follow.
 */
export async function metricTimelineOf(metrics: MetricSource, scope: Scope, check: Check, d: FindingDraft): Promise<Timeline | null> {
  const template = Object.values(check.metrics)[0];
  if (!template) return null;
  const { baseline, current } = windows(scope);
  const step = Math.max(60, BIN_SECONDS[binFor(scope)]);
  const { series } = await metrics.series(template, scopePredicates(scope, check.scope), { from: baseline.from, to: current.to }, step, current);
  if (!series.length) return null;
  const fields = [...new Set(series.flatMap((s) => Object.keys(s.fields)))];
  const filters = template.where.map((w) => rowTest(asPredicate(w), fields));
  // The reason may be a column the flow predicates cannot name (a TCP state): test it here.
  const reasonField = typeof check.analyze.params.reason === "string" ? check.analyze.params.reason : null;
  const ownReason = reasonField && d.reason && !d.match.some((p) => "field" in p && p.field === reasonField) ? rowTest({ field: reasonField, op: "eq", value: d.reason } as unknown as Predicate, fields) : null;
  const mine = d.match.map((p) => rowTest(p, fields));
  if (mine.some((t) => t === null)) return null;
  const stamps: number[] = [];
  for (let t = baseline.from.getTime() / 1000 + step; t <= current.to.getTime() / 1000 + 1e-6; t += step) stamps.push(t);
  // Points come a millisecond before each step's end (see MetricSource.series).
  const at = new Map(stamps.map((t, i) => [Math.round(t), i]));
  const own = new Array<number>(stamps.length).fill(0);
  const rest = new Array<number>(stamps.length).fill(0);
  for (const s of series) {
    const row = fields.map((f) => s.fields[f] ?? null);
    if (!filters.every((t) => t === null || t(row))) continue;
    // The rest is the same reason elsewhere (SYN_SENT on the other nodes), not every state.
    const reasonOk = !ownReason || ownReason(row);
    const target = reasonOk && mine.every((t) => t!(row)) ? own : reasonOk ? rest : null;
    if (!target) continue;
    for (const [t, v] of s.points) {
      const i = at.get(Math.round(t + 0.001));
      if (i !== undefined) target[i]! += v;
    }
  }
  // A point stands for the step that ends at it: the bucket starts a step earlier.
  const buckets = stamps.map((t) => new Date((t - step) * 1000).toISOString());
  const round = (xs: number[]) => xs.map((v) => Math.round(v * 10) / 10);
  const named = label(d.subject) + (d.reason ? ` ${d.reason}` : "");
  // The window before (the first half) sets the level: a gauge (TCP states) is judged on how far
  // it rose above its highest, a fall (a node gone silent) on what went missing from its average.
  const before = own.slice(0, Math.floor(own.length / 2));
  const floor = template.signal === "tcpState" ? Math.max(...before, 0) : 0;
  const level = before.reduce((a, b) => a + b, 0) / Math.max(before.length, 1);
  const trouble = d.kind === "traffic_drop" ? own.map((v) => Math.max(level - v, 0)) : own.map((v) => Math.max(v - floor, 0));
  const began = since(buckets.map((t, i) => ({ t, v: trouble[i]! })), scope.from, { floor: 0.5 });
  const everythingElse = d.subject.node && !d.subject.namespace ? "other nodes" : "everything else";
  return { buckets, series: [{ name: named, values: round(own) }, { name: everythingElse, values: round(rest) }], trouble, since: began };
}
