/**
 * Builders for single Hubble flows, field for field as Hubble's parsers fill them
 * (cilium pkg/hubble/parser/threefour and seven) and protojson writes them: key order
 * follows flow.proto's declaration order, zero values are left out. `time` and `uuid`
 * are placeholders until the engine emits the flow in time order.
 */
import type { Peer, Pod } from "./cluster.js";
import type {
  HubbleFlow, Layer4, PolicyRef, TcpFlagName, TcpFlags, TraceReason, TrafficDirection, Verdict,
} from "./hubble-types.js";

/** Hubble DropReason codes the simulator emits (reference §2.6). */
export const DROP_REASONS = {
  POLICY_DENIED: 133,
  CT_MAP_INSERTION_FAILED: 155,
  POLICY_DENY: 181,
} as const;
export type DropReasonName = keyof typeof DROP_REASONS;

/** DNS rcodes by name; NOERROR is 0 and so never written. */
export const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
export type RcodeName = keyof typeof RCODES;
export const RCODE_NAMES: Record<number, RcodeName> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED" };
// gopacket's DNSResponseCode.String(), which Hubble's DNS summary prints.
const RCODE_TEXT: Record<number, string> = { 1: "Format Error", 2: "Server Failure", 3: "Non-Existent Domain", 5: "Query Refused" };

const FLAG_JSON_ORDER: readonly TcpFlagName[] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"];
const FLAG_SUMMARY_ORDER: readonly TcpFlagName[] = ["SYN", "ACK", "RST", "FIN", "PSH", "URG", "ECE", "CWR", "NS"];

/** Flags object in proto field order, and the "TCP Flags: …" summary in Hubble's order. */
function tcpFlags(names: readonly TcpFlagName[]): { flags: TcpFlags; summary: string } {
  const flags: TcpFlags = {};
  for (const f of FLAG_JSON_ORDER) if (names.includes(f)) flags[f] = true;
  return { flags, summary: `TCP Flags: ${FLAG_SUMMARY_ORDER.filter((f) => names.includes(f)).join(", ")}` };
}

export type Transport =
  | { proto: "TCP"; sport: number; dport: number; flags: readonly TcpFlagName[] }
  | { proto: "UDP"; sport: number; dport: number };

function layer4(t: Transport): { l4: Layer4; summary: string } {
  if (t.proto === "UDP") return { l4: { UDP: { source_port: t.sport, destination_port: t.dport } }, summary: "UDP" };
  const { flags, summary } = tcpFlags(t.flags);
  return { l4: { TCP: { source_port: t.sport, destination_port: t.dport, flags } }, summary };
}

function ip(src: Peer, dst: Peer): NonNullable<HubbleFlow["IP"]> {
  return { source: src.ip, destination: dst.ip, ipVersion: "IPv4" };
}

/**
 * A FORWARDED trace event for one packet. A packet to a pod is observed where Cilium
 * delivers it (TO_ENDPOINT, on the destination's node); a packet leaving the cluster is
 * observed as it leaves its pod (TO_STACK). Direction follows Hubble's rule: EGRESS when
 * "observed at the source endpoint" differs from "is a reply".
 */
export function trace(src: Peer, dst: Peer, transport: Transport, isReply: boolean, reason: TraceReason): HubbleFlow {
  const atDestination = dst.kind === "pod";
  const observed = atDestination ? dst : src;
  if (!observed.node || !observed.iface) throw new Error("a trace flow needs a pod on one side");
  const { l4, summary } = layer4(transport);
  const direction: TrafficDirection = !atDestination !== isReply ? "EGRESS" : "INGRESS";
  return {
    time: "",
    uuid: "",
    verdict: "FORWARDED",
    ethernet: { source: src.mac, destination: dst.mac },
    IP: ip(src, dst),
    l4,
    source: src.endpoint,
    destination: dst.endpoint,
    Type: "L3_L4",
    node_name: observed.node.qualified,
    ...(isReply ? { reply: true } : {}),
    // Observation point TO_ENDPOINT is sub_type 0, which protojson leaves out.
    event_type: atDestination ? { type: 4 } : { type: 4, sub_type: 3 },
    traffic_direction: direction,
    trace_observation_point: atDestination ? "TO_ENDPOINT" : "TO_STACK",
    trace_reason: reason,
    is_reply: isReply,
    interface: observed.iface,
    Summary: summary,
  };
}

/**
 * A DROPPED packet. Hubble does not know whether a dropped packet was a reply, so
 * `is_reply` is absent; the node is where the dropping endpoint lives.
 */
