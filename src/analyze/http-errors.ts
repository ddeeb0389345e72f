import { z } from "zod";
import type { Severity } from "../model/index.js";
import type { FieldName } from "../query/index.js";
import { matchOf } from "./party.js";
import { heaviest, keyOf, num, rollup, str, queryOf } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Row } from "./types.js";

const params = z
  .object({
    query: z.string().default("responses"),
    /** Status codes from this one up are errors (400: 4xx and 5xx). */
    minStatus: z.number().int().default(400),
    minValue: z.number().default(10),
    /** Error share of responses that counts as trouble. */
    minErrorShare: z.number().min(0).max(1).default(0.05),
  })
  .strict();

// The responses query: the server is the response's source, the client its destination.
const PAIR: FieldName[] = ["srcNamespace", "srcWorkload", "dstNamespace", "dstWorkload"];

/** Error responses against all responses, per server and client, against the window before. */
export const httpErrors: Analyzer<typeof params> = {
  name: "httpErrors",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "httpErrors");
    const isError = (r: Row) => num(r.httpStatus) >= p.minStatus;
    const tally = (rows: Row[]) =>
      new Map([...rollup(rows, keyOf(PAIR), "flows")].map(([k, g]) => {
        const errs = g.rows.filter(isError);
        return [k, { total: g.total, errors: errs.reduce((s, r) => s + num(r.flows), 0), errRows: errs, row: g.rows[0]! }];
      }));
    const before = q.baseline ? tally(q.baseline) : null;
    const drafts: FindingDraft[] = [];
    for (const [k, t] of tally(q.current)) {
      const share = t.total ? t.errors / t.total : 0;
      if (t.errors < p.minValue || share < p.minErrorShare) continue;
      const top = heaviest(t.errRows, ["httpStatus"], "flows")!;
      const status = String(top.row.httpStatus);
      const b = before?.get(k);
      const baseShare = before ? (b && b.total ? b.errors / b.total : 0) : null;
      const severity: Severity = baseShare === null ? "warning" : share >= 2 * baseShare && share - baseShare >= p.minErrorShare ? "critical" : "info";
      const baseline = before ? (b?.errors ?? 0) : null;
      const draft = {
        kind: "http_errors" as const, severity,
        subject: { namespace: str(t.row.srcNamespace), workload: str(t.row.srcWorkload) },
        peer: { namespace: str(t.row.dstNamespace), workload: str(t.row.dstWorkload) },
        reason: status, value: t.errors, unit: "error responses", baseline,
        facts: { errorPct: Math.round(share * 1000) / 10, responses: t.total, ...(baseShare !== null && { baselineErrorPct: Math.round(baseShare * 1000) / 10 }) },
      };
      drafts.push({ ...draft, title: titleOf(draft), match: matchOf(top.row, [...PAIR, "httpStatus"]), score: score("http_errors", severity, t.errors, baseline) });
    }
    return drafts;
  },
};
