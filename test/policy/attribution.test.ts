// Policy drops read against a policy file on the simulated scenarios, and `netrca policy check`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import type { Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { loadPolicies } from "../../src/policy/model.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { main } from "../../src/surfaces/cli/main.js";
import { sharedFile } from "../support/shared.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
// The destination's only allowing policy names a label the source does not carry (app=frontend; the source is app=checkout).
const POLICIES = file("policies.yaml", `apiVersion: v1
kind: List
items:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: payments-ingress, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: payments } }
      policyTypes: [Ingress]
      ingress:
        - from: [{ podSelector: { matchLabels: { app: frontend } } }]
          ports: [{ protocol: TCP, port: 8080 }]
`);
const run = async (argv: string[]) => {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err };
};
const answer = async (scenario: Parameters<typeof simulate>[0], q: string, policyFiles: string[]): Promise<Report> => {
  const sim = simulate(scenario);
  const flows = join(dir, `${scenario}.jsonl`);
  await writeSimulation(sim, flows);
  const store = await FlowStore.open(":memory:");
  try {
    await store.ingest([flows]);
    return await investigate(q, { source: store, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG), now: new Date(sim.to), policies: await loadPolicies(policyFiles) });
  } finally {
    store.close();
  }
};

describe("policy drops against the cluster's policies", () => {
  let report: Report;
  beforeAll(async () => {
    report = await answer("policy-drop", "what's dropping packets?", [POLICIES]);
  }, 60_000);

  it("the top finding names the policy, the label it admits and the one the source carries", () => {
    const f = report.findings[0]!;
    expect(f.title).toMatch(/^traffic to shop\/payments dropped: POLICY_DENIED from shop\/checkout since \d\d:\d\d; isolated at ingress by shop\/payments-ingress$/);
    expect(report.summary).toMatch(/isolated at ingress by shop\/payments-ingress/);
    expect(f.policy).toMatchObject({ direction: "ingress", deniedBy: [], uncertain: [] });
    expect(f.policy!.policies).toEqual([{
      namespace: "shop", name: "payments-ingress", kind: "NetworkPolicy",
      admits: "shop/payments-ingress (NetworkPolicy) selects app=payments and admits ingress from pods app=frontend in shop on 8080/TCP",
      whyNot: "the rule admits app=frontend; the source carries app=checkout",
    }]);
    expect(f.next[0]).toBe("read the policy that decides it: kubectl -n shop get networkpolicy payments-ingress -o yaml");
    // Not also "go and find the policy": it is found.
    expect(f.next.filter((n) => /find the NetworkPolicy/.test(n))).toEqual([]);
    expect(f.policy!.fixAlsoChanges).toBe(0);
  });

  it("its fix, applied, is admitted by `netrca policy check`; without it the same check says denied", async () => {
    const fix = file("fix.yaml", report.findings[0]!.policy!.fix!);
    const args = ["policy", "check", "--from", "shop/app=checkout", "--to", "shop/app=payments", "--port", "8080/TCP"];
    const before = await run([...args, "--policies", POLICIES]);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/ingress at shop \(app=payments\): DENIED: isolated by 1 policy that admits none of it/);
    expect(before.out).toMatch(/why not: the rule admits app=frontend; the source carries app=checkout/);
    const after = await run([...args, "--policies", POLICIES, "--policies", fix]);
    expect(after.code, after.out).toBe(0);
    expect(after.out).toMatch(/ingress at shop \(app=payments\): allowed by shop\/allow-checkout-to-payments-8080 \(ingress rule 1\)/);
    // And it admits nothing it should not: frontend still by the old policy, another app still denied.
    expect((await run(["policy", "check", "--from", "shop/app=cart", "--to", "shop/app=payments", "--port", "8080", "--policies", POLICIES, "--policies", fix])).code).toBe(1);
  });

  it("a policy set that admits what was dropped is said to be not what the cluster enforces", async () => {
    const open = file("open.yaml", `kind: NetworkPolicy\nmetadata: { name: payments-ingress, namespace: shop }\nspec: { podSelector: { matchLabels: { app: payments } }, ingress: [{}] }\n`);
    const r = await answer("policy-drop", "what's dropping packets?", [open]);
    expect(r.findings[0]!.policy!.uncertain.join(" ")).toMatch(/the policies given admit this flow, yet it was dropped/);
    expect(r.findings[0]!.policy!.fix).toBeNull();
  }, 60_000);

  it("a Cilium policy deciding it gets a Cilium fix; a deny rule gets none", async () => {
    const cnp = file("cnp.yaml", `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: payments, namespace: shop }\nspec:\n  endpointSelector: { matchLabels: { app: payments } }\n  ingress: [{ fromEndpoints: [{ matchLabels: { app: frontend } }], toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }] }]\n`);
    const r = await answer("policy-drop", "what's dropping packets?", [cnp]);
    expect(r.findings[0]!.policy!.fix).toMatch(/^apiVersion: cilium\.io\/v2\nkind: CiliumNetworkPolicy\n/);
    expect(r.findings[0]!.next[0]).toBe("read the policy that decides it: kubectl -n shop get ciliumnetworkpolicy payments -o yaml");
    const deny = file("deny.yaml", `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: no-checkout, namespace: shop }\nspec:\n  endpointSelector: { matchLabels: { app: payments } }\n  ingress: [{ fromEntities: [all] }]\n  ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: checkout } }] }]\n`);
    const d = await answer("policy-drop", "what's dropping packets?", [deny]);
    expect(d.findings[0]!.title).toMatch(/; denied by shop\/no-checkout$/);
    expect(d.findings[0]!.policy).toMatchObject({ deniedBy: ["shop/no-checkout"], fix: null });
  }, 60_000);

  it("a policy that selects no pod seen, or admits pods no one seen carries, is noted as a likely mistake", async () => {
    const typo = file("typo.yaml", `kind: NetworkPolicy\nmetadata: { name: paymnts, namespace: shop }\nspec: { podSelector: { matchLabels: { app: paymnts } }, ingress: [{}] }\n---\nkind: NetworkPolicy\nmetadata: { name: from-fronted, namespace: shop }\nspec: { podSelector: { matchLabels: { app: payments } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: fronted } } }] }] }\n`);
    const r = await answer("policy-drop", "what's dropping packets?", [POLICIES, typo]);
    expect(r.notes).toContain("shop/paymnts selects app=paymnts, and no pod seen in shop in this window has those labels: a likely mistake (a label misspelt, or pods not yet deployed).");
    expect(r.notes).toContain("shop/from-fronted ingress rule 1 admits pods app=fronted, and no pod seen in this window has those labels: a likely mistake.");
    expect(r.notes.filter((n) => /payments-ingress/.test(n) && /likely mistake/.test(n))).toEqual([]);
    // Asked about two parties, the rest of the namespace's pods still count as seen.
    const two = await answer("policy-drop", "why can't checkout reach payments?", [POLICIES]);
    expect(two.findings[0]!.policy!.policies[0]!.name).toBe("payments-ingress");
    expect(two.notes.filter((n) => /likely mistake/.test(n))).toEqual([]);
  }, 60_000);

  it("the policy the flow log names is checked against the evaluation", async () => {
    const sim = simulate("policy-drop");
    const flows = join(dir, "named.jsonl");
    await writeSimulation(sim, flows);
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync(flows, "utf8").split("\n").map((l) => (/"POLICY_DENIED"/.test(l) && /k8s:app=payments"/.test(l) ? l.replace('"verdict":"DROPPED"', '"verdict":"DROPPED","ingress_denied_by":[{"name":"old-deny","namespace":"shop"}]') : l));
    writeFileSync(flows, lines.join("\n"));
    const store = await FlowStore.open(":memory:");
    try {
      await store.ingest([flows]);
      const r = await investigate("what's dropping packets?", { source: store, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG), now: new Date(sim.to), policies: await loadPolicies([POLICIES]) });
      expect(r.findings[0]!.policy!.named).toEqual(["shop/old-deny"]);
      expect(r.findings[0]!.policy!.uncertain).toContain("the flow log names shop/old-deny as denying it, which the policies given do not: they may be out of date");
    } finally {
      store.close();
    }
  }, 60_000);

  it("a healthy scenario with policies loaded has no critical finding", async () => {
    const r = await answer("healthy", "what's wrong?", [POLICIES]);
    expect(r.findings.filter((f) => f.severity === "critical")).toEqual([]);
  }, 60_000);
});

