/**
 * The verdict of a set of policies on one flow, by the specifications: Kubernetes NetworkPolicy
 * (isolation per direction when any policy of that type selects the pod; the union of allows; a
 * flow needs egress at the source and ingress at the destination) and Cilium's (endpoint
 * selectors, entities, CIDRs, FQDNs, and deny rules that win over any allow). Pure.
 */
import { CILIUM_SAME_NS, type Labels, type Peer, type Policy, type PortRule, type Rule, type Selector } from "./model.js";

export interface Endpoint {
  /** null: not a pod (outside the cluster, a node, …). */
  namespace: string | null;
  /** The pod's labels (without Cilium's `k8s:` prefix). */
  labels: Labels;
  /** The namespace's labels; `kubernetes.io/metadata.name` is always implied. */
  namespaceLabels?: Labels;
  ip?: string;
  /** For a non-pod: Cilium's reserved identity (world, host, remote-node, kube-apiserver, health, ingress, init, unmanaged). */
  entity?: string;
  /** The name the flow looked up (for toFQDNs). */
  dnsName?: string;
  /** The destination pod's named container ports. */
  namedPorts?: Record<string, number>;
}

export interface FlowSpec {
  src: Endpoint;
  dst: Endpoint;
  port: number;
  protocol: "TCP" | "UDP" | "SCTP";
}

export interface RuleRef {
  policy: Policy;
  /** Index of the rule in its section. */
  rule: number;
}

export interface SideVerdict {
  /** Whether this side is a pod policies can select (a world source has no egress to judge). */
  applies: boolean;
  /** Policies that select the pod in this direction. */
  selecting: Policy[];
  isolated: boolean;
  allowedBy: RuleRef[];
  deniedBy: RuleRef[];
  allowed: boolean;
  /** What could not be told from the data (a named port, a missing label set). */
  uncertain: string[];
}

export interface Verdict {
  egress: SideVerdict;
  ingress: SideVerdict;
  allowed: boolean;
  /** The direction that denies, source's egress first. */
  deniedAt: "egress" | "ingress" | null;
}

export function evaluate(policies: Policy[], flow: FlowSpec): Verdict {
  const egress = side(policies, flow, "egress");
  const ingress = side(policies, flow, "ingress");
  const deniedAt = !egress.allowed ? "egress" : !ingress.allowed ? "ingress" : null;
  return { egress, ingress, allowed: deniedAt === null, deniedAt };
}

function side(policies: Policy[], flow: FlowSpec, dir: "egress" | "ingress"): SideVerdict {
  const self = dir === "egress" ? flow.src : flow.dst;
  const peer = dir === "egress" ? flow.dst : flow.src;
  const uncertain: string[] = [];
  if (self.namespace === null) return { applies: false, selecting: [], isolated: false, allowedBy: [], deniedBy: [], allowed: true, uncertain };
  const selecting = policies.filter((p) => p.isolates[dir] && selects(p, self));
  const match = (p: Policy, rules: Rule[]) => rules.flatMap((r, i) => (ruleAdmits(p, r, peer, flow, dir, uncertain) ? [{ policy: p, rule: i }] : []));
  const allowedBy = selecting.flatMap((p) => match(p, dir === "egress" ? p.egress : p.ingress));
  const deniedBy = selecting.flatMap((p) => match(p, dir === "egress" ? p.egressDeny : p.ingressDeny));
  const isolated = selecting.length > 0;
  return { applies: true, selecting, isolated, allowedBy, deniedBy, allowed: deniedBy.length === 0 && (!isolated || allowedBy.length > 0), uncertain: [...new Set(uncertain)] };
}

/** Does the policy apply to this pod? */
export function selects(p: Policy, e: Endpoint): boolean {
  if (e.namespace === null) return false;
  if (p.kind === "NetworkPolicy") return p.namespace === e.namespace && matches(p.selector, e.labels);
  if (p.namespace !== null && p.namespace !== e.namespace) return false;
  return matches(p.selector, ciliumLabels(e));
}

/** A pod's labels as Cilium selectors see them: its own, its namespace, the namespace's labels. */
function ciliumLabels(e: Endpoint): Labels {
  const out: Labels = { ...e.labels, "io.kubernetes.pod.namespace": e.namespace ?? "" };
  for (const [k, v] of Object.entries(nsLabels(e))) out[`io.cilium.k8s.namespace.labels.${k}`] = v;
  return out;
}

const nsLabels = (e: Endpoint): Labels => ({ ...(e.namespaceLabels ?? {}), ...(e.namespace ? { "kubernetes.io/metadata.name": e.namespace } : {}) });

