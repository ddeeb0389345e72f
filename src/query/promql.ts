import { z } from "zod";
import type { Predicate } from "./ir.js";

/**
 * A metric query as data, compiled to PromQL here and only here. Label names and metric names
 * are checked against Prometheus' own grammar; label values (which may come from a question
 * or from the data) become escaped string literals, and regex alternatives are RE2-escaped
 * first, so no value can change a query's structure.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const LabelMatcher = z
  .object({
    label: z.string().regex(LABEL_NAME, "a label name is letters, digits and _"),
    /**
     * eq/neq: one value; in/notIn: any of the values (a regex of escaped alternatives); prefix: a
     * prefix. nsIn / nsPodIn: a channel's namespace patterns ("shop", "shop-*") on a label that
     * holds a namespace, or "namespace/pod"; an empty or unresolved side also matches.
     */
    op: z.enum(["eq", "neq", "in", "notIn", "prefix", "nsIn", "nsPodIn"]),
    values: z.array(z.string()).min(1),
  })
  .strict()
  .refine((m) => !(m.op === "nsIn" || m.op === "nsPodIn") || m.values.every((v) => /^[a-z0-9][a-z0-9-]*\*?$/.test(v)), "namespace patterns are names or prefixes ending in *");
export type LabelMatcher = z.infer<typeof LabelMatcher>;

export const MetricQuery = z
  .object({
    metric: z.string().regex(METRIC_NAME, "a metric name is letters, digits, _ and :"),
    matchers: z.array(LabelMatcher).default([]),
    /**
     * increase: how much a cumulative count grew over the range (Retina's gauges of
     * cumulative counts and Hubble's counters alike); avg/max: a gauge over the range.
     */
    fn: z.enum(["increase", "avg_over_time", "max_over_time"]),
    /** Seconds the function looks back over: the window. */
    rangeSeconds: z.number().int().min(1).max(366 * 86400),
    /** `sum by` labels (avg for gauges). */
    by: z.array(z.string().regex(LABEL_NAME)).default([]),
    top: z.number().int().min(1).max(10000).optional(),
    /** A factor on the result: an increase over a longer range read as per step. */
    scale: z.number().positive().finite().optional(),
  })
  .strict();
export type MetricQuery = z.infer<typeof MetricQuery>;

const PROMQL_ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A PromQL double-quoted string literal (Go escapes); every other character is itself. */
export function promqlString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => PROMQL_ESCAPES[c]!)}"`;
}

/** RE2 metacharacters escaped: the value matches only itself inside a regex matcher. */
export function re2Literal(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

function matcherText(m: LabelMatcher): string {
  const alternatives = (values: string[]) => values.map(re2Literal).join("|");
  switch (m.op) {
    case "eq":
      return `${m.label}=${promqlString(m.values[0]!)}`;
    case "neq":
      return `${m.label}!=${promqlString(m.values[0]!)}`;
    case "in":
      return m.values.length === 1 ? `${m.label}=${promqlString(m.values[0]!)}` : `${m.label}=~${promqlString(alternatives(m.values))}`;
    case "notIn":
      return `${m.label}!~${promqlString(alternatives(m.values))}`;
    case "prefix":
      return `${m.label}=~${promqlString(`(${alternatives(m.values)}).*`)}`;
    case "nsIn":
    case "nsPodIn": {
      // Patterns are names and prefixes (checked above): no regex metacharacter but the glob.
      const tail = m.op === "nsPodIn" ? "/.*" : "";
      const alts = m.values.map((v) => (v.endsWith("*") ? `${v.slice(0, -1)}${m.op === "nsPodIn" ? "[^/]*" : ".*"}${tail}` : `${v}${tail}`));
      return `${m.label}=~${promqlString([...alts, ...(m.op === "nsIn" ? ["unknown"] : []), ""].join("|"))}`;
    }
  }
}

/** The selector alone: `metric{label="value",…}`. */
export function compileSelector(metric: string, matchers: LabelMatcher[]): string {
  if (!METRIC_NAME.test(metric)) throw new Error(`not a metric name: ${metric}`);
  const parts = matchers.map((m) => matcherText(LabelMatcher.parse(m)));
  return parts.length ? `${metric}{${parts.join(", ")}}` : metric;
}

export function compilePromql(input: MetricQuery): string {
  const q = MetricQuery.parse(input);
  const inner = `${q.fn}(${compileSelector(q.metric, q.matchers)}[${q.rangeSeconds}s])`;
  const agg = q.fn === "increase" ? "sum" : "avg";
  const grouped = `${agg} by (${q.by.join(", ")}) (${inner})`;
  const scaled = q.scale !== undefined && q.scale !== 1 ? `${grouped} * ${Number(q.scale.toPrecision(6))}` : grouped;
  return q.top ? `topk(${q.top}, ${scaled})` : scaled;
}

const MetricSignal = z.enum(["forwards", "forwardBytes", "drops", "dropBytes", "podDrops", "podFlows", "tcpState", "dnsRequests", "dnsResponses", "tcpFlags", "httpResponses"]);

/** A metric check's query as a playbook writes it: a signal, its groups and label filters, in flow-field words. */
export const MetricTemplate = z
  .object({
    signal: z.lazy(() => MetricSignal),
    groupBy: z.array(z.string().regex(/^[a-z][A-Za-z]*$/)).min(1),
    where: z.array(z.object({ field: z.string(), op: z.enum(["eq", "neq", "in", "notIn"]), values: z.array(z.string()).min(1) }).strict()).default([]),
    /** Seconds looked back from each window's end, when the last minutes tell more than the whole window (a node gone silent). */
    range: z.number().int().min(60).max(86400).optional(),
    /** Groups missing one of these are left out (Hubble names a pod only on the side its context covers). */
    require: z.array(z.string()).default([]),
    /** The measure's name in the rows the analyzer reads. */
    as: z.string().regex(/^[a-z][A-Za-z0-9]*$/).default("flows"),
    /**
     * More signals over the same groups, each a column of the same rows (requests beside
     * responses, bytes beside packets). One the server lacks skips the check, unless `optional`:
     * then its column is empty and the notes say so.
     */
    also: z.array(z.object({ signal: z.lazy(() => MetricSignal), as: z.string().regex(/^[a-z][A-Za-z0-9]*$/), optional: z.boolean().default(false) }).strict()).default([]),
  })
  .strict();
export type MetricTemplate = z.output<typeof MetricTemplate>;


/** A template's label filter as a flow predicate (rows of metrics are read in flow-field words). */
export function asPredicate(w: MetricTemplate["where"][number]): Predicate {
  return (w.op === "eq" || w.op === "neq" ? { field: w.field, op: w.op, value: w.values[0]! } : { field: w.field, op: w.op, values: w.values }) as Predicate;
}
