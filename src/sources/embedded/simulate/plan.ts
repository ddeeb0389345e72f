/**
 * A fault plan: what a scenario changes in the cluster's traffic, from when, and which
 * ground-truth entry (by index) the resulting symptom flows count towards. Background
 * streams read it to alter their own traffic; fault-only streams are built from it.
 */
import type { Node, Pod } from "./cluster.js";
import type { Rate } from "./engine.js";

interface Timed {
  /** Index into the scenario's ground truth. */
  truth: number;
  /** Start of the fault, ns from the window start. */
  since: number;
}

export interface FaultPlan {
  /** A client looks up a wrong (absolute) name instead of a service it used to call. */
  wrongName?: Timed & { client: string; query: string; perMin: number; replacesEdge: string };
  /** Upstream failure for one external name and query type, seen by one client. */
  servfail?: Timed & { client: string; query: string; qtype: string; retryBoost: number };
  /** A CoreDNS pod stops answering. */
  silentDns?: Timed & { pod: Pod };
  /** Azure DNS stops answering one external name (A and AAAA): every CoreDNS pod forwards it and never replies. */
  upstreamTimeout?: Timed & { query: string };
  /** A NetworkPolicy starts denying these edges (connection attempts dropped at ingress). */
  policyDrops?: (Timed & { edge: string; retryBoost: number })[];
  /** A node's conntrack table is full: new connections touching it are dropped. */
  conntrack?: Timed & { node: Node; peakPerMin: number };
  /** One server pod of an edge starts getting `share` of its connections. */
  imbalance?: Timed & { edge: string; hot: Pod; share: number };
  /** A server resets a share of its connections on these edges; clients reconnect faster. */
  resets?: Timed & { edges: string[]; share: number; reconnectBoost: number };
  /** A server answers a (time-varying) share of an edge's HTTP requests with `code`. */
  httpErrors?: (Timed & { edge: string; code: number; share: Rate })[];
  /** A node falls silent (NotReady, its agent gone): nothing is observed on it from `since`. */
  nodeSilent?: Timed & { node: Node };
  /** Connections from one node hang in SYN_SENT (a black-holed route): seen in its TCP state metrics. */
  synSent?: Timed & { node: Node; level: number };
  /** An L7 policy denies one method+path on an edge. */
  l7Drop?: Timed & { edge: string; method: string; path: string };
}
