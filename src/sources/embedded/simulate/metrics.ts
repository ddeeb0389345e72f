/**
 * The metrics a cluster with Retina (node level) and ACNS Hubble metrics would expose for a
 * simulated scenario, as OpenMetrics text with timestamps (what `promtool tsdb
 * create-blocks-from openmetrics` loads). Counts come from the scenario's own flows, scraped
 * every SCRAPE_SECONDS; label names and values are spelled as each family spells them
 * (network-data.md §2): Retina's reasons and lower-case directions, Hubble's `namespace/pod`
 * context labels (source on egress, destination on ingress), its rcode strings.
 */
import { writeFile } from "node:fs/promises";
import type { HubbleFlow } from "./hubble-types.js";
import { Rng } from "./random.js";
import type { Simulation } from "./types.js";

export const SCRAPE_SECONDS = 30;

/** Hubble DropReason names as Retina's basic metrics spell them. */
const RETINA_REASON: Record<string, string> = {
  POLICY_DENIED: "IPTABLE_RULE_DROP",
  POLICY_DENY: "IPTABLE_RULE_DROP",
  CT_MAP_INSERTION_FAILED: "CONNTRACK_ADD_DROP",
  SNAT_NO_MAP_FOUND: "IPTABLE_NAT_DROP",
};

