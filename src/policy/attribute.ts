/**
 * A policy drop read against the cluster's policies: the dropped flows' endpoints (labels from
 * the flow log, namespace labels Cilium adds to them) and port, evaluated; what decides the
 * drop, why the flow matches none of it, and the smallest fix, evaluated against every flow
 * between those parties in the window before it is shown.
 */
import type { Finding, Scope } from "../model/index.js";
import { flowQuery, type FlowSource, type Predicate } from "../query/index.js";
import { evaluate, selects, type Endpoint, type FlowSpec } from "./evaluate.js";
import { describePolicy, fixFor, policyId, selectorWords, whyNot } from "./explain.js";
import type { Policy } from "./model.js";

const POLICY_REASONS = ["POLICY_DENIED", "POLICY_DENY", "Policy denied"];

export type Attribution = NonNullable<Finding["policy"]>;

/** Hubble's label strings ("k8s:app=x", "k8s:io.cilium.k8s.namespace.labels.team=y", "reserved:world"). */
export function endpointOf(namespace: string | null, labelsJson: string | null, ip: string | null, reserved: string | null): Endpoint & { labelsKnown: boolean } {
  let list: string[] = [];
  try {
    const parsed = labelsJson ? JSON.parse(labelsJson) : [];
    if (Array.isArray(parsed)) list = parsed.map(String);
  } catch {
    list = [];
  }
  const labels: Record<string, string> = {};
  const namespaceLabels: Record<string, string> = {};
  let entity: string | undefined;
  for (const l of list) {
    const m = /^([a-z0-9-]+):([^=]+)(?:=(.*))?$/.exec(l);
    if (!m) continue;
    const [, source, key, value = ""] = m;
    if (source === "reserved") entity ??= key;
    else if (source === "k8s" && key!.startsWith("io.cilium.k8s.namespace.labels.")) namespaceLabels[key!.slice("io.cilium.k8s.namespace.labels.".length)] = value;
    else if (source === "k8s" && !key!.startsWith("io.cilium.k8s.policy.") && key !== "io.kubernetes.pod.namespace") labels[key!] = value;
  }
  if (namespace === null) entity ??= reserved ?? "world";
  return { namespace, labels, namespaceLabels, ...(ip && { ip }), ...(entity && namespace === null && { entity }), labelsKnown: list.length > 0 };
}

