// Metric checks against a real Prometheus: each scenario's metrics (written by the simulator
// as OpenMetrics, loaded with promtool) answered with --prometheus alone, no flow logs.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../../src/analyze/index.js";
import { investigate } from "../../../src/investigate/index.js";
import type { Finding, Report } from "../../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../../src/playbooks/index.js";
import { FlowStore } from "../../../src/sources/embedded/index.js";
import { simulate, simulationMetrics, writeSimulation, type GroundTruth, type ScenarioName, type Simulation } from "../../../src/sources/embedded/simulate/index.js";
import { MetricSource, PrometheusClient } from "../../../src/sources/prometheus/index.js";
import { startService } from "../../../src/surfaces/service.js";
import { FakeSlack, slackSignature } from "../../support/fake-slack.js";
import { HAVE_PROMETHEUS, startPrometheus, type RunningPrometheus } from "../../support/prometheus.js";
import { tempDir } from "../../support/tmp.js";

if (!HAVE_PROMETHEUS) console.warn("prometheus/promtool not installed (apt-get install prometheus): real-Prometheus tests skipped");

const dir = tempDir();
const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);

/** Scenario -> what an on-call engineer would ask, with only the metrics to answer from. */
const CASES: [ScenarioName, string][] = [
  ["conntrack-node-drops", "what's wrong with the cluster network?"],
  ["node-syn-sent", "is the cluster network healthy?"],
  ["node-silent", "what's wrong with the cluster network?"],
  ["policy-drop", "show packet drops in ns shop"],
  ["tcp-reset-storm", "who is sending RST packets in pets?"],
  ["dns-servfail", "dns errors in ns shop"],
  ["http-5xx", "5xx errors from payments in namespace shop"],
  ["traffic-imbalance", "is traffic balanced across the search pods in namespace search?"],
];

/** Pod-level scenarios, answered from Retina's advanced metrics (remote context) alone. */
const ADV_CASES = CASES.filter(([n]) => ["policy-drop", "tcp-reset-storm", "dns-servfail", "traffic-imbalance"].includes(n));
/** Retina advanced names the DNS server too: requests against responses per server pod. */
const ADV_DNS_CASES: [ScenarioName, string][] = [
  ["dns-missing-responses", "are DNS requests missing responses in kube-system?"],
  ["dns-upstream-timeout", "why are dns lookups from checkout timing out in namespace shop?"],
];
const ADV_SCENARIOS: ScenarioName[] = [...ADV_CASES.map(([n]) => n), ...ADV_DNS_CASES.map(([n]) => n), "healthy"];

function matches(f: Finding, t: GroundTruth): boolean {
  const s = t.subject;
  return f.kind === t.kind && (f.reason ?? null) === t.reason && (!s.namespace || f.subject.namespace === s.namespace)
    && (!s.workload || f.subject.workload === s.workload) && (!s.pod || f.subject.pod === s.pod) && (!s.node || f.subject.node === s.node);
}
const brief = (r: Report) => [r.summary, ...r.findings.slice(0, 4).map((f) => `${f.rank}. ${f.severity} ${f.kind} ${f.reason} ${f.title}`), ...r.notes].join("\n");

