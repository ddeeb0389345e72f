import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../../src/surfaces/service.js";
import { loadPolicies } from "../../../src/policy/model.js";
import { FakeConnector, type ConnectorCall } from "../../support/fake-connector.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();
const BOT = "28:00000000-0000-0000-0000-000000000000";
let connector: FakeConnector;
let service: Service;
let file: string;
const logs: string[] = [];

beforeAll(async () => {
  connector = await new FakeConnector().start();
  file = join(dir, "demo.jsonl");
  await writeSimulation(simulate("demo"), file);
  service = await startService({
    config: { port: 0, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state") },
    flows: [file],
    log: (l) => logs.push(l),
  });
});
afterAll(async () => {
  await service?.stop();
  await connector?.close();
});

let n = 0;
/** A Teams channel message that @mentions the bot, as Teams posts it. */
function channelMessage(text: string, opts: { thread?: string; personal?: boolean } = {}): Record<string, unknown> {
  const id = `17636500${String(++n).padStart(5, "0")}`;
  const conversation = opts.personal
    ? { conversationType: "personal", tenantId: "t1", id: "a:1personalchat" }
    : { isGroup: true, conversationType: "channel", tenantId: "t1", id: `19:incident@thread.tacv2;messageid=${opts.thread ?? id}` };
  return {
    type: "message", id, timestamp: new Date().toISOString(), serviceUrl: connector.serviceUrl, channelId: "msteams",
    from: { id: "29:oncall", name: "On Call" }, conversation, recipient: { id: BOT, name: "netrca" },
    text: opts.personal ? text : `<at>netrca</at> ${text}`,
    entities: opts.personal ? [] : [{ type: "mention", text: "<at>netrca</at>", mentioned: { id: BOT, name: "netrca" } }],
    channelData: opts.personal ? { tenant: { id: "t1" } } : { teamsChannelId: "19:incident@thread.tacv2", teamsTeamId: "19:team@thread.tacv2", channel: { id: "19:incident@thread.tacv2" }, tenant: { id: "t1" } },
  };
}

async function post(activity: Record<string, unknown>, port = service.port, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(activity) });
  await res.text();
  return res.status;
}

const replyTo = (a: Record<string, unknown>) => (c: ConnectorCall) =>
  c.path === `/v3/conversations/${(a.conversation as { id: string }).id}/activities/${a.id as string}` && c.body.type === "message";
type Card = { contentType: string; content: { version: string; body: unknown[] }; contentUrl?: string };