// Cilium's own documentation: the exporter capture of xwing denied by the deathstar's L3/L4 policy,
// exported with a field mask that left the labels out.
const CAPTURE = sharedFile("samples/real/cilium-docs--hubble-exporter-drops.jsonl");
describe.skipIf(!CAPTURE)("a real Hubble capture (Cilium's Star Wars demo)", () => {
  const RULE1 = file("sw.yaml", `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: rule1 }\nspec:\n  endpointSelector: { matchLabels: { org: empire, class: deathstar } }\n  ingress:\n    - fromEndpoints: [{ matchLabels: { org: empire } }]\n      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]\n`);
  it("one dropped SYN answers \"why can't xwing reach the deathstar?\", and without labels the policy is not guessed", async () => {
    const store = await FlowStore.open(":memory:");
    try {
      await store.ingest([CAPTURE!]);
      const r = await investigate("why can't xwing reach the deathstar?", { source: store, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG), policies: await loadPolicies([RULE1]) });
      expect(r.summary).not.toMatch(/^No active fault/);
      const f = r.findings[0]!;
      expect(f).toMatchObject({ kind: "packet_drops", reason: "POLICY_DENIED", subject: { namespace: "default", workload: "deathstar" }, peer: { namespace: "default", workload: "xwing" }, value: 1 });
      expect(f.policy!.policies).toEqual([]);
      expect(f.policy!.fix).toBeNull();
      expect(f.policy!.uncertain[0]).toMatch(/^the flow log carries no labels for the source \(default\) or the destination \(default\), so which policy decides cannot be told \(the policies that could: default\/rule1\)/);
    } finally {
      store.close();
    }
  });
  it("read in the terminal: one flow is '1 flow', the uncertainty is said, and the next step is one that runs", async () => {
    const r = await run(["ask", "why can't xwing reach the deathstar?", "--flows", CAPTURE!, "--policies", RULE1]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/packet_drops · 1 flow\n/);
    expect(r.out).toMatch(/uncertain: the flow log carries no labels/);
    expect(r.out).toMatch(/→ find the NetworkPolicy that denies it: kubectl -n default get networkpolicy,ciliumnetworkpolicy/);
  }, 30_000);
  it("with the pods' labels given, policy check names rule1 and why xwing is refused", async () => {
    const r = await run(["policy", "check", "--policies", RULE1, "--from", "default/org=alliance,class=xwing", "--to", "default/org=empire,class=deathstar", "--port", "80/TCP"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/default\/rule1 \(CiliumNetworkPolicy\) selects org=empire, class=deathstar and admits ingress from pods org=empire in default on 80\/TCP/);
    expect(r.out).toMatch(/why not: the rule admits org=empire; the source carries org=alliance \(its labels: org=alliance, class=xwing\)/);
    expect((await run(["policy", "check", "--policies", RULE1, "--from", "default/org=empire,class=tiefighter", "--to", "default/org=empire,class=deathstar", "--port", "80/TCP"])).code).toBe(0);
  });
});

