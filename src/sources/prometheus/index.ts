import type { Cell, Inventory } from "../../model/index.js";
import { rowTest, type Predicate } from "../../query/index.js";
import { compilePromql, type LabelMatcher, type MetricQuery, type MetricTemplate } from "../../query/promql.js";
import { MetricsError, PrometheusClient, type PrometheusOptions } from "./client.js";
import { FAMILY_NAMES, labelOf, readLabels, reasonSpellings, SIGNALS, type Realization, type Signal } from "./families.js";

export { MetricsError, PrometheusClient, AZURE_PROMETHEUS_SCOPE, isAzurePrometheus, type PrometheusOptions } from "./client.js";
export { normalReason, normalRcode } from "./families.js";

export interface MetricResult {
  columns: string[];
  rows: Cell[][];
  promql: string;
  /** Which family answered ("Retina", "Hubble"…). */
  family: string;
}

/** The metric side of a question: which families the server has, and metric checks run as rows. */
export class MetricSource {
  constructor(readonly client: PrometheusClient) {}

  static open(opts: PrometheusOptions): MetricSource {
    return new MetricSource(new PrometheusClient(opts));
  }

  /**
   * The names the metrics know, for reading a question when there are no flow logs: Hubble's
   * `namespace/pod` context labels and the nodes. null when they name nothing (node-level only).
   */
  async inventory(): Promise<Inventory | null> {
    const [src, dst, nodes] = await Promise.all(["source", "destination", "instance"].map((l) => this.client.labelValues(l).catch(() => [] as string[])));
    const inv: Inventory = { namespaces: [], workloads: [], pods: [], nodes: [...nodes!].sort() };
    const seen = new Set<string>();
    for (const v of [...src!, ...dst!].sort()) {
      const read = readLabels({ family: "hubble", metric: "", fn: "increase", fields: { x: { label: "v", read: "nsPod" } } }, { v });
      const ns = read.xNamespace, pod = read.xPod, wl = read.xWorkload ?? null;
      if (!ns || !pod || seen.has(v)) continue;
      seen.add(v);
      if (!inv.namespaces.includes(ns)) inv.namespaces.push(ns);
      if (wl && !inv.workloads.some((w) => w.namespace === ns && w.workload === wl)) inv.workloads.push({ namespace: ns, workload: wl });
      inv.pods.push({ namespace: ns, workload: wl, pod });
    }
    return inv.namespaces.length ? inv : null;
  }

  /** The first realization of the signal whose metric the server has; null when none is there. */
  async realize(signal: Signal): Promise<Realization | null> {
    const names = await this.client.metricNames();
    return SIGNALS[signal].find((r) => names.has(r.metric)) ?? null;
  }

  /**
   * Rows of a metric template over a window: its groups with the measure, the scope applied.
   * Throws MetricsError when no family has the signal or the scope cannot be told from it.
   */
  async rows(t: MetricTemplate, scope: Predicate[], window: { from: Date; to: Date }): Promise<MetricResult> {
    const r = await this.realize(t.signal);
    if (!r) throw new MetricsError(`no ${SIGNAL_WORDS[t.signal]} metrics on Prometheus at ${this.client.shown} (looked for ${SIGNALS[t.signal].map((x) => x.metric).join(", ")})`);
    const q = this.compile(r, t, scope, window);
    const promql = compilePromql(q);
    // A millisecond before the end: the range is (end - range, end], and the window is [from, to).
    const samples = await this.client.instant(promql, new Date(window.to.getTime() - 1));
    // Labels read as flow fields; groups that read the same (pods of one workload) add up.
    // A side the family does not label (Hubble names only one side of a flow) reads as null;
    // a scope none of whose fields the family has cannot be honoured at all.
    const own = Object.keys(readLabels(r, {}));
    const fields = [...new Set([...own, ...t.groupBy, ...scope.flatMap(fieldsOf)])];
    const blind = scope.find((p) => !fieldsOf(p).some((f) => own.includes(f)));
    if (blind) throw new MetricsError(`${FAMILY_NAMES[r.family]} metrics (${r.metric}) cannot tell ${describe(blind)}`);
    const columns = [...t.groupBy, t.as];
    const tests = [...scope, ...t.where.map(asPredicate)].map((p) => ({ p, test: rowTest(p, fields) }));
    const unknown = tests.find((x) => x.test === null);
    if (unknown) throw new MetricsError(`${FAMILY_NAMES[r.family]} metrics (${r.metric}) cannot tell ${describe(unknown.p)}`);
    const groups = new Map<string, Cell[]>();
    for (const s of samples) {
      const read = readLabels(r, s.labels);
      const full: Cell[] = fields.map((f) => read[f] ?? null);
      if (!tests.every((x) => x.test!(full)) || t.require.some((f) => !read[f])) continue;
      const key = t.groupBy.map((g) => read[g] ?? null);
      const k = JSON.stringify(key);
      const row = groups.get(k) ?? [...key, 0];
      row[row.length - 1] = (row[row.length - 1] as number) + s.value;
      groups.set(k, row);
    }
    const rows = [...groups.values()]
      // increase() extrapolates to the range's edges: counts are whole, gauges keep a decimal.
      .map((row) => { const v = row[row.length - 1] as number; row[row.length - 1] = r.fn === "increase" ? Math.round(v) : Math.round(v * 10) / 10; return row; })
      .filter((row) => (row[row.length - 1] as number) > 0)
      .sort((a, b) => (b[b.length - 1] as number) - (a[a.length - 1] as number));
    return { columns, rows, promql, family: FAMILY_NAMES[r.family] };
  }