describe.skipIf(!HAVE_PROMETHEUS)("metric checks on a real Prometheus", () => {
  const servers = new Map<ScenarioName, { prom: RunningPrometheus; sim: Simulation }>();
  let empty: FlowStore;

  /** Variants of a scenario's metrics: only some families, or one family gone stale. */
  const variants = new Map<string, { prom: RunningPrometheus; sim: Simulation }>();
  const keep = (om: string, ok: (metric: string, at: number) => boolean) =>
    om.split("\n").filter((l) => l.startsWith("#") || !l || ok(l.slice(0, l.indexOf("{")), Number(l.slice(l.lastIndexOf(" ") + 1)))).join("\n");
  beforeAll(async () => {
    empty = await FlowStore.open(":memory:");
    const names = [...new Set([...CASES.map(([n]) => n), "healthy" as const, "dns-nxdomain" as const])];
    await Promise.all(names.map(async (name) => {
      const sim = simulate(name);
      servers.set(name, { prom: await startPrometheus(join(dir, name), simulationMetrics(sim)), sim });
    }));
    const ct = simulate("conntrack-node-drops"), dns = simulate("dns-servfail");
    const cut = Date.parse("2026-11-20T13:20:00Z") / 1000;
    await Promise.all([
      // Retina stopped reporting at 13:20 (moved to Cilium/Hubble): its old names must not stand in.
      startPrometheus(join(dir, "stale-retina"), keep(simulationMetrics(ct), (m, at) => !m.startsWith("networkobservability_") || at < cut)).then((prom) => variants.set("stale-retina", { prom, sim: ct })),
      // Node-level Retina metrics only, as Azure Monitor's included network observability gives.
      startPrometheus(join(dir, "retina-only"), keep(simulationMetrics(dns), (m) => m.startsWith("networkobservability_") && !m.startsWith("networkobservability_adv_"))).then((prom) => variants.set("retina-only", { prom, sim: dns })),
      // Retina's advanced (pod-level) metrics instead of Hubble's: the pod checks answer from them.
      ...ADV_SCENARIOS.map((name) => { const sim = simulate(name); return startPrometheus(join(dir, `adv-${name}`), simulationMetrics(sim, { pods: "retina-advanced" })).then((prom) => variants.set(`adv-${name}`, { prom, sim })); }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...servers.values(), ...variants.values()].map((s) => s.prom.stop()));
    empty?.close();
  });

  const ask = (name: ScenarioName | string, q: string, now?: Date) => {
    const { prom, sim } = servers.get(name as ScenarioName) ?? variants.get(name)!;
    return investigate(q, { source: empty, playbooks, now: now ?? new Date(sim.to), metrics: MetricSource.open({ url: prom.url }), noFlows: true });
  };

  it("a side Hubble's metrics do not name is unknown, not excluded: a peer question finds the policy drop", async () => {
    for (const q of ["checkout can't reach payments in namespace shop", "payments drops traffic from checkout in shop"]) {
      const r = await ask("policy-drop", q);
      expect(r.summary, brief(r)).not.toMatch(/^No active fault/);
      expect(r.findings[0], brief(r)).toMatchObject({ kind: "packet_drops", reason: "POLICY_DENIED", subject: { namespace: "shop", workload: "payments" } });
      expect(r.notes.join(" ")).toMatch(/name only one side of each flow/);
    }
  });

  it("a family that stopped reporting does not mask the one that reports now", async () => {
    const r = await ask("stale-retina", "what's wrong with the cluster network?");
    expect(r.findings[0], brief(r)).toMatchObject({ kind: "node_drops", reason: "CT_MAP_INSERTION_FAILED" });
    expect(r.evidence[r.findings[0]!.evidence[0]!]!.title).toMatch(/\(Hubble metrics\)$/);
  });

  it("with only node-level Retina metrics, a DNS question says DNS could not be checked, never all clear", async () => {
    const r = await ask("retina-only", "dns errors in ns shop");
    expect(r.summary, brief(r)).toMatch(/^DNS could not be checked for namespace shop \(see the notes\)/);
    expect(r.notes.join(" ")).toMatch(/no DNS response metrics on Prometheus/);
  });

  it("where the metrics do not reach back over the window before, nothing is judged new against it", async () => {
    const r = await ask("healthy", "what's wrong with the cluster network?", new Date("2026-11-20T14:00:00Z"));
    // Steady drops are told as seen with no earlier data; nothing is "new", and gauges claim no rise.
    expect(r.findings.filter((f) => f.severity === "critical"), brief(r)).toEqual([]);
    expect(r.findings.filter((f) => f.kind === "tcp_state_anomaly"), brief(r)).toEqual([]);
    expect(r.findings.every((f) => f.baseline === null), brief(r)).toBe(true);
    expect(r.notes.join(" ")).toMatch(/do not reach back over the window before/);
  });

  it("a namespace the metrics do not know is no data, not healthy", async () => {
    const r = await ask("healthy", "dns errors in ns nosuchns");
    expect(r.summary, brief(r)).not.toMatch(/No active fault/);
    // Never another namespace's pods in the reply.
    expect(JSON.stringify(r.findings.map((f) => [f.subject, f.peer]))).not.toMatch(/"namespace":"(shop|pets|default|search)"/);
  });

  it("a question about one party never shows flows whose named side is another party", async () => {
    const r = await ask("policy-drop", "what's wrong with shop/frontend?");
    for (const f of r.findings) expect([f.subject.workload, f.peer?.workload ?? null], brief(r)).toContain("frontend");
  });

  it("a question about one node keeps to that node", async () => {
    const { sim } = servers.get("conntrack-node-drops")!;
    const faulty = sim.truth[0]!.subject.node!;
    const other = faulty.replace(/\d$/, (d) => String((Number(d) + 1) % 3));
    const r = await ask("conntrack-node-drops", `what's wrong on node ${other}?`);
    expect(r.findings.filter((f) => f.subject.node === faulty), brief(r)).toEqual([]);
    const onIt = await ask("conntrack-node-drops", `what's wrong on node ${faulty}?`);
    expect(onIt.findings[0], brief(onIt)).toMatchObject({ kind: "node_drops", subject: { node: faulty } });
  });

  it.each(CASES)("%s: with metrics alone, the injected cause comes first", async (name, q) => {
    const r = await ask(name, q);
    const truth = servers.get(name)!.sim.truth[0]!;
    expect(r.findings.length, brief(r)).toBeGreaterThan(0);
    expect(matches(r.findings[0]!, truth), brief(r)).toBe(true);
    expect(r.findings[0]!.severity, brief(r)).not.toBe("info");
    // Flow checks said they were skipped; the demo's flows were never used.
    expect(r.notes.some((n) => /No flow logs configured/.test(n))).toBe(true);
    expect(r.notes.join(" ")).not.toMatch(/demo cluster/);
    // The figure's PromQL is in the evidence, and the KQL of the same figure in flow logs beside it.
    expect(r.evidence.some((e) => e.query.promql && /\[3600s\]/.test(e.query.promql))).toBe(true);
    const lead = r.evidence[r.findings[0]!.evidence[0]!]!;
    expect(lead.query.promql).toBeTruthy();
    if (r.findings[0]!.kind !== "tcp_state_anomaly" && r.findings[0]!.kind !== "traffic_drop") expect(lead.query.kql, lead.title).toMatch(/\| summarize /);
  });

  it.each(ADV_CASES)("%s: with Retina advanced metrics instead of Hubble's, the injected cause comes first", async (name, q) => {
    const r = await ask(`adv-${name}`, q);
    const truth = variants.get(`adv-${name}`)!.sim.truth[0]!;
    expect(r.findings.length, brief(r)).toBeGreaterThan(0);
    expect(matches(r.findings[0]!, truth), brief(r)).toBe(true);
    const lead = r.evidence[r.findings[0]!.evidence[0]!]!;
    expect(lead.title).toMatch(/\(Retina advanced metrics\)$/);
    expect(lead.query.promql).toMatch(/networkobservability_adv_/);
    // Retina has no HTTP metrics; every other pod-level check answered.
    expect(r.notes.join(" "), brief(r)).not.toMatch(/refused a query|no (per-pod drop|per-pod flow|DNS response|TCP flag) metrics/);
  });

  it.each(ADV_DNS_CASES)("%s: Retina advanced metrics alone find the DNS server that leaves requests unanswered", async (name, q) => {
    const r = await ask(`adv-${name}`, q);
    const truth = variants.get(`adv-${name}`)!.sim.truth[0]!;
    expect(matches(r.findings[0]!, truth), brief(r)).toBe(true);
    if (truth.query) expect(r.findings[0]!.query, brief(r)).toBe(truth.query);
    const lead = r.evidence[r.findings[0]!.evidence[0]!]!;
    expect(lead.columns).toEqual(["dnsServerNamespace", "dnsServerWorkload", "dnsServerPod", "requests", "responses"]);
    expect(lead.query.promql).toMatch(/adv_dns_request_count[\s\S]*\n.*adv_dns_response_count/);
    expect(lead.query.kql).toMatch(/\| summarize /);
  });

  it("Hubble's metrics do not name the DNS server: unanswered requests are said unchecked, not answered", async () => {
    const r = await ask("dns-servfail", "are DNS requests missing responses in kube-system?");
    expect(r.notes.join(" "), brief(r)).toMatch(/"DNS requests and responses per DNS server pod" skipped: Hubble metrics/);
  });

  it("Retina advanced names both sides: a question about one party keeps to it", async () => {
    const r = await ask("adv-policy-drop", "what's wrong with shop/frontend?");
    for (const f of r.findings) expect([f.subject.workload, f.peer?.workload ?? null], brief(r)).toContain("frontend");
    const other = await ask("adv-policy-drop", "show packet drops in ns pets");
    expect(other.findings.filter((f) => f.severity === "critical"), brief(other)).toEqual([]);
  });

  it("healthy metrics give no critical or warning finding", async () => {
    for (const q of ["what's wrong with the cluster network?", "show packet drops in ns shop", "dns errors in ns shop", "who is sending RST packets in pets?", "any 5xx in namespace pets?", "is traffic balanced across the search pods in namespace search?"]) {
      for (const variant of ["healthy", "adv-healthy"]) {
        const r = await ask(variant, q);
        expect(r.findings.filter((f) => f.severity !== "info"), `${variant}: ${brief(r)}`).toEqual([]);
      }
    }
  });

  it("every PromQL the checks emit is accepted by Prometheus", async () => {
    const seen = new Set<string>();
    for (const [name, q] of [...CASES, ["healthy", "what's wrong in namespace shop?"] as const]) {
      const r = await ask(name, q);
      for (const e of r.evidence) for (const line of e.query.promql?.split("\n") ?? []) seen.add(line);
      expect(r.notes.join(" "), brief(r)).not.toMatch(/refused a query|bad_data|parse error/);
    }
    expect(seen.size).toBeGreaterThan(3);
    const client = new PrometheusClient({ url: servers.get("healthy")!.prom.url });
    for (const promql of seen) await expect(client.instant(promql, new Date(servers.get("healthy")!.sim.to))).resolves.toBeDefined();
  });

  it("the conntrack figure equals the count of dropped flows in the simulator's own lines", async () => {
    const { sim } = servers.get("conntrack-node-drops")!;
    const r = await ask("conntrack-node-drops", "what's wrong with the cluster network?");
    const f = r.findings[0]!;
    const from = Date.parse(sim.to) - 3600_000;
    let expected = 0;
    for (const line of sim.lines()) {
      const t = Date.parse(line.flow.time);
      if (t >= from && line.flow.verdict === "DROPPED" && line.flow.drop_reason_desc === "CT_MAP_INSERTION_FAILED" && line.flow.node_name.endsWith(`/${f.subject.node}`)) expected++;
    }
    // increase() extrapolates over the 30 s scrape grid: within a scrape's worth at each edge.
    expect(Math.abs(f.value - expected) / expected, `metrics ${f.value}, flows ${expected}`).toBeLessThan(0.05);
  });

  it("the SYN_SENT figure is the level the simulator wrote, and the chart and onset come from range queries", async () => {
    const { sim } = servers.get("node-syn-sent")!;
    const out = join(dir, "charts-syn");
    const { prom } = servers.get("node-syn-sent")!;
    const r = await investigate("is the cluster network healthy?", { source: empty, playbooks, now: new Date(sim.to), metrics: MetricSource.open({ url: prom.url }), noFlows: true, outDir: out });
    const f = r.findings[0]!;
    const level = sim.metricFaults.synSent!.level;
    expect(f.value, brief(r)).toBeGreaterThanOrEqual(level - 10);
    expect(f.value).toBeLessThanOrEqual(level + 10);
    expect(f.since).toBe(sim.metricFaults.synSent!.since.slice(0, 16) + ":00.000Z");
    expect(r.charts).toHaveLength(1);
    expect(f.next[0]).toMatch(/^list the connections in SYN_SENT on the node and where they go: kubectl debug node\/\S+ -it --image=nicolaka\/netshoot -- ss -tan state syn-sent$/);
  });

  it("the command line: --prometheus alone answers, a URL that is not one is one line and exit 2", () => {
    const { prom, sim } = servers.get("conntrack-node-drops")!;
    const bin = join(import.meta.dirname, "../../../bin/netrca.js");
    const ok = spawnSync(process.execPath, [bin, "ask", "what's wrong with the cluster network?", "--prometheus", prom.url, "--now", sim.to, "--out", join(dir, "cli-charts")], { encoding: "utf8", timeout: 60_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/drops packets: CT_MAP_INSERTION_FAILED/);
    expect(ok.stdout).toMatch(/PromQL \(Prometheus\):\n    sum by \(instance, reason\) \(increase\(networkobservability_drop_count\{reason=~"/);
    const bad = spawnSync(process.execPath, [bin, "ask", "dns in shop", "--prometheus", "prometheus:9090"], { encoding: "utf8", timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("netrca: --prometheus prometheus:9090: the URL must start with http:// or https://");
  });

  it("serve with Prometheus alone answers a slash command from the metrics, PromQL in the thread", { timeout: 60_000 }, async () => {
    const { prom, sim } = servers.get("conntrack-node-drops")!;
    const slack = await new FakeSlack().start();
    const secret = "8f742231b10e8888abcd99yyyzzz85a5";
    const service = await startService({
      config: { port: 0, slack: { signingSecret: secret, botToken: "xoxb-test", apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state"), prometheus: { url: prom.url } },
      now: new Date(sim.to),
    });
    try {
      const body = new URLSearchParams({ token: "x", team_id: "T1", team_domain: "acme", channel_id: "CPROM", channel_name: "inc", user_id: "U1", user_name: "oncall", command: "/netrca", text: "what's wrong with the cluster network?", api_app_id: "A1", trigger_id: "1.2.3", response_url: slack.responseUrl("prom") }).toString();
      const res = await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature(secret, body) }, body });
      expect(res.status).toBe(200);
      await slack.waitFor(() => slack.posts().filter((c) => c.args.channel === "CPROM").length >= 2);
      const posted = JSON.stringify(slack.posts().filter((c) => c.args.channel === "CPROM").map((c) => c.args));
      expect(posted).toMatch(/drops packets: CT_MAP_INSERTION_FAILED/);
      expect(posted).toMatch(/PromQL \(Prometheus\)/);
      expect(posted).not.toMatch(/demo cluster/);
    } finally {
      await service.stop();
      await slack.close();
    }
  });

  it("flows and metrics together: a live fault in the metrics is never absorbed into a milder flow finding", async () => {
    const file = join(dir, "healthy.jsonl");
    await writeSimulation(servers.get("healthy")!.sim, file);
    const store = await FlowStore.open(":memory:");
    await store.ingest([file]);
    const { prom, sim } = servers.get("dns-nxdomain")!;
    const r = await investigate("dns errors in ns shop", { source: store, playbooks, now: new Date(sim.to), metrics: MetricSource.open({ url: prom.url }) });
    store.close();
    expect(r.summary, brief(r)).not.toMatch(/^No active fault/);
    expect(r.findings[0], brief(r)).toMatchObject({ kind: "dns_errors", reason: "NXDOMAIN", severity: "critical" });
    expect(r.findings.filter((f) => /metrics agree \([^)]*;/.test(f.title)), brief(r)).toEqual([]);
  });

  it("flows and metrics together: the fault seen in both is one finding with both queries as evidence", async () => {
    const { prom, sim } = servers.get("conntrack-node-drops")!;
    const file = join(dir, "ct.jsonl");
    await writeSimulation(sim, file);
    const store = await FlowStore.open(":memory:");
    await store.ingest([file]);
    const r = await investigate("what's wrong with the cluster network?", { source: store, playbooks, now: new Date(sim.to), metrics: MetricSource.open({ url: prom.url }) });
    store.close();
    const node = sim.truth[0]!.subject.node;
    const same = r.findings.filter((f) => f.kind === "node_drops" && f.reason === "CT_MAP_INSERTION_FAILED" && f.subject.node === node);
    expect(same, brief(r)).toHaveLength(1);
    expect(r.findings[0], brief(r)).toBe(same[0]);
    expect(same[0]!.title).toMatch(/metrics agree \(Retina metrics: [\d,]+ packets\)/);
    const ev = same[0]!.evidence.map((i) => r.evidence[i]!);
    expect(ev.some((e) => e.query.kql && e.query.sql), JSON.stringify(ev.map((e) => e.title))).toBe(true);
    expect(ev.some((e) => e.query.promql?.includes("networkobservability_drop_count"))).toBe(true);
    expect(r.notes.join(" ")).not.toMatch(/No flow logs|Prometheus not configured/);
  });
});
