// A channel limited to some namespaces: no row, name or label of another namespace in its answers.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate, understand, type InvestigateContext } from "../../src/investigate/index.js";
import type { Inventory, Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { openSource } from "../../src/sources/index.js";
import { accessPredicates, hiddenPredicates } from "../../src/playbooks/index.js";
import { compileKql, compileSql, flowQuery } from "../../src/query/index.js";
import { compilePromql } from "../../src/query/promql.js";
import { checkKql } from "../support/kusto.js";

let ctx: InvestigateContext;
let inventory: Inventory;
beforeAll(async () => {
  const { source } = await openSource({});
  ctx = { source, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG) };
  inventory = await source.inventory();
}, 60_000);

const SHARED = ["kube-system"];
const ask = async (text: string, namespaces: string[]) => investigate(await understand(text, { ...ctx, access: { namespaces, shared: SHARED } }), ctx);

/** Every namespace, workload and pod name the report shows that belongs to none of `visible`. */
function leaks(r: Report, visible: string[]): string[] {
  const seen = (ns: string) => visible.includes(ns);
  const out: string[] = [];
  // Names that exist only in namespaces the channel may not see.
  const mine = new Set(inventory.pods.filter((p) => seen(p.namespace)).flatMap((p) => [p.pod, p.workload ?? ""]));
  const theirs = new Set([...inventory.pods.filter((p) => !seen(p.namespace)).flatMap((p) => [p.pod, ...(p.workload ? [p.workload] : [])])].filter((n) => !mine.has(n)));
  // What the channel's own pods looked up (a DNS query naming another service) is theirs to see;
  // a name the question itself wrote is the asker's, echoed in "no workload named …".
  const rows = r.evidence.map((e) => ({ title: e.title, rows: e.rows.map((row) => row.map((c, i) => (e.columns[i] === "dnsQuery" ? null : c))) }));
  const text = JSON.stringify({ summary: r.summary, findings: r.findings.map((f) => ({ ...f, query: null })), evidence: rows, notes: r.notes, charts: r.charts.map((c) => c.title) });
  for (const name of theirs) if (!r.question.includes(name) && new RegExp(`(?<![a-z0-9-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![a-z0-9-])`).test(text)) out.push(name);
  for (const f of r.findings) for (const p of [f.subject, f.peer]) if (p?.namespace && !seen(p.namespace)) out.push(`finding ${f.rank}: ${p.namespace}`);
  for (const e of r.evidence) {
    const nsCols = e.columns.flatMap((c, i) => (/namespace$/i.test(c) ? [i] : []));
    for (const row of e.rows) for (const i of nsCols) if (typeof row[i] === "string" && row[i] && !seen(row[i] as string)) out.push(`${e.title}: ${row[i]}`);
  }
  return out;
}

