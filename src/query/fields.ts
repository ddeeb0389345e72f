/**
 * The named fields a FlowQuery can filter and group on. Each field knows its column in the
 * embedded store (a ContainerNetworkLogs column or a derived one) and the KQL expression
 * that computes the same value from the Log Analytics columns. Adding a field is one entry.
 */

export type FieldType = "string" | "int" | "real" | "bool" | "time";

/** How a field's values are checked before they reach a query. */
export type FieldValues =
  | { kind: "k8sName" } // DNS-1123, validated
  | { kind: "enum"; values: readonly string[] }
  | { kind: "text" } // free text (DNS names, URLs): bound or escaped, never validated away
  | { kind: "number" }
  | { kind: "bool" }
  | { kind: "time" };

export interface FieldDef {
  type: FieldType;
  values: FieldValues;
  /** Column in the embedded store's `flows` table. */
  column: string;
  /** KQL expression over the Log Analytics columns (may use the lets L4, L7, IPd). */
  kql: string;
  /** Lets this KQL expression needs, in order. */
  kqlLets?: readonly KqlLet[];
}

export type KqlLet = "L4" | "L7" | "IPd";
export const KQL_LETS: Record<KqlLet, string> = {
  L4: "parse_json(Layer4)",
  L7: "parse_json(Layer7)",
  IPd: "parse_json(IP)",
};

export const VERDICTS = ["FORWARDED", "DROPPED", "ERROR", "AUDIT", "REDIRECTED", "TRACED", "TRANSLATED"] as const;
export const TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"] as const;
/** DNS rcode names in rcode-number order (RFC 1035/2136): Hubble writes the number. */
export const DNS_RCODES = [
  "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
  "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
] as const;

// Kubernetes pod names: <deployment>-<replicaset hash>-<pod hash>, <statefulset>-<ordinal>,
// <daemonset|job>-<pod hash>. The hashes use Kubernetes' safe alphabet (no vowels, no 0/1/3).
// One pattern (the shortest name before a known suffix), so the store evaluates one regex.
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
export const POD_TO_WORKLOAD_PATTERN = `^(.+?)(?:-${SAFE}{6,10}-${SAFE}{5}|-[0-9]+|-${SAFE}{5})$`;

function workloadKql(side: "Source" | "Destination"): string {
  const pod = `${side}PodName`;
  return `coalesce(tostring(${side}Workloads[0].name), extract(@"${POD_TO_WORKLOAD_PATTERN}", 1, ${pod}), ${pod})`;
}

const l4port = (end: "source" | "destination") =>
  `toint(coalesce(L4.TCP.${end}_port, L4.UDP.${end}_port, L4.SCTP.${end}_port))`;

const flagsKql = `trim_end(",", strcat(${TCP_FLAGS.map((f) => `iff(tobool(L4.TCP["flags"].${f}), "${f},", "")`).join(", ")}))`;

const rcodeRaw = "tostring(L7.dns.rcode)";
const rcodeKql =
  `case(isnull(L7.dns), "", isempty(${rcodeRaw}), iff(tostring(L7.type) == "RESPONSE", "NOERROR", ""), ` +
  DNS_RCODES.map((name, i) => `${rcodeRaw} == "${i}", "${name}"`).join(", ") +
  `, toupper(${rcodeRaw}))`;

/**
 * Cilium's reserved identities (numbers fixed by Cilium), for endpoints that are not pods:
 * the world outside the cluster, the node itself, other nodes. CIDR identities (local scope,
 * 2^24 and up) are addresses outside the cluster too. Only for an endpoint without a namespace.
 */
export const RESERVED_IDENTITIES = ["unknown", "host", "world", "unmanaged", "health", "init", "remote-node", "kube-apiserver", "ingress"] as const;
const RESERVED_BY_NUMBER: [number, (typeof RESERVED_IDENTITIES)[number]][] = [
  [0, "unknown"], [1, "host"], [2, "world"], [3, "unmanaged"], [4, "health"], [5, "init"], [6, "remote-node"], [7, "kube-apiserver"], [8, "ingress"], [9, "world"], [10, "world"],
];
const CIDR_IDENTITY_MIN = 16_777_216;

