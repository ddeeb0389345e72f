import { z } from "zod";
import { FindingKind, Severity, thousands } from "../model/index.js";
import { Field } from "../query/index.js";
import { matchOf, partyColumns, PartyColumns, partyOf } from "./party.js";
import { heaviest, keyOf, label, num, rollup, str, queryOf } from "./rows.js";
import { change, score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Row } from "./types.js";

const params = z
  .object({
    kind: FindingKind,
    /** The query whose rows to judge. */
    query: z.string().default("main"),
    measure: z.string().default("flows"),
    subject: PartyColumns,
    peer: PartyColumns.optional(),
    /** Column holding the reason (drop reason, rcode); or a fixed reason. */
    reason: z.union([Field, z.literal("state")]).optional(),
    fixedReason: z.string().optional(),
    /** Column with the DNS query name, if any. */
    dnsQuery: Field.optional(),
    /** A measure that must reach a minimum (e.g. distinct pods) for a finding. */
    spread: z.object({ measure: z.string(), min: z.number() }).strict().optional(),
    minValue: z.number().default(10),
    minRatio: z.number().default(3),
    /** Severity when it is new or increased; steady trouble is info. */
    severity: Severity.default("critical"),
    /** Steady trouble is told as info; a gauge that is steady (TCP states) is just its normal level. */
    steady: z.enum(["info", "none"]).default("info"),
    /** A gauge's level says nothing without the level before: no finding without a baseline. */
    needsBaseline: z.boolean().default(false),
    /** "unknown": a peer with no name in the rows is not told (metrics that label one side only). */
    unnamedPeer: z.enum(["endpoint", "unknown"]).default("endpoint"),
    unit: z.string().default("flows"),
  })
  .strict();

/**
 * Trouble that is new or has grown against the window before: drops, resets, L7 drops,
 * Kafka errors. Rows are rolled up to subject + reason; the dominant peer is named.
 */
export const changeVsBaseline: Analyzer<typeof params> = {
  name: "changeVsBaseline",
  params,
  run({ queries, params: p, scope }) {
    const q = queryOf(queries, p.query, "changeVsBaseline");
    // "Why can't A reach B?": the query keeps to flows between the two, and a single drop there is the answer.
    const minValue = p.kind === "packet_drops" && scope.peer && (scope.peer.workload || scope.peer.pod) ? 1 : p.minValue;
    const keyCols = [...partyColumns(p.subject), ...(p.reason ? [p.reason] : []), ...(p.dnsQuery ? [p.dnsQuery] : [])];
    const key = keyOf(keyCols);
    const base = q.baseline ? rollup(q.baseline, key, p.measure) : null;
    const drafts: FindingDraft[] = [];
    if (p.needsBaseline && !base) return drafts;
    for (const [k, g] of rollup(q.current, key, p.measure)) {
      const value = g.total;
      if (value < minValue) continue;
      const sample = g.rows[0]!;
      if (p.spread && Math.max(...g.rows.map((r) => num(r[p.spread!.measure]))) < p.spread.min) continue;
      const baseline = base ? (base.get(k)?.total ?? 0) : null;
      const c = change(value, baseline, p.minRatio);
      if (c === "decreased" || (c === "steady" && p.steady === "none")) continue;
      const severity = c === "steady" ? "info" : c === "unknown" ? "warning" : p.severity;
      const reason = (p.reason && str(sample[p.reason])) ?? p.fixedReason ?? null;
      const top = p.peer ? heaviest(g.rows, partyColumns(p.peer), p.measure) : null;
      const named = p.peer && top ? partyOf(top.row, p.peer) : null;
      // Metrics name one side of a drop only (Hubble's context labels): an unnamed peer is unknown, not "no identity".
      const peer = named && p.unnamedPeer === "unknown" && !named.namespace && !named.workload && !named.pod && !named.reserved ? null : named;
      const facts: Record<string, string | number> = {};
      // A count is told by peer: "216 from kapinger-good" when 75 came from elsewhere is wrong.
      if (p.peer) {
        const split = peerSplit(g.rows, p.peer, p.measure);
        if (split) facts.peers = split;
      }
      if (p.spread) facts[p.spread.measure] = Math.max(...g.rows.map((r) => num(r[p.spread!.measure])));
      const draft = {
        kind: p.kind, severity, subject: partyOf(sample, p.subject), peer, reason,
        query: p.dnsQuery ? str(sample[p.dnsQuery]) : null,
        value, unit: p.unit, baseline, facts,
      };
      drafts.push({ ...draft, title: titleOf(draft), match: matchOf(sample, keyCols.filter((c): c is Exclude<typeof c, "state"> => c !== "state")), score: score(p.kind, severity, value, baseline) });
    }
    return drafts;
  },
};

/** "default/kapinger-good (141) and shop/frontend (75)": the peers behind a count, when more than one. */
export function peerSplit(rows: Row[], cols: PartyColumns, measure: string): string | null {
  const peers = [...rollup(rows, keyOf(partyColumns(cols)), measure).values()]
    .map((g) => ({ name: label(partyOf(g.rows[0]!, cols)), total: g.total }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  if (peers.length < 2) return null;
  const shown = peers.slice(0, 3).map((x) => `${x.name} (${thousands(x.total)})`);
  const rest = peers.slice(3);
  const more = rest.length ? ` and ${rest.length} more (${thousands(rest.reduce((s, x) => s + x.total, 0))})` : "";
  return rest.length ? `${shown.join(", ")}${more}` : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
