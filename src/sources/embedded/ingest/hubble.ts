import type { Shape } from "./shape.js";

/**
 * Hubble export lines → Log Analytics columns, the way Azure's agent maps them
 * (microsoft/Docker-Provider network_flow_logs.go; shared/reference/network-data.md §1.2).
 * A line is the bare `{"flow":…}` object or the `{"flow":…,"node_name":…,"time":…}` envelope.
 */
const ENDPOINT: Shape = {
  // Read as JSON and checked: text where a number belongs is refused, not made NULL.
  identity: "JSON",
  cluster_name: "JSON",
  namespace: "JSON",
  pod_name: "JSON",
  labels: "JSON",
  workloads: "JSON",
};

export const HUBBLE_LINE: { [key: string]: Shape } = {
  flow: {
    time: "VARCHAR",
    uuid: "VARCHAR",
    verdict: "VARCHAR",
    drop_reason_desc: "VARCHAR",
    ethernet: { source: "VARCHAR", destination: "VARCHAR" },
    IP: "JSON",
    l4: "JSON",
    source: ENDPOINT,
    destination: ENDPOINT,
    Type: "VARCHAR",
    node_name: "VARCHAR",
    l7: "JSON",
    reply: "BOOLEAN",
    is_reply: "BOOLEAN",
    event_type: "JSON",
    source_service: { name: "VARCHAR", namespace: "VARCHAR" },
    destination_service: { name: "VARCHAR", namespace: "VARCHAR" },
    traffic_direction: "VARCHAR",
    trace_observation_point: "VARCHAR",
    Summary: "VARCHAR",
    egress_allowed_by: "JSON",
    ingress_allowed_by: "JSON",
    egress_denied_by: "JSON",
    ingress_denied_by: "JSON",
    aggregate: { ingress_flow_count: "BIGINT", egress_flow_count: "BIGINT", unknown_direction_flow_count: "BIGINT" },
    extensions: { ingress_flow_count: "BIGINT", egress_flow_count: "BIGINT", unknown_direction_flow_count: "BIGINT" },
  },
  node_name: "VARCHAR",
  time: "VARCHAR",
};

/** Numbers inside the JSON parts of a flow: the JSON type of each (NULL when absent) and its name. */
const NUMBERS: [string, string][] = [
  [`json_type(j.flow."source".identity)`, "flow.source.identity"], [`json_type(j.flow.destination.identity)`, "flow.destination.identity"],
  ...["TCP.source_port", "TCP.destination_port", "UDP.source_port", "UDP.destination_port"].map((p): [string, string] => [`json_type(j.flow.l4, '$.${p}')`, `flow.l4.${p}`]),
  ...["http.code", "kafka.error_code"].map((p): [string, string] => [`json_type(j.flow.l7, '$.${p}')`, `flow.l7.${p}`]),
];
const VERDICT_NAMES = ["FORWARDED", "DROPPED", "ERROR", "AUDIT", "REDIRECTED", "TRACED", "TRANSLATED", "VERDICT_UNKNOWN"];
const NAME = `'[a-z0-9]([-a-z0-9.]*[a-z0-9])?'`;
const endpointChecks = (side: "source" | "destination") => [
  ...(["namespace", "pod_name", "cluster_name"] as const).flatMap((f) => {
    const v = `j.flow."${side}".${f}`;
    return [
      `WHEN json_type(${v}) NOT IN ('VARCHAR', 'NULL') THEN 'flow.${side}.${f} must be text, not ' || CASE json_type(${v}) WHEN 'ARRAY' THEN 'a list' WHEN 'OBJECT' THEN 'an object' WHEN 'BOOLEAN' THEN 'true or false' ELSE 'a number' END`,
      // An empty name is a missing one (the exporter writes "" for endpoints outside the cluster).
      `WHEN coalesce(json_extract_string(${v}, '$'), '') <> '' AND NOT regexp_full_match(json_extract_string(${v}, '$'), ${NAME}) THEN 'flow.${side}.${f} is not a Kubernetes name: ' || left(json_extract_string(${v}, '$'), 40)`,
    ];
  }),
  `WHEN j.flow."${side}".workloads IS NOT NULL AND json_type(j.flow."${side}".workloads) <> 'ARRAY' THEN 'flow.${side}.workloads must be a list of {name, kind}'`,
  `WHEN j.flow."${side}".labels IS NOT NULL AND json_type(j.flow."${side}".labels) <> 'ARRAY' THEN 'flow.${side}.labels must be a list'`,
];

