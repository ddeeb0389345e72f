import { z } from "zod";
import { thousands } from "../model/text.js";
import type { Severity } from "../model/index.js";
import { keyOf, num, rollup, str, queryOf } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Row } from "./types.js";

const params = z
  .object({
    query: z.string().default("main"),
    /** A workload needs this much traffic before its balance means anything. */
    minFlows: z.number().default(100),
    /** Hot pod's share against the fair share (1/pods) that counts as imbalance. */
    minSkew: z.number().default(1.6),
    /** And the share must exceed the fair share by at least this much (0.15 = 15 points). */
    minExcess: z.number().default(0.15),
  })
  .strict();

const WORKLOAD = ["dstNamespace", "dstWorkload"];

/** A pod's share of its workload's incoming traffic against a fair share. */
export const shareImbalance: Analyzer<typeof params> = {
  name: "shareImbalance",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "shareImbalance");
    const shares = (rows: Row[]) => {
      const out = new Map<string, { total: number; pods: Map<string, number>; row: Row }>();
      for (const [k, g] of rollup(rows.filter((r) => r.dstPod && r.dstWorkload), keyOf(WORKLOAD), "flows")) {
        const pods = new Map<string, number>();
        for (const r of g.rows) pods.set(String(r.dstPod), (pods.get(String(r.dstPod)) ?? 0) + num(r.flows));
        out.set(k, { total: g.total, pods, row: g.rows[0]! });
      }
      return out;
    };
    const before = q.baseline ? shares(q.baseline) : null;
    const drafts: FindingDraft[] = [];
    for (const [k, w] of shares(q.current)) {
      // Pods with a sliver of the traffic (just started, or leaving) do not set the fair share.
      const pods = [...w.pods].filter(([, n]) => n >= w.total * 0.01).sort((a, b) => b[1] - a[1]);
      if (w.total < p.minFlows || pods.length < 2) continue;
      const [hot, hotFlows] = pods[0]!;
      const share = hotFlows / w.total, fair = 1 / pods.length;
      if (share / fair < p.minSkew || share - fair < p.minExcess) continue;
      const b = before?.get(k);
      const baseShare = b ? (b.pods.get(hot) ?? 0) / b.total : null;
      const severity: Severity = before === null || baseShare === null ? "warning" : share - baseShare >= p.minExcess ? (share / fair >= 2.5 ? "critical" : "warning") : "info";
      const pct = (x: number) => Math.round(x * 1000) / 10;
      const subject = { namespace: str(w.row.dstNamespace), workload: str(w.row.dstWorkload), pod: hot };
      const draft = {
        kind: "traffic_imbalance" as const, severity, subject, peer: null, reason: null,
        value: pct(share), unit: "% of workload traffic", baseline: baseShare === null ? null : pct(baseShare),
        facts: { fairPct: pct(fair), pods: pods.length, flows: w.total },
      };
      const inWorkload = [{ field: "dstNamespace" as const, op: "eq" as const, value: subject.namespace ?? "" }, { field: "dstWorkload" as const, op: "eq" as const, value: subject.workload ?? "" }];
      drafts.push({
        ...draft, title: titleOf(draft),
        // Ranked on how far the share moved, in points: a share is not a count.
        score: score("traffic_imbalance", severity, pct(share) * 10, baseShare === null ? null : pct(baseShare) * 10),
        match: [...inWorkload, { field: "dstPod", op: "eq", value: hot }],
        timeline: {
          series: [
            { name: hot, where: [...inWorkload, { field: "dstPod", op: "eq", value: hot }] },
            { name: `other ${subject.workload} pods`, where: [...inWorkload, { field: "dstPod", op: "neq", value: hot }] },
          ],
          trouble: "share",
        },
        bars: { title: `Share of ${subject.workload}'s incoming traffic by pod`, unit: "%", categories: pods.map(([n]) => n), values: pods.map(([, n]) => pct(n / w.total)), highlight: [hot] },
      });
    }
    return drafts;
  },
  figures({ queries, params: p, scope }) {
    const rows = queryOf(queries, p.query, "shareImbalance").current.filter((r) => r.dstPod && r.dstWorkload);
    const workloads = [...rollup(rows, keyOf(WORKLOAD), "flows").values()];
    // The workload asked about, else the busiest of the namespace asked about that has pods to balance.
    const asked = workloads.find((g) => g.rows[0]!.dstWorkload === scope.workload && (!scope.namespace || g.rows[0]!.dstNamespace === scope.namespace));
    const several = (g: (typeof workloads)[number]) => new Set(g.rows.map((r) => r.dstPod)).size >= 2;
    const inNamespace = workloads.filter((g) => (!scope.namespace || g.rows[0]!.dstNamespace === scope.namespace) && several(g));
    const w = asked ?? inNamespace.sort((a, b) => b.total - a.total)[0];
    if (!w || w.total === 0) return "no incoming flows to a workload's pods in this window";
    const pods = [...rollup(w.rows, (r) => String(r.dstPod), "flows")].map(([pod, g]) => ({ pod, share: g.total / w.total })).sort((a, b) => b.share - a.share);
    const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
    const shown = pods.slice(0, 6).map((x) => `${x.pod} ${pct(x.share)}`).join(", ") + (pods.length > 6 ? ` and ${pods.length - 6} more` : "");
    return `${shown} of ${str(w.rows[0]!.dstNamespace)}/${str(w.rows[0]!.dstWorkload)}'s ${thousands(w.total)} incoming flows (${pods.length} pod${pods.length === 1 ? "" : "s"}, fair share ${pct(1 / pods.length)})`;
  },
};
