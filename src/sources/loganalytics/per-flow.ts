import type { Cell } from "../../model/index.js";
import type { FieldName } from "../../query/index.js";
import { fieldsUsed, type FlowQuery, type Predicate } from "../../query/ir.js";

/**
 * Fields that stored Log Analytics rows lose: the workspace keeps flows aggregated over 30 s
 * windows and drops per-flow attributes (network-data.md §1.1). The one list of them.
 */
export const PER_FLOW_FIELDS: Partial<Record<FieldName, string>> = {
  dnsQuery: "DNS query names",
  dnsQtypes: "DNS query types",
  httpUrl: "HTTP URLs",
  tcpFlags: "TCP flags",
  srcIp: "pod IPs",
  dstIp: "pod IPs",
  srcPort: "source ports",
  // Not in the aggregation key either (namespaces and workloads are).
  srcPod: "pod names",
  dstPod: "pod names",
};

/**
 * Notes for per-flow fields a query depends on that came back empty: a grouped field whose
 * every value is null or "", or a field only filtered on (not with isNull) and no row at all.
 * So a reply does not show an empty table as if all were fine.
 */
export function perFlowNotes(q: FlowQuery, columns: string[], rows: Cell[][]): string[] {
  const lacking = new Set<string>();
  const filteredAway = new Set<string>();
  for (const f of fieldsUsed(q)) {
    const what = PER_FLOW_FIELDS[f];
    if (!what) continue;
    const i = columns.indexOf(f);
    if (i >= 0) {
      if (rows.length > 0 && rows.every((r) => r[i] === null || r[i] === "" || r[i] === undefined)) lacking.add(what);
    } else if (rows.length === 0 && filtersOn(q.where, f)) {
      filteredAway.add(what);
    }
  }
  return [
    ...[...lacking].map((what) => `The workspace's aggregated logs lack ${what} (Log Analytics stores flows aggregated over 30 s, without per-flow fields), so that column is empty: this does not mean all is well.`),
    ...[...filteredAway].filter((what) => !lacking.has(what)).map((what) => `Nothing matched ${what} in the workspace, whose aggregated logs may lack ${what} (Log Analytics stores flows aggregated over 30 s, without per-flow fields): this does not mean all is well.`),
  ];
}

function filtersOn(where: Predicate[], f: FieldName): boolean {
  return where.some((p) => ("any" in p ? filtersOn(p.any, f) : "all" in p ? filtersOn(p.all, f) : "not" in p ? filtersOn([p.not], f) : p.field === f && p.op !== "isNull"));
}
