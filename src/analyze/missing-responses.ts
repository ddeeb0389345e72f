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
/** A silent pod leaves at least this share of its own requests unanswered… */
const OUTLIER_MIN = 0.05;
/** …and this many times the share its sibling pods leave. */
const OUTLIER_RATIO = 5;
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
      // One pod silent while the others answer: that pod is the fault, judged on its own requests
      // (a pod that went quiet for the last half hour of a day is a small share of the day, but
      // many times what its siblings leave unanswered).
      const shareOf = (rs: Row[]) => (sum(rs, "requests") ? missing(rs) / sum(rs, "requests") : 0);
      const silentPods = rows.filter((r) => {
        const siblings = rows.filter((x) => x !== r);
        return missing([r]) >= p.minValue && shareOf([r]) >= OUTLIER_MIN && shareOf([r]) >= OUTLIER_RATIO * shareOf(siblings) && shareOf(siblings) < p.minMissing;
      }).sort((a, b) => missing([b]) - missing([a]));
      const silentRow = silentPods.length === 1 && rows.length > 1 ? silentPods[0]! : null;
      const onePod = silentRow ? str(silentRow.dnsServerPod) : null;
      // Lookups of a few names left unanswered on every pod (an upstream that stopped answering
      // for them): those names are the fault, however small a share of all lookups they are.
      const byQuery = groupBy((namesOf.get(k) ?? []).filter((r) => str(r.dnsQuery)), (r) => String(r.dnsQuery));
      const failing = [...byQuery].map(([query, rs]) => ({ query, qtypes: [...new Set(rs.map((r) => str(r.dnsQtypes)).filter(Boolean))].sort().join(","), lost: missing(rs), asked: sum(rs, "requests") }))
        .filter((x) => x.lost >= 3 && x.asked > 0 && x.lost / x.asked >= p.silent)
        .sort((a, b) => b.lost - a.lost || a.query.localeCompare(b.query));
      const wide = lostAll >= p.minValue && requests > 0 && lostAll / requests >= p.minMissing;
      const namesLost = failing.reduce((s, x) => s + x.lost, 0);
      const named = !onePod && failing.length > 0 && failing.length <= 5 && (wide ? namesLost >= 0.5 * lostAll : namesLost >= p.minValue) ? failing : [];
      if (!wide && !onePod && named.length === 0) continue;
      // Every figure counts what the finding is about: the silent pod's own lookups, those of the
      // failing names, or every lookup the workload got.
      const inNames = (r: Row) => named.some((x) => x.query === r.dnsQuery);
      const baseRows = baseByWorkload ? (baseByWorkload.get(k) ?? []) : null;
      const lost = silentRow ? missing([silentRow]) : named.length ? namesLost : lostAll;
      const asked = silentRow ? num(silentRow.requests) : named.length ? named.reduce((s, x) => s + x.asked, 0) : requests;
      const share = lost / asked;
      const base = silentRow ? (baseRows?.filter((r) => r.dnsServerPod === silentRow.dnsServerPod) ?? null)
        : named.length ? (baseNames ? (baseNames.get(k) ?? []).filter(inNames) : null) : baseRows;
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
