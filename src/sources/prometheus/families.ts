import { POD_TO_WORKLOAD_PATTERN } from "../../query/fields.js";
import type { LabelMatcher, MetricQuery } from "../../query/promql.js";

/**
 * What each signal a metric check asks for is called in each metric family, and how its
 * labels read as the flow fields the analyzers know. Label values differ between families
 * (network-data.md §2): reasons become Hubble's DropReason names, DNS rcodes their short names,
 * directions upper case, Hubble's `namespace/pod` context labels a namespace and a pod.
 */

export type Signal = "forwards" | "forwardBytes" | "drops" | "dropBytes" | "podDrops" | "podFlows" | "tcpState" | "dnsRequests" | "dnsResponses" | "tcpFlags" | "httpResponses";
export type FamilyId = "retina" | "retina-adv" | "hubble" | "cilium";

export const FAMILY_NAMES: Record<FamilyId, string> = { retina: "Retina", "retina-adv": "Retina advanced", hubble: "Hubble", cilium: "Cilium" };

/**
 * How a label reads as a flow field. nsPod: Hubble's one `namespace/pod` label for a side;
 * split: Retina advanced's remote context, a side as `<prefix>namespace`, `<prefix>podname`,
 * `<prefix>workload_name` (the label is the prefix; "unknown" is an unresolved pod).
 */
type LabelRead = "plain" | "upper" | "reason" | "rcode" | "nsPod" | "split" | "number";

interface Realization {
  family: FamilyId;
  metric: string;
  fn: MetricQuery["fn"];
  /** Flow field (or, for nsPod, the side "src"/"dst") -> the label that holds it and how to read it. */
  fields: Record<string, { label: string; read: LabelRead }>;
  fixed?: LabelMatcher[];
}

const nsPod = (label: string) => ({ label, read: "nsPod" as const });
const split = (prefix: string) => ({ label: prefix, read: "split" as const });
/** A side's label names (for a `split` side, the three it is read from). */
export function sideLabels(l: { label: string; read: LabelRead }): string[] {
  return l.read === "split" ? ["namespace", "podname", "workload_name"].map((x) => l.label + x) : [l.label];
}
const NODE = { label: "instance", read: "plain" as const };
/** Retina advanced with remote context (MetricsConfiguration sourceLabels/destinationLabels). */
const ADV_SIDES = { src: split("source_"), dst: split("destination_") };

