import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import type { Finding, Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation, type GroundTruth, type ScenarioName } from "../../src/sources/embedded/simulate/index.js";
import { checkKql } from "../support/kusto.js";
import { brokenSteps } from "../support/commands.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);

/** Each scenario with questions an on-call engineer would type: one specific, one open. */
const CASES: Record<Exclude<ScenarioName, "healthy" | "demo" | "node-syn-sent" | "node-silent">, string[]> = {
  "dns-nxdomain": ["why is dns failing for checkout in namespace shop?", "NXDOMAIN errors in the shop namespace", "what's wrong in namespace shop?"],
  "dns-servfail": ["we get SERVFAIL for checkout in shop", "dns errors in ns shop over the last 30 minutes", "anything unusual with checkout in shop?"],
  "dns-missing-responses": ["are DNS requests missing responses in kube-system?", "what's wrong in namespace kube-system?"],
  "dns-upstream-timeout": ["are name lookups being answered in kube-system?", "dns timeouts for checkout in shop", "what's wrong in namespace kube-system?"],
  "policy-drop": ["checkout can't talk to payments in namespace shop", "show packet drops in ns shop", "what's wrong in namespace shop?"],
  "conntrack-node-drops": ["drops on node aks-nodepool1-27013129-vmss000001", "which nodes drop the most?", "what's wrong with the cluster network?"],
  "traffic-imbalance": ["is traffic balanced across the search pods in namespace search?", "what's wrong in namespace search?"],
  "tcp-reset-storm": ["lots of TCP resets from rabbitmq-0 in namespace pets", "who is sending RST packets in pets?", "what's wrong in namespace pets?"],
  "http-5xx": ["5xx errors from payments in namespace shop", "what's wrong in namespace shop?"],
  "http-403": ["http 403 errors in namespace pets", "which pods return 4xx in pets?", "what's wrong in namespace pets?"],
  "l7-policy-drop": ["is a network policy blocking requests to order-service in pets?", "l7 errors in namespace pets", "what's wrong in namespace pets?"],
};

function matches(f: Finding, t: GroundTruth): boolean {
  const s = t.subject;
  return (
    f.kind === t.kind &&
    (f.reason ?? null) === t.reason &&
    (!s.namespace || f.subject.namespace === s.namespace) &&
    (!s.workload || f.subject.workload === s.workload) &&
    (!s.pod || f.subject.pod === s.pod) &&
    (!s.node || f.subject.node === s.node)
  );
}

const brief = (r: Report) => r.findings.slice(0, 4).map((f) => `${f.rank}. ${f.severity} ${f.kind} ${f.reason} ${f.title}`).join("\n");

async function storeOf(name: ScenarioName): Promise<{ store: FlowStore; truth: GroundTruth[] }> {
  const sim = simulate(name);
  const file = join(dir, `${name}.jsonl`);
  await writeSimulation(sim, file);
  const store = await FlowStore.open();
  await store.ingest([file]);
  return { store, truth: sim.truth };
}

describe.each(Object.entries(CASES))("%s", (name, questions) => {
  let store: FlowStore;
  let truth: GroundTruth;
  beforeAll(async () => {
    const s = await storeOf(name as ScenarioName);
    store = s.store;
    truth = s.truth[0]!;
  });
  afterAll(() => store.close());

  it.each(questions.map((q) => [q]))("%s → the injected fault ranks first", async (q) => {
    const r = await investigate(q, { source: store, playbooks });
    expect(r.findings.length, `no findings for "${q}"\n${r.summary}`).toBeGreaterThan(0);
    const top = r.findings[0]!;
    expect(matches(top, truth), `top finding for "${q}" is not the injected ${truth.kind}/${truth.reason} of ${JSON.stringify(truth.subject)}:\n${brief(r)}`).toBe(true);
    // Failing now is critical; an imbalance is anomalous (warning) but must still lead.
    expect(top.severity).toBe(truth.kind === "traffic_imbalance" ? "warning" : "critical");
    expect(top.since, `no "since" for "${q}"`).not.toBeNull();
    expect(Math.abs(Date.parse(top.since!) - Date.parse(truth.since))).toBeLessThanOrEqual(3 * 60_000);
    // Never before the minute the fault began.
    expect(Date.parse(top.since!)).toBeGreaterThanOrEqual(Math.floor(Date.parse(truth.since) / 60_000) * 60_000);
    expect(r.summary).toContain(top.title);
    expect(brokenSteps(r), brief(r)).toEqual([]);
  });

  // "last 20m" asked 25 minutes into an incident: the window before is in the incident too, so
  // the fault looks steady against it. It must still be the live root cause, with its real onset.
  it.each([["20 minutes"], ["10 minutes"]])("the open question over the last %s, inside the incident", async (span) => {
    const q = `${questions[questions.length - 1]!.replace(/\?$/, "")} over the last ${span}?`;
    const r = await investigate(q, { source: store, playbooks });
    // The onset precedes the window: the window before already holds the fault.
    expect(Date.parse(truth.since)).toBeLessThan(Date.parse(r.scope.from));
    const top = r.findings[0];
    expect(top && matches(top, truth), `"${q}"\n${r.summary}\n${brief(r)}`).toBe(true);
    // An imbalance is anomalous (warning) once it began, critical where it grew against the window before.
    expect(top!.severity).toMatch(truth.kind === "traffic_imbalance" ? /^(warning|critical)$/ : /^critical$/);
    expect(r.summary).not.toMatch(/No active fault/);
    expect(top!.since, `no "since" for "${q}"`).not.toBeNull();
    expect(Math.abs(Date.parse(top!.since!) - Date.parse(truth.since)), `${top!.since} against ${truth.since}`).toBeLessThanOrEqual(3 * 60_000);
  });
});

