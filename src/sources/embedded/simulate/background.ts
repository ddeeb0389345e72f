/**
 * The cluster's normal traffic, as streams: service-to-service connections (HTTP with L7
 * visibility in shop and pets, plain TCP elsewhere), ingress from the internet, egress to
 * Azure, DNS lookups with search-path noise, and a trickle of blocked scans. Each stream
 * reads the fault plan and alters only its own traffic, so a fault never shifts the
 * random sequence of any other stream.
 */
import type { Cluster, Peer, Pod, Workload } from "./cluster.js";
import { type Clock, NS_PER_MS, NS_PER_S } from "./clock.js";
import { type DnsFaults, type LookupContext, Resolver, candidates, lookup } from "./dns.js";
import { type Emit, type Stream, poissonStream, wobble, wobbleMax } from "./engine.js";
import type { PolicyRef } from "./hubble-types.js";
import type { FaultPlan } from "./plan.js";
import { Rng } from "./random.js";
import { Connection, droppedAttempt } from "./traffic.js";

interface Route {
  method: string;
  /** `{id}` is replaced by a number in 1..ids. */
  path: string;
  weight: number;
  ids?: number;
  /** Share of requests answered 404 (unknown ids). */
  notFound?: number;
  medianMs: number;
}

export interface EdgeSpec {
  id: string;
  /** "namespace/name", or "internet" (random public clients), or "world:<ip>". */
  client: string;
  /** "namespace/name", "world:<ip>", or "kubelet" (the nodes). */
  server: string;
  port?: number;
  proto: "http" | "tcp";
  /** New connections per minute at scale 1. */
  perMin: number;
  /** Requests (or exchanges) per connection, inclusive range. */
  requests: [number, number];
  routes?: Route[];
  /** Share of connections the client aborts with a RST (normal background resets). */
  clientResets?: number;
  /** Name the client resolves before connecting (cluster services are derived). */
  dnsName?: string;
}

const API_SERVER_IP = "20.103.57.12";
const LOG_INGEST_IP = "20.50.201.195";