export async function attributePolicyDrops(findings: Finding[], ctx: { source: FlowSource; window: { from: Date; to: Date }; scopeWhere: Predicate[]; policies: Policy[] }): Promise<Map<Finding, Attribution>> {
  const out = new Map<Finding, Attribution>();
  for (const f of findings) {
    if (f.kind !== "packet_drops" || !f.reason || !POLICY_REASONS.includes(f.reason) || !f.subject.namespace) continue;
    const where: Predicate[] = [
      ...ctx.scopeWhere,
      { field: "verdict", op: "eq", value: "DROPPED" },
      { field: "dropReason", op: "in", values: POLICY_REASONS },
      { field: "dstNamespace", op: "eq", value: f.subject.namespace },
      ...(f.subject.workload ? [{ field: "dstWorkload", op: "eq", value: f.subject.workload } as Predicate] : []),
      ...(f.peer?.namespace ? [{ field: "srcNamespace", op: "eq", value: f.peer.namespace } as Predicate] : []),
      ...(f.peer?.workload ? [{ field: "srcWorkload", op: "eq", value: f.peer.workload } as Predicate] : []),
      ...(f.peer?.reserved ? [{ field: "srcReserved", op: "eq", value: f.peer.reserved } as Predicate] : []),
    ];
    const groupBy = ["srcNamespace", "srcLabels", "srcIp", "srcReserved", "dstNamespace", "dstLabels", "dstPort", "protocol"] as const;
    const r = await ctx.source.query(flowQuery({ window: ctx.window, where, groupBy: [...groupBy], measures: [{ fn: "flows", as: "flows" }], top: 5 }));
    const row = r.rows.find((x) => x[7] === "TCP" || x[7] === "UDP" || x[7] === "SCTP");
    if (!row) continue;
    const [srcNs, srcLabels, srcIp, srcReserved, dstNs, dstLabels, port, protocol] = row as [string | null, string | null, string | null, string | null, string | null, string | null, number, FlowSpec["protocol"]];
    const src = endpointOf(srcNs, srcLabels, srcIp, srcReserved);
    const dst = endpointOf(dstNs, dstLabels, null, null);
    const flow: FlowSpec = { src, dst, port: Number(port), protocol };
    // Without the endpoints' labels no selector can be judged: say so rather than guess a verdict.
    const unlabelled = [!src.labelsKnown && src.namespace !== null && `the source (${srcNs})`, !dst.labelsKnown && `the destination (${dstNs})`].filter(Boolean);
    if (unlabelled.length) {
      const named = ctx.policies.filter((p) => p.namespace === null || p.namespace === dstNs || p.namespace === srcNs).map(policyId);
      out.set(f, {
        direction: "ingress", policies: [], deniedBy: [], fix: null, fixAlsoChanges: 0, named: [],
        uncertain: [`the flow log carries no labels for ${unlabelled.join(" or ")}, so which policy decides cannot be told${named.length ? ` (the policies that could: ${named.slice(0, 5).join(", ")})` : ""}; export flows with their labels (hubble observe -o json, or an exporter without a field mask) to have it judged`],
      });
      continue;
    }
    const v = evaluate(ctx.policies, flow);
    const uncertain = [...v.egress.uncertain, ...v.ingress.uncertain];
    if (v.allowed) {
      // The policies given admit what the data shows dropped: they are not what the cluster enforces.
      out.set(f, { direction: "ingress", policies: [], deniedBy: [], fix: null, fixAlsoChanges: 0, uncertain: [...uncertain, "the policies given admit this flow, yet it was dropped: they may not be the ones the cluster enforces (a newer change, another policy kind, or a host firewall)"], named: [] });
      continue;
    }
    const dir = v.deniedAt!;
    const side = v[dir];
    // The policy the flow log itself names (Hubble names one for deny rules), checked against the evaluation.
    const named = await namedPolicies(ctx, where, dir);
    const decided = new Set([...side.deniedBy.map((x) => policyId(x.policy)), ...side.selecting.map(policyId)]);
    for (const n of named) if (!decided.has(n) && !decided.has(n.split("/").pop()!)) uncertain.push(`the flow log names ${n} as denying it, which the policies given do not: they may be out of date`);
    // Every flow between these two namespaces in the window: a fix must not change another's verdict.
    const others = await flowsBetween(ctx, srcNs, dstNs);
    const fix = fixFor(ctx.policies, flow, v, others);
    out.set(f, {
      direction: dir,
      policies: side.selecting.map((p) => ({ namespace: p.namespace, name: p.name, kind: p.kind, admits: describePolicy(p, dir), whyNot: whyNot(p, flow, dir) })),
      deniedBy: [...new Set(side.deniedBy.map((x) => policyId(x.policy)))],
      fix: fix?.yaml ?? null,
      fixAlsoChanges: fix?.alsoChanges.length ?? 0,
      uncertain,
      named,
    });
  }
  return out;
}

/** "ns/name" of the policies the dropped flows' log names in this direction. */
async function namedPolicies(ctx: { source: FlowSource; window: { from: Date; to: Date } }, where: Predicate[], dir: "ingress" | "egress"): Promise<string[]> {
  const r = await ctx.source.query(flowQuery({ window: ctx.window, where: [...where, { field: "policies", op: "notNull" }], groupBy: ["policies"], measures: [{ fn: "flows", as: "flows" }], top: 3 }));
  const names = new Set<string>();
  for (const [raw] of r.rows) {
    try {
      const o = JSON.parse(String(raw)) as Record<string, { name?: string; namespace?: string }[] | null>;
      for (const p of o[`${dir}_denied_by`] ?? []) if (p?.name) names.add(p.namespace ? `${p.namespace}/${p.name}` : p.name);
    } catch {
      // not the JSON Hubble writes: nothing named
    }
  }
  return [...names];
}