  /**
   * The template's series over time (query_range), each with its labels read as flow fields,
   * at `stepSeconds`: per step, how much a count grew in that step (or a gauge's average).
   */
  async series(t: MetricTemplate, scope: Predicate[], window: { from: Date; to: Date }, stepSeconds: number): Promise<{ promql: string; series: { fields: Record<string, Cell>; points: [number, number][] }[] }> {
    const r = await this.realize(t.signal);
    if (!r) return { promql: "", series: [] };
    const q = { ...this.compile(r, t, scope, window), rangeSeconds: stepSeconds };
    const promql = compilePromql(q);
    // Ranges are (t - step, t]: evaluated a millisecond before each step's end, a point holds
    // [start, end) of its step, as flow buckets do, and a sample at the step's start counts in it.
    const found = await this.client.range(promql, new Date(window.from.getTime() + stepSeconds * 1000 - 1), new Date(window.to.getTime() - 1), stepSeconds);
    return { promql, series: found.map((x) => ({ fields: readLabels(r, x.labels), points: x.points })) };
  }

  /** The PromQL of a template: `sum by` the labels its groups are read from, filters pushed down where a label holds them exactly. */
  compile(r: Realization, t: MetricTemplate, scope: Predicate[], window: { from: Date; to: Date }): MetricQuery {
    const by = new Set<string>();
    for (const g of t.groupBy) {
      const l = labelOf(r, g);
      if (!l) throw new MetricsError(`${FAMILY_NAMES[r.family]} metrics (${r.metric}) have no ${g}`);
      by.add(l.label);
    }
    // Filters judged here (below) need their labels in the result too.
    for (const f of [...t.where.map((w) => w.field), ...t.require, ...scope.flatMap(fieldsOf)]) {
      const l = labelOf(r, f);
      if (l) by.add(l.label);
    }
    const matchers: LabelMatcher[] = [...(r.fixed ?? [])];
    for (const w of t.where) {
      const l = labelOf(r, w.field);
      if (!l || l.part) continue;
      if (l.read === "reason") matchers.push({ label: l.label, op: w.op === "notIn" || w.op === "neq" ? "notIn" : "in", values: reasonSpellings(w.values) });
      else if (l.read === "plain") matchers.push({ label: l.label, op: w.op, values: w.values });
    }
    // A namespace in scope narrows a namespace/pod label to its prefix (the rest is exact, below).
    for (const p of scope) {
      if ("field" in p && p.op === "eq" && typeof p.value === "string") {
        const l = labelOf(r, p.field);
        if (l?.read === "nsPod" && l.part === "Namespace") matchers.push({ label: l.label, op: "prefix", values: [`${p.value}/`] });
      }
    }
    const seconds = t.range ?? Math.max(60, Math.round((window.to.getTime() - window.from.getTime()) / 1000));
    return { metric: r.metric, matchers, fn: r.fn, rangeSeconds: seconds, by: [...by] };
  }
}

const SIGNAL_WORDS: Record<Signal, string> = {
  forwards: "forwarded-traffic", drops: "drop", podDrops: "per-pod drop", podFlows: "per-pod flow", tcpState: "TCP state", dnsResponses: "DNS response", tcpFlags: "TCP flag", httpResponses: "HTTP response",
};

function asPredicate(w: MetricTemplate["where"][number]): Predicate {
  return (w.op === "eq" || w.op === "neq" ? { field: w.field, op: w.op, value: w.values[0]! } : { field: w.field, op: w.op, values: w.values }) as Predicate;
}

function fieldsOf(p: Predicate): string[] {
  if ("any" in p) return p.any.flatMap(fieldsOf);
  if ("all" in p) return p.all.flatMap(fieldsOf);
  if ("not" in p) return fieldsOf(p.not);
  return [p.field];
}

function describe(p: Predicate): string {
  if ("field" in p) return `the ${p.field.replace(/^(src|dst)/, "").toLowerCase()} a question names`;
  return "the namespace or workload a question names: they are node-level";
}
