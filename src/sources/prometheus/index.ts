import type { Cell, Inventory } from "../../model/index.js";
import { rowTest, type Predicate } from "../../query/index.js";
import { asPredicate, compilePromql, type LabelMatcher, type MetricQuery, type MetricTemplate } from "../../query/promql.js";
import { MetricsError, PrometheusClient, type PrometheusOptions } from "./client.js";
import { FAMILY_NAMES, labelOf, readLabels, reasonSpellings, sideLabels, SIGNALS, type Realization, type Signal } from "./families.js";

export { MetricsError, PrometheusClient, AZURE_PROMETHEUS_SCOPE, isAzurePrometheus, type PrometheusOptions } from "./client.js";
export { normalReason, normalRcode } from "./families.js";

export interface MetricResult {
  columns: string[];
  rows: Cell[][];
  promql: string;
  /** Which family answered ("Retina", "Hubble"…). */
  family: string;
  /** Something the reader must know about these rows (a side the metrics do not name). */
  note?: string;
  /** What Prometheus attached to the answer (partial data). */
  warnings?: string[];
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
    // Retina advanced names a side in three labels: the pairs come from its series.
    const adv = (await Promise.all(ADV_INVENTORY.map((m) => this.client.series(m).catch(() => [] as Record<string, string>[])))).flat();
    const inv: Inventory = { namespaces: [], workloads: [], pods: [], nodes: [...nodes!].sort() };
    const seen = new Set<string>();
    const hubble = [...src!, ...dst!].map((v) => readLabels({ family: "hubble", metric: "", fn: "increase", fields: { x: { label: "v", read: "nsPod" } } }, { v }));
    const retina = adv.slice(0, 50_000).flatMap((labels) => ["source_", "destination_"].map((prefix) => readLabels({ family: "retina-adv", metric: "", fn: "increase", fields: { x: { label: prefix, read: "split" } } }, labels)));
    for (const read of [...hubble, ...retina].sort((a, b) => `${a.xNamespace}/${a.xPod}`.localeCompare(`${b.xNamespace}/${b.xPod}`))) {
      const ns = read.xNamespace, pod = read.xPod, wl = read.xWorkload ?? null;
      const v = `${ns}/${pod}`;
      if (!ns || !pod || seen.has(v)) continue;
      seen.add(v);
      if (!inv.namespaces.includes(ns)) inv.namespaces.push(ns);
      if (wl && !inv.workloads.some((w) => w.namespace === ns && w.workload === wl)) inv.workloads.push({ namespace: ns, workload: wl });
      inv.pods.push({ namespace: ns, workload: wl, pod });
    }
    return inv.namespaces.length ? inv : null;
  }

  /**
   * The first realization of the signal whose metric has samples in the window (the question's):
   * names the server knows are confirmed by a count over the window, since the names API answers
   * by storage block and a family that stopped reporting must not stand in for the one that
   * reports now. Asked once per signal and window.
   */
  realize(signal: Signal, window: { from: Date; to: Date }): Promise<Realization | null> {
    const key = `${signal}:${window.from.getTime()}-${window.to.getTime()}`;
    let found = this.realized.get(key);
    if (!found) {
      found = (async () => {
        const names = await this.client.metricNames(window);
        const seconds = Math.max(60, Math.round((window.to.getTime() - window.from.getTime()) / 1000));
        for (const r of SIGNALS[signal]) {
          if (!names.has(r.metric)) continue;
          const live = await this.client.instant(`count(last_over_time(${r.metric}[${seconds}s]))`, new Date(window.to.getTime() - 1));
          if ((live[0]?.value ?? 0) > 0) return r;
        }
        return null;
      })();
      found.catch(() => this.realized.delete(key));
      if (this.realized.size > 64) this.realized.clear();
      this.realized.set(key, found);
    }
    return found;
  }

  private readonly realized = new Map<string, Promise<Realization | null>>();

  /**
   * Whether the metrics reach back over (nearly all of) a window, so it can serve as the window
   * before: the earliest sample of any node-level series in it must be within its first tenth.
   */
  async covers(window: { from: Date; to: Date }): Promise<boolean> {
    const names = await this.client.metricNames(window);
    const metric = COVERAGE_METRICS.find((m) => names.has(m));
    if (!metric) return false;
    const seconds = Math.max(60, Math.round((window.to.getTime() - window.from.getTime()) / 1000));
    const earliest = await this.client.instant(`min(min_over_time(timestamp(${metric})[${seconds}s:60s]))`, new Date(window.to.getTime() - 1));
    const t = earliest[0]?.value;
    return t !== undefined && t * 1000 <= window.from.getTime() + (window.to.getTime() - window.from.getTime()) * 0.1;
  }

  /**
   * Rows of a metric template over a window: its groups with the measure, the scope applied.
   * Throws MetricsError when no family has the signal or the scope cannot be told from it.
   */
  async rows(t: MetricTemplate, scope: Predicate[], window: { from: Date; to: Date }, reporting: { from: Date; to: Date } = window): Promise<MetricResult> {
    // The family is the one reporting in `reporting` (the question's window, for the one before too).
    const r = await this.realize(t.signal, reporting);
    if (!r) throw new MetricsError(`no ${SIGNAL_WORDS[t.signal]} metrics on Prometheus at ${this.client.shown} (looked for ${SIGNALS[t.signal].map((x) => x.metric).join(", ")})`);
    const q = this.compile(r, t, scope, window);
    const promql = compilePromql(q);
    // A millisecond before the end: the range is (end - range, end], and the window is [from, to).
    const warnings: string[] = [];
    const samples = await this.client.instant(promql, new Date(window.to.getTime() - 1), warnings);
    // Labels read as flow fields; groups that read the same (pods of one workload) add up.
    // A side the family does not label (Hubble names only one side of a flow) reads as null;
    // a scope none of whose fields the family has cannot be honoured at all.
    const own = Object.keys(readLabels(r, {}));
    const fields = [...new Set([...own, ...t.groupBy, ...scope.flatMap(fieldsOf)])];
    const blind = scope.find((p) => !fieldsOf(p).some((f) => own.includes(f)));
    if (blind) throw new MetricsError(`${FAMILY_NAMES[r.family]} metrics (${r.metric}) cannot tell ${describe(blind)}`);
    const columns = [...t.groupBy, t.as];
    const filters = t.where.map(asPredicate).map((p) => ({ p, test: rowTest(p, fields) }));
    const unknown = filters.find((x) => x.test === null);
    if (unknown) throw new MetricsError(`${FAMILY_NAMES[r.family]} metrics (${r.metric}) cannot tell ${describe(unknown.p)}`);
    let uncertain = 0, blindOut = 0;
    const groups = new Map<string, Cell[]>();
    for (const s of samples) {
      const read = readLabels(r, s.labels);
      const full: Cell[] = fields.map((f) => read[f] ?? null);
      if (!filters.every((x) => x.test!(full)) || t.require.some((f) => !read[f])) continue;
      // Hubble's context names one side of a flow (ACNS: the source on egress, the destination on
      // ingress): a side left unnamed is unknown, so the scope is judged on the side that is named.
      // Retina advanced names both sides, but a side it could not resolve reads "unknown".
      const blindSides = new Set(Object.entries(r.fields).filter(([side, l]) => (l.read === "nsPod" && !s.labels[l.label]) || (l.read === "split" && !read[`${side}Pod`])).map(([side]) => side));
      // An unnamed side may complete a question that names both parties ("A can't reach B"); it
      // never lets in a flow whose named side is another party (another team's pods).
      const verdicts = scope.map((p) => ({ either: "any" in p && !namesBoth(p), v: judge(p, read, blindSides) }));
      if (verdicts.some(({ either, v }) => v === false || (either && v === null))) {
        if (verdicts.some(({ either, v }) => either && v === null) && !verdicts.some(({ v }) => v === false)) blindOut++;
        continue;
      }
      if (verdicts.some(({ v }) => v === null)) uncertain++;
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
    const unnamed = r.family === "retina-adv" ? `${FAMILY_NAMES[r.family]} metrics leave a side they could not resolve "unknown"` : `${FAMILY_NAMES[r.family]} metrics name only one side of each flow`;
    return { columns, rows, promql, family: FAMILY_NAMES[r.family], ...(warnings.length && { warnings }), ...((uncertain || blindOut) && { note: uncertain
      ? `${unnamed}: rows whose other side is not named are counted for the party the question names.`
      : `${unnamed}: what is seen only at the other end of its flows is not counted here.` }) };
  }

  /**
   * The template's series over time (query_range), each with its labels read as flow fields,
   * at `stepSeconds`: per step, how much a count grew in that step (or a gauge's average).
   */
  async series(t: MetricTemplate, scope: Predicate[], window: { from: Date; to: Date }, stepSeconds: number, reporting: { from: Date; to: Date } = window): Promise<{ promql: string; series: { fields: Record<string, Cell>; points: [number, number][] }[] }> {
    const r = await this.realize(t.signal, reporting);
    if (!r) return { promql: "", series: [] };
    // A range of at least two scrapes: over one step alone, a 60 s scrape leaves one sample and
    // increase() nothing. A count's increase over it is read back as per step.
    const range = Math.max(stepSeconds * 2, 120);
    const q = { ...this.compile(r, t, scope, window), rangeSeconds: range, ...(r.fn === "increase" && { scale: stepSeconds / range }) };
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
      for (const x of sideLabels(l)) by.add(x);
    }
    // Filters judged here (below) need their labels in the result too.
    for (const f of [...t.where.map((w) => w.field), ...t.require, ...scope.flatMap(fieldsOf)]) {
      const l = labelOf(r, f);
      if (l) for (const x of sideLabels(l)) by.add(x);
    }
    const matchers: LabelMatcher[] = [...(r.fixed ?? [])];
    for (const w of t.where) {
      const l = labelOf(r, w.field);
      if (!l || l.part) continue;
      if (l.read === "reason") matchers.push({ label: l.label, op: w.op === "notIn" || w.op === "neq" ? "notIn" : "in", values: reasonSpellings(w.values) });
      else if (l.read === "plain") matchers.push({ label: l.label, op: w.op, values: w.values });
    }
    // A channel's namespaces narrow each side's namespace label (judged exactly again below).
    for (const p of scope) {
      for (const [field, patterns] of accessSides(p)) {
        const l = labelOf(r, field);
        if (l?.read === "nsPod" && l.part === "Namespace") matchers.push({ label: l.label, op: "nsPodIn", values: patterns });
        if (l?.read === "split" && l.part === "Namespace") matchers.push({ label: `${l.label}namespace`, op: "nsIn", values: patterns });
      }
    }
    // A namespace in scope narrows a namespace/pod label to its prefix (the rest is exact, below).
    for (const p of scope) {
      if ("field" in p && p.op === "eq" && typeof p.value === "string") {
        const l = labelOf(r, p.field);
        if (l?.read === "nsPod" && l.part === "Namespace") matchers.push({ label: l.label, op: "prefix", values: [`${p.value}/`] });
        if (l?.read === "split" && l.part === "Namespace") matchers.push({ label: `${l.label}namespace`, op: "eq", values: [p.value] });
      }
    }
    const seconds = t.range ?? Math.max(60, Math.round((window.to.getTime() - window.from.getTime()) / 1000));
    return { metric: r.metric, matchers, fn: r.fn, rangeSeconds: seconds, by: [...by] };
  }
}

