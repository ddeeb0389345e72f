import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import { Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { brokenSteps } from "../support/commands.js";
import { sharedFile } from "../support/shared.js";

/**
 * Real Hubble captures from public repositories (../shared/samples/real/PROVENANCE.md), none
 * written for netrca: read in place, skipped where ../shared is absent.
 */
const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
const HAVE = sharedFile("samples/real/PROVENANCE.md") !== null;
const CAPTURES = [
  "hubble-otel--basic-sample-10-flows.jsonl", "hubble-otel--basic-sample-330-dns-flows.jsonl", "hubble-otel--basic-sample-348-http-flows.jsonl",
  "hubble-otel--basic-sample-400-icmpv4-flows.jsonl", "hubble-otel--basic-sample-400-l7-redirected-flows.jsonl",
  "hubble-otel--basic-sample-400-tcp-flows.jsonl", "hubble-otel--basic-sample-400-udp-flows.jsonl", "cilium-docs--hubble-exporter-drops.jsonl",
];
const QUESTIONS = ["what's wrong?", "why is dns failing?", "any packet drops?", "is traffic balanced?", "how is the cluster network doing?", "http errors?", "lol is anything broken rn??"];

const stores = new Map<string, FlowStore>();
const open = async (name: string) => {
  const file = sharedFile(`samples/real/${name}`);
  if (!file) return null;
  let s = stores.get(name);
  if (!s) {
    s = await FlowStore.open();
    await s.ingest([file]);
    stores.set(name, s);
  }
  return s;
};
afterAll(() => stores.forEach((s) => s.close()));
const ask = async (name: string, q: string) => {
  const store = await open(name);
  return store ? investigate(q, { source: store, playbooks }) : null;
};
const brief = (r: Report) => [r.summary, ...r.findings.slice(0, 6).map((f) => `${f.rank}. ${f.severity} ${f.kind} ${f.reason} ${f.title}`)].join("\n");

describe.skipIf(!HAVE)("every real capture, every kind of question", () => {
  it.each(CAPTURES.flatMap((c) => QUESTIONS.map((q) => [c, q] as const)))("%s: %s → a valid report whose next steps all run", async (capture, q) => {
    const r = await ask(capture, q);
    if (!r) return;
    expect(Report.parse(r)).toEqual(r);
    expect(brokenSteps(r), brief(r)).toEqual([]);
    // Nothing in these captures is judged against a window that was never seen.
    expect(r.notes.join(" ")).toMatch(/judged without a baseline/);
  });
});

describe.skipIf(!HAVE)("hubble-otel 330 DNS flows: a healthy cluster's search-path NXDOMAINs", () => {
  it.each(["what's wrong?", "why is dns failing?", "are dns lookups being answered?", "nxdomain errors in kube-system?"])("%s → no critical finding, the noise is info", async (q) => {
    const r = await ask("hubble-otel--basic-sample-330-dns-flows.jsonl", q);
    if (!r) return;
    expect(r.findings.filter((f) => f.severity === "critical"), brief(r)).toEqual([]);
    const nx = r.findings.filter((f) => f.reason === "NXDOMAIN");
    expect(nx.length).toBeGreaterThan(0);
    expect(nx.every((f) => f.severity === "info" && /search-path/.test(f.title))).toBe(true);
    expect(r.summary).toMatch(/^No active fault/);
  });
});

describe.skipIf(!HAVE)("hubble-otel 348 HTTP flows: 151 of 173 responses are 503, and they take about 4 s", () => {
  it.each(["what's wrong?", "why is it slow?", "http errors?", "latency of productpage?"])("%s → leads with the 503s, never with the slowness", async (q) => {
    const r = await ask("hubble-otel--basic-sample-348-http-flows.jsonl", q);
    if (!r) return;
    const top = r.findings[0]!;
    expect(top.kind, brief(r)).toBe("http_errors");
    expect(top.reason).toBe("503");
    expect(top.severity).toBe("critical");
    expect(r.summary).toContain(top.title);
    expect(r.summary).toMatch(/no earlier data to compare with/);
    // Every slow-response finding comes after the failures and says which failure it is.
    const firstSlow = r.findings.findIndex((f) => f.kind === "http_latency");
    const lastError = r.findings.map((f) => f.kind === "http_errors" && f.severity !== "info").lastIndexOf(true);
    if (firstSlow >= 0) expect(firstSlow).toBeGreaterThan(lastError);
    for (const f of r.findings.filter((x) => x.kind === "http_latency")) expect(f.title).toMatch(/a symptom of finding \d+ \(the 503 responses\)/);
  });

  it("one client failing against many servers is one finding about the client", async () => {
    const r = await ask("hubble-otel--basic-sample-348-http-flows.jsonl", "what's wrong?");
    if (!r) return;
    const prom = r.findings.find((f) => f.subject.workload === "prometheus");
    expect(prom, brief(r)).toBeDefined();
    expect(prom!.title).toMatch(/^istio-system\/prometheus gets 503 from \d+ servers/);
    // The servers it covers are not repeated as findings of their own.
    expect(r.findings.filter((f) => f.kind === "http_errors" && f.peer?.workload === "prometheus")).toEqual([]);
    // The world and the host are told apart and never guessed into a pod's name.
    expect(prom!.title).toContain("outside the cluster (world)");
    expect(r.findings.flatMap((f) => f.next).join("\n")).not.toMatch(/deploy\/\s|-l app=\s/);
  });
});
