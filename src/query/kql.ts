import { FIELDS, KQL_FLOWS, KQL_LETS, TCP_FLAGS, type FieldName, type KqlLet } from "./fields.js";
import { BIN_SECONDS, BUCKET, fieldsUsed, orderOf, type FlowQuery, type Measure, type Predicate } from "./ir.js";
import { kqlDatetime, kqlNumber, kqlString } from "./escape.js";
import { LOG_ANALYTICS_TABLES } from "../model/flow-columns.js";

/**
 * Compile a FlowQuery to KQL over both Log Analytics tables (the table was renamed; old data
 * stays in RetinaNetworkFlowLogs). Dynamic columns are read the way Microsoft's own queries
 * read them; derived fields are `extend`ed under their IR names, so output columns match SQL.
 */
export function compileKql(q: FlowQuery): string {
  const used = fieldsUsed(q);
  const lets = new Set<KqlLet>();
  for (const f of used) for (const l of (FIELDS[f] as { kqlLets?: readonly KqlLet[] }).kqlLets ?? []) lets.add(l);
  if (used.includes("tcpFlags")) lets.add("L4");
  const derived = used.filter(isComputed);

  // A field's KQL name: derived fields were extended under their IR name.
  const ref = (f: FieldName) => (derived.includes(f) ? f : FIELDS[f].kql);
  const lit = (f: FieldName, v: string | number | boolean): string => {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return kqlNumber(v);
    return FIELDS[f].type === "time" ? kqlDatetime(new Date(v)) : kqlString(v);
  };
  const isText = (f: FieldName) => FIELDS[f].type === "string";

  const pred = (p: Predicate): string => {
    if ("any" in p) return `(${p.any.map(pred).join(" or ")})`;
    if ("all" in p) return `(${p.all.map(pred).join(" and ")})`;
    if ("not" in p) return `not(${pred(p.not)})`;
    const c = ref(p.field);
    switch (p.op) {
      case "eq": return `${c} == ${lit(p.field, p.value)}`;
      case "neq": return `${c} != ${lit(p.field, p.value)}`;
      case "gt": return `${c} > ${lit(p.field, p.value)}`;
      case "gte": return `${c} >= ${lit(p.field, p.value)}`;
      case "lt": return `${c} < ${lit(p.field, p.value)}`;
      case "lte": return `${c} <= ${lit(p.field, p.value)}`;
      case "startsWith": return `${c} startswith_cs ${kqlString(String(p.value))}`;
      case "contains": return `${c} contains_cs ${kqlString(String(p.value))}`;
      case "in": return `${c} in (${p.values.map((v) => lit(p.field, v)).join(", ")})`;
      case "notIn": return `${c} !in (${p.values.map((v) => lit(p.field, v)).join(", ")})`;
      case "isNull": return isText(p.field) ? `isempty(${c})` : `isnull(${c})`;
      case "notNull": return isText(p.field) ? `isnotempty(${c})` : `isnotnull(${c})`;
      case "hasFlag": {
        if (!(TCP_FLAGS as readonly string[]).includes(p.value)) throw new Error(`unknown TCP flag ${p.value}`);
        return `tobool(L4.TCP["flags"].${p.value}) == true`;
      }
    }
  };

  const measure = (m: Measure): string => {
    switch (m.fn) {
      case "flows": return `sum${KQL_FLOWS}`;
      case "flowsWhere": return `sumif(${KQL_FLOWS}, ${m.where.map(pred).join(" and ")})`;
      case "distinct": return `dcount(${ref(m.field)})`;
      case "min": case "max": case "avg": case "sum": return `${m.fn}(${ref(m.field)})`;
      case "p50": case "p95": case "p99": return `percentile(${ref(m.field)}, ${m.fn.slice(1)})`;
    }
  };

  const lines = [
    `union isfuzzy=true ${LOG_ANALYTICS_TABLES.join(", ")}`,
    `| where TimeGenerated >= ${kqlDatetime(q.window.from)} and TimeGenerated < ${kqlDatetime(q.window.to)}`,
  ];
  if (lets.size) lines.push(`| extend ${[...lets].map((l) => `${l} = ${KQL_LETS[l]}`).join(", ")}`);
  if (derived.length) lines.push(`| extend ${derived.map((f) => `${f} = ${FIELDS[f].kql}`).join(",\n    ")}`);
  for (const p of q.where) lines.push(`| where ${pred(p)}`);

  const by = [
    ...(q.bin ? [`${BUCKET} = bin(TimeGenerated, ${BIN_SECONDS[q.bin] / 60}m)`] : []),
    ...q.groupBy.map((f) => (derived.includes(f) ? f : `${f} = ${FIELDS[f].kql}`)),
  ];
  lines.push(`| summarize ${q.measures.map((m) => `${m.as} = ${measure(m)}`).join(", ")}${by.length ? ` by ${by.join(", ")}` : ""}`);
  lines.push(`| order by ${orderOf(q).map((o) => `${o.by} ${o.desc ? "desc" : "asc"}`).join(", ")}`);
  if (q.top) lines.push(`| take ${q.top}`);
  return lines.join("\n");
}

/** Fields whose KQL is an expression rather than a plain column. */
function isComputed(f: FieldName): boolean {
  return !/^[A-Za-z]+$/.test(FIELDS[f].kql);
}