export const EDGES: readonly EdgeSpec[] = [
  // shop: an online shop, L7-visible (a CiliumNetworkPolicy with HTTP rules covers the namespace).
  { id: "internet->shop/frontend", client: "internet", server: "shop/frontend", proto: "tcp", perMin: 1.5, requests: [1, 2] },
  {
    id: "shop/frontend->shop/catalog", client: "shop/frontend", server: "shop/catalog", proto: "http", perMin: 3, requests: [1, 3], clientResets: 0.04,
    routes: [
      { method: "GET", path: "/api/products", weight: 3, medianMs: 18 },
      { method: "GET", path: "/api/products/{id}", ids: 120, weight: 5, notFound: 0.03, medianMs: 9 },
    ],
  },
  {
    id: "shop/frontend->shop/cart", client: "shop/frontend", server: "shop/cart", proto: "http", perMin: 2, requests: [1, 2],
    routes: [
      { method: "GET", path: "/api/cart", weight: 3, medianMs: 6 },
      { method: "POST", path: "/api/cart/items", weight: 2, medianMs: 11 },
    ],
  },
  {
    id: "shop/frontend->shop/checkout", client: "shop/frontend", server: "shop/checkout", proto: "http", perMin: 1.5, requests: [1, 1],
    routes: [{ method: "POST", path: "/api/checkout", weight: 1, medianMs: 140 }],
  },
  {
    id: "shop/checkout->shop/payments", client: "shop/checkout", server: "shop/payments", proto: "http", perMin: 3, requests: [1, 2],
    routes: [{ method: "POST", path: "/api/payments/charge", weight: 1, medianMs: 85 }],
  },
  {
    id: "shop/checkout->shop/cart", client: "shop/checkout", server: "shop/cart", proto: "http", perMin: 0.8, requests: [1, 1],
    routes: [{ method: "GET", path: "/api/cart", weight: 1, medianMs: 6 }],
  },
  // pets: the AKS store demo.
  { id: "internet->pets/store-front", client: "internet", server: "pets/store-front", proto: "tcp", perMin: 1.5, requests: [1, 2] },
  {
    id: "pets/store-front->pets/product-service", client: "pets/store-front", server: "pets/product-service", proto: "http", perMin: 3, requests: [1, 3],
    routes: [
      { method: "GET", path: "/api/products", weight: 3, medianMs: 12 },
      { method: "GET", path: "/api/products/{id}", ids: 40, weight: 4, notFound: 0.02, medianMs: 7 },
    ],
  },
  {
    id: "pets/store-front->pets/order-service", client: "pets/store-front", server: "pets/order-service", proto: "http", perMin: 2, requests: [1, 2],
    routes: [
      { method: "POST", path: "/api/orders", weight: 3, medianMs: 35 },
      { method: "GET", path: "/api/orders/{id}", ids: 900, weight: 1, notFound: 0.01, medianMs: 8 },
    ],
  },
  { id: "pets/order-service->pets/rabbitmq", client: "pets/order-service", server: "pets/rabbitmq", proto: "tcp", perMin: 1.5, requests: [1, 2] },
  { id: "pets/makeline-service->pets/rabbitmq", client: "pets/makeline-service", server: "pets/rabbitmq", proto: "tcp", perMin: 1.2, requests: [1, 2] },
  { id: "pets/makeline-service->pets/mongodb", client: "pets/makeline-service", server: "pets/mongodb", proto: "tcp", perMin: 1, requests: [1, 3] },
  // default: the ACNS guide's kapinger pair (plain TCP, no L7 policy).
  { id: "default/kapinger-bad->default/kapinger-good", client: "default/kapinger-bad", server: "default/kapinger-good", proto: "tcp", perMin: 1.2, requests: [1, 2] },
  { id: "default/kapinger-good->default/kapinger-bad", client: "default/kapinger-good", server: "default/kapinger-bad", proto: "tcp", perMin: 1.2, requests: [1, 2] },
  { id: "shop/frontend->default/kapinger-bad", client: "shop/frontend", server: "default/kapinger-bad", proto: "tcp", perMin: 0.5, requests: [1, 1] },
  // search: one caller, four replicas behind a Service.
  { id: "search/search-api->search/search", client: "search/search-api", server: "search/search", proto: "tcp", perMin: 4, requests: [1, 1] },
  // kube-system: the control-plane tunnel, log shipping to Azure Monitor, kubelet scrapes.
  { id: "kube-system/konnectivity-agent->apiserver", client: "kube-system/konnectivity-agent", server: `world:${API_SERVER_IP}`, port: 443, proto: "tcp", perMin: 0.4, requests: [2, 6], dnsName: "aks-prod-weu-k8s-4f2a9c1e.hcp.westeurope.azmk8s.io" },
  { id: "kube-system/ama-logs->ingest", client: "kube-system/ama-logs", server: `world:${LOG_INGEST_IP}`, port: 443, proto: "tcp", perMin: 1, requests: [1, 3], dnsName: "2f6e1c0b-7d4a-4c55-9d1e-0a4b8e7c3f21.ods.opinsights.azure.com" },
  { id: "kube-system/metrics-server->kubelet", client: "kube-system/metrics-server", server: "kubelet", port: 10250, proto: "tcp", perMin: 1, requests: [1, 1] },
];

/** External names resolved without a matching edge in this model (outbound calls via NAT). */
const EXTRA_LOOKUPS: readonly LookupProfile[] = [
  // Refreshed when the client's cached answer expires: close to periodic.
  { client: "shop/checkout", name: "api.partner.example.com", perMin: 1.2, regular: true },
  { client: "shop/payments", name: "gateway.payments.example.net", perMin: 0.8, regular: true },
  { client: "pets/product-service", name: "images.cdn.example.org", perMin: 0.4, regular: true },
];

/** Share of connections for which the client does a fresh DNS lookup (the rest reuse a cached answer or a pooled connection). */
const LOOKUP_SHARE = 0.3;

const INTERNET_CLIENTS = 64;
const SCANNERS = ["45.148.10.81", "193.32.162.37", "80.94.95.112", "162.216.149.20", "89.248.165.74", "185.242.226.9"];
const DENY_RDP: PolicyRef[] = [
  {
    name: "deny-rdp-from-world",
    labels: [
      "k8s:io.cilium.k8s.policy.derived-from=CiliumClusterwideNetworkPolicy",
      "k8s:io.cilium.k8s.policy.name=deny-rdp-from-world",
    ],
    revision: 7,
    kind: "CiliumClusterwideNetworkPolicy",
  },
];