describe("Teams bot over HTTP (auth off, local use)", () => {
  it("warns loudly that auth is off", () => {
    expect(logs.join("\n")).toMatch(/WARNING: MICROSOFT_APP_ID is empty/);
  });

  it("answers a channel @mention in its thread: typing first, then a 1.5 card with a Table, and the chart", async () => {
    const a = channelMessage("what's wrong in namespace pets?");
    expect(await post(a)).toBe(200);
    const answeredHttp = Date.now();
    const reply = await connector.waitFor(() => connector.calls.find(replyTo(a)));
    // The turn ends at the typing indicator; the answer follows (the Connector waits ~15 s at most).
    expect(reply.at).toBeGreaterThanOrEqual(answeredHttp);
    const typing = connector.calls.find((c) => c.path.includes((a.conversation as { id: string }).id) && c.body.type === "typing");
    expect(typing && typing.at <= reply.at).toBe(true);
    const [card, chart] = reply.body.attachments as Card[];
    expect(card!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card!.content.version).toBe("1.5");
    expect(JSON.stringify(card!.content)).toMatch(/"type":"Table"/);
    expect(JSON.stringify(card!.content)).toMatch(/rabbitmq-0/);
    expect(Buffer.byteLength(JSON.stringify(card!.content))).toBeLessThanOrEqual(28 * 1024);
    expect(chart!.contentType).toBe("image/png");
    expect(Buffer.from(chart!.contentUrl!.replace(/^data:image\/png;base64,/, ""), "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  it("a follow-up in the thread keeps its scope", async () => {
    const first = channelMessage("why is dns failing in namespace shop?");
    await post(first);
    await connector.waitFor(() => connector.calls.find(replyTo(first)));
    const follow = channelMessage("and over the last 30 minutes?", { thread: first.id as string });
    await post(follow);
    const reply = await connector.waitFor(() => connector.calls.find(replyTo(follow)));
    const card = JSON.stringify((reply.body.attachments as Card[])[0]!.content);
    expect(card).toMatch(/shop/);
    expect(card).toMatch(/14:30/);
    expect(card).toMatch(/SERVFAIL/);
  });

  it("works in a personal chat, and answers help", async () => {
    const a = channelMessage("help", { personal: true });
    await post(a);
    const reply = await connector.waitFor(() => connector.calls.find(replyTo(a)));
    expect(JSON.stringify(reply.body)).toMatch(/why is dns failing/);
  });

  it("keeps the conversation reference durably and can post into the thread later", async () => {
    const saved = JSON.parse(readFileSync(join(dir, "state", "teams-conversations.json"), "utf8")) as { conversation: { id: string } }[];
    const thread = saved.find((r) => r.conversation.id.startsWith("19:incident@thread.tacv2;messageid="))!;
    expect(thread).toBeTruthy();
    await service.teams.post(thread.conversation.id, { type: "message", text: "incident summary" });
    const proactive = await connector.waitFor(() => connector.calls.find((c) => c.body.text === "incident summary"));
    // Into the same channel thread (the conversation id carries the thread's message id).
    expect(proactive.path.startsWith(`/v3/conversations/${thread.conversation.id}/activities`)).toBe(true);
  });
});

describe("Teams bot with an app id", () => {
  it("refuses an unsigned activity with 401 and never answers it", async () => {
    const secured = await startService({
      config: { port: 0, teams: { appId: "11111111-2222-3333-4444-555555555555", appPassword: "not-a-real-secret", appType: "MultiTenant" }, stateDir: join(dir, "state2") },
      flows: [file],
    });
    try {
      const a = channelMessage("what's wrong in namespace pets?");
      expect(await post(a, secured.port)).toBe(401);
      await new Promise((r) => setTimeout(r, 500));
      expect(connector.calls.find(replyTo(a))).toBeUndefined();
    } finally {
      await secured.stop();
    }
  });
});

describe("Teams: a policy drop read against the cluster's policies", () => {
  it("the card names the deciding policy and the label it admits; the checked fix follows in the thread as a YAML code block", async () => {
    const policies = join(dir, "policies.yaml");
    writeFileSync(policies, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: payments-ingress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: payments } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: frontend } } }]
      ports: [{ protocol: TCP, port: 8080 }]
`);
    const sim = simulate("policy-drop");
    const flows = join(dir, "drops.jsonl");
    await writeSimulation(sim, flows);
    const svc = await startService({
      config: { port: 0, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state-policy") },
      flows: [flows], now: new Date(sim.to), policies: await loadPolicies([policies]), log: () => {},
    });
    try {
      const a = channelMessage("what's dropping packets?");
      expect(await post(a, svc.port)).toBe(200);
      const reply = await connector.waitFor(() => connector.calls.find((c) => replyTo(a)(c) && Array.isArray(c.body.attachments)));
      const texts = JSON.stringify((reply.body.attachments as Card[])[0]!.content).replace(/\\\\/g, "");
      expect(texts).toMatch(/isolated at ingress by shop\/payments-ingress/);
      expect(texts).toMatch(/Policy shop\/payments-ingress admits from pods app=frontend in shop on 8080\/TCP; the rule admits app=frontend; the source carries app=checkout/);
      expect(texts).toMatch(/kubectl -n shop get networkpolicy payments-ingress -o yaml/);
      // The fix as a message of its own, in the same thread, after the card: Markdown keeps the YAML's indentation.
      const fix = await connector.waitFor(() => connector.calls.find((c) => replyTo(a)(c) && /smallest policy that admits finding 1/.test(String(c.body.text))));
      expect(fix.at).toBeGreaterThanOrEqual(reply.at);
      expect(fix.body.textFormat).toBe("markdown");
      const m = /\n```yaml\n([\s\S]*)\n```$/.exec(String(fix.body.text));
      expect(m).not.toBeNull();
      // What is copied out of the code block is a policy that parses and admits the flow.
      const applied = join(dir, "fix-from-teams.yaml");
      writeFileSync(applied, m![1]!);
      const [added] = await loadPolicies([applied]);
      expect(added).toMatchObject({ kind: "NetworkPolicy", namespace: "shop" });
      expect(JSON.stringify(added)).toMatch(/"app":"checkout"/);
    } finally {
      await svc.stop();
    }
  }, 60_000);
});