export function matches(s: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of s.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    if (r.operator === "In" && !(has && (r.values ?? []).includes(v!))) return false;
    if (r.operator === "NotIn" && has && (r.values ?? []).includes(v!)) return false;
    if (r.operator === "Exists" && !has) return false;
    if (r.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function ruleAdmits(p: Policy, r: Rule, peer: Endpoint, flow: FlowSpec, dir: "egress" | "ingress", uncertain: string[]): boolean {
  const peerOk = r.peers === undefined || r.peers.some((x) => peerMatches(p, x, peer, dir));
  return peerOk && (r.ports === undefined || r.ports.some((x) => portMatches(x, flow, uncertain)));
}

function peerMatches(p: Policy, x: Peer, e: Endpoint, dir: "egress" | "ingress"): boolean {
  switch (x.kind) {
    case "pods": {
      if (e.namespace === null) return false;
      if (p.kind === "NetworkPolicy") {
        // podSelector alone: the policy's namespace; namespaceSelector alone: every pod of the
        // matching namespaces; both in one peer: both must hold.
        const nsOk = x.namespaceSelector ? matches(x.namespaceSelector, nsLabels(e)) : e.namespace === p.namespace;
        return nsOk && (x.podSelector ? matches(x.podSelector, e.labels) : true);
      }
      const sel = x.podSelector ?? {};
      const namesNs = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((m) => m.key)].includes("io.kubernetes.pod.namespace");
      // A namespaced Cilium policy's endpoint selector stays in its namespace unless it names one.
      if (x.namespaceSelector?.matchLabels?.[CILIUM_SAME_NS] !== undefined && p.namespace !== null && !namesNs && e.namespace !== p.namespace) return false;
      return matches(sel, ciliumLabels(e));
    }
    case "ipBlock":
      // As Cilium: CIDR rules are for peers outside the cluster, never for pods.
      return e.namespace === null && e.entity !== "host" && e.entity !== "remote-node" && !!e.ip && inCidr(e.ip, x.cidr) && !x.except.some((c) => inCidr(e.ip!, c));
    case "entities":
      return x.entities.some((ent) => entityMatches(ent, e));
    case "fqdn": {
      if (dir !== "egress" || !e.dnsName) return false;
      const name = e.dnsName.replace(/\.$/, "").toLowerCase();
      return x.names.some((n) => n.replace(/\.$/, "").toLowerCase() === name)
        || x.patterns.some((pat) => new RegExp(`^${pat.replace(/\.$/, "").toLowerCase().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[-a-z0-9.]*")}$`).test(name));
    }
  }
}

/** Cilium's entities: world is outside the cluster; cluster is every in-cluster identity. */
function entityMatches(ent: string, e: Endpoint): boolean {
  const id = e.namespace !== null ? "pod" : (e.entity ?? "world");
  switch (ent) {
    case "all": return true;
    case "world": return id === "world";
    case "cluster": return id !== "world";
    case "host": return id === "host";
    case "remote-node": return id === "remote-node";
    case "kube-apiserver": return id === "kube-apiserver";
    case "health": return id === "health";
    case "init": return id === "init";
    case "ingress": return id === "ingress";
    case "unmanaged": return id === "unmanaged";
    default: return false;
  }
}

function portMatches(x: PortRule, flow: FlowSpec, uncertain: string[]): boolean {
  if (x.protocol !== flow.protocol) return false;
  if (x.port === undefined) return true;
  let port = x.port;
  if (typeof port === "string") {
    const named = flow.dst.namedPorts?.[port];
    if (named === undefined) {
      uncertain.push(`the named port "${port}" (the data does not say which number it is)`);
      return false;
    }
    port = named;
  }
  return x.endPort !== undefined ? flow.port >= port && flow.port <= x.endPort : flow.port === port;
}

/** Is the address inside the block (IPv4 or IPv6)? */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsRaw] = cidr.split("/");
  const a = toBig(ip), n = toBig(net!);
  if (a === null || n === null || a.v6 !== n.v6) return false;
  const width = a.v6 ? 128 : 32;
  const bits = bitsRaw === undefined ? width : Number(bitsRaw);
  if (!(bits >= 0 && bits <= width)) return false;
  const shift = BigInt(width - bits);
  return a.n >> shift === n.n >> shift;
}

function toBig(ip: string): { n: bigint; v6: boolean } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split(".").map(Number);
    if (parts.some((x) => x > 255)) return null;
    return { n: parts.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n), v6: false };
  }
  if (!ip.includes(":")) return null;
  const [head, tail] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return { n: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), v6: true };
}
