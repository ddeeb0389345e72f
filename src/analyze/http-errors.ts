import { z } from "zod";
import type { Severity } from "../model/index.js";
import type { FieldName, Predicate } from "../query/index.js";
import { matchOf } from "./party.js";
import { groupBy, heaviest, keyOf, label, num, rollup, str, queryOf } from "./rows.js";
import { score } from "./score.js";
import { titleOf } from "./titles.js";
import type { Analyzer, FindingDraft, Party, Row } from "./types.js";

const params = z
  .object({
    query: z.string().default("responses"),
    /** Status codes from this one up are errors (400: 4xx and 5xx). */
    minStatus: z.number().int().default(400),
    minValue: z.number().default(10),
    /** Error share of responses that counts as trouble. */
    minErrorShare: z.number().min(0).max(1).default(0.05),
    /** With no window before to compare with, a share this high is still critical. */
    overwhelming: z.number().min(0).max(1).default(0.5),
    /** One client failing against this many servers points at the client's side. */
    commonClient: z.number().int().min(2).default(3),
  })
  .strict();

// The responses query: the server is the response's source, the client its destination.
const SERVER: FieldName[] = ["srcNamespace", "srcWorkload", "srcReserved"];
const CLIENT: FieldName[] = ["dstNamespace", "dstWorkload", "dstReserved"];
const HTTP_RESPONSES: Predicate[] = [{ field: "l7Protocol", op: "eq", value: "http" }, { field: "l7Type", op: "eq", value: "RESPONSE" }];

interface Pair { key: string; total: number; errors: number; errRows: Row[]; row: Row; share: number; status: string; baseShare: number | null; baseline: number | null }

/**
 * Error responses against all responses, per server and client, against the window before.
 * When one client gets errors from several servers that answer nobody else badly, the
 * common factor is the client (its proxy, its egress): one finding for the client.
 */
