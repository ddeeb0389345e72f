import { z } from "zod";

/** The fixed vocabulary of finding kinds (DESIGN.md, "Findings and the Report"). */
export const FindingKind = z.enum([
  "dns_errors",
  "dns_missing_responses",
  "dns_latency",
  "packet_drops",
  "node_drops",
  "l7_drops",
  "traffic_imbalance",
  "tcp_resets",
  "http_errors",
  "http_latency",
  "grpc_errors",
  "kafka_errors",
  "tcp_state_anomaly",
  "traffic_drop",
]);
export type FindingKind = z.infer<typeof FindingKind>;
