import { z } from "zod";
import type { Severity } from "../model/index.js";
import { matchOf, partyColumns, PartyColumns, partyOf } from "./party.js";
import { keyOf, rollup, queryOf } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft } from "./types.js";

const params = z
  .object({
    query: z.string().default("main"),
    subject: PartyColumns,
    minBaseline: z.number().default(200),
    /** What is counted (flows; packets when it comes from metrics). */
    unit: z.string().default("flows"),
    /** Traffic must fall to this fraction of the window before, or lower. */
    maxFraction: z.number().min(0).max(1).default(0.25),
  })
  .strict();

/** Traffic that fell sharply against the window before: an outage, or a scaled-down service. */
export const trafficDrop: Analyzer<typeof params> = {
  name: "trafficDrop",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "trafficDrop");
    if (!q.baseline) return [];
    const cols = partyColumns(p.subject);
    const now = rollup(q.current, keyOf(cols), "flows");
    const drafts: FindingDraft[] = [];
    for (const [k, b] of rollup(q.baseline, keyOf(cols), "flows")) {
      const value = now.get(k)?.total ?? 0;
      if (b.total < p.minBaseline || value > b.total * p.maxFraction) continue;
      const severity: Severity = "warning";
      const row = b.rows[0]!;
      const draft = { kind: "traffic_drop" as const, severity, subject: partyOf(row, p.subject), peer: null, reason: null, value, unit: p.unit, baseline: b.total };
      // Scored on the fall itself: the less is left, the stronger.
      drafts.push({ ...draft, title: titleOf(draft), match: matchOf(row, cols), score: score("traffic_drop", severity, b.total, value) });
    }
    return drafts;
  },
};
