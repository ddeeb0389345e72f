import { z } from "zod";
import type { Severity } from "../model/index.js";
import type { Predicate } from "../query/index.js";
import { matchOf, partyColumns, partyOf, type PartyColumns } from "./party.js";
import { groupBy, keyOf, label, num, queryOf } from "./rows.js";
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
    /** With no window before to compare with, a share this high is still critical. */
    overwhelming: z.number().min(0).max(1).default(0.5),
    /** One client failing against this many servers is one finding about the client. */
    commonClient: z.number().int().min(2).default(3),
  })
  .strict();

// The responses query: the server is the response's source, the client its destination.
const SERVER: PartyColumns = { namespace: "srcNamespace", workload: "srcWorkload", reserved: "srcReserved" };
const CLIENT: PartyColumns = { namespace: "dstNamespace", workload: "dstWorkload", reserved: "dstReserved" };
const HTTP_RESPONSES: Predicate[] = [{ field: "l7Protocol", op: "eq", value: "http" }, { field: "l7Type", op: "eq", value: "RESPONSE" }];
const sideOf = (cols: PartyColumns) => keyOf(partyColumns(cols));
const server = sideOf(SERVER), client = sideOf(CLIENT);
const pairOf = (r: Row) => `${server(r)}|${client(r)}`;
const flows = (rows: Row[]) => rows.reduce((s, r) => s + num(r.flows), 0);

/** One status between one server and one client, against all responses between them. */
interface Trouble { pair: string; status: number; row: Row; errors: number; responses: number; baseline: number | null; baseResponses: number | null }

/**
 * Error responses per server, client and status, each status against all responses between
 * the two and against the same status in the window before: a new 503 storm is not hidden
 * by steady 404s, and every figure of a finding counts the same thing. When one client gets
 * the same error from several servers, that is one finding about the client; whether the
 * servers answer other clients well says where to look first.
 */
export const httpErrors: Analyzer<typeof params> = {
  name: "httpErrors",
  params,
  run({ queries, params: p }) {
    const q = queryOf(queries, p.query, "httpErrors");
    const isError = (r: Row) => num(r.httpStatus) >= p.minStatus;
    const now = groupBy(q.current, pairOf);
    const before = q.baseline ? groupBy(q.baseline, pairOf) : null;

    const troubles: Trouble[] = [];
    for (const [pair, rows] of now) {
      const responses = flows(rows);
      for (const [status, same] of groupBy(rows.filter(isError), (r) => String(r.httpStatus))) {
        const errors = flows(same);
        if (errors < p.minValue || errors / responses < p.minErrorShare) continue;
        const b = before ? (before.get(pair) ?? []) : null;
        troubles.push({
          pair, status: Number(status), row: same[0]!, errors, responses,
          baseline: b ? flows(b.filter((r) => String(r.httpStatus) === status)) : null, baseResponses: b ? flows(b) : null,
        });
      }
    }

    const drafts: FindingDraft[] = [];
    const rolled = new Set<Trouble>();
    // A server failing for two clients is its own fault; one failing for a single client may be that client's.
    const failingClients = groupBy(troubles, (t) => `${server(t.row)}|${t.status}`);
    for (const group of groupBy(troubles, (t) => `${client(t.row)}|${t.status}`).values()) {
      const same = group.filter((t) => failingClients.get(`${server(t.row)}|${t.status}`)!.length === 1);
      if (same.length < p.commonClient) continue;
      same.forEach((t) => rolled.add(t));
      const errors = same.reduce((s, t) => s + t.errors, 0), responses = same.reduce((s, t) => s + t.responses, 0);
      const baseline = before ? same.reduce((s, t) => s + (t.baseline ?? 0), 0) : null;
      const baseResponses = before ? same.reduce((s, t) => s + (t.baseResponses ?? 0), 0) : null;
      const share = errors / responses;
      const baseShare = baseResponses === null ? null : baseResponses ? baseline! / baseResponses : 0;
      // Servers that answer someone else well put the fault on this client's side.
      const servers = new Set(same.map((t) => server(t.row)));
      const others = q.current.filter((r) => servers.has(server(r)) && client(r) !== client(same[0]!.row) && !isError(r));
      const proven = new Set(others.map(server)).size === servers.size;
      const status = same[0]!.status;
      const severity = judge(share, baseShare, p);
      const who = partyOf(same[0]!.row, CLIENT);
      const draft = {
        kind: "http_errors" as const, severity, subject: who, peer: null, reason: String(status),
        value: errors, unit: "error responses", baseline,
        facts: {
          side: proven ? "client" : "clientShared", servers: same.length, errorPct: pct(share), responses,
          serverList: same.slice(0, 3).map((t) => label(partyOf(t.row, SERVER))).join(", ") + (same.length > 3 ? ` and ${same.length - 3} more` : ""),
          ...(baseShare !== null && { baselineErrorPct: pct(baseShare) }), ...(baseShare === null && { noBaseline: 1 }),
        },
      };
      const clientMatch = matchOf(same[0]!.row, partyColumns(CLIENT));
      const fromServers: Predicate = { any: same.map((t) => ({ all: matchOf(t.row, partyColumns(SERVER)) })) };
      drafts.push({
        ...draft, title: titleOf(draft), score: score("http_errors", severity, errors, baseline),
        covers: same.map((t) => partyOf(t.row, SERVER)),
        match: [...clientMatch, { field: "httpStatus", op: "eq", value: status }],
        timeline: shareTimeline([...clientMatch, fromServers], status),
      });
    }

    for (const t of troubles) {
      if (rolled.has(t)) continue;
      const share = t.errors / t.responses;
      const baseShare = t.baseResponses === null ? null : t.baseResponses ? t.baseline! / t.baseResponses : 0;
      const severity = judge(share, baseShare, p);
      const pair = matchOf(t.row, [...partyColumns(SERVER), ...partyColumns(CLIENT)]);
      const draft = {
        kind: "http_errors" as const, severity,
        subject: partyOf(t.row, SERVER), peer: partyOf(t.row, CLIENT),
        reason: String(t.status), value: t.errors, unit: "error responses", baseline: t.baseline,
        facts: {
          errorPct: pct(share), responses: t.responses,
          ...(baseShare !== null && { baselineErrorPct: pct(baseShare) }), ...(baseShare === null && { noBaseline: 1 }),
        },
      };
      drafts.push({
        ...draft, title: titleOf(draft), score: score("http_errors", severity, t.errors, t.baseline),
        match: [...pair, { field: "httpStatus", op: "eq", value: t.status }],
        timeline: shareTimeline(pair, t.status),
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
