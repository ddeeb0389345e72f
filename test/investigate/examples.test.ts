import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { HELP } from "../../src/investigate/help.js";
import { investigate } from "../../src/investigate/index.js";
import type { Finding, Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { brokenSteps } from "../support/commands.js";
import { tempDir } from "../support/tmp.js";

/**
 * Every question the README and `help` offer as an example, asked of the demo cluster they
 * promise it works on, and the answer each promises. An example added to either without a
 * check here fails the first test.
 */
const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const quoted = (line: string) => [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
const asking = readme.slice(readme.indexOf("## Asking"), readme.indexOf("## Slack"));
const examples = [...new Set([
  ...quoted(/npx netrca ask "[^"]+"/.exec(readme)![0]),
  ...asking.split("\n").filter((l) => /^\s+- `[a-z0-9]+`: /.test(l) || l.startsWith("- An open question")).flatMap(quoted),
  ...HELP.split("\n").filter((l) => l.startsWith("•")).flatMap(quoted),
])];

const lead = (r: Report) => r.findings.find((f) => f.severity !== "info");
const is = (f: Finding | undefined, kind: string, reason: string | null, subject: Partial<Finding["subject"]>) => {
  expect(f, "no active finding").toBeDefined();
  expect({ kind: f!.kind, reason: f!.reason, severity: f!.severity }).toEqual({ kind, reason, severity: "critical" });
  expect(f!.subject).toMatchObject(subject);
};
const PROMISES: Record<string, (r: Report) => void> = {
  "what's wrong in namespace pets?": (r) => {
    const [a, b] = r.findings;
    expect([a, b].map((f) => `${f!.kind}/${f!.severity}`).sort()).toEqual(["http_errors/critical", "tcp_resets/critical"]);
  },
  "why is dns failing for checkout in namespace shop?": (r) => is(lead(r), "dns_errors", "SERVFAIL", { namespace: "shop", workload: "checkout" }),
  "SERVFAIL from coredns since 14:10": (r) => {
    expect(r.scope.from).toBe("2026-11-20T14:10:00.000Z");
    is(lead(r), "dns_errors", "SERVFAIL", { workload: "checkout" });
  },
  "frontend can't talk to kapinger-bad": (r) => {
    is(lead(r), "packet_drops", "POLICY_DENIED", { namespace: "default", workload: "kapinger-bad" });
    expect(lead(r)!.peer).toMatchObject({ namespace: "shop", workload: "frontend" });
  },
  "explain the drops in default": (r) => is(lead(r), "packet_drops", "POLICY_DENIED", { namespace: "default", workload: "kapinger-bad" }),
  "policy drops in namespace default": (r) => is(lead(r), "packet_drops", "POLICY_DENIED", { namespace: "default", workload: "kapinger-bad" }),
  "is traffic balanced across the search pods?": (r) => {
    // The figures asked for, first: each pod's share against the fair share.
    expect(r.summary).toMatch(/^Incoming flows per pod \(search\/search\): (search-[a-z0-9]+-[a-z0-9]+ [\d.]+%, ){3}search-[a-z0-9]+-[a-z0-9]+ [\d.]+% of search\/search's [\d,]+ incoming flows \(4 pods, fair share 25%\)\./);
  },
  "who is sending RST packets in pets?": (r) => is(lead(r), "tcp_resets", "RST", { namespace: "pets", pod: "rabbitmq-0" }),
  "top talkers in default": (r) => {
    // The live drops lead; the talkers asked for follow, and they are default's own.
    is(lead(r), "packet_drops", "POLICY_DENIED", { namespace: "default", workload: "kapinger-bad" });
    expect(r.summary).toMatch(/Top talkers \(namespace default\): default\/kapinger-(bad|good) [\d,]+ flows \(to \d+ workloads\); default\/kapinger-(bad|good) [\d,]+ flows \(to \d+ workloads\)\.$/);
  },
  "how is the cluster network doing?": (r) => expect(lead(r)?.severity).toBe("critical"),
  "drops on node aks-nodepool1-27013129-vmss000001": (r) => {
    expect(r.summary).toMatch(/Forwarded and dropped flows per node \(node aks-nodepool1-27013129-vmss000001\): node aks-nodepool1-27013129-vmss000001 [\d,]+ dropped flows \(of [\d,]+ flows\)\./);
    expect(r.summary).toMatch(/^Nothing wrong with packet drops for node aks-nodepool1-27013129-vmss000001, but the other checks/);
    expect(r.summary).not.toMatch(/No active fault/);
  },
  "http 403 errors in namespace pets over the last 45 minutes": (r) => {
    expect(r.scope.from).toBe("2026-11-20T14:15:00.000Z");
    is(lead(r), "http_errors", "403", { namespace: "pets", workload: "product-service" });
  },
  "latency between store-front and product-service": (r) => {
    // The 403s between the two lead; the latency asked for follows, HTTP's only.
    is(lead(r), "http_errors", "403", { namespace: "pets", workload: "product-service" });
    expect(r.summary).toMatch(/HTTP response latency per server \(pets\/store-front and pets\/product-service\): pets\/product-service p95 [\d.]+ ms, p50 [\d.]+ ms over [\d,]+ responses\.$/);
  },
  "what's wrong in namespace shop?": (r) => {
    const f = lead(r)!;
    expect(f.severity).toBe("critical");
    expect([f.subject.namespace, f.peer?.namespace]).toContain("shop");
  },
  "rca for shop/checkout": (r) => is(lead(r), "dns_errors", "SERVFAIL", { namespace: "shop", workload: "checkout" }),
};

describe("README and help examples on the demo cluster", () => {
  let store: FlowStore;
  beforeAll(async () => {
    const file = join(tempDir(), "demo.jsonl");
    await writeSimulation(simulate("demo"), file);
    store = await FlowStore.open();
    await store.ingest([file]);
  });
  afterAll(() => store.close());

  it("every example has the answer it promises written down here", () => {
    expect(examples.length).toBeGreaterThanOrEqual(14);
    expect(examples.filter((q) => !PROMISES[q])).toEqual([]);
  });

  it.each(examples.map((q) => [q]))("%s", async (q) => {
    const r = await investigate(q, { source: store, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG) });
    expect(r.intent).not.toBe("help");
    expect(r.summary).not.toMatch(/^No flows/);
    PROMISES[q]?.(r);
    expect(brokenSteps(r)).toEqual([]);
  });
});
