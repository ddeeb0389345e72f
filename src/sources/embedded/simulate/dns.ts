/**
 * DNS as pods do it in Kubernetes: the resolver's search path (ndots:5) turns a short or
 * external name into several queries, A and AAAA in parallel, each through Cilium's DNS
 * proxy to a CoreDNS pod; CoreDNS answers cluster names itself and forwards the rest to
 * Azure DNS. The NXDOMAIN answers of the search path are normal noise, not a fault.
 */
import { AZURE_DNS_IP, type Cluster, type Peer, type Pod } from "./cluster.js";
import type { Emit } from "./engine.js";
import { type DnsAnswer, dnsRequest, dnsResponse, trace } from "./hubble.js";
import type { Rng } from "./random.js";
import { ephemeralPort } from "./traffic.js";
import { NS_PER_MS, NS_PER_S } from "./clock.js";

const US = 1000;
const CLUSTER_DOMAIN = "cluster.local";
/** glibc's default query timeout and attempts (resolv.conf `options timeout:5 attempts:2`). */
const TIMEOUT_NS = 5 * NS_PER_S;
const ATTEMPTS = 2;

/** External names the cluster's workloads resolve, with what Azure DNS returns. */
export const EXTERNAL_NAMES: Readonly<Record<string, { a: string[]; aaaa: string[]; ttl: number }>> = {
  "api.partner.example.com.": { a: ["203.0.113.10"], aaaa: [], ttl: 60 },
  "gateway.payments.example.net.": { a: ["198.51.100.24", "198.51.100.25"], aaaa: ["2001:db8:100::24"], ttl: 300 },
  "images.cdn.example.org.": { a: ["192.0.2.44"], aaaa: ["2001:db8:44::1"], ttl: 3600 },
  "2f6e1c0b-7d4a-4c55-9d1e-0a4b8e7c3f21.ods.opinsights.azure.com.": { a: ["20.50.201.195"], aaaa: [], ttl: 300 },
  "aks-prod-weu-k8s-4f2a9c1e.hcp.westeurope.azmk8s.io.": { a: ["20.103.57.12"], aaaa: [], ttl: 150 },
};

export interface Resolution {
  answer: DnsAnswer;
  latencyNs: number;
  /** CoreDNS had to ask Azure DNS (cache miss on an external name). */
  upstream: boolean;
}

/** What CoreDNS answers for a name, with no fault. */
export class Resolver {
  private readonly services = new Map<string, string>();
  /** Azure's platform DNS, where CoreDNS forwards what is not cluster.local. */
  readonly upstream: Peer;

  constructor(cluster: Cluster) {
    this.upstream = cluster.world(AZURE_DNS_IP);
    for (const w of cluster.workloads) {
      if (w.service) this.services.set(`${w.service.name}.${w.namespace}.svc.${CLUSTER_DOMAIN}.`, w.service.clusterIP);
    }
  }

