import { z } from "zod";
import type { Severity } from "../model/index.js";
import { keyOf, rollup, str } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Row } from "./types.js";

const params = z
  .object({
    requests: z.string().default("requests"),
    responses: z.string().default("responses"),
    minValue: z.number().default(20),
    /** Share of requests left unanswered that counts as trouble. */
    minMissing: z.number().min(0).max(1).default(0.2),
  })
  .strict();

/**
 * DNS requests that get no response, per DNS server pod: requests are grouped by their
 * destination pod, responses by their source pod, so the two line up on the server.
 */
export const missingResponses: Analyzer<typeof params> = {
  name: "missingResponses",
  params,
  run({ queries, params: p }) {
    const req = queries[p.requests], resp = queries[p.responses];
    if (!req || !resp) throw new Error("missingResponses: needs a requests and a responses query");
    const server = (side: "src" | "dst") => (r: Row) => keyOf([`${side}Namespace`, `${side}Workload`, `${side}Pod`])(r);
    const tally = (requests: Row[], responses: Row[]) => {
      const asked = rollup(requests, server("dst"), "flows");
      const answered = rollup(responses, server("src"), "flows");
      return new Map([...asked].map(([k, g]) => [k, { row: g.rows[0]!, requests: g.total, missing: Math.max(g.total - (answered.get(k)?.total ?? 0), 0) }]));
    };
    const now = tally(req.current, resp.current);
    const before = req.baseline && resp.baseline ? tally(req.baseline, resp.baseline) : null;
    const drafts: FindingDraft[] = [];
    for (const [k, t] of now) {
      const pct = t.requests ? t.missing / t.requests : 0;
      if (t.missing < p.minValue || pct < p.minMissing) continue;
      const b = before?.get(k);
      const basePct = b && b.requests ? b.missing / b.requests : before ? 0 : null;
      const severity: Severity = basePct === null ? "warning" : basePct < pct / 2 ? "critical" : "info";
      const baseline = before ? (b?.missing ?? 0) : null;
      const row = t.row;
      const subject = { namespace: str(row.dstNamespace), workload: str(row.dstWorkload), pod: str(row.dstPod) };
      const draft = {
        kind: "dns_missing_responses" as const, severity, subject, peer: null, reason: null,
        value: t.missing, unit: "unanswered requests", baseline,
        facts: { missingPct: Math.round(pct * 100), requests: t.requests },
      };
      const podIs = (side: "src" | "dst") => subject.pod ? [{ field: `${side}Pod` as const, op: "eq" as const, value: subject.pod }] : [];
      drafts.push({
        ...draft, title: titleOf(draft), score: score("dns_missing_responses", severity, t.missing, baseline),
        match: [{ field: "l7Type", op: "eq", value: "REQUEST" }, ...podIs("dst")],
        timeline: {
          series: [
            { name: "requests", where: [{ field: "l7Protocol", op: "eq", value: "dns" }, { field: "l7Type", op: "eq", value: "REQUEST" }, ...podIs("dst")] },
            { name: "responses", where: [{ field: "l7Protocol", op: "eq", value: "dns" }, { field: "l7Type", op: "eq", value: "RESPONSE" }, ...podIs("src")] },
          ],
          trouble: "firstMinusSecond",
        },
      });
    }
    return drafts;
  },
};
