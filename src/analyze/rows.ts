import { visible, type Cell } from "../model/index.js";
import type { QueryRows, Row } from "./types.js";

/** A check's named query; a playbook naming one it lacks is a bug worth a clear error. */
export function queryOf(queries: Record<string, QueryRows>, name: string, analyzer: string): QueryRows {
  const q = queries[name];
  if (!q) throw new Error(`${analyzer}: no query named ${name}`);
  return q;
}

export const num = (v: Cell | undefined): number => (typeof v === "number" ? v : v == null ? 0 : Number(v) || 0);
export const str = (v: Cell | undefined): string | null => (v === null || v === undefined || v === "" ? null : String(v));

/** Sum a measure over rows grouped by a key; the first row of each group is kept as a sample. */
export function rollup(rows: Row[], key: (r: Row) => string, measure: string): Map<string, { total: number; rows: Row[] }> {
  const out = new Map<string, { total: number; rows: Row[] }>();
  for (const r of rows) {
    const k = key(r);
    const g = out.get(k) ?? { total: 0, rows: [] };
    g.total += num(r[measure]);
    g.rows.push(r);
    out.set(k, g);
  }
  return out;
}

/** Items by a key, in first-seen order (Map.groupBy needs Node 21). */
export function groupBy<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
}

export const keyOf = (cols: string[]) => (r: Row) => JSON.stringify(cols.map((c) => r[c] ?? null));

/** The combination of `cols` that weighs most by `measure`, with a sample row and its total. */
export function heaviest(rows: Row[], cols: string[], measure: string): { row: Row; total: number } | null {
  let best: { row: Row; total: number } | null = null;
  for (const g of rollup(rows, keyOf(cols), measure).values()) if (!best || g.total > best.total) best = { row: g.rows[0]!, total: g.total };
  return best;
}

export function label(p: { namespace?: string | null; workload?: string | null; pod?: string | null; node?: string | null; reserved?: string | null }): string {
  return visible(plainLabel(p));
}

function plainLabel(p: { namespace?: string | null; workload?: string | null; pod?: string | null; node?: string | null; reserved?: string | null }): string {
  if (p.pod) return p.namespace ? `${p.namespace}/${p.pod}` : p.pod;
  if (p.workload) return p.namespace ? `${p.namespace}/${p.workload}` : p.workload;
  if (p.node) return `node ${p.node}`;
  if (p.namespace) return `namespace ${p.namespace}`;
  return reservedLabel(p.reserved ?? null);
}

/** An endpoint that is not a pod, by its Cilium reserved identity. */
export function reservedLabel(reserved: string | null): string {
  switch (reserved) {
    case "world": return "outside the cluster (world)";
    case "host": return "a node's host network (host)";
    case "remote-node": return "another node (remote-node)";
    case "kube-apiserver": return "the Kubernetes API server (kube-apiserver)";
    case null: return "an endpoint with no name or identity";
    default: return `identity reserved:${reserved}`;
  }
}
