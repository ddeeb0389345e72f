// NETRCA_KUBE=on: policies listed from a local fake of the Kubernetes API server, at the HTTP
// level, by the real @kubernetes/client-node client (kubeconfig with a bearer token).
import type { IncomingHttpHeaders } from "node:http";
import { createServer, type Server } from "node:https";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openKubePolicies } from "../../src/policy/kube.js";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../src/surfaces/service.js";
import { FakeSlack, slackSignature } from "../support/fake-slack.js";
import { makeCertificate } from "../support/fake-log-analytics.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const TOKEN = "kube-token-read-only";
const requests: { url: string; method: string; headers: IncomingHttpHeaders }[] = [];
let ingressFrom = "frontend";
let cilium = true;
// While set, lists of NetworkPolicies are left unanswered (answered when it is released).
let heldLists: (() => void)[] | null = null;
let server: Server;
let kubeconfig: string;
// Watches the client holds open, by resource path: a test pushes events into them.
const watches = new Map<string, Set<import("node:http").ServerResponse>>();
// Every event pushed, by path: a watch opened from a version is sent the later ones first, as
// the API server replays them. The version lists report (the store's newest) can be moved on.
const history = new Map<string, { version: number; line: string }[]>();
let listVersion = "100";
const push = (path: string, type: string, object: { metadata?: { resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown }) => {
  const line = JSON.stringify({ type, object }) + "\n";
  history.set(path, (history.get(path) ?? []).concat({ version: Number(object.metadata?.resourceVersion), line }));
  for (const res of watches.get(path) ?? []) res.write(line);
};
const until = async (ok: () => boolean, ms = 3000) => {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

const NP = () => ({
  metadata: { name: "payments-ingress", namespace: "shop", resourceVersion: "42" },
  spec: { podSelector: { matchLabels: { app: "payments" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: ingressFrom } } }], ports: [{ protocol: "TCP", port: 8080 }] }] },
});
beforeAll(async () => {
  // TLS as a real API server serves it; the kubeconfig carries the CA, as kubectl's does.
  const tls = makeCertificate(dir);
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    requests.push({ url: req.url ?? "", method: req.method ?? "", headers: req.headers });
    const send = (status: number, body: object) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { kind: "Status", status: "Failure", code: 401, reason: "Unauthorized" });
    const [path = "", query = ""] = (req.url ?? "").split("?");
    // A watch is held open, as the API server holds it, and streams one JSON event a line.
    if (new URLSearchParams(query).get("watch") === "true" && (path !== "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies") && (cilium || !path.startsWith("/apis/cilium.io"))) {
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      const from = Number(new URLSearchParams(query).get("resourceVersion") ?? 0);
      for (const e of history.get(path) ?? []) if (e.version > from) res.write(e.line);
      const open = watches.get(path) ?? new Set();
      watches.set(path, open.add(res));
      res.on("close", () => open.delete(res));
      return;
    }
    if (path === "/apis/networking.k8s.io/v1/networkpolicies") {
      const answer = () => send(200, { kind: "NetworkPolicyList", apiVersion: "networking.k8s.io/v1", metadata: { resourceVersion: listVersion }, items: [NP()] });
      return heldLists ? void heldLists.push(answer) : answer();
    }
    if (path === "/apis/cilium.io/v2/ciliumnetworkpolicies" && cilium) return send(200, { kind: "CiliumNetworkPolicyList", apiVersion: "cilium.io/v2", metadata: {}, items: [{ metadata: { name: "edge", namespace: "pets" }, spec: { endpointSelector: { matchLabels: { app: "store-front" } }, ingress: [{ fromEntities: ["cluster"] }] } }] });
    // No such resource: the CRD is not installed.
    return send(404, { kind: "Status", status: "Failure", code: 404, reason: "NotFound" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "https://127.0.0.1:${port}", certificate-authority-data: ${Buffer.from(tls.cert).toString("base64")} } }]