describe("healthy cluster", () => {
  let store: FlowStore;
  beforeAll(async () => {
    store = (await storeOf("healthy")).store;
  });
  afterAll(() => store.close());

  it.each([
    ["what's wrong in the cluster?"], ["why is dns failing in namespace shop?"], ["show packet drops in ns shop"],
    ["is traffic balanced in namespace search?"], ["how is the cluster network doing?"], ["5xx errors in namespace pets"],
    // Short windows look back further for the onset; steady noise must stay steady.
    ["what's wrong in the cluster over the last 20 minutes?"], ["any drops in the last 10 min?"], ["dns errors in shop between 14:10 and 14:20"],
  ])("%s → no critical finding, and the summary says nothing new", async (q) => {
    const r = await investigate(q, { source: store, playbooks });
    expect(r.findings.filter((f) => f.severity === "critical"), brief(r)).toEqual([]);
    expect(r.summary).toMatch(/No active fault/);
  });

  it("search-path NXDOMAIN noise is info, never a root cause", async () => {
    const r = await investigate("why is dns failing in namespace shop?", { source: store, playbooks });
    const nx = r.findings.filter((f) => f.kind === "dns_errors" && f.reason === "NXDOMAIN");
    expect(nx.length).toBeGreaterThan(0);
    expect(nx.every((f) => f.severity === "info")).toBe(true);
  });
});

describe("demo cluster: several faults at once", () => {
  let store: FlowStore;
  let truth: GroundTruth[];
  beforeAll(async () => {
    ({ store, truth } = await storeOf("demo"));
  });
  afterAll(() => store.close());

  it("each namespace's open question finds its own fault first", async () => {
    for (const [q, kind] of [["what's wrong in namespace default?", "packet_drops"], ["why is dns failing in namespace shop?", "dns_errors"]] as const) {
      const r = await investigate(q, { source: store, playbooks });
      const t = truth.find((x) => x.kind === kind)!;
      expect(matches(r.findings[0]!, t), `${q}\n${brief(r)}`).toBe(true);
    }
  });

  it("a cluster health question does not miss live faults", async () => {
    const r = await investigate("how is the cluster network doing?", { source: store, playbooks });
    expect(r.findings[0]?.severity, brief(r)).toBe("critical");
    expect(truth.some((t) => matches(r.findings[0]!, t)), brief(r)).toBe(true);
  });

  it("pets has two faults: both are critical, at the top", async () => {
    const r = await investigate("what's wrong in namespace pets?", { source: store, playbooks });
    const pets = truth.filter((t) => t.subject.namespace === "pets");
    expect(pets).toHaveLength(2);
    const top2 = r.findings.slice(0, 2);
    for (const t of pets) expect(top2.some((f) => matches(f, t) && f.severity === "critical"), brief(r)).toBe(true);
  });

  it("the whole-cluster triage ranks all four injected faults above everything else", async () => {
    const r = await investigate("what's wrong in the cluster?", { source: store, playbooks });
    const top = r.findings.slice(0, truth.length);
    for (const t of truth) expect(top.some((f) => matches(f, t)), `${t.description}\n${brief(r)}`).toBe(true);
    // Every table carries KQL that Log Analytics would accept.
    expect(r.evidence.length).toBeGreaterThan(10);
    for (const e of r.evidence) expect(checkKql(e.query.kql!), e.title).toEqual([]);
  });
});