/** Retina advanced series whose context labels name the pods. */
const ADV_INVENTORY = ["networkobservability_adv_forward_count", "networkobservability_adv_drop_count"];

/** Series every family's agent reports steadily, for telling how far back the metrics reach. */
const COVERAGE_METRICS = ["networkobservability_forward_count", "networkobservability_adv_forward_count", "cilium_forward_count_total", "hubble_flows_processed_total", "hubble_drop_total", "hubble_tcp_flags_total", "hubble_dns_queries_total", "networkobservability_tcp_state"];

const SIGNAL_WORDS: Record<Signal, string> = {
  forwards: "forwarded-traffic", forwardBytes: "forwarded-bytes", drops: "drop", dropBytes: "dropped-bytes", dnsRequests: "DNS request", podDrops: "per-pod drop", podFlows: "per-pod flow", tcpState: "TCP state", dnsResponses: "DNS response", tcpFlags: "TCP flag", httpResponses: "HTTP response",
};

/** A scope predicate on a row: true, false, or null when it rests on a side the metrics do not name. */
function judge(p: Predicate, row: Record<string, string | null>, blind: Set<string>): boolean | null {
  if ("any" in p) {
    const vs = p.any.map((x) => judge(x, row, blind));
    return vs.some((v) => v === true) ? true : vs.some((v) => v === null) ? null : false;
  }
  if ("all" in p) {
    const vs = p.all.map((x) => judge(x, row, blind));
    return vs.some((v) => v === false) ? false : vs.some((v) => v === null) ? null : true;
  }
  if ("not" in p) {
    const v = judge(p.not, row, blind);
    return v === null ? null : !v;
  }
  const side = /^(src|dst)(Namespace|Workload|Pod)$/.exec(p.field)?.[1];
  if (side && blind.has(side)) return null;
  const test = rowTest(p, [p.field]);
  return test ? test([row[p.field] ?? null]) : null;
}

