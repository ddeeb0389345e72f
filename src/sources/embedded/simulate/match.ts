/** Evaluates a FlowMatch against a flow: how tests find the symptom flows of a fault. */
import type { HubbleFlow } from "./hubble-types.js";
import { RCODE_NAMES } from "./hubble.js";
import type { FlowMatch } from "./types.js";

export function flowMatches(flow: HubbleFlow, m: FlowMatch): boolean {
  const dns = flow.l7?.dns;
  const http = flow.l7?.http;
  const tcp = flow.l4?.TCP;
  return (
    eq(m.verdict, flow.verdict) &&
    eq(m.dropReason, flow.drop_reason_desc) &&
    eq(m.type, flow.Type) &&
    eq(m.l7Type, flow.l7?.type) &&
    eq(m.dnsQuery, dns?.query) &&
    (m.dnsRcode === undefined || (flow.l7?.type === "RESPONSE" && dns !== undefined && RCODE_NAMES[dns.rcode ?? 0] === m.dnsRcode)) &&
    (m.dnsQtype === undefined || (dns?.qtypes ?? []).includes(m.dnsQtype)) &&
    eq(m.httpCode, http?.code) &&
    eq(m.httpMethod, http?.method) &&
    (m.tcpFlag === undefined || tcp?.flags?.[m.tcpFlag] === true) &&
    eq(m.sourceNamespace, flow.source?.namespace) &&
    eq(m.sourceWorkload, flow.source?.workloads?.[0]?.name) &&
    eq(m.sourcePod, flow.source?.pod_name) &&
    eq(m.destinationNamespace, flow.destination?.namespace) &&
    eq(m.destinationWorkload, flow.destination?.workloads?.[0]?.name) &&
    eq(m.destinationPod, flow.destination?.pod_name) &&
    eq(m.node, flow.node_name.slice(flow.node_name.indexOf("/") + 1))
  );
}

/** True if the flow matches any of the alternatives. */
export function flowMatchesAny(flow: HubbleFlow, alternatives: readonly FlowMatch[]): boolean {
  return alternatives.some((m) => flowMatches(flow, m));
}

function eq<T>(want: T | undefined, got: T | undefined): boolean {
  return want === undefined || want === got;
}
