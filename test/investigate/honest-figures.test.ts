import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import type { Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation, type ScenarioName } from "../../src/sources/embedded/simulate/index.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
const stores = new Map<ScenarioName, FlowStore>();
async function ask(scenario: ScenarioName, q: string): Promise<Report> {
  let store = stores.get(scenario);
  if (!store) {
    const file = join(dir, `${scenario}.jsonl`);
    await writeSimulation(simulate(scenario), file);
    store = await FlowStore.open();
    await store.ingest([file]);
    stores.set(scenario, store);
  }
  return investigate(q, { source: store, playbooks });
}
afterAll(() => stores.forEach((s) => s.close()));
const brief = (r: Report) => [r.summary, ...r.findings.slice(0, 4).map((f) => `${f.rank}. ${f.severity} ${f.title}`)].join("\n");

describe("counts split by peer", () => {
  it("the demo's kapinger-bad drops say how many came from each source, and they add up", async () => {
    const r = await ask("demo", "what's wrong in namespace default?");
    const f = r.findings[0]!;
    const m = /from default\/kapinger-good \((\d+)\) and shop\/frontend \((\d+)\)/.exec(f.title);
    expect(m, brief(r)).not.toBeNull();
    expect(Number(m![1]) + Number(m![2])).toBe(f.value);
    expect(Number(m![1])).toBeGreaterThan(Number(m![2]));
  });
});

describe("onsets at a fixed resolution, inside the data", () => {
  let since: string[];
  beforeAll(async () => {
    since = [];
    for (const q of ["why is dns failing in namespace shop?", "why is dns failing in namespace shop today?", "why is dns failing in namespace shop over the last 3 days?", "why is dns failing in namespace shop in the last 2 hours?"]) {
      const r = await ask("demo", q);
      const f = r.findings[0]!;
      expect(f.reason, brief(r)).toBe("SERVFAIL");
      expect(f.severity, brief(r)).toBe("critical");
      since.push(f.since!);
      // Never before the first flow (the demo's data starts at 13:00).
      expect(Date.parse(f.since!)).toBeGreaterThanOrEqual(Date.parse("2026-11-20T13:00:00Z"));
      // A window over several days names the day of the onset.
      if (r.scope.from.slice(0, 10) !== r.scope.to.slice(0, 10)) expect(f.title).toContain(`since ${f.since!.slice(0, 10)} ${f.since!.slice(11, 16)}`);
      else expect(f.title).toContain(`since ${f.since!.slice(11, 16)}`);
    }
  });
  it("the same fault starts at the same minute over an hour, today, three days and two hours", () => {
    expect(new Set(since).size, since.join(", ")).toBe(1);
  });
});

describe("shares measured from the onset", () => {
  it("a silent CoreDNS pod leaves nearly all its requests unanswered since it went silent, not the hour's average", async () => {
    const r = await ask("dns-missing-responses", "are DNS requests missing responses in kube-system?");
    const f = r.findings[0]!;
    const m = /leaves ([\d.]+)% of DNS requests unanswered since \d\d:\d\d \(([\d,]+) of ([\d,]+) over the window\)/.exec(f.title);
    expect(m, brief(r)).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(90);
    const overWindow = Number(m![2]!.replace(/,/g, "")) / Number(m![3]!.replace(/,/g, "")) * 100;
    expect(overWindow).toBeLessThan(Number(m![1]));
    expect(f.subject.pod).toMatch(/^coredns-/);
    // One finding for the DNS server workload, not one per pod.
    expect(r.findings.filter((x) => x.kind === "dns_missing_responses")).toHaveLength(1);
  });

  it("a growing 403 share is told since its onset and over the window", async () => {
    const r = await ask("http-403", "http 403 errors in namespace pets");
    const f = r.findings[0]!;
    const m = /since \d\d:\d\d: ([\d.]+)% of responses since then \(([\d.]+)% over the window\)/.exec(f.title);
    expect(m, brief(r)).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(Number(m![2]));
  });

  it("an upstream that stops answering one name is that name, for the whole CoreDNS workload", async () => {
    const r = await ask("dns-upstream-timeout", "are name lookups being answered in kube-system?");
    const f = r.findings[0]!;
    expect(f, brief(r)).toMatchObject({ kind: "dns_missing_responses", severity: "critical", query: "api.partner.example.com.", subject: { namespace: "kube-system", workload: "coredns" } });
    expect(f.subject.pod ?? null).toBeNull();
    expect(f.title).toMatch(/leaves 100% of DNS requests for api\.partner\.example\.com\. \(A,AAAA\) unanswered since/);
    expect(r.findings.filter((x) => x.kind === "dns_missing_responses")).toHaveLength(1);
  });
});

describe("a silent CoreDNS pod over windows longer than its silence", () => {
  it.each(["what's wrong over the last 2 hours?", "are dns requests answered in kube-system over the past 3 hours?", "dns problems today?"])("%s → the pod, judged on its own requests", async (q) => {
    const r = await ask("dns-missing-responses", q);
    const f = r.findings.find((x) => x.severity !== "info")!;
    expect(f, brief(r)).toMatchObject({ kind: "dns_missing_responses", severity: "critical" });
    expect(f.subject.pod).toMatch(/^coredns-/);
    const m = /leaves ([\d.]+)% of DNS requests unanswered since \d\d:\d\d.*\(([\d,]+) of ([\d,]+) over the window\); the other pod answers/.exec(f.title);
    expect(m, f.title).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(90);
  });
});

describe("an imbalance starts at the same minute whatever the window", () => {
  it("over an hour, two hours and today", async () => {
    const since = new Set<string | null>();
    for (const q of ["is traffic balanced in namespace search?", "is traffic balanced in namespace search over the last 2 hours?", "is traffic balanced in namespace search today?"]) {
      const r = await ask("traffic-imbalance", q);
      const f = r.findings.find((x) => x.kind === "traffic_imbalance");
      expect(f, brief(r)).toBeDefined();
      since.add(f!.since);
    }
    expect([...since]).toHaveLength(1);
    expect([...since][0]).not.toBeNull();
  });
});

describe("the balance figures are of the namespace asked about", () => {
  it("a workload of the namespace with pods to balance, not the DNS servers its pods call", async () => {
    const r = await ask("demo", "is traffic balanced in shop?");
    expect(r.summary).toMatch(/Incoming flows per pod \(namespace shop\): [a-z]+-[a-z0-9]+-[a-z0-9]+ [\d.]+%.* of shop\/[a-z]+'s [\d,]+ incoming flows \((\d+) pods, fair share [\d.]+%\)/);
    expect(r.summary).not.toMatch(/kube-system\/coredns's/);
  });
});