function reservedSql(side: "Source" | "Destination"): string {
  const id = `${side}Identity`;
  return `CASE WHEN ${side}Namespace IS NULL THEN CASE ${RESERVED_BY_NUMBER.map(([n, name]) => `WHEN ${id} = ${n} THEN '${name}'`).join(" ")} WHEN ${id} >= ${CIDR_IDENTITY_MIN} THEN 'world' END END`;
}
function reservedKql(side: "Source" | "Destination"): string {
  const id = `${side}Identity`;
  return `case(isnotempty(${side}Namespace), "", ${RESERVED_BY_NUMBER.map(([n, name]) => `${id} == ${n}, "${name}"`).join(", ")}, ${id} >= ${CIDR_IDENTITY_MIN}, "world", "")`;
}

/** The label selector next steps can use (app, app.kubernetes.io/name or k8s-app), from the flow's labels. */
const SELECTOR = `"k8s:((?:app|app\\.kubernetes\\.io/name|k8s-app)=[^"]+)"`;
function selectorSql(side: "Source" | "Destination"): string {
  return `nullif(regexp_extract(json_extract_string(AdditionalFlowData, '$.${side}Labels'), '${SELECTOR}', 1), '')`;
}
function selectorKql(side: "Source" | "Destination"): string {
  return `extract(@'${SELECTOR}', 1, tostring(AdditionalFlowData.${side}Labels))`;
}

/** The DNS server's side of a DNS flow: the destination of a request, the source of a response. */
function dnsServer(src: string, dst: string): { sql: string; kql: string } {
  return { sql: `CASE WHEN L7Type = 'RESPONSE' THEN ${src} ELSE ${dst} END`, kql: `iff(tostring(L7.type) == "RESPONSE", ${src}, ${dst})` };
}

const str = (column: string, kql: string, values: FieldValues = { kind: "text" }, kqlLets?: KqlLet[]): FieldDef => ({
  type: "string", values, column, kql, kqlLets,
});
const k8s: FieldValues = { kind: "k8sName" };