describe("namespace access on the demo cluster", () => {
  it("a channel allowed only shop: asking about pets is refused with nothing looked up", async () => {
    const r = await ask("what's wrong in namespace pets?", ["shop"]);
    expect(r.summary).toBe("This channel may ask about shop; not pets.");
    expect(r.findings).toEqual([]);
    expect(r.evidence).toEqual([]);
    const peer = await ask("why can't shop/checkout reach pets/rabbitmq?", ["shop"]);
    expect(peer.summary).toBe("This channel may ask about shop, not pets.".replace(", not", "; not"));
  });

  it("its open question reports shop's fault (the SERVFAIL, with kube-system's DNS as the other end) and nothing of pets or default", async () => {
    const r = await ask("what's wrong?", ["shop"]);
    expect(r.summary).toMatch(/^Most probable root cause in namespace shop, .*shop\/checkout gets SERVFAIL for api\.partner\.example\.com\./);
    expect(r.findings.every((f) => f.subject.namespace === "shop" || f.subject.namespace === null)).toBe(true);
    expect(leaks(r, ["shop", ...SHARED])).toEqual([]);
    expect(r.notes).toContain("Node-level checks are left out: they are shown only in channels that may see every namespace.");
    // The same question unrestricted leads with pets' and default's faults: those are what is held back.
    const all = await ask("what's wrong?", ["*"]);
    expect(all.findings.some((f) => f.subject.namespace === "pets")).toBe(true);
  });

  it("a channel allowed nothing is refused, and told who configures access", async () => {
    const r = await investigate(await understand("what's wrong?", { ...ctx, access: { namespaces: [], contact: "#platform-team" } }), ctx);
    expect(r.summary).toBe("This channel may not ask about any namespace: #platform-team sets which namespaces each channel may see (access in netrca's configuration file).");
    expect(r.evidence).toEqual([]);
  });

  it("node questions need every namespace; a workload of another namespace is not found, and nothing suggests its name", async () => {
    expect((await ask("drops on node aks-nodepool1-27013129-vmss000001", ["shop"])).summary).toMatch(/^Questions about a node are answered only in channels that may see every namespace/);
    const r = await ask("is rabbitmq resetting connections?", ["shop"]);
    expect(leaks(r, ["shop", ...SHARED])).toEqual([]);
    expect(JSON.stringify(r)).not.toMatch(/rabbitmq-0/);
  });

  it("property: whatever a restricted channel asks, no row, name or label outside its namespaces", async () => {
    const namespaces = inventory.namespaces.filter((n) => n !== "kube-system");
    const questions = ["what's wrong?", "any packet drops?", "dns errors", "who is sending RST packets?", "http errors over the last 2 hours", "top talkers", "is traffic balanced?", "how is the network doing?", "latency", "what's dropping in shop?", "errors from frontend", "policy drops"];
    await fc.assert(
      fc.asyncProperty(fc.subarray(namespaces, { minLength: 1 }), fc.constantFrom(...questions), async (allowed, text) => {
        const r = await ask(text, allowed);
        if (r.findings.length === 0 && r.evidence.length === 0) return; // refused (another namespace named)
        expect(leaks(r, [...allowed, ...SHARED]), `${allowed.join(",")}: ${text}`).toEqual([]);
      }),
      { numRuns: 30, seed: 4242 },
    );
  }, 120_000);

  it("the namespaces are a predicate in the SQL, the KQL (checked by the Kusto language service) and the PromQL", () => {
    const scope = { allowed: ["shop", "shop-*"], shared: ["kube-system"] };
    const q = flowQuery({ window: { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, where: [...accessPredicates(scope)], groupBy: ["dstNamespace"], measures: [{ fn: "flows", as: "flows" }] });
    const kql = compileKql(q);
    expect(checkKql(kql)).toEqual([]);
    expect(kql).toMatch(/isempty\(SourceNamespace\) or SourceNamespace == "shop" or SourceNamespace startswith_cs "shop-" or SourceNamespace == "kube-system"/);
    expect(checkKql(compileKql({ ...q, where: hiddenPredicates(scope) }))).toEqual([]);
    const sql = compileSql(q);
    expect(sql.text).toContain("(SourceNamespace IS NULL OR SourceNamespace = 'shop' OR starts_with(SourceNamespace, 'shop-') OR SourceNamespace = 'kube-system')");
    expect(compilePromql({ metric: "hubble_drop_total", matchers: [{ label: "source", op: "nsPodIn", values: ["shop", "shop-*"] }, { label: "source_namespace", op: "nsIn", values: ["shop"] }], fn: "increase", rangeSeconds: 3600, by: ["source"] }))
      .toBe('sum by (source) (increase(hubble_drop_total{source=~"shop/.*|shop-[^/]*/.*|", source_namespace=~"shop|unknown|"}[3600s]))');
    expect(() => compilePromql({ metric: "m", matchers: [{ label: "l", op: "nsIn", values: ['shop"|.*'] }], fn: "increase", rangeSeconds: 60, by: [] })).toThrow(/namespace patterns/);
  });
});
