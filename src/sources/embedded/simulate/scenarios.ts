/**
 * The named scenarios: for each, the fault plan and the ground truth it produces. Faults
 * start partway through the window (typically 26–34 minutes before its end) so a
 * before/after comparison works.
 */
import type { Cluster } from "./cluster.js";
import type { FaultPlan } from "./plan.js";
import type { GroundTruth, ScenarioName } from "./types.js";

/** A truth entry before counting: `since` as a window offset, `injected` still unknown. */
export type TruthDraft = Omit<GroundTruth, "since" | "injected"> & { sinceNs: number };

export interface ScenarioSetup {
  plan: FaultPlan;
  truths: TruthDraft[];
}

/** Offset (ns) of "this many minutes before the end", kept inside short windows. */
export type SinceAt = (minutesBeforeEnd: number) => number;

const PARTNER_API = "api.partner.example.com.";
const WRONG_PAYMENTS_NAME = "payments-api.shop.svc.cluster.local.";

const E = {
  checkoutPayments: "shop/checkout->shop/payments",
  searchApiSearch: "search/search-api->search/search",
  orderRabbit: "pets/order-service->pets/rabbitmq",
  makelineRabbit: "pets/makeline-service->pets/rabbitmq",
  storeFrontProducts: "pets/store-front->pets/product-service",
  storeFrontOrders: "pets/store-front->pets/order-service",
  goodBad: "default/kapinger-good->default/kapinger-bad",
  frontendBad: "shop/frontend->default/kapinger-bad",
} as const;

const subject = (namespace: string | null, workload: string | null, pod: string | null = null, node: string | null = null) => ({ namespace, workload, pod, node });
const peer = (namespace: string, workload: string) => ({ namespace, workload });

// Pieces shared by a single-fault scenario and the demo.

function servfail(truth: number, since: number): { plan: Pick<FaultPlan, "servfail">; truth: TruthDraft } {
  return {
    plan: { servfail: { truth, since, client: "shop/checkout", query: PARTNER_API, qtype: "A", retryBoost: 2 } },
    truth: {
      kind: "dns_errors", reason: "SERVFAIL", subject: subject("shop", "checkout"), peer: peer("kube-system", "coredns"), query: PARTNER_API, sinceNs: since,
      match: [{ type: "L7", dnsQuery: PARTNER_API, dnsRcode: "SERVFAIL", sourceNamespace: "kube-system", sourceWorkload: "coredns", destinationNamespace: "shop", destinationWorkload: "checkout" }],
      description: `shop/checkout's A lookups of ${PARTNER_API} get SERVFAIL (the upstream stopped answering) while its AAAA lookups still succeed.`,
    },
  };
}

function rabbitResets(c: Cluster, truth: number, since: number): { plan: Pick<FaultPlan, "resets">; truth: TruthDraft } {
  const pod = c.pod("pets/rabbitmq", 0).name;
  return {
    plan: { resets: { truth, since, edges: [E.orderRabbit, E.makelineRabbit], share: 0.85, reconnectBoost: 3 } },
    truth: {
      kind: "tcp_resets", reason: "RST", subject: subject("pets", "rabbitmq", pod), peer: peer("pets", "order-service"), sinceNs: since,
      match: [{ tcpFlag: "RST", sourceNamespace: "pets", sourcePod: pod }],
      description: `pets/${pod} resets most AMQP connections from order-service and makeline-service, which reconnect in a loop.`,
    },
  };
}

function productForbidden(truth: number, since: number, end: number): { plan: Pick<FaultPlan, "httpErrors">; truth: TruthDraft } {
  const span = Math.max(end - since, 1);
  return {
    plan: { httpErrors: [{ truth, since, edge: E.storeFrontProducts, code: 403, share: (t) => 0.05 + 0.6 * Math.min(1, Math.max(0, (t - since) / span)) }] },
    truth: {
      kind: "http_errors", reason: "403", subject: subject("pets", "product-service"), peer: peer("pets", "store-front"), sinceNs: since,
      match: [{ type: "L7", httpCode: 403, sourceNamespace: "pets", sourceWorkload: "product-service", destinationNamespace: "pets", destinationWorkload: "store-front" }],
      description: "pets/product-service answers a growing share of store-front's requests with 403 Forbidden.",
    },
  };
}