export const FIELDS = {
  time: { type: "time", values: { kind: "time" }, column: "TimeGenerated", kql: "TimeGenerated" },
  verdict: str("Verdict", "Verdict", { kind: "enum", values: VERDICTS }),
  dropReason: str("DropReason", "DropReason", { kind: "text" }),
  flowType: str("FlowType", "FlowType", { kind: "enum", values: ["L3_L4", "L7", "SOCK", "UNKNOWN_TYPE"] }),
  direction: str("TrafficDirection", "TrafficDirection", { kind: "enum", values: ["INGRESS", "EGRESS", "TRAFFIC_DIRECTION_UNKNOWN"] }),
  observationPoint: str("TraceObservationPoint", "TraceObservationPoint"),
  node: str("NodeName", "NodeName", k8s),
  isReply: { type: "bool", values: { kind: "bool" }, column: "Reply", kql: "Reply" },
  srcNamespace: str("SourceNamespace", "SourceNamespace", k8s),
  dstNamespace: str("DestinationNamespace", "DestinationNamespace", k8s),
  srcPod: str("SourcePodName", "SourcePodName", k8s),
  dstPod: str("DestinationPodName", "DestinationPodName", k8s),
  srcWorkload: str("SourceWorkload", workloadKql("Source"), k8s),
  dstWorkload: str("DestinationWorkload", workloadKql("Destination"), k8s),
  srcReserved: str(reservedSql("Source"), reservedKql("Source"), { kind: "enum", values: RESERVED_IDENTITIES }),
  dstReserved: str(reservedSql("Destination"), reservedKql("Destination"), { kind: "enum", values: RESERVED_IDENTITIES }),
  srcWorkloadKind: str(`nullif(json_extract_string(SourceWorkloads, '$[0].kind'), '')`, "tostring(SourceWorkloads[0].kind)"),
  dstWorkloadKind: str(`nullif(json_extract_string(DestinationWorkloads, '$[0].kind'), '')`, "tostring(DestinationWorkloads[0].kind)"),
  srcSelector: str(selectorSql("Source"), selectorKql("Source")),
  // Every label of an endpoint (a JSON list of Cilium's "k8s:app=x" strings), for policy verdicts.
  // The policies the flow log names (Hubble's ingress/egress_denied_by and _allowed_by), as JSON.
  policies: str("Policies", "tostring(Policies)"),
  srcLabels: str(`json_extract_string(AdditionalFlowData, '$.SourceLabels')`, "tostring(AdditionalFlowData.SourceLabels)"),
  dstLabels: str(`json_extract_string(AdditionalFlowData, '$.DestinationLabels')`, "tostring(AdditionalFlowData.DestinationLabels)"),
  dstSelector: str(selectorSql("Destination"), selectorKql("Destination")),
  srcIdentity: { type: "int", values: { kind: "number" }, column: "SourceIdentity", kql: "SourceIdentity" },
  dstIdentity: { type: "int", values: { kind: "number" }, column: "DestinationIdentity", kql: "DestinationIdentity" },
  srcIp: str("SourceIP", "tostring(IPd.source)", { kind: "text" }, ["IPd"]),
  dstIp: str("DestinationIP", "tostring(IPd.destination)", { kind: "text" }, ["IPd"]),
  protocol: str(
    "Protocol",
    `case(isnotnull(L4.TCP), "TCP", isnotnull(L4.UDP), "UDP", isnotnull(L4.ICMPv4), "ICMPv4", isnotnull(L4.ICMPv6), "ICMPv6", isnotnull(L4.SCTP), "SCTP", "")`,
    { kind: "enum", values: ["TCP", "UDP", "ICMPv4", "ICMPv6", "SCTP"] },
    ["L4"],
  ),
  srcPort: { type: "int", values: { kind: "number" }, column: "SourcePort", kql: l4port("source"), kqlLets: ["L4"] },
  dstPort: { type: "int", values: { kind: "number" }, column: "DestinationPort", kql: l4port("destination"), kqlLets: ["L4"] },
  tcpFlags: str("TcpFlags", flagsKql, { kind: "enum", values: TCP_FLAGS }, ["L4"]),
  l7Type: str("L7Type", "tostring(L7.type)", { kind: "enum", values: ["REQUEST", "RESPONSE", "SAMPLE", "UNKNOWN_L7_TYPE"] }, ["L7"]),
  l7Protocol: str(
    "L7Protocol",
    `case(isnotnull(L7.dns), "dns", isnotnull(L7.http), "http", isnotnull(L7.kafka), "kafka", "")`,
    { kind: "enum", values: ["dns", "http", "kafka"] },
    ["L7"],
  ),
  dnsQuery: str("DnsQuery", "tostring(L7.dns.query)", { kind: "text" }, ["L7"]),
  dnsQtypes: str("DnsQtypes", `strcat_array(L7.dns.qtypes, ",")`, { kind: "text" }, ["L7"]),
  dnsRcode: str("DnsRcode", rcodeKql, { kind: "enum", values: DNS_RCODES }, ["L7"]),
  httpStatus: { type: "int", values: { kind: "number" }, column: "HttpStatus", kql: "toint(L7.http.code)", kqlLets: ["L7"] },
  httpMethod: str("HttpMethod", "tostring(L7.http.method)", { kind: "text" }, ["L7"]),
  httpUrl: str("HttpUrl", "tostring(L7.http.url)", { kind: "text" }, ["L7"]),
  latencyMs: { type: "real", values: { kind: "number" }, column: "LatencyMs", kql: "todouble(tolong(L7.latency_ns)) / 1000000.0", kqlLets: ["L7"] },
  dnsServerNamespace: str(dnsServer("SourceNamespace", "DestinationNamespace").sql, dnsServer("SourceNamespace", "DestinationNamespace").kql, k8s, ["L7"]),
  dnsServerWorkload: str(dnsServer("SourceWorkload", "DestinationWorkload").sql, dnsServer(workloadKql("Source"), workloadKql("Destination")).kql, k8s, ["L7"]),
  dnsServerPod: str(dnsServer("SourcePodName", "DestinationPodName").sql, dnsServer("SourcePodName", "DestinationPodName").kql, k8s, ["L7"]),
  kafkaTopic: str("KafkaTopic", "tostring(L7.kafka.topic)", { kind: "text" }, ["L7"]),
  kafkaApiKey: str("KafkaApiKey", "tostring(L7.kafka.api_key)", { kind: "text" }, ["L7"]),
  kafkaErrorCode: { type: "int", values: { kind: "number" }, column: "KafkaErrorCode", kql: "toint(L7.kafka.error_code)", kqlLets: ["L7"] },
} as const satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as [FieldName, ...FieldName[]];

/** KQL for the flow count of a row: stored rows may be aggregated, so count() is wrong. */
export const KQL_FLOWS = "(IngressFlowCount + EgressFlowCount + UnknownDirectionFlowCount)";
