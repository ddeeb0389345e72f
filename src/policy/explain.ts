/**
 * Policies in words, why a flow matches none of a direction's rules, and the smallest policy
 * that would admit it, checked by evaluating it before it is shown.
 */
import yaml from "js-yaml";
import { evaluate, matches, type Endpoint, type FlowSpec, type Verdict } from "./evaluate.js";
import { parsePolicy, type Labels, type Peer, type Policy, type PortRule, type Rule, type Selector } from "./model.js";

export const policyId = (p: Policy) => `${p.namespace ? `${p.namespace}/` : ""}${p.name}`;
const kindWord = (p: Policy) => (p.kind === "NetworkPolicy" ? "NetworkPolicy" : p.kind);

export function selectorWords(s: Selector | undefined): string {
  if (!s) return "any";
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map((e) => (e.operator === "Exists" ? `${e.key} set` : e.operator === "DoesNotExist" ? `no ${e.key}` : `${e.key} ${e.operator === "In" ? "in" : "not in"} (${(e.values ?? []).join(", ")})`)),
  ];
  return parts.length ? parts.join(", ") : "any";
}

function peerWords(p: Policy, x: Peer): string {
  switch (x.kind) {
    case "pods": {
      const pods = x.podSelector ? `pods ${selectorWords(x.podSelector)}` : "every pod";
      if (p.kind !== "NetworkPolicy") return `${pods}${p.namespace ? ` in ${p.namespace}` : ""}`;
      const ns = x.namespaceSelector ? (Object.keys(x.namespaceSelector.matchLabels ?? {}).length || x.namespaceSelector.matchExpressions?.length ? `in namespaces ${selectorWords(x.namespaceSelector)}` : "in any namespace") : `in ${p.namespace}`;
      return `${pods} ${ns}`;
    }
    case "ipBlock":
      return `${x.cidr}${x.except.length ? ` except ${x.except.join(", ")}` : ""}`;
    case "entities":
      return `the ${x.entities.join(", ")} entit${x.entities.length > 1 ? "ies" : "y"}`;
    case "fqdn":
      return [...x.names, ...x.patterns].join(", ");
  }
}

const portWords = (ports: PortRule[] | undefined) => (ports ? ports.map((x) => `${x.port ?? "any port"}${x.endPort ? `-${x.endPort}` : ""}/${x.protocol}`).join(", ") : "any port");

function ruleWords(p: Policy, r: Rule, dir: "ingress" | "egress"): string {
  const who = r.peers === undefined ? "anyone" : r.peers.length === 0 ? "no one" : r.peers.map((x) => peerWords(p, x)).join(" or ");
  return `${dir === "ingress" ? "from" : "to"} ${who} on ${portWords(r.ports)}`;
}

/** "shop/payments-ingress (NetworkPolicy) selects app=payments and admits ingress from pods app=frontend in shop on 8080/TCP". */
export function describePolicy(p: Policy, dir: "ingress" | "egress"): string {
  const rules = dir === "ingress" ? p.ingress : p.egress;
  const admits = rules.length ? rules.map((r) => ruleWords(p, r, dir)).join("; ") : "nothing";
  return `${policyId(p)} (${kindWord(p)}) selects ${selectorWords(p.selector)} and admits ${dir} ${rules.length ? admits : "from no one"}`;
}

