import { z } from "zod";
import { FindingKind, thousands, type Severity } from "../model/index.js";
import { matchOf, partyColumns, PartyColumns, partyOf } from "./party.js";
import { keyOf, label, num, queryOf } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft } from "./types.js";

const params = z
  .object({
    kind: FindingKind.extract(["dns_latency", "http_latency"]),
    query: z.string().default("main"),
    subject: PartyColumns,
    /** The measure holding the percentile (ms) and the one holding the flow count. */
    measure: z.string().default("p95Ms"),
    count: z.string().default("flows"),
    minFlows: z.number().default(20),
    /** Below this a p95 is fine whatever it was before. */
    minMs: z.number().default(100),
    minRatio: z.number().default(3),
  })
  .strict();

/** A server's p95 latency against the window before. */
export const latency: Analyzer<typeof params> = {
  name: "latency",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "latency");
    const cols = partyColumns(p.subject);
    const key = keyOf(cols);
    const before = q.baseline ? new Map(q.baseline.map((r) => [key(r), num(r[p.measure])])) : null;
    const drafts: FindingDraft[] = [];
    for (const r of q.current) {
      const ms = num(r[p.measure]);
      if (num(r[p.count]) < p.minFlows || ms < p.minMs) continue;
      const baseMs = before ? (before.get(key(r)) ?? null) : null;
      if (baseMs !== null && ms < baseMs * p.minRatio) continue;
      // Slow is anomalous, not failing: a failure (e.g. the SERVFAILs that make DNS slow) ranks above it.
      const severity: Severity = "warning";
      const draft = {
        kind: p.kind, severity, subject: partyOf(r, p.subject), peer: null, reason: null,
        value: Math.round(ms * 10) / 10, unit: "ms (p95)", baseline: baseMs === null ? null : Math.round(baseMs * 10) / 10,
      };
      // A percentile has no per-flow timeline; the finding carries no "since".
      drafts.push({ ...draft, title: titleOf(draft), match: matchOf(r, cols), timeline: null, score: score(p.kind, severity, ms, baseMs) });
    }
    return drafts;
  },
  figures({ queries, params: p }) {
    const rows = [...queryOf(queries, p.query, "latency").current].sort((a, b) => num(b[p.count]) - num(a[p.count]));
    if (rows.length === 0) return "no responses with a latency in this window";
    const ms = (v: number) => `${Math.round(v * 10) / 10} ms`;
    return rows.slice(0, 3).map((r) => `${label(partyOf(r, p.subject))} p95 ${ms(num(r[p.measure]))}${r.p50Ms !== undefined ? `, p50 ${ms(num(r.p50Ms))}` : ""} over ${thousands(num(r[p.count]))} responses`).join("; ");
  },
};