/** In order of preference: the first one the server has is used. */
export const SIGNALS: Record<Signal, Realization[]> = {
  forwards: [
    { family: "retina", metric: "networkobservability_forward_count", fn: "increase", fields: { node: { label: "instance", read: "plain" }, direction: { label: "direction", read: "upper" } } },
    { family: "cilium", metric: "cilium_forward_count_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, direction: { label: "direction", read: "upper" } } },
    { family: "hubble", metric: "hubble_flows_processed_total", fn: "increase", fields: { node: { label: "instance", read: "plain" } }, fixed: [{ label: "verdict", op: "eq", values: ["FORWARDED"] }] },
  ],
  drops: [
    { family: "retina", metric: "networkobservability_drop_count", fn: "increase", fields: { node: { label: "instance", read: "plain" }, dropReason: { label: "reason", read: "reason" }, direction: { label: "direction", read: "upper" } } },
    { family: "cilium", metric: "cilium_drop_count_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, dropReason: { label: "reason", read: "reason" }, direction: { label: "direction", read: "upper" } } },
    { family: "hubble", metric: "hubble_drop_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, dropReason: { label: "reason", read: "reason" } } },
  ],
  podDrops: [
    { family: "hubble", metric: "hubble_drop_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, dropReason: { label: "reason", read: "reason" }, src: nsPod("source"), dst: nsPod("destination") } },
    { family: "retina-adv", metric: "networkobservability_adv_drop_count", fn: "increase", fields: { node: NODE, dropReason: { label: "reason", read: "reason" }, direction: { label: "direction", read: "upper" }, ...ADV_SIDES } },
  ],
  podFlows: [
    // Forwarded flows by pod (ACNS context: the destination on ingress). Not kept by AKS's default keep-list.
    { family: "hubble", metric: "hubble_flows_processed_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, src: nsPod("source"), dst: nsPod("destination"), verdict: { label: "verdict", read: "upper" } }, fixed: [{ label: "verdict", op: "eq", values: ["FORWARDED"] }] },
    // Requests only (is_reply="false" where Retina labels replies), as flow logs count a flow once.
    { family: "retina-adv", metric: "networkobservability_adv_forward_count", fn: "increase", fields: { node: NODE, direction: { label: "direction", read: "upper" }, ...ADV_SIDES }, fixed: [{ label: "is_reply", op: "neq", values: ["true"] }] },
  ],
  forwardBytes: [
    { family: "retina", metric: "networkobservability_forward_bytes", fn: "increase", fields: { node: NODE, direction: { label: "direction", read: "upper" } } },
    { family: "cilium", metric: "cilium_forward_bytes_total", fn: "increase", fields: { node: NODE, direction: { label: "direction", read: "upper" } } },
  ],
  dropBytes: [
    { family: "retina", metric: "networkobservability_drop_bytes", fn: "increase", fields: { node: NODE, dropReason: { label: "reason", read: "reason" }, direction: { label: "direction", read: "upper" } } },
    { family: "cilium", metric: "cilium_drop_bytes_total", fn: "increase", fields: { node: NODE, dropReason: { label: "reason", read: "reason" }, direction: { label: "direction", read: "upper" } } },
  ],
  tcpState: [
    { family: "retina", metric: "networkobservability_tcp_state", fn: "avg_over_time", fields: { node: { label: "instance", read: "plain" }, state: { label: "state", read: "upper" } } },
  ],
  dnsResponses: [
    // As in flow logs, a response goes from the server (source) to the client that asked (destination).
    { family: "hubble", metric: "hubble_dns_responses_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, src: nsPod("source"), dst: nsPod("destination"), dnsRcode: { label: "rcode", read: "rcode" }, dnsQuery: { label: "query", read: "plain" }, dnsQtypes: { label: "qtypes", read: "plain" } } },
    // Both sides named: the server is the response's source.
    { family: "retina-adv", metric: "networkobservability_adv_dns_response_count", fn: "increase", fields: { node: NODE, ...ADV_SIDES, dnsServer: split("source_"), dnsRcode: { label: "return_code", read: "rcode" }, dnsQuery: { label: "query", read: "plain" }, dnsQtypes: { label: "query_type", read: "plain" } } },
  ],
  dnsRequests: [
    // A query goes from the client (source) to the server; a policy-dropped one carries an rcode.
    { family: "hubble", metric: "hubble_dns_queries_total", fn: "increase", fields: { node: NODE, src: nsPod("source"), dst: nsPod("destination"), dnsQuery: { label: "query", read: "plain" }, dnsQtypes: { label: "qtypes", read: "plain" } }, fixed: [{ label: "rcode", op: "eq", values: [""] }] },
    { family: "retina-adv", metric: "networkobservability_adv_dns_request_count", fn: "increase", fields: { node: NODE, ...ADV_SIDES, dnsServer: split("destination_"), dnsQuery: { label: "query", read: "plain" }, dnsQtypes: { label: "query_type", read: "plain" } } },
  ],
  httpResponses: [
    // Labels come from the response flow itself (pkg/hubble/metrics/http): source is the server, destination the client.
    { family: "hubble", metric: "hubble_http_responses_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, src: nsPod("source"), dst: nsPod("destination"), httpStatus: { label: "status", read: "number" }, httpMethod: { label: "method", read: "plain" } } },
  ],
  tcpFlags: [
    { family: "hubble", metric: "hubble_tcp_flags_total", fn: "increase", fields: { node: { label: "instance", read: "plain" }, src: nsPod("source"), dst: nsPod("destination"), tcpFlag: { label: "flag", read: "upper" } } },
    { family: "retina-adv", metric: "networkobservability_adv_tcpflags_count", fn: "increase", fields: { node: NODE, ...ADV_SIDES, tcpFlag: { label: "flag", read: "upper" } } },
  ],
};

/** Retina's and Cilium's spellings of a drop reason, as Hubble's DropReason name. */
const REASONS: Record<string, string> = {
  // Retina (pkg/utils/utils_linux.go; conntrack insertion failures are what CONNTRACK_ADD_DROP counts)
  IPTABLE_RULE_DROP: "POLICY_DENIED",
  IPTABLE_NAT_DROP: "SNAT_NO_MAP_FOUND",
  CONNTRACK_ADD_DROP: "CT_MAP_INSERTION_FAILED",
  UNKNOWN_DROP: "DROP_REASON_UNKNOWN",
  // Cilium's human-readable monitor strings
  "Policy denied": "POLICY_DENIED",
  "Policy denied by denylist": "POLICY_DENY",
  "CT: Map insertion failed": "CT_MAP_INSERTION_FAILED",
  "CT: Truncated or invalid header": "CT_TRUNCATED_OR_INVALID_HEADER",
  "CT: Unknown L4 protocol": "CT_UNKNOWN_L4_PROTOCOL",
  "Service backend not found": "SERVICE_BACKEND_NOT_FOUND",
  "Invalid source ip": "INVALID_SOURCE_IP",
  "Invalid packet": "INVALID_PACKET_DROPPED",
  "Unsupported L3 protocol": "UNSUPPORTED_L3_PROTOCOL",
  "Missed tail call": "MISSED_TAIL_CALL",
  "Stale or unroutable IP": "STALE_OR_UNROUTABLE_IP",
  "FIB lookup failed": "FIB_LOOKUP_FAILED",
  "No nat map found": "SNAT_NO_MAP_FOUND",
  "Authentication required": "AUTH_REQUIRED",
  "Rate limited": "DROP_RATE_LIMITED",
  "Host datapath not ready": "DROP_HOST_NOT_READY",
  "Endpoint policy program not available": "DROP_EP_NOT_READY",
  "Unknown connection tracking state": "UNKNOWN_CONNECTION_TRACKING_STATE",
};

/** Hubble's DNS rcode strings (dns/rcode.go) as the short names flow logs use. */
const RCODES: Record<string, string> = {
  "No Error": "NOERROR", "Format Error": "FORMERR", "Server Failure": "SERVFAIL", "Non-Existent Domain": "NXDOMAIN",
  "Not Implemented": "NOTIMP", "Query Refused": "REFUSED", "Name Exists when it should not": "YXDOMAIN",
  "RR Set Exists when it should not": "YXRRSET", "RR Set that should exist does not": "NXRRSET", "Not Authorized": "NOTAUTH",
  "Name not contained in zone": "NOTZONE", "Policy denied": "POLICY_DENIED",
};

export function normalReason(raw: string): string {
  return REASONS[raw] ?? (REASONS[raw.trim()] ?? raw.trim().toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_|_$/g, ""));
}

export function normalRcode(raw: string): string | null {
  if (raw === "") return null; // a request, not a response
  return RCODES[raw] ?? raw.toUpperCase().replace(/\s+/g, "");
}

/** Every spelling of these canonical reasons in use, for a matcher. */
export function reasonSpellings(canonical: string[]): string[] {
  const want = new Set(canonical);
  return [...new Set([...canonical, ...Object.entries(REASONS).filter(([, c]) => want.has(c)).map(([raw]) => raw)])];
}

const WORKLOAD = new RegExp(POD_TO_WORKLOAD_PATTERN);

/** A sample's labels as flow fields. */
export function readLabels(r: Realization, labels: Record<string, string>): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (const [field, { label, read }] of Object.entries(r.fields)) {
    const raw = labels[label] ?? "";
    if (read === "nsPod") {
      const slash = raw.indexOf("/");
      const ns = slash > 0 ? raw.slice(0, slash) : null;
      const pod = slash > 0 ? raw.slice(slash + 1) : null;
      row[`${field}Namespace`] = ns;
      row[`${field}Pod`] = pod;
      row[`${field}Workload`] = pod ? (WORKLOAD.exec(pod)?.[1] ?? pod) : null;
    } else if (read === "split") {
      const known = (v: string | undefined) => (v && v !== "unknown" ? v : null);
      const pod = known(labels[`${label}podname`]);
      row[`${field}Namespace`] = pod ? known(labels[`${label}namespace`]) : null;
      row[`${field}Pod`] = row[`${field}Namespace`] ? pod : null;
      row[`${field}Workload`] = row[`${field}Pod`] ? (known(labels[`${label}workload_name`]) ?? (WORKLOAD.exec(pod!)?.[1] ?? pod)) : null;
    } else if (read === "reason") row[field] = raw ? normalReason(raw) : null;
    else if (read === "rcode") row[field] = normalRcode(raw);
    else if (read === "upper") row[field] = raw ? raw.toUpperCase() : null;
    else if (read === "number") row[field] = /^\d+$/.test(raw) ? raw : null;
    else row[field] = raw || null;
  }
  return row;
}

/** The labels a flow field is read from (several for a side's namespace/workload/pod). */
export function labelOf(r: Realization, field: string): { label: string; read: LabelRead; part?: "Namespace" | "Workload" | "Pod" } | null {
  const direct = r.fields[field];
  if (direct) return direct;
  const m = /^(src|dst|dnsServer)(Namespace|Workload|Pod)$/.exec(field);
  if (m && r.fields[m[1]!]) return { ...r.fields[m[1]!]!, part: m[2] as "Namespace" | "Workload" | "Pod" };
  return null;
}

export type { Realization };
