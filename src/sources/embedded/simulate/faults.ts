/**
 * Streams that exist only because of a fault: a client's lookups of a wrong name, and the
 * drops of a node whose conntrack table is full. (Faults that change existing traffic live
 * in the background streams they change.)
 */
import type { Pod } from "./cluster.js";
import { NS_PER_MIN } from "./clock.js";
import { type LookupContext, Resolver, lookup } from "./dns.js";
import { type Stream, poissonStream } from "./engine.js";
import { drop } from "./hubble.js";
import { Rng } from "./random.js";
import { type BuildContext, EDGES } from "./background.js";
import { ephemeralPort } from "./traffic.js";

export function faultStreams(ctx: BuildContext): Stream[] {
  const streams: Stream[] = [];
  if (ctx.plan.wrongName) streams.push(wrongNameStream(ctx));
  if (ctx.plan.conntrack) streams.push(conntrackStream(ctx));
  return streams;
}

/** A client retrying a name that does not exist, every few seconds per pod. */
function wrongNameStream(ctx: BuildContext): Stream {
  const fault = ctx.plan.wrongName;
  if (!fault) throw new Error("no wrongName fault");
  const rng = new Rng(ctx.seed, "fault:wrong-name");
  const pods = ctx.cluster.workload(fault.client).pods;
  const coredns = ctx.cluster.workload("kube-system/coredns").pods;
  const lookupCtx: LookupContext = {
    out: () => undefined,
    rng,
    resolver: new Resolver(ctx.cluster),
    pickServer: () => rng.pick(coredns),
    faults: {},
    mark: fault.truth,
  };
  const rate = fault.perMin * ctx.scale;
  return poissonStream({
    rng,
    faulty: true,
    start: fault.since,
    stop: ctx.clock.durationNs,
    maxPerMin: rate,
    rate: () => rate,
    onEvent: (t, out) => {
      lookupCtx.out = out;
      lookup(lookupCtx, t, rng.pick(pods), fault.query);
    },
  });
}

interface Attempt {
  client: Pod;
  server: Pod;
  port: number;
  proto: "TCP" | "UDP";
  direction: "INGRESS" | "EGRESS";
}

/**
 * New connections that touch the node fail to get a conntrack entry: pods there cannot
 * open connections (EGRESS) or accept them (INGRESS). The rate climbs over a few minutes
 * as the table stays full.
 */
function conntrackStream(ctx: BuildContext): Stream {
  const fault = ctx.plan.conntrack;
  if (!fault) throw new Error("no conntrack fault");
  const rng = new Rng(ctx.seed, "fault:conntrack");
  const { cluster } = ctx;
  const attempts: Attempt[] = [];
  for (const e of EDGES) {
    if (!e.client.includes("/") || !e.server.includes("/") || e.server.startsWith("world:")) continue;
    const server = cluster.workload(e.server);
    for (const c of cluster.workload(e.client).pods) {
      for (const s of server.pods) {
        if (c.node === fault.node) attempts.push({ client: c, server: s, port: server.port, proto: "TCP", direction: "EGRESS" });
        else if (s.node === fault.node) attempts.push({ client: c, server: s, port: server.port, proto: "TCP", direction: "INGRESS" });
      }
    }
  }
  // DNS from the node's pods fails too.
  for (const p of cluster.podsOn(fault.node)) {
    if (p.workload.name === "coredns") continue;
    for (const d of cluster.workload("kube-system/coredns").pods) attempts.push({ client: p, server: d, port: 53, proto: "UDP", direction: "EGRESS" });
  }
  const peak = fault.peakPerMin * ctx.scale;
  const ramp = 8 * NS_PER_MIN;
  return poissonStream({
    rng,
    faulty: true,
    start: fault.since,
    stop: ctx.clock.durationNs,
    maxPerMin: peak,
    rate: (t) => peak * Math.min(1, 0.2 + (0.8 * (t - fault.since)) / ramp),
    onEvent: (t, out) => {
      const a = rng.pick(attempts);
      const sport = ephemeralPort(rng);
      const transport = a.proto === "UDP" ? { proto: "UDP" as const, sport, dport: a.port } : { proto: "TCP" as const, sport, dport: a.port, flags: ["SYN" as const] };
      out(t, drop(a.client, a.server, transport, "CT_MAP_INSERTION_FAILED", a.direction), fault.truth);
    },
  });
}
