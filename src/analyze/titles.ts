import { thousands } from "../model/text.js";
import { label } from "./rows.js";
import type { FindingDraft } from "./types.js";

type TitleFacts = Pick<FindingDraft, "kind" | "subject" | "peer" | "reason" | "query" | "value" | "unit" | "baseline" | "facts">;

const n = (v: number) => (Number.isInteger(v) ? thousands(v) : v.toFixed(1));
const from = (d: TitleFacts) => (d.peer ? ` from ${typeof d.facts?.peers === "string" ? d.facts.peers : label(d.peer)}` : "");

/**
 * One line naming who, what and how much. Once the timeline is known, `facts.since` (the
 * onset, as the reply words it) and `facts.sincePct` (the share measured from the onset on)
 * are set and the title is made again: a share averaged over the window understates a
 * fault that began half-way through it.
 */
export function titleOf(d: TitleFacts): string {
  const who = label(d.subject);
  const f = d.facts ?? {};
  const quiet = f.quietBefore ? ` (none in the ${f.quietBefore} minutes of data before)` : "";
  const since = f.since ? (f.sinceDataStart ? ` since at least ${f.since} (when the data starts)` : ` since ${f.since}${quiet}`) : "";
  const fromOnset = typeof f.sincePct === "number" && f.since && !f.sinceDataStart;
  switch (d.kind) {
    case "dns_errors":
      return `${who} gets ${d.reason} for ${d.query ?? "DNS queries"}${f.qtypes ? ` (${f.qtypes})` : ""}${since}`;
    case "dns_missing_responses": {
      const what = `DNS requests${f.names ? ` for ${f.names}` : ""}`;
      const whole = `${n(d.value)} of ${n(Number(f.requests))}`;
      return fromOnset
        ? `${who} leaves ${f.sincePct}% of ${what} unanswered${since} (${whole} over the window)${f.others ? `; ${f.others}` : ""}`
        : `${who} leaves ${f.missingPct}% of ${what} unanswered (${whole})${since}${f.others ? `; ${f.others}` : ""}`;
    }
    case "dns_latency":
      return `DNS answers from ${who} are slow: p95 ${n(d.value)} ms${d.baseline !== null ? ` (was ${n(d.baseline)} ms)` : ""}`;
    case "packet_drops":
      return `traffic to ${who} dropped: ${d.reason}${from(d)}${since}`;
    case "node_drops":
      return `${who} drops ${d.unit}: ${d.reason}${f.pods ? ` (${f.pods} pods affected)` : ""}${since}`;
    case "l7_drops":
      return `HTTP requests to ${who} dropped by L7 policy${d.reason ? ` (${d.reason})` : ""}${from(d)}${since}`;
    case "tcp_resets":
      return `${who} resets TCP connections${f.peers ? ` with ${f.peers} peers` : ""}${since}`;
    case "http_errors": {
      const clientSide = f.side === "client" || f.side === "clientShared";
      const their = clientSide ? "their " : "";
      const share = fromOnset ? `: ${f.sincePct}% of ${their}responses since then (${f.errorPct}% over the window)` : ` (${f.errorPct}% of ${their}responses)`;
      if (clientSide) return `${who} gets ${d.reason} from ${f.servers} servers${since}${share}: ${f.serverList}`;
      return `${who} returns ${d.reason}${d.peer ? ` to ${label(d.peer)}` : ""}${since}${share}`;
    }
    case "http_latency":
      return `HTTP responses from ${who} are slow: p95 ${n(d.value)} ms${d.baseline !== null ? ` (was ${n(d.baseline)} ms)` : ""}`;
    case "grpc_errors":
      return `gRPC calls to ${who} fail: ${d.reason}${since}`;
    case "kafka_errors":
      return `Kafka requests to ${who} fail with error ${d.reason}${from(d)}${since}`;
    case "traffic_imbalance":
      return `${who} gets ${n(d.value)}% of its workload's traffic (fair share ${f.fairPct}%)${since}`;
    case "traffic_drop":
      return `${d.subject.node && !d.subject.workload ? `traffic through ${who}` : `traffic to ${who}`} fell to ${n(d.value)} ${d.unit} (was ${n(d.baseline ?? 0)})${since}`;
    case "tcp_state_anomaly":
      return `${who}: ${d.reason} connections rose to ${n(d.value)}${since}`;
  }
}
