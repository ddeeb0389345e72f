/**
 * Simulated Hubble flow exports of an AKS cluster with ACNS (Cilium data plane), with named
 * faults and their ground truth: the built-in demo cluster, test data with a known root
 * cause for every playbook, and benchmark input (`scale`).
 *
 * Conventions of the ground truth (see GroundTruth in types.ts):
 * - `injected` counts the fault's symptom flows: the flows in [since, to) that `match`
 *   selects (error answers, drops, resets, unanswered queries, connections to the hot pod).
 *   Companion flows are not counted (the DNS request behind an NXDOMAIN, a handshake).
 * - Reasons: DNS faults use the rcode name ("NXDOMAIN", "SERVFAIL"); dns-missing-responses
 *   and dns-upstream-timeout use null (no rcode or drop reason exists for an answer that
 *   never comes); drops use
 *   drop_reason_desc ("POLICY_DENIED", "CT_MAP_INSERTION_FAILED"); resets "RST"; HTTP the
 *   status ("503", "403"); l7-policy-drop "POLICY_DENIED", although the L7 flow itself
 *   carries no drop reason (Hubble's L7 parser never sets one): its verdict DROPPED on a
 *   Type L7 flow is the sign; traffic-imbalance null.
 * - Background traffic never produces a fault's signature: background 5xx are 500/502/504,
 *   benign drops come only from the internet to frontend:22 and store-front:3389.
 */
export { METRIC_ONLY_SCENARIOS, SCENARIOS } from "./types.js";
export type { FlowMatch, GroundTruth, ScenarioName, SimulateOptions, Simulation } from "./types.js";
export { DEFAULT_END, isScenarioName, simulate, writeSimulation } from "./simulate.js";
export { flowMatches, flowMatchesAny } from "./match.js";
export { CLUSTER_NAME, NODE_NAMES } from "./cluster.js";
export type {
  DnsRecord, FlowType, HttpRecord, HubbleEndpoint, HubbleFlow, HubbleLine, HubbleWorkload, Layer4, Layer7,
  NetworkInterface, PolicyRef, TcpFlagName, TcpFlags, TraceObservationPoint, TraceReason, TrafficDirection, Verdict,
  WorkloadKind,
} from "./hubble-types.js";
export { simulationMetrics, writeSimulationMetrics, SCRAPE_SECONDS } from "./metrics.js";