export function drop(
  src: Peer,
  dst: Peer,
  transport: Transport,
  reason: DropReasonName,
  direction: TrafficDirection,
  deniedBy?: PolicyRef[],
): HubbleFlow {
  const at = direction === "INGRESS" ? dst : src;
  if (!at.node) throw new Error("a drop needs a pod at the dropping side");
  const code = DROP_REASONS[reason];
  const { l4, summary } = layer4(transport);
  return {
    time: "",
    uuid: "",
    verdict: "DROPPED",
    drop_reason: code,
    ethernet: { source: src.mac, destination: dst.mac },
    IP: ip(src, dst),
    l4,
    source: src.endpoint,
    destination: dst.endpoint,
    Type: "L3_L4",
    node_name: at.node.qualified,
    event_type: { type: 1, sub_type: code },
    traffic_direction: direction,
    drop_reason_desc: reason,
    Summary: summary,
    ...(deniedBy ? (direction === "INGRESS" ? { ingress_denied_by: deniedBy } : { egress_denied_by: deniedBy }) : {}),
  };
}

export interface DnsAnswer {
  rcode: RcodeName;
  ips: readonly string[];
  ttl: number;
}

/** The DNS proxy's view of a query, on the client's node (egress). */
export function dnsRequest(client: Pod, server: Pod, sport: number, query: string, qtype: string): HubbleFlow {
  return {
    time: "",
    uuid: "",
    verdict: "FORWARDED",
    IP: ip(client, server),
    l4: { UDP: { source_port: sport, destination_port: 53 } },
    source: client.endpoint,
    destination: server.endpoint,
    Type: "L7",
    node_name: client.node.qualified,
    l7: { type: "REQUEST", dns: { query, observation_source: "proxy", qtypes: [qtype] } },
    event_type: { type: 129 },
    traffic_direction: "EGRESS",
    is_reply: false,
    Summary: `DNS Query ${query} ${qtype}`,
  };
}

export function dnsResponse(
  client: Pod, server: Pod, sport: number, query: string, qtype: string, answer: DnsAnswer, latencyNs: number,
): HubbleFlow {
  const rcode = RCODES[answer.rcode];
  const ips = rcode === 0 ? answer.ips : [];
  const ttl = ips.length > 0 ? answer.ttl : 0;
  const text = rcode !== 0 ? `RCode: ${RCODE_TEXT[rcode] ?? rcode}` : ips.length > 0 ? `"${ips.join(",")}"` : "";
  return {
    time: "",
    uuid: "",
    verdict: "FORWARDED",
    IP: ip(server, client),
    l4: { UDP: { source_port: 53, destination_port: sport } },
    source: server.endpoint,
    destination: client.endpoint,
    Type: "L7",
    node_name: client.node.qualified,
    l7: {
      type: "RESPONSE",
      latency_ns: String(Math.round(latencyNs)),
      dns: {
        query,
        ...(ips.length > 0 ? { ips: [...ips], ttl } : {}),
        observation_source: "proxy",
        ...(rcode !== 0 ? { rcode } : {}),
        qtypes: [qtype],
        ...(ips.length > 0 ? { rrtypes: ips.map(() => qtype) } : {}),
      },
    },
    reply: true,
    event_type: { type: 129 },
    traffic_direction: "EGRESS",
    is_reply: true,
    Summary: `DNS Answer ${text} TTL: ${ttl} (Proxy ${query} ${qtype})`,
  };
}

/**
 * An HTTP request seen by the server-side proxy (an L7 CiliumNetworkPolicy on the server).
 * A request the policy denies has verdict DROPPED and, like in Hubble, no drop reason.
 */
export function httpRequest(
  client: Peer, server: Pod, sport: number, method: string, url: string, verdict: Verdict = "FORWARDED",
): HubbleFlow {
  return {
    time: "",
    uuid: "",
    verdict,
    IP: ip(client, server),
    l4: { TCP: { source_port: sport, destination_port: server.workload.port } },
    source: client.endpoint,
    destination: server.endpoint,
    Type: "L7",
    node_name: server.node.qualified,
    l7: { type: "REQUEST", http: { method, url, protocol: "HTTP/1.1" } },
    event_type: { type: 129 },
    traffic_direction: "INGRESS",
    is_reply: false,
    Summary: `HTTP/1.1 ${method} ${url}`,
  };
}

export function httpResponse(
  client: Peer, server: Pod, sport: number, method: string, url: string, code: number, latencyNs: number,
): HubbleFlow {
  const latency = Math.round(latencyNs);
  return {
    time: "",
    uuid: "",
    verdict: "FORWARDED",
    IP: ip(server, client),
    l4: { TCP: { source_port: server.workload.port, destination_port: sport } },
    source: server.endpoint,
    destination: client.endpoint,
    Type: "L7",
    node_name: server.node.qualified,
    l7: { type: "RESPONSE", latency_ns: String(latency), http: { code, method, url, protocol: "HTTP/1.1" } },
    reply: true,
    event_type: { type: 129 },
    traffic_direction: "INGRESS",
    is_reply: true,
    Summary: `HTTP/1.1 ${code} ${Math.floor(latency / 1_000_000)}ms (${method} ${url})`,
  };
}
