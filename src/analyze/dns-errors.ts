import { z } from "zod";
import type { Severity } from "../model/index.js";
import type { FieldName } from "../query/index.js";
import { matchOf } from "./party.js";
import { keyOf, num, rollup, str, queryOf } from "./rows.js";
import { change, score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Row } from "./types.js";

const params = z
  .object({
    query: z.string().default("responses"),
    minValue: z.number().default(10),
    minRatio: z.number().default(3),
    /** With no window before to compare with, a name answered with an error this often is still critical. */
    overwhelming: z.number().min(0).max(1).default(0.5),
  })
  .strict();

// Columns of the responses query: the client is the response's destination.
const CLIENT_NS = "dstNamespace", CLIENT = "dstWorkload", SERVER_NS = "srcNamespace", SERVER = "srcWorkload";
const KEY: FieldName[] = [CLIENT_NS, CLIENT, "dnsRcode", "dnsQuery"];

/**
 * DNS error responses by client, rcode and name. Kubernetes' search-path expansion (ndots:5)
 * makes every external lookup try `<name>.<ns>.svc.cluster.local.` and friends first; those
 * NXDOMAINs are noise when the name itself resolves, so they are reported as info, never as
 * a root cause.
 */
export const dnsErrors: Analyzer<typeof params> = {
  name: "dnsErrors",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "dnsErrors");
    const all = [...q.current, ...(q.baseline ?? [])];
    const resolved = resolvedBases(all);
    const isNoise = (r: Row) => r.dnsRcode === "NXDOMAIN" && expandsResolvedName(str(r.dnsQuery) ?? "", resolved);
    const errors = (rows: Row[]) => rows.filter((r) => r.dnsRcode && r.dnsRcode !== "NOERROR");

    const drafts: FindingDraft[] = [];
    const base = q.baseline ? rollup(errors(q.baseline), keyOf(KEY), "flows") : null;
    const noise = new Map<string, { row: Row; total: number; baseline: number }>();
    for (const [k, g] of rollup(errors(q.current), keyOf(KEY), "flows")) {
      const row = g.rows[0]!;
      const baseline = base ? (base.get(k)?.total ?? 0) : null;
      if (isNoise(row)) {
        const client = keyOf([CLIENT_NS, CLIENT])(row);
        const n = noise.get(client) ?? { row, total: 0, baseline: 0 };
        n.total += g.total;
        n.baseline += baseline ?? 0;
        noise.set(client, n);
        continue;
      }
      if (g.total < p.minValue) continue;
      const c = change(g.total, baseline, p.minRatio);
      if (c === "decreased") continue;
      const qtypes = [...new Set(g.rows.map((r) => str(r.dnsQtypes)).filter(Boolean))].join(",");
      const answered = q.current.filter((r) => r.dnsQuery === row.dnsQuery && r.dnsRcode === "NOERROR" && keyOf([CLIENT_NS, CLIENT])(r) === keyOf([CLIENT_NS, CLIENT])(row));
      // Nothing to compare with: critical only when most answers for the name are this error.
      const failingShare = g.total / (g.total + answered.reduce((s, r) => s + num(r.flows), 0));
      const severity: Severity = c === "steady" ? "info" : c === "unknown" ? (failingShare >= p.overwhelming ? "critical" : "warning") : "critical";
      const okTypes = [...new Set(answered.map((r) => str(r.dnsQtypes)).filter(Boolean))].join(",");
      const server = topServer(g.rows);
      const draft = {
        kind: "dns_errors" as const, severity,
        subject: { namespace: str(row[CLIENT_NS]), workload: str(row[CLIENT]) },
        peer: server, reason: str(row.dnsRcode), query: str(row.dnsQuery),
        value: g.total, unit: "responses", baseline,
        facts: { ...(qtypes && { qtypes }), ...(okTypes && { answeredTypes: okTypes }), ...(baseline === null && { noBaseline: 1 }) },
      };
      drafts.push({ ...draft, title: titleOf(draft), match: matchOf(row, KEY), score: score("dns_errors", severity, g.total, baseline) });
    }
    // Search-path noise: one info line per client, kept low whatever its size.
    const top = [...noise.values()].sort((a, b) => b.total - a.total).slice(0, 2);
    for (const n of top) {
      if (n.total < p.minValue) continue;
      const subject = { namespace: str(n.row[CLIENT_NS]), workload: str(n.row[CLIENT]) };
      drafts.push({
        kind: "dns_errors", severity: "info", subject, peer: topServer([n.row]), reason: "NXDOMAIN", query: null,
        value: n.total, unit: "responses", baseline: q.baseline ? n.baseline : null,
        title: `${subject.namespace}/${subject.workload}: NXDOMAIN from search-path expansion (ndots:5); the names resolve, so this is normal noise, not a root cause`,
        facts: { noise: "search-path" },
        match: [...matchOf(n.row, [CLIENT_NS, CLIENT]), { field: "dnsRcode", op: "eq", value: "NXDOMAIN" }],
        score: 100 + Math.min(Math.log10(n.total + 1), 6),
      });
    }
    return drafts;
  },
};

function topServer(rows: Row[]): { namespace: string | null; workload: string | null } | null {
  const r = [...rows].sort((a, b) => num(b.flows) - num(a.flows))[0];
  return r ? { namespace: str(r[SERVER_NS]), workload: str(r[SERVER]) } : null;
}

const CLUSTER_SUFFIX = /\.svc\.cluster\.local\.?$/;

/** Every name that resolved, in the forms a search-path expansion starts from. */
function resolvedBases(rows: Row[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) {
    if (r.dnsRcode !== "NOERROR") continue;
    const name = (str(r.dnsQuery) ?? "").replace(/\.$/, "");
    if (!name) continue;
    out.add(name);
    // "orders.pets.svc.cluster.local" is what "orders.pets" expands to.
    if (CLUSTER_SUFFIX.test(name)) out.add(name.replace(CLUSTER_SUFFIX, ""));
  }
  return out;
}

/** True when `query` is some resolved name with a search domain appended. */
export function expandsResolvedName(query: string, resolved: Set<string>): boolean {
  const labels = query.replace(/\.$/, "").split(".");
  for (let i = 1; i < labels.length; i++) if (resolved.has(labels.slice(0, i).join("."))) return true;
  return false;
}
