import type { FindingDraft, Party } from "../analyze/index.js";
import type { Predicate } from "../query/index.js";
import { flowQuery, type FlowSource } from "../query/index.js";
import type { Parties, PartyFacts } from "../report/index.js";

type Window = { from: Date; to: Date };
const RECENT_MS = 10 * 60_000;
type Side = "src" | "dst";

const key = (p: Party) => [p.namespace ?? "", p.workload ?? "", p.pod ?? ""].join("/");
const named = (p: Party | null | undefined): boolean => !!p && !!(p.workload || p.pod) && !!p.namespace;
const empty = (): PartyFacts => ({ selector: null, kind: null, pods: [], ips: [] });

/**
 * What the flows say about the findings' parties (label selector, controller kind, pods;
 * addresses for endpoints outside the cluster), so next steps name them the way kubectl
 * and hubble need. Two queries for every named party together, one per reserved party.
 */
export async function describeParties(source: FlowSource, window: Window, items: { draft: FindingDraft; where: Predicate[] }[]): Promise<Map<FindingDraft, Parties>> {
  const drafts = items.map((x) => x.draft);
  const people = new Map<string, Party>();
  for (const d of drafts) for (const p of [d.subject, d.peer]) if (p && named(p)) people.set(key(p), p);
  const facts = new Map<string, PartyFacts>();
  // Labels and controllers do not change within a window: the last minutes of it say them for
  // nearly every party at a fraction of the cost (reading labels means parsing JSON per flow);
  // the whole window only for a party those minutes miss.
  const recent = { from: new Date(Math.max(window.from.getTime(), window.to.getTime() - RECENT_MS)), to: window.to };
  const lookUp = async (w: Window, parties: Party[]) => {
    if (!parties.length) return;
    const sides = await Promise.all((["src", "dst"] as Side[]).map((side) => source.query(flowQuery({
      window: w,
      where: [{ any: parties.map((p) => ({ all: partyWhere(side, p) })) }],
      groupBy: [`${side}Namespace`, `${side}Workload`, `${side}Pod`, `${side}Selector`, `${side}WorkloadKind`],
      measures: [{ fn: "flows", as: "flows" }],
      top: 2000,
    }))));
    for (const r of sides) {
      for (const [ns, wl, pod, selector, kind] of r.rows as (string | null)[][]) {
        for (const p of people.values()) {
          if (p.namespace !== ns || (p.workload && p.workload !== wl) || (p.pod && p.pod !== pod)) continue;
          const f = facts.get(key(p)) ?? empty();
          f.selector ??= selector || null;
          f.kind ??= kind || null;
          if (pod && !f.pods.includes(pod) && f.pods.length < 5) f.pods.push(pod);
          facts.set(key(p), f);
        }
      }
    }
  };
  await lookUp(recent, [...people.values()]);
  if (recent.from > window.from) await lookUp(window, [...people.values()].filter((p) => !facts.has(key(p))));
  const out = new Map<FindingDraft, Parties>();
  await Promise.all(items.map(async ({ draft: d, where }) => {
    const of = async (p: Party | null) => (!p ? null : named(p) ? (facts.get(key(p)) ?? null) : p.reserved ? { ...empty(), ips: await addresses(source, window, d, where, p) } : null);
    out.set(d, { subject: await of(d.subject), peer: await of(d.peer) });
  }));
  return out;
}

function partyWhere(side: Side, p: Party): Predicate[] {
  return [
    { field: `${side}Namespace`, op: "eq", value: p.namespace! },
    ...(p.workload ? [{ field: `${side}Workload` as const, op: "eq" as const, value: p.workload }] : []),
    ...(p.pod ? [{ field: `${side}Pod` as const, op: "eq" as const, value: p.pod }] : []),
  ];
}

/** The busiest addresses of a reserved party (world, host) in the finding's own flows (its check's, in scope). */
async function addresses(source: FlowSource, window: Window, d: FindingDraft, where: Predicate[], p: Party): Promise<string[]> {
  const side = d.match.some((m) => "field" in m && m.field === "dstReserved" && "value" in m && m.value === p.reserved) ? "dst"
    : d.match.some((m) => "field" in m && m.field === "srcReserved" && "value" in m && m.value === p.reserved) ? "src" : null;
  if (!side) return [];
  const r = await source.query(flowQuery({ window, where: [...where, ...d.match, { field: `${side}Ip`, op: "notNull" }], groupBy: [`${side}Ip`], measures: [{ fn: "flows", as: "flows" }], top: 3 }));
  return r.rows.map((row) => row[0]).filter((v): v is string => typeof v === "string" && v.length > 0);
}