/** Why the flow's peer or port matches none of the policy's rules in this direction, in words. */
export function whyNot(p: Policy, flow: FlowSpec, dir: "ingress" | "egress"): string {
  const peer = dir === "ingress" ? flow.src : flow.dst;
  const rules = dir === "ingress" ? p.ingress : p.egress;
  if (rules.length === 0) return `it admits no ${dir} at all`;
  const reasons = rules.map((r) => {
    if (r.peers !== undefined && r.peers.length === 0) return "the rule admits no one";
    const portOk = !r.ports || r.ports.some((x) => x.protocol === flow.protocol && (x.port === undefined || x.port === flow.port || (typeof x.port === "number" && x.endPort !== undefined && flow.port >= x.port && flow.port <= x.endPort)));
    const peerReason = r.peers === undefined ? null : r.peers.map((x) => peerMiss(p, x, peer)).find((m) => m !== null) ?? null;
    if (peerReason && !portOk) return `${peerReason}, and ${flow.port}/${flow.protocol} is not ${portWords(r.ports)}`;
    if (peerReason) return peerReason;
    if (!portOk) return `${flow.port}/${flow.protocol} is not ${portWords(r.ports)}`;
    return "a named port the data cannot resolve";
  });
  // Said from the endpoint's side: for ingress the peer is the source, for egress the destination.
  return [...new Set(reasons)].join("; ").replace(/\bthe peer\b/g, dir === "ingress" ? "the source" : "the destination").replace(/\bThe peer\b/g, dir === "ingress" ? "The source" : "The destination");
}

function peerMiss(p: Policy, x: Peer, e: Endpoint): string | null {
  if (x.kind === "pods") {
    if (e.namespace === null) return `the ${dir(e)} is not a pod`;
    if (p.kind === "NetworkPolicy" && !x.namespaceSelector && e.namespace !== p.namespace) return `the peer is in ${e.namespace}, the rule's pods are in ${p.namespace}`;
    if (x.namespaceSelector && p.kind === "NetworkPolicy" && !matches(x.namespaceSelector, { ...(e.namespaceLabels ?? {}), "kubernetes.io/metadata.name": e.namespace })) return `namespace ${e.namespace} is not ${selectorWords(x.namespaceSelector)}`;
    const want = x.podSelector?.matchLabels ?? {};
    for (const [k, v] of Object.entries(want)) {
      if (k === "io.kubernetes.pod.namespace") continue;
      if (e.labels[k] !== v) {
        const has = e.labels[k] !== undefined ? `${k}=${e.labels[k]}` : `no ${k} label`;
        const all = labelWords(e.labels);
        return `the rule admits ${k}=${v}; the peer carries ${has}${all !== has && all !== "no labels" ? ` (its labels: ${all})` : ""}`;
      }
    }
    if (x.podSelector && !matches({ ...(x.podSelector.matchExpressions && { matchExpressions: x.podSelector.matchExpressions }) }, e.labels)) return `the peer's labels (${labelWords(e.labels)}) fail ${selectorWords({ matchExpressions: x.podSelector.matchExpressions ?? [] })}`;
    return null;
  }
  if (x.kind === "ipBlock") return e.namespace !== null ? "the rule's address block is for peers outside the cluster" : `${e.ip ?? "the peer"} is not in ${x.cidr}`;
  if (x.kind === "entities") return `the peer is ${e.namespace !== null ? "a pod" : (e.entity ?? "world")}, not ${x.entities.join(", ")}`;
  return `${e.dnsName ?? "the destination"} is not ${[...x.names, ...x.patterns].join(", ")}`;
}
const dir = (e: Endpoint) => (e.namespace === null ? e.entity ?? "peer" : "peer");

export function labelWords(l: Labels): string {
  const keys = Object.keys(l).filter((k) => !k.startsWith("io.cilium.") && !k.startsWith("io.kubernetes."));
  return keys.length ? keys.map((k) => `${k}=${l[k]}`).join(", ") : "no labels";
}

/** The labels that name a workload (app, app.kubernetes.io/name, k8s-app), else all of them. */
function identifying(l: Labels): Labels {
  for (const k of ["app", "app.kubernetes.io/name", "k8s-app"]) if (l[k]) return { [k]: l[k]! };
  return Object.fromEntries(Object.entries(l).filter(([k]) => !k.startsWith("io.cilium.") && !k.startsWith("io.kubernetes.") && !k.startsWith("pod-template-hash")));
}