/**
 * The sides of an access predicate (playbooks/scope.ts accessPredicates: every end in the
 * channel's namespaces or no namespace) as field → patterns; nothing for any other predicate.
 */
function accessSides(p: Predicate): [string, string[]][] {
  if (!("all" in p)) return [];
  const out: [string, string[]][] = [];
  for (const side of p.all) {
    if (!("any" in side)) return [];
    const leaves = side.any.filter((x): x is Extract<Predicate, { field: string }> => "field" in x);
    const field = leaves[0]?.field;
    if (leaves.length !== side.any.length || !field || !/^(src|dst)Namespace$/.test(field) || leaves.some((x) => x.field !== field)) return [];
    if (!leaves.some((x) => x.op === "isNull")) return [];
    const patterns = leaves.flatMap((x) => (x.op === "eq" && typeof x.value === "string" ? [x.value] : x.op === "startsWith" && typeof x.value === "string" ? [`${x.value}*`] : []));
    if (patterns.length !== leaves.length - 1) return [];
    out.push([field, patterns]);
  }
  return out;
}

/** A scope that names both parties of a flow (each alternative holds a source and a destination field). */
function namesBoth(p: Predicate): boolean {
  return "any" in p && p.any.every((x) => { const f = fieldsOf(x); return f.some((n) => n.startsWith("src")) && f.some((n) => n.startsWith("dst")); });
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