/**
 * Why a parsed line cannot become a row (NULL when it can); `j` is the parsed line, typed as
 * HUBBLE_LINE, the same in the fast and the exact path. A value of the wrong type is refused
 * with its field, never kept as garbage.
 */
export const HUBBLE_LINE_ERROR = `CASE
    WHEN j.flow IS NULL THEN 'no "flow" object in the line'
    WHEN TRY_CAST(coalesce(j.flow.time, j.time) AS TIMESTAMPTZ) IS NULL THEN
      CASE WHEN coalesce(j.flow.time, j.time) IS NULL THEN 'flow.time is missing' ELSE 'flow.time is not an RFC 3339 time: ' || left(coalesce(j.flow.time, j.time), 40) END
    WHEN j.flow.verdict IS NULL AND j.flow."IP" IS NULL AND j.flow.l4 IS NULL AND j.flow.l7 IS NULL AND j.flow."source".identity IS NULL
      AND j.flow.destination.identity IS NULL AND coalesce(json_extract_string(j.flow."source".namespace, '$'), '') = '' AND coalesce(json_extract_string(j.flow.destination.namespace, '$'), '') = '' AND j.flow.drop_reason_desc IS NULL
      THEN 'the flow holds nothing: no verdict, addresses, endpoints or layers'
    WHEN j.flow.verdict IS NOT NULL AND j.flow.verdict NOT IN (${VERDICT_NAMES.map((v) => `'${v}'`).join(", ")}) THEN 'flow.verdict is not a verdict: ' || left(j.flow.verdict, 40)
    ${[...endpointChecks("source"), ...endpointChecks("destination")].join("\n    ")}
    ${NUMBERS.map(([type, name]) => `WHEN ${type} NOT IN ('BIGINT', 'UBIGINT') THEN '${name} must be a whole number'`).join("\n    ")}
    WHEN j.flow.l4 IS NOT NULL AND json_type(j.flow.l4) <> 'OBJECT' THEN 'flow.l4 must be an object'
    WHEN json_type(j.flow.l4, '$.TCP.flags') IS NOT NULL AND json_type(j.flow.l4, '$.TCP.flags') NOT IN ('OBJECT', 'NULL') THEN 'flow.l4.TCP.flags must be an object such as {"SYN": true}'
    WHEN j.flow.l7 IS NOT NULL AND json_type(j.flow.l7) <> 'OBJECT' THEN 'flow.l7 must be an object'
  END`;

const nz = (e: string) => `nullif(${e}, '')`;
const ep = (side: "source" | "destination", f: string) => `j.flow."${side}".${f}`;
/** An endpoint's name, read as JSON and checked to be text: unwrapped. */
const epName = (side: "source" | "destination", f: string) => `json_extract_string(${ep(side, f)}, '$')`;
const counted = (key: string) => `coalesce(f.aggregate.${key}, f.extensions.${key})`;