export interface Fix {
  /** The policy as YAML, ready for kubectl apply. */
  yaml: string;
  policy: Policy;
  /** Flows (of those given) whose verdict the fix would change besides this one. */
  alsoChanges: FlowSpec[];
}

/**
 * The smallest policy that admits the flow in the direction that denies it: the endpoint's
 * identifying label, the peer's, the port; of the kind in use there. Returned only when adding
 * it makes the flow allowed. A deny rule cannot be outvoted: then there is no fix to add.
 */
export function fixFor(policies: Policy[], flow: FlowSpec, v: Verdict, others: FlowSpec[] = []): Fix | null {
  const at = v.deniedAt;
  if (!at) return null;
  const side = at === "ingress" ? v.ingress : v.egress;
  if (side.deniedBy.length) return null;
  const self = at === "ingress" ? flow.dst : flow.src;
  const peer = at === "ingress" ? flow.src : flow.dst;
  if (self.namespace === null) return null;
  const cilium = side.selecting.length > 0 && side.selecting.every((p) => p.kind !== "NetworkPolicy");
  const selfSel = identifying(self.labels);
  const peerSel = identifying(peer.labels);
  const name = `allow-${Object.values(peerSel)[0] ?? peer.entity ?? "peer"}-to-${Object.values(selfSel)[0] ?? "pods"}-${flow.port}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, 63).replace(/-+$/, "");
  const dirKey = at === "ingress" ? (cilium ? "fromEndpoints" : "from") : cilium ? "toEndpoints" : "to";
  let doc: Record<string, unknown>;
  if (cilium) {
    const peerRule = peer.namespace === null
      ? (peer.ip ? { [at === "ingress" ? "fromCIDR" : "toCIDR"]: [`${peer.ip}/${peer.ip.includes(":") ? 128 : 32}`] } : { [at === "ingress" ? "fromEntities" : "toEntities"]: [peer.entity ?? "world"] })
      : { [dirKey]: [{ matchLabels: { ...peerSel, ...(peer.namespace !== self.namespace && { "k8s:io.kubernetes.pod.namespace": peer.namespace }) } }] };
    doc = {
      apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name, namespace: self.namespace },
      spec: { endpointSelector: { matchLabels: selfSel }, [at]: [{ ...peerRule, toPorts: [{ ports: [{ port: String(flow.port), protocol: flow.protocol }] }] }] },
    };
  } else {
    const peerRule = peer.namespace === null
      ? (peer.ip ? { ipBlock: { cidr: `${peer.ip}/${peer.ip.includes(":") ? 128 : 32}` } } : null)
      : { podSelector: { matchLabels: peerSel }, ...(peer.namespace !== self.namespace && { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } } }) };
    if (!peerRule) return null;
    doc = {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: self.namespace },
      spec: { podSelector: { matchLabels: selfSel }, policyTypes: [at === "ingress" ? "Ingress" : "Egress"], [at]: [{ [dirKey]: [peerRule], ports: [{ protocol: flow.protocol, port: flow.port }] }] },
    };
  }
  // Parsed the way a file is, then evaluated: only a fix that admits the flow is shown.
  const added = parsePolicy(doc)!;
  const after = evaluate([...policies, ...added], flow);
  if ((at === "ingress" ? !after.ingress.allowed : !after.egress.allowed)) return null;
  // Flows like this one (the same endpoints' labels and port) are meant to change; any other is said.
  const where = (e: Endpoint) => (e.namespace === null ? e.ip ?? e.entity ?? null : null);
  const key = (f: FlowSpec) => JSON.stringify([f.src.namespace, f.src.labels, where(f.src), f.dst.namespace, f.dst.labels, where(f.dst), f.port, f.protocol]);
  const alsoChanges = others.filter((o) => key(o) !== key(flow) && evaluate(policies, o).allowed !== evaluate([...policies, ...added], o).allowed);
  return { yaml: yaml.dump(doc, { lineWidth: -1, noRefs: true }), policy: added[0]!, alsoChanges };
}
