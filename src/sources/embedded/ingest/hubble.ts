import type { Shape } from "./shape.js";

/**
 * Hubble export lines → Log Analytics columns, the way Azure's agent maps them
 * (microsoft/Docker-Provider network_flow_logs.go; shared/reference/network-data.md §1.2).
 * A line is the bare `{"flow":…}` object or the `{"flow":…,"node_name":…,"time":…}` envelope.
 */
const ENDPOINT: Shape = {
  identity: "BIGINT",
  cluster_name: "VARCHAR",
  namespace: "VARCHAR",
  pod_name: "VARCHAR",
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

/** Why a parsed line cannot become a row (NULL when it can); `j` is the parsed line. */
export const HUBBLE_LINE_ERROR = `CASE
    WHEN j.flow IS NULL THEN 'no "flow" object in the line'
    WHEN TRY_CAST(coalesce(j.flow.time, j.time) AS TIMESTAMPTZ) IS NULL THEN
      CASE WHEN coalesce(j.flow.time, j.time) IS NULL THEN 'flow.time is missing' ELSE 'flow.time is not an RFC 3339 time: ' || left(coalesce(j.flow.time, j.time), 40) END
  END`;

const nz = (e: string) => `nullif(${e}, '')`;
const ep = (side: "source" | "destination", f: string) => `j.flow."${side}".${f}`;
const counted = (key: string) => `coalesce(f.aggregate.${key}, f.extensions.${key})`;

/** SELECT over a relation with a parsed line `j`, giving the Log Analytics columns. */
export function hubbleToLogAnalytics(relation: string): string {
  // A raw Hubble flow counts once, in its direction; aggregated flows carry their counters.
  const direction = `upper(coalesce(f.traffic_direction, ''))`;
  const hasCounts = `(${counted("ingress_flow_count")} IS NOT NULL OR ${counted("egress_flow_count")} IS NOT NULL OR ${counted("unknown_direction_flow_count")} IS NOT NULL)`;
  const cols: Record<string, string> = {
    // NULL for a line without a flow too: the fast path finds bad lines by a missing time.
    TimeGenerated: `CASE WHEN j.flow IS NOT NULL THEN TRY_CAST(coalesce(f.time, j.time) AS TIMESTAMPTZ)::TIMESTAMP END`,
    UUID: `f.uuid`,
    Verdict: nz(`f.verdict`),
    DropReason: nz(`f.drop_reason_desc`),
    IP: `f."IP"`,
    Layer4: `f.l4`,
    SourceIdentity: ep("source", "identity"),
    DestinationIdentity: ep("destination", "identity"),
    SourceClusterName: nz(ep("source", "cluster_name")),
    DestinationClusterName: nz(ep("destination", "cluster_name")),
    SourceNamespace: nz(ep("source", "namespace")),
    DestinationNamespace: nz(ep("destination", "namespace")),
    SourcePodName: nz(ep("source", "pod_name")),
    DestinationPodName: nz(ep("destination", "pod_name")),
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