export const SCENARIO_SETUPS: Record<ScenarioName, (c: Cluster, at: SinceAt, end: number) => ScenarioSetup> = {
  "dns-nxdomain": (_c, at) => {
    const since = at(27);
    return {
      plan: { wrongName: { truth: 0, since, client: "shop/checkout", query: WRONG_PAYMENTS_NAME, perMin: 8, replacesEdge: E.checkoutPayments } },
      truths: [{
        kind: "dns_errors", reason: "NXDOMAIN", subject: subject("shop", "checkout"), peer: peer("kube-system", "coredns"), query: WRONG_PAYMENTS_NAME, sinceNs: since,
        match: [{ type: "L7", dnsQuery: WRONG_PAYMENTS_NAME, dnsRcode: "NXDOMAIN", sourceNamespace: "kube-system", sourceWorkload: "coredns", destinationNamespace: "shop", destinationWorkload: "checkout" }],
        description: `A release of shop/checkout looks up the mistyped ${WRONG_PAYMENTS_NAME} instead of payments and gets NXDOMAIN, so it no longer reaches payments.`,
      }],
    };
  },

  "dns-servfail": (_c, at) => {
    const s = servfail(0, at(29));
    return { plan: s.plan, truths: [s.truth] };
  },

  "dns-missing-responses": (c, at) => {
    const since = at(26);
    const pod = c.pod("kube-system/coredns", 1);
    return {
      plan: { silentDns: { truth: 0, since, pod } },
      truths: [{
        kind: "dns_missing_responses", reason: null, subject: subject("kube-system", "coredns", pod.name), peer: null, sinceNs: since,
        match: [{ type: "L7", l7Type: "REQUEST", destinationNamespace: "kube-system", destinationPod: pod.name }],
        description: `CoreDNS pod ${pod.name} stops answering: queries load-balanced to it get no response and clients retry after a 5 s timeout.`,
      }],
    };
  },

  "dns-upstream-timeout": (_c, at) => {
    const since = at(28);
    return {
      plan: { upstreamTimeout: { truth: 0, since, query: PARTNER_API } },
      truths: [{
        kind: "dns_missing_responses", reason: null, subject: subject("kube-system", "coredns"), peer: null, query: PARTNER_API, sinceNs: since,
        match: [{ type: "L7", l7Type: "REQUEST", dnsQuery: PARTNER_API, destinationNamespace: "kube-system", destinationWorkload: "coredns" }],
        description: `Azure DNS stops answering ${PARTNER_API}: every CoreDNS pod forwards its A and AAAA queries and never replies, so shop/checkout's lookups time out after 5 s and retry while other names still resolve.`,
      }],
    };
  },

  "policy-drop": (_c, at) => {
    const since = at(32);
    return {
      plan: { policyDrops: [{ truth: 0, since, edge: E.checkoutPayments, retryBoost: 2 }] },
      truths: [{
        kind: "packet_drops", reason: "POLICY_DENIED", subject: subject("shop", "payments"), peer: peer("shop", "checkout"), sinceNs: since,
        match: [{ verdict: "DROPPED", dropReason: "POLICY_DENIED", sourceNamespace: "shop", sourceWorkload: "checkout", destinationNamespace: "shop", destinationWorkload: "payments" }],
        description: "A new NetworkPolicy in shop denies checkout -> payments on TCP 8080: every connection attempt (SYN and retransmissions) is dropped at payments.",
      }],
    };
  },

  "conntrack-node-drops": (c, at) => {
    const since = at(28);
    const node = c.nodeAt(1);
    return {
      plan: { conntrack: { truth: 0, since, node, peakPerMin: 30 } },
      truths: [{
        kind: "node_drops", reason: "CT_MAP_INSERTION_FAILED", subject: subject(null, null, null, node.name), peer: null, sinceNs: since,
        match: [{ verdict: "DROPPED", dropReason: "CT_MAP_INSERTION_FAILED", node: node.name }],
        description: `The conntrack table of node ${node.name} is full: new connections to and from many pods on that node are dropped (CT: Map insertion failed).`,
      }],
    };
  },

  "traffic-imbalance": (c, at) => {
    const since = at(30);
    const hot = c.pod("search/search", 2);
    return {
      plan: { imbalance: { truth: 0, since, edge: E.searchApiSearch, hot, share: 0.7 } },
      truths: [{
        kind: "traffic_imbalance", reason: null, subject: subject("search", "search", hot.name), peer: peer("search", "search-api"), sinceNs: since,
        match: [
          { sourceNamespace: "search", sourceWorkload: "search-api", destinationPod: hot.name },
          { sourcePod: hot.name, destinationNamespace: "search", destinationWorkload: "search-api" },
        ],
        description: `search/${hot.name} starts receiving about 70% of search-api's connections while the other three replicas share the rest.`,
      }],
    };
  },

  "tcp-reset-storm": (c, at) => {
    const r = rabbitResets(c, 0, at(33));
    return { plan: r.plan, truths: [r.truth] };
  },

  "http-5xx": (_c, at) => {
    const since = at(31);
    return {
      plan: { httpErrors: [{ truth: 0, since, edge: E.checkoutPayments, code: 503, share: () => 0.4 }] },
      truths: [{
        kind: "http_errors", reason: "503", subject: subject("shop", "payments"), peer: peer("shop", "checkout"), sinceNs: since,
        match: [{ type: "L7", httpCode: 503, sourceNamespace: "shop", sourceWorkload: "payments", destinationNamespace: "shop", destinationWorkload: "checkout" }],
        description: "shop/payments answers about 40% of checkout's charge requests with 503 Service Unavailable; checkout retries some of them.",
      }],
    };
  },

  "http-403": (_c, at, end) => {
    const p = productForbidden(0, at(30), end);
    return { plan: p.plan, truths: [p.truth] };
  },

  "l7-policy-drop": (_c, at) => {
    const since = at(28);
    return {
      plan: { l7Drop: { truth: 0, since, edge: E.storeFrontOrders, method: "POST", path: "/api/orders" } },
      truths: [{
        kind: "l7_drops", reason: "POLICY_DENIED", subject: subject("pets", "order-service"), peer: peer("pets", "store-front"), sinceNs: since,
        match: [{ verdict: "DROPPED", type: "L7", sourceNamespace: "pets", sourceWorkload: "store-front", destinationNamespace: "pets", destinationWorkload: "order-service" }],
        description: "An L7 CiliumNetworkPolicy on pets/order-service denies store-front's POST /api/orders; the proxy drops those requests while GETs pass.",
      }],
    };
  },

  "node-syn-sent": (c, at) => {
    const since = at(27);
    const node = c.nodeAt(2);
    return {
      plan: { synSent: { truth: 0, since, node, level: 160 } },
      truths: [{
        kind: "tcp_state_anomaly", reason: "SYN_SENT", subject: subject(null, null, null, node.name), peer: null, sinceNs: since,
        match: [], // a TCP state gauge: metrics only
        description: `Connections opened from node ${node.name} hang in SYN_SENT (a black-holed route): about 160 at a time, against a handful before.`,
      }],
    };
  },

  "node-silent": (c, at) => {
    const since = at(25);
    const node = c.nodeAt(1);
    return {
      plan: { nodeSilent: { truth: 0, since, node } },
      truths: [{
        kind: "traffic_drop", reason: null, subject: subject(null, null, null, node.name), peer: null, sinceNs: since,
        match: [],
        description: `Node ${node.name} goes NotReady: from then on nothing is forwarded or observed on it.`,
      }],
    };
  },

  healthy: () => ({ plan: {}, truths: [] }),

  demo: (c, at, end) => {
    const kapinger = at(34);
    const s = servfail(1, at(29));
    const r = rabbitResets(c, 2, at(26));
    const p = productForbidden(3, at(31), end);
    return {
      plan: {
        policyDrops: [
          { truth: 0, since: kapinger, edge: E.goodBad, retryBoost: 1.5 },
          { truth: 0, since: kapinger, edge: E.frontendBad, retryBoost: 1.5 },
        ],
        ...s.plan,
        ...r.plan,
        ...p.plan,
      },
      truths: [
        {
          kind: "packet_drops", reason: "POLICY_DENIED", subject: subject("default", "kapinger-bad"), peer: peer("default", "kapinger-good"), sinceNs: kapinger,
          match: [{ verdict: "DROPPED", dropReason: "POLICY_DENIED", destinationNamespace: "default", destinationWorkload: "kapinger-bad" }],
          description: "A NetworkPolicy isolates default/kapinger-bad: connections from kapinger-good (and shop/frontend) are dropped at its ingress.",
        },
        s.truth,
        r.truth,
        p.truth,
      ],
    };
  },
};