/**
 * Policies that select no pod seen in the window, and rules whose pod peers match none: likely
 * mistakes (a typo in a label), said only where the flow log carries the labels to tell.
 */
export async function likelyMistakes(ctx: { source: FlowSource; window: { from: Date; to: Date }; scopeWhere: Predicate[]; policies: Policy[] }): Promise<string[]> {
  const seen: Endpoint[] = [];
  for (const s of ["src", "dst"] as const) {
    const r = await ctx.source.query(flowQuery({ window: ctx.window, where: [...ctx.scopeWhere, { field: `${s}Namespace`, op: "notNull" }, { field: `${s}Labels`, op: "notNull" }], groupBy: [`${s}Namespace`, `${s}Labels`], measures: [{ fn: "flows", as: "flows" }], top: 1000 }));
    for (const [ns, labels] of r.rows) {
      const e = endpointOf(ns as string, labels as string, null, null);
      if (Object.keys(e.labels).length) seen.push(e);
    }
  }
  const namespaces = new Set(seen.map((e) => e.namespace));
  const out: string[] = [];
  for (const p of ctx.policies) {
    // Only where pods of its namespace were seen with their labels: otherwise there is nothing to tell.
    if (p.namespace !== null && !namespaces.has(p.namespace)) continue;
    if (!seen.some((e) => selects(p, e))) {
      out.push(`${policyId(p)} selects ${selectorWords(p.selector)}, and no pod seen in ${p.namespace ?? "the cluster"} in this window has those labels: a likely mistake (a label misspelt, or pods not yet deployed).`);
      continue;
    }
    for (const [dir, rules] of [["ingress", p.ingress], ["egress", p.egress]] as const) {
      rules.forEach((r, i) => {
        for (const x of r.peers ?? []) {
          if (x.kind !== "pods" || !x.podSelector || (!x.podSelector.matchLabels && !x.podSelector.matchExpressions)) continue;
          const probe: Policy = { ...p, ingress: [{ peers: [x] }], egress: [{ peers: [x] }] };
          const any = seen.some((e) => evaluate([probe], dir === "ingress" ? { src: e, dst: seen.find((d) => selects(p, d))!, port: 1, protocol: "TCP" } : { src: seen.find((d) => selects(p, d))!, dst: e, port: 1, protocol: "TCP" })[dir].allowedBy.length > 0);
          if (!any) out.push(`${policyId(p)} ${dir} rule ${i + 1} admits pods ${selectorWords(x.podSelector)}, and no pod seen in this window has those labels: a likely mistake.`);
        }
      });
    }
  }
  return out;
}

async function flowsBetween(ctx: { source: FlowSource; window: { from: Date; to: Date }; scopeWhere: Predicate[] }, a: string | null, b: string | null): Promise<FlowSpec[]> {
  const side = (s: "src" | "dst", ns: string | null): Predicate => (ns ? { field: `${s}Namespace`, op: "eq", value: ns } : { field: `${s}Namespace`, op: "isNull" });
  const r = await ctx.source.query(flowQuery({
    window: ctx.window, where: [...ctx.scopeWhere, side("src", a), side("dst", b)],
    groupBy: ["srcNamespace", "srcLabels", "srcIp", "srcReserved", "dstNamespace", "dstLabels", "dstPort", "protocol"], measures: [{ fn: "flows", as: "flows" }], top: 200,
  }));
  return r.rows.filter((x) => x[7] === "TCP" || x[7] === "UDP" || x[7] === "SCTP").map((x) => ({
    src: endpointOf(x[0] as string | null, x[1] as string | null, x[2] as string | null, x[3] as string | null),
    dst: endpointOf(x[4] as string | null, x[5] as string | null, null, null),
    port: Number(x[6]), protocol: x[7] as FlowSpec["protocol"],
  }));
}
