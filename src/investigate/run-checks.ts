import { ANALYZERS, type FindingDraft, type QueryRows, type Row } from "../analyze/index.js";
import { visible, type Cell, type Evidence, type Scope } from "../model/index.js";
import { scopePredicates, windows, type Check } from "../playbooks/index.js";
import type { MetricResult, MetricSource } from "../sources/prometheus/index.js";
import { compileKql, flowQuery, orderRows, rowTest, type FlowQuery, type FlowResult, type FlowSource, type Predicate } from "../query/index.js";

export interface CheckOutcome {
  check: Check;
  drafts: FindingDraft[];
  evidence: Evidence | null;
  /** The figures the check states when a question asks for them (see Analyzer.figures). */
  figures?: string | null;
  /** What the reader must know: a check that did not run and why, a side left unnamed, a warning (one sentence each). */
  notes?: string[];
  /** A metrics check: the family that answered ("Retina metrics"). */
  family?: string;
}

export interface RunContext {
  /** null: no flow logs configured (metrics alone), and flow checks are skipped. */
  source: FlowSource | null;
  scope: Scope;
  /** Whether the data reaches back before the question's window (else: no baseline). */
  hasBaseline: boolean;
  /** Prometheus, when configured. */
  metrics: MetricSource | null;
  /** Flow checks by id (a metric check's `sameAs`). */
  flowCheck?: (id: string) => Check | undefined;
}

const EVIDENCE_ROWS = 20;

/** Run one check: its queries over the window and the window before, then its analyzer. */
export async function runCheck(check: Check, ctx: RunContext): Promise<CheckOutcome> {
  if (check.source === "metrics") {
    if (!ctx.metrics) return { check, drafts: [], evidence: null, notes: [METRICS_OFF] };
    return runMetricCheck(check, ctx, ctx.metrics);
  }
  if (!ctx.source) return { check, drafts: [], evidence: null, notes: [FLOWS_OFF] };
  const source = ctx.source;
  try {
    const { current, baseline } = windows(ctx.scope);
    const scopeWhere = scopePredicates(ctx.scope, check.scope);
    const analyzer = ANALYZERS[check.analyze.name]!;
    const queries: Record<string, QueryRows> = {};
    const results: Record<string, { q: FlowQuery; result: FlowResult }> = {};
    const notes = new Set<string>();
    for (const [name, template] of Object.entries(check.queries)) {
      const q = (window: { from: Date; to: Date }) => flowQuery({ ...template, where: [...scopeWhere, ...template.where], window });
      const [nowResult, before] = await Promise.all([
        source.query(q(current)),
        ctx.hasBaseline && analyzer.usesBaseline !== false ? source.query(q(baseline)) : null,
      ]);
      for (const n of [...(nowResult.notes ?? []), ...(before?.notes ?? [])]) notes.add(n);
      const now = { q: q(current), result: nowResult };
      results[name] = now;
      queries[name] = { current: asRows(now.result), baseline: before ? asRows(before) : null };
    }
    const input = { queries, params: check.analyze.params, scope: ctx.scope };
    const drafts = analyzer.run(input);
    const figures = analyzer.figures?.(input) ?? null;
    const evidence = await evidenceOf(check, ctx, source, scopeWhere, results, notes);
    return { check, drafts, evidence, figures, ...(notes.size && { notes: [...notes] }) };
  } catch (e) {
    return { check, drafts: [], evidence: null, notes: [`check "${check.id}" failed: ${(e as Error).message.split("\n")[0]}`] };
  }
}

function asRows(r: FlowResult): Row[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
}

/** The check's table: its first (or named) query, narrowed to the check's trouble, top rows. */
async function evidenceOf(check: Check, ctx: RunContext, source: FlowSource, scopeWhere: Predicate[], ran: Record<string, { q: FlowQuery; result: FlowResult }>, notes: Set<string>): Promise<Evidence> {
  const name = check.present.table ?? Object.keys(check.queries)[0]!;
  const template = check.queries[name]!;
  const q: FlowQuery = flowQuery({
    ...template,
    where: [...scopeWhere, ...template.where, ...check.trouble],
    window: windows(ctx.scope).current,
    top: Math.min(template.top ?? EVIDENCE_ROWS, EVIDENCE_ROWS),
  });
  // The rows are at hand already when the trouble filters read only group keys and the query
  // was not cut short: the same groups, filtered and cut to the top rows.
  const at = ran[name]!.result;
  const tests = check.trouble.map((p) => rowTest(p, at.columns));
  const complete = template.top === undefined || at.rows.length < template.top;
  const result: FlowResult =
    complete && tests.every((t) => t !== null)
      ? { columns: at.columns, rows: orderRows(at.columns, at.rows.filter((row) => tests.every((t) => t!(row))), q).slice(0, EVIDENCE_ROWS), ...(source.explain && { sql: source.explain(q) }), ...(at.notes && { notes: at.notes }) }
      : await source.query(q);
  for (const n of result.notes ?? []) notes.add(n);
  const keep = (check.present.columns ?? result.columns).filter((c) => result.columns.includes(c));
  const idx = keep.map((c) => result.columns.indexOf(c));
  const kql = compileKql(q);
  const portal = source.portalLink?.(kql);
  return {
    title: check.title,
    columns: keep,
    rows: result.rows.slice(0, EVIDENCE_ROWS).map((row) => idx.map((i) => readable(row[i] ?? null))),
    query: { ...(result.sql && { sql: result.sql }), kql, ...(portal && { portal }) },
  };
}