describe("netrca policy check", () => {
  it("bad usage and bad files are one line, exit 2", async () => {
    for (const argv of [
      ["policy", "check", "--from", "shop/app=a", "--to", "shop/app=b", "--port", "80"],
      ["policy", "check", "--policies", POLICIES, "--from", "shop/checkout", "--to", "shop/app=b", "--port", "80"],
      ["policy", "check", "--policies", POLICIES, "--from", "shop/app=a", "--to", "shop/app=b", "--port", "http"],
      ["policy", "check", "--policies", join(dir, "missing.yaml"), "--from", "shop/app=a", "--to", "shop/app=b", "--port", "80"],
      ["policy", "lint"],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err, argv.join(" ")).toHaveLength(1);
    }
    expect((await run(["policy", "check", "--policies", join(dir, "missing.yaml"), "--from", "shop/app=a", "--to", "shop/app=b", "--port", "80"])).err[0]).toMatch(/missing\.yaml: cannot read it \(ENOENT\)/);
  });

  it("an address outside the cluster and a port range", async () => {
    const p = file("range.yaml", `kind: NetworkPolicy\nmetadata: { name: nodeports, namespace: shop }\nspec: { podSelector: { matchLabels: { app: edge } }, ingress: [{ from: [{ ipBlock: { cidr: 203.0.113.0/24 } }], ports: [{ port: 30000, endPort: 32767 }] }] }\n`);
    expect((await run(["policy", "check", "--policies", p, "--from", "203.0.113.9", "--to", "shop/app=edge", "--port", "31000/TCP"])).code).toBe(0);
    const no = await run(["policy", "check", "--policies", p, "--from", "198.51.100.1", "--to", "shop/app=edge", "--port", "31000/TCP"]);
    expect(no.code).toBe(1);
    expect(no.out).toMatch(/why not: 198\.51\.100\.1 is not in 203\.0\.113\.0\/24/);
  });
});