/** SELECT over a relation with a parsed line `j`, giving the Log Analytics columns. */
export function hubbleToLogAnalytics(relation: string): string {
  // A raw Hubble flow counts once, in its direction; aggregated flows carry their counters.
  const direction = `upper(coalesce(f.traffic_direction, ''))`;
  const hasCounts = `(${counted("ingress_flow_count")} IS NOT NULL OR ${counted("egress_flow_count")} IS NOT NULL OR ${counted("unknown_direction_flow_count")} IS NOT NULL)`;
  const cols: Record<string, string> = {
    // NULL for a line that cannot be kept: the fast path finds bad lines by a missing time.
    TimeGenerated: `CASE WHEN (${HUBBLE_LINE_ERROR}) IS NULL THEN TRY_CAST(coalesce(f.time, j.time) AS TIMESTAMPTZ)::TIMESTAMP END`,
    UUID: `f.uuid`,
    Verdict: nz(`f.verdict`),
    DropReason: nz(`f.drop_reason_desc`),
    IP: `f."IP"`,
    Layer4: `f.l4`,
    SourceIdentity: `TRY_CAST(json_extract_string(${ep("source", "identity")}, '$') AS BIGINT)`,
    DestinationIdentity: `TRY_CAST(json_extract_string(${ep("destination", "identity")}, '$') AS BIGINT)`,
    SourceClusterName: nz(epName("source", "cluster_name")),
    DestinationClusterName: nz(epName("destination", "cluster_name")),
    SourceNamespace: nz(epName("source", "namespace")),
    DestinationNamespace: nz(epName("destination", "namespace")),
    SourcePodName: nz(epName("source", "pod_name")),
    DestinationPodName: nz(epName("destination", "pod_name")),
    SourceWorkloads: ep("source", "workloads"),
    DestinationWorkloads: ep("destination", "workloads"),
    FlowType: nz(`f."Type"`),
    // The agent strips the cluster prefix: "cluster/aks-nodepool1-…-vmss000000" → the node.
    NodeName: nz(`regexp_replace(coalesce(f.node_name, j.node_name), '^.*/', '')`),
    Layer7: `f.l7`,
    Reply: `coalesce(f.is_reply, f.reply)`,
    EventType: `f.event_type`,
    Service: `CASE WHEN f.source_service IS NOT NULL OR f.destination_service IS NOT NULL THEN json_object('SourceService', f.source_service.name, 'SourceServiceNamespace', f.source_service.namespace, 'DestinationService', f.destination_service.name, 'DestinationServiceNamespace', f.destination_service.namespace) END`,
    TrafficDirection: nz(`f.traffic_direction`),
    TraceObservationPoint: nz(`f.trace_observation_point`),
    IngressFlowCount: `CASE WHEN ${hasCounts} THEN coalesce(${counted("ingress_flow_count")}, 0) WHEN ${direction} = 'INGRESS' THEN 1 ELSE 0 END`,
    EgressFlowCount: `CASE WHEN ${hasCounts} THEN coalesce(${counted("egress_flow_count")}, 0) WHEN ${direction} = 'EGRESS' THEN 1 ELSE 0 END`,
    UnknownDirectionFlowCount: `CASE WHEN ${hasCounts} THEN coalesce(${counted("unknown_direction_flow_count")}, 0) WHEN ${direction} IN ('INGRESS', 'EGRESS') THEN 0 ELSE 1 END`,
    Policies: `CASE WHEN coalesce(f.egress_allowed_by, f.ingress_allowed_by, f.egress_denied_by, f.ingress_denied_by) IS NOT NULL THEN json_object('egress_allowed_by', f.egress_allowed_by, 'ingress_allowed_by', f.ingress_allowed_by, 'egress_denied_by', f.egress_denied_by, 'ingress_denied_by', f.ingress_denied_by) END`,
    AdditionalFlowData: `json_object('EthernetSource', f.ethernet.source, 'EthernetDestination', f.ethernet.destination, 'SourceLabels', ${ep("source", "labels")}, 'DestinationLabels', ${ep("destination", "labels")}, 'Summary', f."Summary")`,
  };
  return `SELECT ${Object.entries(cols).map(([k, v]) => `${v} AS "${k}"`).join(",\n  ")}\nFROM (SELECT j, j.flow AS f FROM (${relation}))`;
}
