import { z } from "zod";
import type { Severity } from "../model/index.js";
import type { Predicate } from "../query/index.js";
import { groupBy, keyOf, num, str } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Row } from "./types.js";

const params = z
  .object({
    /** Requests and responses per DNS server pod. */
    byPod: z.string().default("byPod"),
    /** Requests and responses per DNS server workload and query name. */
    byName: z.string().default("byName"),
    minValue: z.number().default(20),
    /** Share of requests left unanswered that counts as trouble. */
    minMissing: z.number().min(0).max(1).default(0.2),
    /** A pod or a name leaving this share unanswered is where the trouble sits. */
    silent: z.number().min(0).max(1).default(0.5),
  })
  .strict();

const WORKLOAD = ["dnsServerNamespace", "dnsServerWorkload"] as const;
const missing = (rows: Row[]) => rows.reduce((s, r) => s + Math.max(num(r.requests) - num(r.responses), 0), 0);
const sum = (rows: Row[], m: string) => rows.reduce((s, r) => s + num(r[m]), 0);

/**
 * DNS requests that get no response, per DNS server workload (CoreDNS, node-local-dns):
 * one finding for the workload, naming the pod when one pod alone stops answering, and
 * the query names when the unanswered lookups are of a few names (an upstream that stopped
 * answering for them, on every pod).
 */
export const missingResponses: Analyzer<typeof params> = {
  name: "missingResponses",
  params,
  run({ queries, params: p }) {
    const pods = queries[p.byPod], names = queries[p.byName];
    if (!pods || !names) throw new Error(`missingResponses: needs a ${p.byPod} and a ${p.byName} query`);
    const key = keyOf([...WORKLOAD]);
    const baseByWorkload = pods.baseline ? groupBy(pods.baseline, key) : null;
    const namesOf = groupBy(names.current, key);
    const drafts: FindingDraft[] = [];
    const baseNames = names.baseline ? groupBy(names.baseline, key) : null;
    for (const [k, rows] of groupBy(pods.current, key)) {
      const requests = sum(rows, "requests");
      const lostAll = missing(rows);
      // One pod silent while the others answer: that pod is the fault.
      const silentPods = rows.filter((r) => num(r.requests) > 0 && missing([r]) / num(r.requests) >= p.silent).sort((a, b) => missing([b]) - missing([a]));
      const onePod = silentPods.length === 1 && rows.length > 1 && missing(silentPods) >= 0.8 * lostAll ? str(silentPods[0]!.dnsServerPod) : null;
      // Lookups of a few names left unanswered on every pod (an upstream that stopped answering
      // for them): those names are the fault, however small a share of all lookups they are.
      const byQuery = groupBy((namesOf.get(k) ?? []).filter((r) => str(r.dnsQuery)), (r) => String(r.dnsQuery));
      const failing = [...byQuery].map(([query, rs]) => ({ query, qtypes: [...new Set(rs.map((r) => str(r.dnsQtypes)).filter(Boolean))].sort().join(","), lost: missing(rs), asked: sum(rs, "requests") }))
        .filter((x) => x.lost >= 3 && x.asked > 0 && x.lost / x.asked >= p.silent)
        .sort((a, b) => b.lost - a.lost || a.query.localeCompare(b.query));
      const wide = lostAll >= p.minValue && requests > 0 && lostAll / requests >= p.minMissing;
      const namesLost = failing.reduce((s, x) => s + x.lost, 0);
      const named = !onePod && failing.length > 0 && failing.length <= 5 && (wide ? namesLost >= 0.5 * lostAll : namesLost >= p.minValue) ? failing : [];
      if (!wide && named.length === 0) continue;
      // A finding about names counts those names' lookups; else every lookup the workload got.
      const inNames = (r: Row) => named.some((x) => x.query === r.dnsQuery);
      const lost = named.length ? namesLost : lostAll;
      const asked = named.length ? named.reduce((s, x) => s + x.asked, 0) : requests;
      const share = lost / asked;
      const base = named.length ? (baseNames ? (baseNames.get(k) ?? []).filter(inNames) : null) : baseByWorkload ? (baseByWorkload.get(k) ?? []) : null;
      const baseShare = base ? (sum(base, "requests") ? missing(base) / sum(base, "requests") : 0) : null;
      const severity: Severity = baseShare === null ? (share >= p.silent ? "critical" : "warning") : baseShare < share / 2 ? "critical" : "info";

      const row = rows[0]!;
      const subject = { namespace: str(row.dnsServerNamespace), workload: str(row.dnsServerWorkload), ...(onePod && { pod: onePod }) };
      const others = onePod ? (rows.length === 2 ? "the other pod answers" : `the other ${rows.length - 1} pods answer`) : silentPods.length > 1 && silentPods.length < rows.length ? `${silentPods.length} of ${rows.length} pods do not answer` : "";
      const draft = {
        kind: "dns_missing_responses" as const, severity, subject, peer: null, reason: null,
        query: named[0]?.query ?? null,
        value: lost, unit: "unanswered requests", baseline: base ? missing(base) : null,
        facts: {
          missingPct: Math.round(share * 100), requests: asked, pods: rows.length,
          ...(named.length && { names: named.map((x) => `${x.query}${x.qtypes ? ` (${x.qtypes})` : ""}`).join(", ") }),
          ...(others && { others }), ...(baseShare === null && { noBaseline: 1 }),
        },
      };
      const server: Predicate[] = [
        ...(subject.namespace ? [{ field: "dnsServerNamespace" as const, op: "eq" as const, value: subject.namespace }] : []),
        ...(subject.workload ? [{ field: "dnsServerWorkload" as const, op: "eq" as const, value: subject.workload }] : []),
        ...(onePod ? [{ field: "dnsServerPod" as const, op: "eq" as const, value: onePod }] : []),
        ...(named.length ? [{ field: "dnsQuery" as const, op: "in" as const, values: named.map((x) => x.query) }] : []),
      ];
      const dns = (type: "REQUEST" | "RESPONSE"): Predicate[] => [{ field: "l7Protocol", op: "eq", value: "dns" }, { field: "l7Type", op: "eq", value: type }, ...server];
      drafts.push({
        ...draft, title: titleOf(draft), score: score("dns_missing_responses", severity, lost, draft.baseline),
        match: dns("REQUEST"),
        timeline: { series: [{ name: "requests", where: dns("REQUEST") }, { name: "responses", where: dns("RESPONSE") }], trouble: "firstMinusSecond", ratio: "missingOfFirst" },
      });
    }
    return drafts;
  },
};
