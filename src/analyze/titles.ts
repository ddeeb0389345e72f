import { label } from "./rows.js";
import type { FindingDraft } from "./types.js";

type TitleFacts = Pick<FindingDraft, "kind" | "subject" | "peer" | "reason" | "query" | "value" | "unit" | "baseline" | "facts">;

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const from = (d: TitleFacts) => (d.peer && (d.peer.workload || d.peer.namespace) ? ` from ${label(d.peer)}` : d.peer ? " from outside the cluster" : "");

/** One line naming who, what and how much; "since" is added once the timeline is known. */
export function titleOf(d: TitleFacts): string {
  const who = label(d.subject);
  const f = d.facts ?? {};
  switch (d.kind) {
    case "dns_errors":
      return `${who} gets ${d.reason} for ${d.query ?? "DNS queries"}${f.qtypes ? ` (${f.qtypes})` : ""}`;
    case "dns_missing_responses":
      return `${who} leaves ${f.missingPct}% of DNS requests unanswered (${n(d.value)} of ${f.requests})`;
    case "dns_latency":
      return `DNS answers from ${who} are slow: p95 ${n(d.value)} ms${d.baseline !== null ? ` (was ${n(d.baseline)} ms)` : ""}`;
    case "packet_drops":
      return `traffic to ${who} dropped: ${d.reason}${from(d)}`;
    case "node_drops":
      return `${who} drops flows: ${d.reason}${f.pods ? ` (${f.pods} pods affected)` : ""}`;
    case "l7_drops":
      return `HTTP requests to ${who} dropped by L7 policy${d.reason ? ` (${d.reason})` : ""}${from(d)}`;
    case "tcp_resets":
      return `${who} resets TCP connections${f.peers ? ` with ${f.peers} peers` : ""}`;
    case "http_errors":
      return `${who} returns ${d.reason}${d.peer ? ` to ${label(d.peer)}` : ""} (${f.errorPct}% of responses)`;
    case "http_latency":
      return `HTTP responses from ${who} are slow: p95 ${n(d.value)} ms${d.baseline !== null ? ` (was ${n(d.baseline)} ms)` : ""}`;
    case "grpc_errors":
      return `gRPC calls to ${who} fail: ${d.reason}`;
    case "kafka_errors":
      return `Kafka requests to ${who} fail with error ${d.reason}${from(d)}`;
    case "traffic_imbalance":
      return `${who} gets ${n(d.value)}% of its workload's traffic (fair share ${f.fairPct}%)`;
    case "traffic_drop":
      return `traffic to ${who} fell to ${n(d.value)} flows (was ${n(d.baseline ?? 0)})`;
    case "tcp_state_anomaly":
      return `${who}: unusual TCP states (${d.reason})`;
  }
}