/** DNS rcode numbers as Retina spells them (pkg/utils/flow_utils.go DNSRcodeToString). */
const ADV_RCODE: Record<number, string> = { 0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED" };

/** DNS rcode numbers as Hubble's metrics spell them (dns/rcode.go). */
const HUBBLE_RCODE: Record<number, string> = { 0: "No Error", 1: "Format Error", 2: "Server Failure", 3: "Non-Existent Domain", 4: "Not Implemented", 5: "Query Refused" };

interface Family {
  type: "gauge" | "unknown";
  help: string;
  /** series key (label text) -> current value */
  values: Map<string, number>;
  /** series key -> [seconds, value] points */
  points: Map<string, [number, number][]>;
}

const FAMILIES = {
  networkobservability_forward_count: "Retina: packets forwarded (cumulative, a gauge)",
  networkobservability_forward_bytes: "Retina: bytes forwarded (cumulative, a gauge)",
  networkobservability_drop_count: "Retina: packets dropped (cumulative, a gauge)",
  networkobservability_drop_bytes: "Retina: bytes dropped (cumulative, a gauge)",
  networkobservability_adv_forward_count: "Retina advanced: packets forwarded by pod (remote context)",
  networkobservability_adv_drop_count: "Retina advanced: packets dropped by pod (remote context)",
  networkobservability_adv_tcpflags_count: "Retina advanced: TCP flags by pod",
  networkobservability_adv_dns_request_count: "Retina advanced: DNS requests by pod",
  networkobservability_adv_dns_response_count: "Retina advanced: DNS responses by pod",
  networkobservability_tcp_state: "Retina: TCP connections by state",
  hubble_drop_total: "Hubble: drops by reason",
  hubble_tcp_flags_total: "Hubble: TCP flags seen",
  hubble_dns_queries_total: "Hubble: DNS queries",
  hubble_dns_responses_total: "Hubble: DNS responses",
  hubble_http_responses_total: "Hubble: HTTP responses (L7 visibility)",
  hubble_flows_processed_total: "Hubble: flows processed",
} as const;
type FamilyName = keyof typeof FAMILIES;

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labels(l: Record<string, string>): string {
  return Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(",");
}

const nodeOf = (f: HubbleFlow) => f.node_name.replace(/^.*\//, "");
const nsPod = (e: HubbleFlow["source"]) => (e?.namespace && e.pod_name ? `${e.namespace}/${e.pod_name}` : "");

/**
 * Which pod-level metrics the cluster has beside Retina's node-level ones: ACNS Hubble metrics
 * (`hubble`) or Retina's advanced metrics with remote context (`retina-advanced`).
 */
export type PodMetrics = "hubble" | "retina-advanced";
export const POD_METRICS: readonly PodMetrics[] = ["hubble", "retina-advanced"];

/** Retina's remote context labels for both sides of a flow; a side it cannot resolve is "unknown". */
function advSides(f: HubbleFlow): Record<string, string> {
  const side = (prefix: string, e: HubbleFlow["source"]) => {
    const known = !!(e?.namespace && e.pod_name);
    const wl = e?.workloads?.[0]?.name;
    return { [`${prefix}namespace`]: known ? e!.namespace! : "unknown", [`${prefix}podname`]: known ? e!.pod_name! : "unknown", [`${prefix}workload_name`]: known && wl ? wl : "unknown" };
  };
  return { ...side("source_", f.source), ...side("destination_", f.destination) };
}

/** A packet's size in bytes, as the flow suggests it (flows carry no sizes). */
function bytesOf(f: HubbleFlow): number {
  if (f.l7?.dns) return 110;
  if (f.l7?.http) return 900;
  const flags = f.l4?.TCP?.flags;
  if (flags && (flags.SYN || flags.RST || flags.FIN) && !flags.PSH) return 66;
  return 420;
}

/** Every scrape's samples of the scenario, in OpenMetrics text. */
export function simulationMetrics(sim: Simulation, opts: { pods?: PodMetrics } = {}): string {
  const hubble = (opts.pods ?? "hubble") === "hubble";
  const fromS = Date.parse(sim.from) / 1000;
  const toS = Date.parse(sim.to) / 1000;
  const fams = Object.fromEntries(Object.entries(FAMILIES).map(([n, help]) => [n, { type: n === "networkobservability_tcp_state" ? "gauge" : "unknown", help, values: new Map(), points: new Map() } satisfies Family])) as Record<FamilyName, Family>;
  const add = (name: FamilyName, l: Record<string, string>, by = 1) => {
    const f = fams[name];
    const key = labels(l);
    f.values.set(key, (f.values.get(key) ?? 0) + by);
  };
  // Series exist from the first scrape on (at 0), as an exporter's do once it has seen them.
  const touch = (name: FamilyName, l: Record<string, string>) => {
    const key = labels(l);
    if (!fams[name].values.has(key)) fams[name].values.set(key, 0);
  };
  for (const node of sim.nodes) {
    for (const direction of ["ingress", "egress"]) touch("networkobservability_forward_count", { instance: node, direction });
  }
  const rng = new Rng(7, "metrics");
  // A silent node is scraped no more: its series end (go stale) at its onset.
  const silent = sim.metricFaults.silent;
  const gone = (at: number, node: string) => !!silent && silent.node === node && at >= Date.parse(silent.since) / 1000;
  const scrape = (at: number) => {
    for (const f of Object.values(fams)) {
      if (f.type === "gauge") continue;
      for (const [key, v] of f.values) {
        if (silent && key.includes(`instance="${esc(silent.node)}"`) && gone(at, silent.node)) continue;
        const pts = f.points.get(key) ?? [];
        pts.push([at, v]);
        f.points.set(key, pts);
      }
    }
    // TCP states: a steady picture per node, and the SYN_SENT pile-up of a black-holed node.
    const syn = sim.metricFaults.synSent;
    for (const node of sim.nodes) {
      if (gone(at, node)) continue;
      const states: Record<string, number> = {
        ESTABLISHED: 180 + rng.between(0, 20), TIME_WAIT: 60 + rng.between(0, 15), SYN_SENT: rng.between(0, 3),
        SYN_RECV: rng.between(0, 2), CLOSE_WAIT: rng.between(0, 2), LISTEN: 24,
      };
      if (syn && syn.node === node && at >= Date.parse(syn.since) / 1000) states.SYN_SENT = syn.level + rng.between(-10, 10);
      for (const [state, v] of Object.entries(states)) {
        const key = labels({ instance: node, state });
        const pts = fams.networkobservability_tcp_state.points.get(key) ?? [];
        pts.push([at, v]);
        fams.networkobservability_tcp_state.points.set(key, pts);
      }
    }
  };
  let next = fromS;
  for (const line of sim.lines()) {
    const f = line.flow;
    const t = Date.parse(f.time) / 1000;
    while (t >= next && next < toS) {
      scrape(next);
      next += SCRAPE_SECONDS;
    }
    const instance = nodeOf(f);
    const direction = f.traffic_direction === "EGRESS" ? "egress" : f.traffic_direction === "INGRESS" ? "ingress" : "unknown";
    // Hubble's pod context: the source on egress, the destination on ingress.
    const source = f.traffic_direction === "EGRESS" ? nsPod(f.source) : "";
    const destination = f.traffic_direction === "INGRESS" ? nsPod(f.destination) : "";
    const bytes = bytesOf(f);
    const adv = hubble ? null : advSides(f);
    if (f.verdict === "FORWARDED") {
      add("networkobservability_forward_count", { instance, direction });
      add("networkobservability_forward_bytes", { instance, direction }, bytes);
      if (adv) add("networkobservability_adv_forward_count", { instance, direction, ...adv, is_reply: String(!!(f.is_reply ?? f.reply)) });
    }
    const type = f.verdict === "DROPPED" ? "Drop" : f.Type === "L7" ? "L7" : "Trace";
    if (hubble) add("hubble_flows_processed_total", { instance, source, destination, protocol: f.l4?.TCP ? "TCP" : f.l4?.UDP ? "UDP" : "ICMPv4", type, verdict: f.verdict });
    if (f.verdict === "DROPPED") {
      const reason = f.drop_reason_desc ?? "DROP_REASON_UNKNOWN";
      const retinaReason = RETINA_REASON[reason] ?? "UNKNOWN_DROP";
      add("networkobservability_drop_count", { instance, reason: retinaReason, direction });
      add("networkobservability_drop_bytes", { instance, reason: retinaReason, direction }, bytes);
      const protocol = f.l4?.TCP ? "TCP" : f.l4?.UDP ? "UDP" : f.l4?.ICMPv4 ? "ICMPv4" : "Unknown L4";
      if (hubble) add("hubble_drop_total", { instance, source, destination, reason, protocol });
      else add("networkobservability_adv_drop_count", { instance, reason: retinaReason, direction: f.traffic_direction ?? "TRAFFIC_DIRECTION_UNKNOWN", ...adv! });
    }
    const flags = f.l4?.TCP?.flags;
    if (flags && f.verdict === "FORWARDED") {
      const flag = flags.RST ? "RST" : flags.SYN && flags.ACK ? "SYN-ACK" : flags.SYN ? "SYN" : flags.FIN ? "FIN" : null;
      if (flag && hubble) add("hubble_tcp_flags_total", { instance, source, destination, flag, family: "IPv4" });
      // Retina counts each flag set in the packet: a SYN-ACK is a SYN and an ACK.
      if (adv) for (const one of Object.keys(flags).filter((k) => (flags as Record<string, boolean>)[k])) add("networkobservability_adv_tcpflags_count", { instance, flag: one, ...adv });
    }
    const dnsAdv = f.l7?.dns;
    if (adv && dnsAdv && f.verdict === "FORWARDED") {
      const query_type = (dnsAdv.qtypes ?? []).join(",");
      if (f.l7!.type === "REQUEST") add("networkobservability_adv_dns_request_count", { instance, query_type, query: dnsAdv.query, ...adv });
      else if (f.l7!.type === "RESPONSE") add("networkobservability_adv_dns_response_count", { instance, return_code: ADV_RCODE[dnsAdv.rcode ?? 0] ?? "", query_type, query: dnsAdv.query, response: (dnsAdv.ips ?? []).join(","), num_response: String(dnsAdv.ips?.length ?? 0), ...adv });
    }
    const http = f.l7?.http;
    if (hubble && http && f.l7!.type === "RESPONSE" && http.code) {
      // Labels from the response flow (server -> client), both sides named as with L7 pod context.
      add("hubble_http_responses_total", { instance, source: nsPod(f.source), destination: nsPod(f.destination), status: String(http.code), method: http.method ?? "" });
    }
    const dns = f.l7?.dns;
    if (hubble && dns && f.verdict === "FORWARDED") {
      const qtypes = (dns.qtypes ?? []).join(",");
      if (f.l7!.type === "REQUEST") {
        add("hubble_dns_queries_total", { instance, source: nsPod(f.source), destination: "", rcode: "", qtypes, ips_returned: "0", query: dns.query });
      } else if (f.l7!.type === "RESPONSE") {
        const rcode = HUBBLE_RCODE[dns.rcode ?? 0] ?? String(dns.rcode);
        add("hubble_dns_responses_total", { instance, source: "", destination: nsPod(f.destination), rcode, qtypes, ips_returned: String(dns.ips?.length ?? 0), query: dns.query });
      }
    }
  }
  while (next < toS) {
    scrape(next);
    next += SCRAPE_SECONDS;
  }
  const out: string[] = [];
  for (const [name, f] of Object.entries(fams)) {
    if (f.points.size === 0) continue;
    out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
    // OpenMetrics: a family's samples together; promtool wants each series in time order.
    for (const [key, pts] of f.points) for (const [at, v] of pts) out.push(`${name}{${key}} ${v} ${at.toFixed(3)}`);
  }
  out.push("# EOF");
  return out.join("\n") + "\n";
}

export async function writeSimulationMetrics(sim: Simulation, file: string, opts: { pods?: PodMetrics } = {}): Promise<number> {
  const text = simulationMetrics(sim, opts);
  await writeFile(file, text);
  return text.split("\n").length - 2;
}