export interface BuildContext {
  cluster: Cluster;
  clock: Clock;
  seed: number;
  scale: number;
  plan: FaultPlan;
}

/** Picks server pods round-robin with some randomness, as a Service does over time. */
function roundRobin(rng: Rng, pods: readonly Pod[]): () => Pod {
  let i = rng.int(pods.length);
  return () => {
    if (rng.chance(0.25)) return rng.pick(pods);
    i = (i + 1) % pods.length;
    return pods[i] as Pod;
  };
}

function internetIp(rng: Rng): string {
  // A stable pool of client addresses, spread over public ranges.
  const n = rng.int(INTERNET_CLIENTS);
  const r = new Rng(n, "internet-client");
  return `${r.pick([31, 62, 77, 81, 86, 92, 109, 141, 176, 188, 213])}.${r.between(1, 254)}.${r.between(1, 254)}.${r.between(1, 254)}`;
}

export function buildStreams(ctx: BuildContext): Stream[] {
  const resolver = new Resolver(ctx.cluster);
  const coredns = ctx.cluster.workload("kube-system/coredns").pods;
  const dnsFaults = dnsFaultHooks(ctx);
  const streams: Stream[] = [];
  for (const edge of EDGES) streams.push(edgeStream(ctx, edge));
  for (const p of lookupProfiles(ctx)) streams.push(lookupStream(ctx, p, resolver, coredns, dnsFaults));
  streams.push(scanStream(ctx));
  return streams;
}

// ---------------------------------------------------------------- service edges

function edgeStream(ctx: BuildContext, edge: EdgeSpec): Stream {
  const { cluster, plan } = ctx;
  const rng = new Rng(ctx.seed, `edge:${edge.id}`);
  const jitter = wobble(rng);
  const clientPods = edge.client.includes("/") ? cluster.workload(edge.client).pods : [];
  const serverWorkload: Workload | null = edge.server.includes("/") && !edge.server.startsWith("world:") ? cluster.workload(edge.server) : null;
  const pickServer = serverWorkload ? roundRobin(rng, serverWorkload.pods) : null;
  const port = edge.port ?? serverWorkload?.port ?? 443;

  const replaced = plan.wrongName?.replacesEdge === edge.id ? plan.wrongName : undefined;
  const denied = plan.policyDrops?.find((p) => p.edge === edge.id);
  const imbalance = plan.imbalance?.edge === edge.id ? plan.imbalance : undefined;
  const resets = plan.resets?.edges.includes(edge.id) ? plan.resets : undefined;
  const errors = plan.httpErrors?.find((e) => e.edge === edge.id);
  const l7Drop = plan.l7Drop?.edge === edge.id ? plan.l7Drop : undefined;
  const faulty = Boolean(denied || imbalance || resets || errors || l7Drop);

  const boost = (t: number): number => {
    if (denied && t >= denied.since) return denied.retryBoost;
    if (resets && t >= resets.since) return resets.reconnectBoost;
    if (replaced && t >= replaced.since) return 0; // the client cannot resolve its server any more
    return 1;
  };
  const maxBoost = Math.max(1, denied?.retryBoost ?? 1, resets?.reconnectBoost ?? 1);
  const base = edge.perMin * ctx.scale;

  return poissonStream({
    rng,
    faulty,
    start: 0,
    stop: ctx.clock.durationNs,
    maxPerMin: base * wobbleMax() * maxBoost,
    rate: (t) => base * jitter(t) * boost(t),
    onEvent: (t, out) => {
      const client: Peer = clientPods.length > 0 ? rng.pick(clientPods) : cluster.world(internetIp(rng));
      let server: Peer;
      if (pickServer && serverWorkload) {
        server = imbalance && t >= imbalance.since ? skewed(rng, imbalance.hot, imbalance.share, pickServer) : pickServer();
      } else if (edge.server === "kubelet") {
        server = cluster.host(rng.pick(cluster.nodes), (client as Pod).node);
      } else {
        server = cluster.world(edge.server.slice("world:".length));
      }

      if (denied && t >= denied.since) {
        // Default-deny NetworkPolicy: the SYN and its retransmissions die at the server's ingress.
        droppedAttempt(out, rng, t, client, server, port, "POLICY_DENIED", "INGRESS", denied.truth, 3);
        return;
      }

      const mark = imbalance && t >= imbalance.since && server === imbalance.hot ? imbalance.truth : -1;
      const conn = new Connection(out, rng, client, server, port, mark);
      let at = conn.open(t);

      if (resets && t >= resets.since && rng.chance(resets.share)) {
        // The broker accepts, reads the protocol header, then resets the connection.
        at = conn.exchange(at, Math.round(rng.logNormal(0.8 * NS_PER_MS, 0.4)));
        conn.resetByServer(at + Math.round(rng.logNormal(3 * NS_PER_MS, 0.6)), resets.truth);
        return;
      }

      const n = rng.between(edge.requests[0], edge.requests[1]);
      for (let i = 0; i < n; i++) {
        if (i > 0) at += Math.round(rng.logNormal(400 * NS_PER_MS, 1));
        if (edge.proto === "http" && edge.routes) {
          at = httpExchange(rng, conn, at, t, edge, errors, l7Drop);
        } else {
          at = conn.exchange(at, Math.round(rng.logNormal(2 * NS_PER_MS, 0.7)));
        }
      }
      at += Math.round(rng.logNormal(600 * NS_PER_MS, 1));
      if (edge.clientResets && rng.chance(edge.clientResets)) conn.resetByClient(at);
      else conn.close(at);
    },
  });
}