export const httpErrors: Analyzer<typeof params> = {
  name: "httpErrors",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "httpErrors");
    const cols = (r: Row, fs: FieldName[]) => fs.filter((f) => f in r);
    const pairKey = keyOf([...SERVER, ...CLIENT]);
    const isError = (r: Row) => num(r.httpStatus) >= p.minStatus;
    const tally = (rows: Row[]) =>
      new Map([...rollup(rows, pairKey, "flows")].map(([k, g]) => {
        const errRows = g.rows.filter(isError);
        return [k, { total: g.total, errors: errRows.reduce((s, r) => s + num(r.flows), 0), errRows, row: g.rows[0]! }];
      }));
    const before = q.baseline ? tally(q.baseline) : null;

    const pairs: Pair[] = [];
    for (const [k, t] of tally(q.current)) {
      const share = t.total ? t.errors / t.total : 0;
      if (t.errors < p.minValue || share < p.minErrorShare) continue;
      const b = before?.get(k);
      pairs.push({
        key: k, ...t, share, status: String(heaviest(t.errRows, ["httpStatus"], "flows")!.row.httpStatus),
        baseShare: before ? (b && b.total ? b.errors / b.total : 0) : null,
        baseline: before ? (b?.errors ?? 0) : null,
      });
    }

    const drafts: FindingDraft[] = [];
    const rolled = new Set<string>();
    // Servers answering a client badly, by client; a server failing for two clients is its own fault.
    const clientsOf = new Map<string, number>();
    for (const x of pairs) clientsOf.set(side(x.row, SERVER), (clientsOf.get(side(x.row, SERVER)) ?? 0) + 1);
    const byClient = groupBy(pairs, (x) => side(x.row, CLIENT));
    for (const group of byClient.values()) {
      const alone = group.filter((x) => clientsOf.get(side(x.row, SERVER)) === 1);
      if (alone.length < p.commonClient) continue;
      const statuses = groupBy(alone, (x) => x.status);
      const [status, same] = [...statuses].sort((a, b) => b[1].length - a[1].length)[0]!;
      if (same.length < p.commonClient) continue;
      // The client's own share over every response it got in the window.
      const clientRows = q.current.filter((r) => side(r, CLIENT) === side(same[0]!.row, CLIENT));
      const total = clientRows.reduce((s, r) => s + num(r.flows), 0);
      const errors = clientRows.filter((r) => String(r.httpStatus) === status).reduce((s, r) => s + num(r.flows), 0);
      const baseRows = q.baseline?.filter((r) => side(r, CLIENT) === side(same[0]!.row, CLIENT)) ?? null;
      const baseTotal = baseRows?.reduce((s, r) => s + num(r.flows), 0) ?? 0;
      const baseErrors = baseRows?.filter((r) => String(r.httpStatus) === status).reduce((s, r) => s + num(r.flows), 0) ?? 0;
      const share = total ? errors / total : 0;
      const baseShare = baseRows ? (baseTotal ? baseErrors / baseTotal : 0) : null;
      for (const x of same) rolled.add(x.key);
      const client = party(same[0]!.row, CLIENT);
      const severity = judge(share, baseShare, p);
      const match = matchOf(same[0]!.row, cols(same[0]!.row, CLIENT));
      const draft = {
        kind: "http_errors" as const, severity, subject: client, peer: null, reason: status,
        value: errors, unit: "error responses", baseline: baseRows ? baseErrors : null,
        facts: {
          side: "client", servers: same.length, errorPct: pct(share), responses: total,
          serverList: same.slice(0, 3).map((x) => label(party(x.row, SERVER))).join(", ") + (same.length > 3 ? ` and ${same.length - 3} more` : ""),
          ...(baseShare !== null && { baselineErrorPct: pct(baseShare) }), ...(baseShare === null && { noBaseline: 1 }),
        },
      };
      drafts.push({
        ...draft, title: titleOf(draft), score: score("http_errors", severity, errors, draft.baseline),
        covers: same.map((x) => party(x.row, SERVER)),
        match: [...match, { field: "httpStatus", op: "eq", value: Number(status) }],
        timeline: shareTimeline(match, Number(status)),
      });
    }

    for (const x of pairs) {
      if (rolled.has(x.key)) continue;
      const severity = judge(x.share, x.baseShare, p);
      const pair = matchOf(x.row, [...cols(x.row, SERVER), ...cols(x.row, CLIENT)]);
      const draft = {
        kind: "http_errors" as const, severity,
        subject: party(x.row, SERVER), peer: party(x.row, CLIENT),
        reason: x.status, value: x.errors, unit: "error responses", baseline: x.baseline,
        facts: {
          errorPct: pct(x.share), responses: x.total,
          ...(x.baseShare !== null && { baselineErrorPct: pct(x.baseShare) }), ...(x.baseShare === null && { noBaseline: 1 }),
        },
      };
      drafts.push({
        ...draft, title: titleOf(draft), score: score("http_errors", severity, x.errors, x.baseline),
        match: [...pair, { field: "httpStatus", op: "eq", value: Number(x.status) }],
        timeline: shareTimeline(pair, Number(x.status)),
      });
    }
    return drafts;
  },
};

/** Critical when the share at least doubled; with nothing to compare with, only when most responses fail. */
function judge(share: number, baseShare: number | null, p: z.output<typeof params>): Severity {
  if (baseShare === null) return share >= p.overwhelming ? "critical" : "warning";
  return share >= 2 * baseShare && share - baseShare >= p.minErrorShare ? "critical" : "info";
}

/** The status against all responses of the same parties: "since" on the errors, the share since then. */
function shareTimeline(parties: Predicate[], status: number): NonNullable<FindingDraft["timeline"]> {
  return {
    series: [
      { name: `${status} responses`, where: [...HTTP_RESPONSES, ...parties, { field: "httpStatus", op: "eq", value: status }] },
      { name: "all responses", where: [...HTTP_RESPONSES, ...parties] },
    ],
    trouble: "first",
    ratio: "firstOfSecond",
  };
}

const pct = (x: number) => Math.round(x * 1000) / 10;
const side = (r: Row, fs: FieldName[]) => keyOf(fs)(r);

function party(r: Row, fs: FieldName[]): Party {
  const [ns, wl, reserved] = fs;
  return { namespace: str(r[ns!]), workload: str(r[wl!]), ...(str(r[reserved!]) && { reserved: str(r[reserved!]) }) };
}
