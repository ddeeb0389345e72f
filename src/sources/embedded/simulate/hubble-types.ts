/**
 * Hubble's `flow.Flow` as protobuf's JSON encoding writes it (cilium api/v1/flow/flow.proto;
 * shared/reference/network-data.md §1.4, §4.4): proto field names, zero values omitted,
 * enums as names, uint64 as decimal strings. Only the fields the simulator emits or a
 * reader commonly meets are listed; all but a few are optional because Hubble omits them.
 */

export type Verdict = "FORWARDED" | "DROPPED" | "ERROR" | "AUDIT" | "REDIRECTED" | "TRACED" | "TRANSLATED";
export type FlowType = "L3_L4" | "L7" | "SOCK";
export type TrafficDirection = "INGRESS" | "EGRESS";
export type TraceObservationPoint =
  | "TO_PROXY" | "TO_HOST" | "TO_STACK" | "TO_OVERLAY" | "TO_ENDPOINT" | "FROM_ENDPOINT"
  | "FROM_PROXY" | "FROM_HOST" | "FROM_STACK" | "FROM_OVERLAY" | "FROM_NETWORK" | "TO_NETWORK";
export type TraceReason = "NEW" | "ESTABLISHED" | "REPLY" | "RELATED";
export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod";

export interface HubbleWorkload {
  name: string;
  kind: WorkloadKind;
}

export interface HubbleEndpoint {
  ID?: number;
  identity?: number;
  cluster_name?: string;
  namespace?: string;
  labels?: readonly string[];
  pod_name?: string;
  workloads?: readonly HubbleWorkload[];
}

/** Only true flags are present (protojson omits false). */
export interface TcpFlags {
  FIN?: true;
  SYN?: true;
  RST?: true;
  PSH?: true;
  ACK?: true;
  URG?: true;
  ECE?: true;
  CWR?: true;
  NS?: true;
}
export type TcpFlagName = keyof TcpFlags;

export interface Layer4 {
  TCP?: { source_port: number; destination_port: number; flags?: TcpFlags };
  UDP?: { source_port: number; destination_port: number };
  ICMPv4?: { type?: number; code?: number };
  ICMPv6?: { type?: number; code?: number };
}

export interface DnsRecord {
  query: string;
  ips?: string[];
  ttl?: number;
  cnames?: string[];
  observation_source?: string;
  /** Absent for NOERROR; 1 FORMERR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED. */
  rcode?: number;
  qtypes?: string[];
  rrtypes?: string[];
}

export interface HttpRecord {
  /** Present on responses only. */
  code?: number;
  method?: string;
  url?: string;
  protocol?: string;
  headers?: { key: string; value: string }[];
}

export interface Layer7 {
  type: "REQUEST" | "RESPONSE" | "SAMPLE";
  /** uint64 -> decimal string; responses only. */
  latency_ns?: string;
  dns?: DnsRecord;
  http?: HttpRecord;
}

export interface PolicyRef {
  name: string;
  namespace?: string;
  labels?: string[];
  revision?: number;
  kind?: string;
}

export interface NetworkInterface {
  index: number;
  name: string;
}

export interface HubbleFlow {
  time: string;
  uuid: string;
  verdict: Verdict;
  /** Deprecated numeric drop reason, still written. */
  drop_reason?: number;
  ethernet?: { source: string; destination: string };
  IP?: { source: string; destination: string; ipVersion: "IPv4" | "IPv6"; encrypted?: boolean };
  l4?: Layer4;
  source?: HubbleEndpoint;
  destination?: HubbleEndpoint;
  Type: FlowType;
  /** `<cluster>/<node>`. */
  node_name: string;
  source_names?: string[];
  destination_names?: string[];
  l7?: Layer7;
  /** Deprecated twin of is_reply; omitted when false. */
  reply?: boolean;
  event_type: { type: number; sub_type?: number };
  source_service?: { name: string; namespace: string };
  destination_service?: { name: string; namespace: string };
  traffic_direction?: TrafficDirection;
  trace_observation_point?: TraceObservationPoint;
  trace_reason?: TraceReason;
  drop_reason_desc?: string;
  /** A BoolValue wrapper: written even when false; absent when unknown (drops). */
  is_reply?: boolean;
  interface?: NetworkInterface;
  Summary?: string;
  egress_allowed_by?: PolicyRef[];
  ingress_allowed_by?: PolicyRef[];
  egress_denied_by?: PolicyRef[];
  ingress_denied_by?: PolicyRef[];
}

/** The `GetFlowsResponse` envelope the Hubble exporter and `hubble observe -o json` write. */
export interface HubbleLine {
  flow: HubbleFlow;
  node_name: string;
  time: string;
}