  /** The FQDN a workload uses for a service ("payments" in shop). */
  serviceFqdn(namespace: string, service: string): string {
    return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}.`;
  }

  resolve(rng: Rng, query: string, qtype: string): Resolution {
    const local = Math.round(rng.logNormal(350 * US, 0.5));
    const clusterIP = this.services.get(query);
    if (clusterIP !== undefined) {
      // Cluster has no IPv6: AAAA is an empty NOERROR (NODATA).
      return { answer: { rcode: "NOERROR", ips: qtype === "A" ? [clusterIP] : [], ttl: 30 }, latencyNs: local, upstream: false };
    }
    if (query.endsWith(`.${CLUSTER_DOMAIN}.`)) return { answer: { rcode: "NXDOMAIN", ips: [], ttl: 0 }, latencyNs: local, upstream: false };
    const ext = EXTERNAL_NAMES[query];
    // CoreDNS caches; about a third of external answers need the upstream.
    const upstream = rng.chance(0.35);
    const latencyNs = upstream ? Math.round(rng.logNormal(6 * NS_PER_MS, 0.5)) + local : local;
    if (!ext) return { answer: { rcode: "NXDOMAIN", ips: [], ttl: 0 }, latencyNs, upstream };
    const ips = qtype === "A" ? ext.a : ext.aaaa;
    return { answer: { rcode: "NOERROR", ips, ttl: upstream ? ext.ttl : rng.between(1, ext.ttl) }, latencyNs, upstream };
  }
}

/** Fault hooks into lookups. */
export interface DnsFaults {
  /** A replacement answer (and its truth index) for one query, or null for the normal one. */
  override?(client: Pod, query: string, qtype: string, t: number, rng: Rng): { answer: DnsAnswer; latencyNs: number; truth: number } | null;
  /** The truth index when `server` does not answer at `t`; -1 when it answers. */
  silent?(server: Pod, t: number): number;
  /** The truth index when CoreDNS forwards `query` sent at `t` upstream and never answers it; -1 otherwise. */
  unanswered?(query: string, t: number): number;
}

/** The names the resolver tries for `name` from a pod in `namespace` (ndots:5). */
export function candidates(name: string, namespace: string): string[] {
  if (name.endsWith(".")) return [name];
  const search = [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN].map((d) => `${name}.${d}.`);
  const dots = name.split(".").length - 1;
  return dots >= 5 ? [`${name}.`, ...search] : [...search, `${name}.`];
}

export interface LookupContext {
  out: Emit;
  rng: Rng;
  resolver: Resolver;
  /** Which CoreDNS pod the service load-balancer picks for a new socket. */
  pickServer: () => Pod;
  faults: DnsFaults;
  /** Truth index for every response of this lookup (a fault's own lookups), or -1. */
  mark?: number;
}

/**
 * One name lookup by `client`: walk the search list, A and AAAA in parallel on one socket,
 * stop at the first candidate that exists. Returns when the lookup finished.
 */
export function lookup(ctx: LookupContext, t: number, client: Pod, name: string): number {
  let at = t;
  for (const query of candidates(name, client.namespace)) {
    const result = queryPair(ctx, at, client, query);
    at = result.done;
    if (result.outcome !== "NXDOMAIN") break;
  }
  return at;
}

type Outcome = "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "OTHER" | "TIMEOUT";

function queryPair(ctx: LookupContext, t: number, client: Pod, query: string): { done: number; outcome: Outcome } {
  const { out, rng } = ctx;
  let at = t;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // A new socket per attempt: the load-balancer may pick another CoreDNS pod.
    const server = ctx.pickServer();
    const sport = ephemeralPort(rng);
    const silentTruth = ctx.faults.silent?.(server, at) ?? -1;
    let done = at;
    let outcome: Outcome = "TIMEOUT";
    let sent = at;
    let timedOut = silentTruth >= 0;
    for (const qtype of ["A", "AAAA"]) {
      // Decided per request at its own send time, so a fault's onset between A and AAAA counts right.
      const lost = silentTruth >= 0 ? -1 : (ctx.faults.unanswered?.(query, sent) ?? -1);
      out(sent, dnsRequest(client, server, sport, query, qtype), silentTruth >= 0 ? silentTruth : lost);
      if (lost >= 0) {
        // CoreDNS forwards, Azure DNS never answers, and nothing comes back before the client gives up.
        upstreamQuery(ctx, sent + 200 * US, server, 0, false);
        timedOut = true;
      } else if (silentTruth < 0) {
        const r = respond(ctx, sent, client, server, query, qtype);
        out(sent + r.latencyNs, dnsResponse(client, server, sport, query, qtype, r.answer, r.latencyNs), r.truth);
        done = Math.max(done, sent + r.latencyNs);
        if (qtype === "A") outcome = r.answer.rcode === "NOERROR" || r.answer.rcode === "NXDOMAIN" || r.answer.rcode === "SERVFAIL" ? r.answer.rcode : "OTHER";
      }
      sent += rng.between(20 * US, 120 * US);
    }
    // glibc waits for both answers of the pair: one missing one means a timeout and a retry.
    if (!timedOut) return { done: done + rng.between(50 * US, 400 * US), outcome };
    at += TIMEOUT_NS;
  }
  return { done: at, outcome: "TIMEOUT" };
}

function respond(
  ctx: LookupContext, t: number, client: Pod, server: Pod, query: string, qtype: string,
): { answer: DnsAnswer; latencyNs: number; truth: number } {
  const { rng } = ctx;
  const fault = ctx.faults.override?.(client, query, qtype, t, rng) ?? null;
  if (fault) {
    // A failing upstream: CoreDNS forwards, Azure DNS never answers, CoreDNS gives up.
    if (fault.answer.rcode === "SERVFAIL") upstreamQuery(ctx, t + 200 * US, server, fault.latencyNs, false);
    return fault;
  }
  const r = ctx.resolver.resolve(rng, query, qtype);
  if (r.upstream) upstreamQuery(ctx, t + 200 * US, server, r.latencyNs - 400 * US, true);
  return { answer: r.answer, latencyNs: r.latencyNs, truth: ctx.mark ?? -1 };
}

/** CoreDNS -> Azure DNS over UDP, leaving the cluster (TO_STACK), and the answer if any. */
function upstreamQuery(ctx: LookupContext, t: number, server: Pod, rttNs: number, answered: boolean): void {
  const { out, rng } = ctx;
  const azure = ctx.resolver.upstream;
  const sport = ephemeralPort(rng);
  out(t, trace(server, azure, { proto: "UDP", sport, dport: 53 }, false, "NEW"));
  if (answered) out(t + Math.max(rttNs, 100 * US), trace(azure, server, { proto: "UDP", sport: 53, dport: sport }, true, "REPLY"));
}