function skewed(rng: Rng, hot: Pod, share: number, fallback: () => Pod): Pod {
  if (rng.chance(share)) return hot;
  let p = fallback();
  while (p === hot) p = fallback();
  return p;
}

// Background 5xx use 500/502/504 only, so a fault's 503 (or 403) is unambiguous.
const BACKGROUND_5XX = [500, 502, 504];

function httpExchange(
  rng: Rng,
  conn: Connection,
  at: number,
  started: number,
  edge: EdgeSpec,
  errors: NonNullable<FaultPlan["httpErrors"]>[number] | undefined,
  l7Drop: FaultPlan["l7Drop"],
): number {
  const routes = edge.routes ?? [];
  const route = routes[rng.weighted(routes.map((r) => r.weight))] as Route;
  const path = route.path.replace("{id}", String(rng.between(1, route.ids ?? 1)));
  const service = (conn.server as Pod).workload.service?.name ?? (conn.server as Pod).workload.name;
  const url = `http://${service}:${conn.dport}${path}`;

  if (l7Drop && started >= l7Drop.since && route.method === l7Drop.method && route.path === l7Drop.path) {
    return conn.http(at, route.method, url, null, 0, l7Drop.truth);
  }
  // A failing server answers fast; clients retry a 503 once or twice on the same connection.
  let attempts = 0;
  while (errors && started >= errors.since && rng.chance(errors.share(at))) {
    at = conn.http(at, route.method, url, errors.code, Math.round(rng.logNormal(1.8 * NS_PER_MS, 0.5)), errors.truth);
    if (errors.code !== 503 || ++attempts > 2 || !rng.chance(0.6)) return at;
    at += Math.round(rng.logNormal(100 * NS_PER_MS, 0.5));
  }
  let code = route.method === "POST" ? 201 : 200;
  if (route.notFound && rng.chance(route.notFound)) code = 404;
  else if (rng.chance(0.005)) code = rng.pick(BACKGROUND_5XX);
  const latency = Math.round(rng.logNormal(route.medianMs * NS_PER_MS, code >= 500 ? 1 : 0.5));
  return conn.http(at, route.method, url, code, latency);
}

// ---------------------------------------------------------------- DNS lookups

interface LookupProfile {
  client: string;
  name: string;
  perMin: number;
  regular?: boolean;
}

function lookupProfiles(ctx: BuildContext): LookupProfile[] {
  const out: LookupProfile[] = [];
  for (const e of EDGES) {
    if (!e.client.includes("/")) continue;
    let name = e.dnsName;
    if (!name && e.server.includes("/") && !e.server.startsWith("world:")) {
      const w = ctx.cluster.workload(e.server);
      const svc = w.service?.name ?? w.name;
      // Same namespace: the short name; elsewhere "name.namespace" (search path does the rest).
      name = w.namespace === e.client.split("/")[0] ? svc : `${svc}.${w.namespace}`;
    }
    if (name) out.push({ client: e.client, name, perMin: e.perMin * LOOKUP_SHARE });
  }
  return [...out, ...EXTRA_LOOKUPS];
}