users: [{ name: reader, user: { token: ${TOKEN} } }]
contexts: [{ name: fake, context: { cluster: fake, user: reader } }]
current-context: fake
`);
});
afterAll(() => new Promise<void>((r) => {
  for (const open of watches.values()) for (const res of open) res.end();
  server.closeAllConnections();
  server.close(() => r());
}));

describe("policies from the Kubernetes API", () => {
  it("lists NetworkPolicies and Cilium policies with the kubeconfig's token, read-only; a missing CRD is none of that kind", async () => {
    const k = await openKubePolicies({ kubeconfig });
    try {
      expect(k.current().map((p) => `${p.kind} ${p.namespace}/${p.name}`).sort()).toEqual(["CiliumNetworkPolicy pets/edge", "NetworkPolicy shop/payments-ingress"]);
      expect(requests.every((r) => r.method === "GET")).toBe(true);
      expect(requests.map((r) => r.url.split("?")[0])).toEqual(expect.arrayContaining(["/apis/networking.k8s.io/v1/networkpolicies", "/apis/cilium.io/v2/ciliumnetworkpolicies", "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies"]));
      expect(k.state()).toMatchObject({ error: null, count: 2 });
    } finally {
      k.close();
    }
  });

  it("lists again on its interval: a changed policy is seen; a failed refresh keeps the last set and says why", async () => {
    const logs: string[] = [];
    const k = await openKubePolicies({ kubeconfig, refreshMs: 200, log: (l) => logs.push(l) });
    try {
      ingressFrom = "checkout";
      await new Promise((r) => setTimeout(r, 600));
      const np = k.current().find((p) => p.name === "payments-ingress")!;
      expect(np.ingress[0]!.peers).toEqual([{ kind: "pods", podSelector: { matchLabels: { app: "checkout" } } }]);
      const saved = server.listeners("request")[0] as (...a: unknown[]) => void;
      server.removeAllListeners("request");
      server.on("request", (_req, res) => res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 500 })));
      await new Promise((r) => setTimeout(r, 600));
      expect(k.current()).toHaveLength(2);
      expect(k.state().error).not.toBeNull();
      expect(logs.some((l) => /could not list the cluster's network policies .* keeping the 2 read at/.test(l))).toBe(true);
      server.removeAllListeners("request");
      server.on("request", saved);
    } finally {
      k.close();
      ingressFrom = "frontend";
    }
  });

  it("watches: a change, an addition and a deletion are seen at once, not at the next list; a watch the server ends is listed and watched again", async () => {
    const NPS = "/apis/networking.k8s.io/v1/networkpolicies";
    const k = await openKubePolicies({ kubeconfig, refreshMs: 10 * 60_000 });
    try {
      await until(() => (watches.get(NPS)?.size ?? 0) > 0);
      // The watch starts from the list's version, so nothing between the two is missed.
      expect(requests.filter((r) => r.url.startsWith(NPS + "?")).at(-1)!.url).toMatch(/watch=true.*resourceVersion=100|resourceVersion=100.*watch=true/);
      const payments = () => k.current().find((p) => p.name === "payments-ingress");
      push(NPS, "MODIFIED", { ...NP(), spec: { ...NP().spec, ingress: [{ from: [{ podSelector: { matchLabels: { app: "checkout" } } }] }] }, metadata: { ...NP().metadata, resourceVersion: "101" } });
      await until(() => JSON.stringify(payments()?.ingress[0]?.peers) === JSON.stringify([{ kind: "pods", podSelector: { matchLabels: { app: "checkout" } } }]));
      push(NPS, "ADDED", { metadata: { name: "deny-all", namespace: "shop", resourceVersion: "102" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
      await until(() => k.current().some((p) => p.name === "deny-all"));
      push(NPS, "BOOKMARK", { kind: "NetworkPolicy", metadata: { resourceVersion: "103" } });
      push(NPS, "DELETED", { ...NP(), metadata: { ...NP().metadata, resourceVersion: "104" } });
      await until(() => !payments());
      expect(k.current().map((p) => p.name).sort()).toEqual(["deny-all", "edge"]);
      // The server ends the watch (as it does every few minutes): listed again, so the
      // list's truth (payments-ingress as stored, no deny-all) replaces what the events built.
      const before = requests.length;
      listVersion = "110";
      for (const res of watches.get(NPS) ?? []) res.end();
      await until(() => k.current().some((p) => p.name === "payments-ingress") && !k.current().some((p) => p.name === "deny-all"));
      await until(() => (watches.get(NPS)?.size ?? 0) > 0);
      expect(requests.slice(before).map((r) => r.url.split("?")[0])).toContain(NPS);
      expect(requests.every((r) => r.method === "GET")).toBe(true);
    } finally {
      k.close();
      listVersion = "100";
      history.clear();
    }
    // Closed: its watches are let go.
    await until(() => [...watches.values()].every((open) => open.size === 0));
  });

  it("a watch's events still count after the periodic full list, even one whose snapshot predates them; a Cilium CRD installed later is listed and watched", async () => {
    const NPS = "/apis/networking.k8s.io/v1/networkpolicies";
    const CNPS = "/apis/cilium.io/v2/ciliumnetworkpolicies";
    cilium = false;
    const k = await openKubePolicies({ kubeconfig, refreshMs: 150 });
    try {
      await until(() => (watches.get(NPS)?.size ?? 0) > 0);
      expect(k.current().map((p) => p.name)).toEqual(["payments-ingress"]);
      // Several full lists go by, then an event on the watch opened before them.
      const lists = () => requests.filter((r) => r.url === NPS || r.url.startsWith(NPS + "?") && !r.url.includes("watch=true")).length;
      const before = lists();
      await until(() => lists() >= before + 2);
      // No list answers from here, so only the watch can bring what follows.
      heldLists = [];
      await until(() => heldLists!.length > 0);
      push(NPS, "ADDED", { metadata: { name: "deny-all", namespace: "shop", resourceVersion: "105" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
      await until(() => k.current().some((p) => p.name === "deny-all"), 1000);
      // The held lists answer now with their older snapshot (version 100, no deny-all). The
      // change must survive them: each list is followed by a watch from its version, which
      // the server answers with the change again; lists that predate it must not undo it.
      for (const answer of heldLists.splice(0)) answer();
      heldLists = null;
      const released = requests.length;
      const rewatched = () => requests.slice(released).filter((r) => r.url.startsWith(NPS + "?") && r.url.includes("watch=true") && r.url.includes("resourceVersion=100")).length;
      await until(() => rewatched() >= 2 && k.current().some((p) => p.name === "deny-all"));
      // The CRD appears: the next list finds its policies and a watch on them opens.
      cilium = true;
      await until(() => k.current().some((p) => p.name === "edge") && (watches.get(CNPS)?.size ?? 0) > 0);
    } finally {
      k.close();
      for (const answer of heldLists?.splice(0) ?? []) answer();
      heldLists = null;
      cilium = true;
      history.clear();
    }
  });

  it("a kubeconfig whose token is refused fails at start with one line", async () => {
    const bad = join(dir, "bad-kubeconfig");
    writeFileSync(bad, (await import("node:fs")).readFileSync(kubeconfig, "utf8").replace(TOKEN, "wrong"));
    await expect(openKubePolicies({ kubeconfig: bad })).rejects.toThrow(/^NETRCA_KUBE: cannot list the cluster's network policies: /);
  });

  it("serve with NETRCA_KUBE=on reads a policy drop against the cluster's policies", async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    const slack = await new FakeSlack().start();
    const sim = simulate("policy-drop");
    const flows = join(dir, "drops.jsonl");
    await writeSimulation(sim, flows);
    let service: Service | undefined;
    try {
      service = await startService({ config: { port: 0, slack: { signingSecret: "8f742231b10e8888abcd99yyyzzz85a5", botToken: "xoxb-test", apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state"), kube: true }, flows: [flows], now: new Date(sim.to), log: () => {} });
      const body = new URLSearchParams({ token: "x", team_id: "T1", channel_id: "C0KUBE", channel_name: "c", user_id: "U1", user_name: "u", command: "/netrca", text: "what's dropping packets?", api_app_id: "A1", trigger_id: "1", response_url: slack.responseUrl("k") }).toString();
      const since = Date.now();
      await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature("8f742231b10e8888abcd99yyyzzz85a5", body) }, body });
      const post = await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0KUBE" && !c.args.thread_ts));
      const text = JSON.stringify(post.args.blocks);
      expect(String(post.args.text)).toMatch(/isolated at ingress by shop\/payments-ingress/);
      expect(text).toMatch(/Policy shop\/payments-ingress admits from pods app=frontend in shop on 8080\/TCP; the rule admits app=frontend; the source carries app=checkout/);
      expect(text).toMatch(/kubectl -n shop get networkpolicy payments-ingress -o yaml/);
      // The checked fix goes into the reply's thread, ready to apply.
      const fix = await slack.waitFor(() => slack.posts().find((c) => c.args.thread_ts && /smallest policy that admits finding 1/.test(String(c.args.text))));
      expect(String(fix.args.text)).toMatch(/no other flow seen in the window changes verdict\):\n```\napiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n[\s\S]*app: checkout[\s\S]*port: 8080\n```$/);
    } finally {
      await service?.stop();
      await slack.close();
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  }, 60_000);
});
