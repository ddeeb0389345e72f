import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import type { Finding, Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation, type GroundTruth, type ScenarioName } from "../../src/sources/embedded/simulate/index.js";
import { parseQuestion } from "../../src/understand/index.js";
import { brokenSteps } from "../support/commands.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);

/**
 * For every scenario, questions whose words point at the wrong playbook: the playbook they
 * pick finds nothing, and the reply must still lead with the injected cause, never "No
 * active fault". Each phrasing names the playbook it is expected to pick, so a parser
 * change that makes it pick the right one by luck does not hollow the test out.
 */
const WRONG: Record<Exclude<ScenarioName, "healthy" | "demo" | "node-syn-sent" | "node-silent">, [string, string][]> = {
  "dns-nxdomain": [["checkout can't reach payments in shop, why??", "drops"], ["is traffic balanced for checkout in shop?", "traffic"], ["any 5xx from checkout in shop?", "l7"]],
  "dns-servfail": [["checkout is timing out in shop", "drops"], ["http errors from checkout in shop", "l7"], ["tcp resets for checkout in shop", "traffic"]],
  "dns-missing-responses": [["checkout is timing out", "drops"], ["packet drops in kube-system", "drops"], ["any http errors in shop?", "l7"]],
  "dns-upstream-timeout": [["checkout can't reach the partner api", "drops"], ["is checkout returning 5xx in shop?", "l7"], ["who is sending RST packets in shop?", "traffic"]],
  "policy-drop": [["dns errors for checkout in shop", "dns"], ["http 5xx between checkout and payments", "l7"], ["tcp resets between checkout and payments", "traffic"]],
  "conntrack-node-drops": [["dns problems on node aks-nodepool1-27013129-vmss000001", "dns"], ["http errors on aks-nodepool1-27013129-vmss000001", "l7"], ["tcp resets on node aks-nodepool1-27013129-vmss000001", "traffic"]],
  "traffic-imbalance": [["dns errors for search in namespace search", "dns"], ["are requests to search dropped?", "drops"], ["http errors in namespace search", "l7"]],
  "tcp-reset-storm": [["why do order-service conns to rabbitmq keep dropping", "drops"], ["dns errors for order-service in pets", "dns"], ["5xx from rabbitmq in pets?", "l7"]],
  "http-5xx": [["checkout can't reach payments in shop", "drops"], ["dns errors for checkout in shop", "dns"], ["resets between checkout and payments in shop", "traffic"]],
  "http-403": [["store-front can't talk to product-service in pets", "drops"], ["dns failures for store-front in pets", "dns"], ["is product-service load balanced?", "traffic"]],
  "l7-policy-drop": [["dns errors in pets", "dns"], ["tcp resets for order-service in pets", "traffic"], ["is traffic to order-service balanced in pets?", "traffic"]],
};

function matches(f: Finding, t: GroundTruth): boolean {
  const s = t.subject;
  return f.kind === t.kind && (f.reason ?? null) === t.reason && (!s.namespace || f.subject.namespace === s.namespace)
    && (!s.workload || f.subject.workload === s.workload) && (!s.pod || f.subject.pod === s.pod) && (!s.node || f.subject.node === s.node);
}
const brief = (r: Report) => [r.summary, ...r.findings.slice(0, 4).map((f) => `${f.rank}. ${f.severity} ${f.kind} ${f.reason} ${f.title}`)].join("\n");

describe.each(Object.entries(WRONG))("%s", (name, questions) => {
  let store: FlowStore;
  let truth: GroundTruth;
  beforeAll(async () => {
    const sim = simulate(name as ScenarioName);
    const file = join(dir, `${name}.jsonl`);
    await writeSimulation(sim, file);
    store = await FlowStore.open();
    await store.ingest([file]);
    truth = sim.truth[0]!;
  });
  afterAll(() => store.close());

  it.each(questions)("%s (picks %s) → still leads with the injected cause", async (q, picks) => {
    const now = new Date((await store.extent()).to!);
    expect(parseQuestion(q, { now }).intent, "the phrasing no longer picks the playbook this case is about").toBe(picks);
    const r = await investigate(q, { source: store, playbooks });
    expect(r.intent).toBe(picks);
    expect(r.summary, brief(r)).not.toMatch(/No active fault/);
    const top = r.findings.find((f) => f.severity !== "info");
    expect(top && matches(top, truth), `the injected ${truth.kind}/${truth.reason} of ${JSON.stringify(truth.subject)} is not the lead:\n${brief(r)}`).toBe(true);
    expect(top!.severity).toBe(truth.kind === "traffic_imbalance" ? "warning" : "critical");
    expect(r.summary).toContain(top!.title);
    expect(brokenSteps(r), brief(r)).toEqual([]);
  });
});