function lookupStream(ctx: BuildContext, p: LookupProfile, resolver: Resolver, coredns: readonly Pod[], faults: DnsFaults): Stream {
  const rng = new Rng(ctx.seed, `dns:${p.client}:${p.name}`);
  const jitter = wobble(rng);
  const pods = ctx.cluster.workload(p.client).pods;
  const { plan } = ctx;
  const replaced = plan.wrongName && plan.wrongName.client === p.client && isNameOf(p.name, plan.wrongName.replacesEdge) ? plan.wrongName : undefined;
  const servfail = plan.servfail && plan.servfail.client === p.client && `${p.name}.` === plan.servfail.query ? plan.servfail : undefined;
  // Any client whose search path reaches the name meets the upstream timeout.
  const timesOut = Boolean(plan.upstreamTimeout && candidates(p.name, p.client.split("/")[0] ?? "").includes(plan.upstreamTimeout.query));
  const lookupCtx: LookupContext = { out: () => undefined, rng, resolver, pickServer: roundRobin(rng, coredns), faults };
  const base = p.perMin * ctx.scale;
  const boost = (t: number): number => (replaced && t >= replaced.since ? 0 : servfail && t >= servfail.since ? servfail.retryBoost : 1);
  return poissonStream({
    rng,
    // Every lookup can meet a silent CoreDNS pod; only the named client meets a SERVFAIL.
    faulty: Boolean(plan.silentDns || servfail || timesOut),
    start: 0,
    stop: ctx.clock.durationNs,
    maxPerMin: base * wobbleMax() * Math.max(1, servfail?.retryBoost ?? 1),
    rate: (t) => base * jitter(t) * boost(t),
    regular: p.regular ?? false,
    onEvent: (t, out) => {
      lookupCtx.out = out;
      lookup(lookupCtx, t, rng.pick(pods), p.name);
    },
  });
}

/** True if `name` is how the client of `edgeId` names that edge's server. */
function isNameOf(name: string, edgeId: string): boolean {
  const server = edgeId.split("->")[1] ?? "";
  const svc = server.split("/")[1] ?? "";
  return name === svc || name.startsWith(`${svc}.`);
}

function dnsFaultHooks(ctx: BuildContext): DnsFaults {
  const { servfail, silentDns, upstreamTimeout } = ctx.plan;
  const hooks: DnsFaults = {};
  if (servfail) {
    hooks.override = (client, query, qtype, t, rng) =>
      t >= servfail.since && query === servfail.query && qtype === servfail.qtype && `${client.namespace}/${client.workload.name}` === servfail.client
        ? { answer: { rcode: "SERVFAIL", ips: [], ttl: 0 }, latencyNs: Math.round(rng.logNormal(2 * NS_PER_S, 0.25)), truth: servfail.truth }
        : null;
  }
  if (silentDns) hooks.silent = (server, t) => (server === silentDns.pod && t >= silentDns.since ? silentDns.truth : -1);
  if (upstreamTimeout) hooks.unanswered = (query, t) => (query === upstreamTimeout.query && t >= upstreamTimeout.since ? upstreamTimeout.truth : -1);
  return hooks;
}

// ---------------------------------------------------------------- blocked scans

/** Internet scanners probing SSH (default-deny) and RDP (an explicit deny policy): steady, benign. */
function scanStream(ctx: BuildContext): Stream {
  const rng = new Rng(ctx.seed, "scans");
  const { cluster } = ctx;
  const frontend = cluster.workload("shop/frontend").pods;
  const storeFront = cluster.workload("pets/store-front").pods;
  const base = 2.2 * ctx.scale;
  return poissonStream({
    rng,
    faulty: false,
    start: 0,
    stop: ctx.clock.durationNs,
    maxPerMin: base,
    rate: () => base,
    onEvent: (t, out: Emit) => {
      const scanner = cluster.world(rng.pick(SCANNERS));
      if (rng.chance(0.7)) droppedAttempt(out, rng, t, scanner, rng.pick(frontend), 22, "POLICY_DENIED", "INGRESS", -1, rng.between(1, 2));
      else droppedAttempt(out, rng, t, scanner, rng.pick(storeFront), 3389, "POLICY_DENY", "INGRESS", -1, rng.between(1, 2), DENY_RDP);
    },
  });
}