/** Percentiles and averages come back with float noise (4143.835800049999): one decimal reads. */
function readable(c: Cell): Cell {
  if (typeof c === "string") return visible(c);
  return typeof c === "number" && !Number.isInteger(c) ? Math.round(c * 10) / 10 : c;
}

/**
 * Rows with another signal's measure as a column, matched on the groups (a group only the other
 * has is kept, its first measure 0); both PromQL, one a line, so each column can be rerun.
 */
function joinColumn(main: MetricResult, other: MetricResult | null, as: string, groups: number): MetricResult {
  const key = (row: Cell[]) => JSON.stringify(row.slice(0, groups));
  const width = main.columns.length;
  const rows = new Map(main.rows.map((r) => [key(r), [...r, other ? 0 : null] as Cell[]]));
  for (const r of other?.rows ?? []) {
    const row = rows.get(key(r)) ?? [...r.slice(0, groups), ...new Array<Cell>(width - groups).fill(0), 0];
    row[width] = r[r.length - 1] ?? 0;
    rows.set(key(r), row);
  }
  const warnings = [...(main.warnings ?? []), ...(other?.warnings ?? [])];
  const note = main.note ?? other?.note;
  return {
    ...main,
    columns: [...main.columns, as],
    rows: [...rows.values()],
    promql: other ? `${main.promql}\n${other.promql}` : main.promql,
    ...(warnings.length && { warnings }),
    ...(note && { note }),
  };
}

/** Said once in a Report when checks of a kind could not run. */
export const METRICS_OFF = "Prometheus not configured: metric checks skipped (pass --prometheus URL or set PROMETHEUS_URL).";
export const FLOWS_OFF = "No flow logs configured: flow-log checks skipped (pass --flows FILE, --store PATH or --workspace ID).";

/**
 * A metric check: each metric query over the window and the window before (PromQL on
 * Prometheus), the rows judged by the same analyzer as flows, the PromQL as evidence.
 */
async function runMetricCheck(check: Check, ctx: RunContext, metrics: MetricSource): Promise<CheckOutcome> {
  try {
    const { current, baseline } = windows(ctx.scope);
    const scopeWhere = scopePredicates(ctx.scope, check.scope);
    const analyzer = ANALYZERS[check.analyze.name]!;
    const queries: Record<string, QueryRows> = {};
    const ran: Record<string, Awaited<ReturnType<MetricSource["rows"]>>> = {};
    const missing: string[] = [];
    for (const [name, template] of Object.entries(check.metrics)) {
      // The family is the one reporting in the question's window, for the window before too; that
      // counts only when the metrics reach back over it (ctx.hasBaseline).
      const both = (t: typeof template) => Promise.all([
        metrics.rows(t, scopeWhere, current),
        ctx.hasBaseline && analyzer.usesBaseline !== false ? metrics.rows(t, scopeWhere, baseline, current) : null,
      ]);
      let [now, before] = await both(template);
      for (const more of template.also) {
        const got = await both({ ...template, signal: more.signal, as: more.as, also: [] }).catch((e: Error) => {
          // A column the family lacks (Hubble counts no bytes) is left empty when it may be.
          if (more.optional && e.name === "MetricsError") return null;
          throw e;
        });
        if (!got) missing.push(more.as);
        now = joinColumn(now, got?.[0] ?? null, more.as, template.groupBy.length);
        before = before && joinColumn(before, got?.[1] ?? null, more.as, template.groupBy.length);
      }
      ran[name] = now;
      queries[name] = { current: asRows(now), baseline: before ? asRows(before) : null };
    }
    const input = { queries, params: check.analyze.params, scope: ctx.scope };
    const drafts = analyzer.run(input);
    const figures = analyzer.figures?.(input) ?? null;
    const name = check.present.table ?? Object.keys(check.metrics)[0]!;
    const table = ran[name]!;
    const keep = (check.present.columns ?? table.columns).filter((c) => table.columns.includes(c));
    const idx = keep.map((c) => table.columns.indexOf(c));
    // The same figure in flow logs, as KQL to run in Log Analytics beside the PromQL.
    const twin = check.present.sameAs ? ctx.flowCheck?.(check.present.sameAs) : undefined;
    const twinQuery = twin && Object.values(twin.queries)[0];
    const kql = twin && twinQuery
      ? compileKql(flowQuery({ ...twinQuery, where: [...scopePredicates(ctx.scope, twin.scope), ...twinQuery.where, ...twin.trouble], window: current, top: Math.min(twinQuery.top ?? EVIDENCE_ROWS, EVIDENCE_ROWS) }))
      : null;
    const evidence: Evidence = {
      title: `${check.title} (${table.family} metrics)`,
      columns: keep,
      rows: table.rows.slice(0, EVIDENCE_ROWS).map((row) => idx.map((i) => readable(row[i] ?? null))),
      query: { promql: table.promql, ...(kql && { kql }) },
    };
    const said = [...new Set(Object.values(ran).map((x) => x.note).filter((n): n is string => !!n))];
    if (missing.length) said.push(`${table.family} metrics report no ${missing.join(" or ")}: ${missing.length > 1 ? "those columns are" : "that column is"} empty in "${check.title}".`);
    const warnings = [...new Set(Object.values(ran).flatMap((x) => x.warnings ?? []))];
    if (warnings.length) said.push(`Prometheus warned: ${warnings.join("; ")}.`);
    return { check, drafts, evidence, figures, family: `${table.family} metrics`, ...(said.length && { notes: said }) };
  } catch (e) {
    const message = (e as Error).message.split("\n")[0];
    return { check, drafts: [], evidence: null, notes: [(e as Error).name === "MetricsError" ? `"${check.title}" skipped: ${message}.` : `check "${check.id}" failed: ${message}`] };
  }
}
