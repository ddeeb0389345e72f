// The model's explanation in the chat surfaces: `serve` with the real Bolt and botbuilder apps,
// a fake Slack Web API, a fake Bot Connector and a local OpenAI-compatible server.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmConfigFromEnv } from "../../src/explain/index.js";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../src/surfaces/service.js";
import { FakeConnector, type ConnectorCall } from "../support/fake-connector.js";
import { faithfulModel, FakeOpenAI } from "../support/fake-openai.js";
import { FakeSlack, slackSignature, type SlackCall } from "../support/fake-slack.js";
import { tempDir } from "../support/tmp.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const ALERT_TOKEN = "alert-token-0123456789abcdef";
const BOT = "28:00000000-0000-0000-0000-000000000000";
const dir = tempDir();
const sim = simulate("dns-servfail");
const flows = join(dir, "dns.jsonl");
const model = new FakeOpenAI();
let slack: FakeSlack;
let connector: FakeConnector;

beforeAll(async () => {
  await writeSimulation(sim, flows);
  await model.start();
  slack = await new FakeSlack().start();
  connector = await new FakeConnector().start();
}, 60_000);
afterAll(async () => {
  await model.close();
  await slack?.close();
  await connector?.close();
});

const llm = () => llmConfigFromEnv({ OPENAI_API_KEY: "sk-test-never-logged", OPENAI_BASE_URL: `${model.base}/v1` });
const start = (always: boolean, logs: string[], extra: Record<string, unknown> = {}) =>
  startService({
    config: {
      port: 0, slack: { signingSecret: SECRET, botToken: "xoxb-test", apiUrl: slack.apiUrl },
      teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, `state-${always}`), ...extra,
    },
    flows: [flows], now: new Date(sim.to), log: (l) => logs.push(l), explain: { always, llm: llm() },
  });

const command = (text: string, channel: string) => new URLSearchParams({
  token: "x", team_id: "T1", team_domain: "acme", channel_id: channel, channel_name: "incident", user_id: "U1", user_name: "oncall",
  command: "/netrca", text, api_app_id: "A1", trigger_id: "1.2.3", response_url: slack.responseUrl(channel),
}).toString();
const mention = (text: string, ts: string, thread?: string) => JSON.stringify({
  token: "x", team_id: "T1", api_app_id: "A1", type: "event_callback", event_id: `Ev${ts.replace(".", "")}`, event_time: 1763650000,
  authorizations: [{ team_id: "T1", user_id: "UBOT", is_bot: true }],
  event: { type: "app_mention", user: "U1", text: `<@UBOT> ${text}`, ts, channel: "C0THREAD", event_ts: ts, ...(thread && { thread_ts: thread }) },
});
async function send(service: Service, body: string, type: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST", headers: { "content-type": type, ...slackSignature(SECRET, body) }, body });
  expect(res.status).toBe(200);
  return res.text();
}
const form = "application/x-www-form-urlencoded";
/** The report message (the one with the table attachment) posted in a channel after `since`. */
const reportIn = (channel: string, since: number, thread?: string) => () =>
  slack.posts().find((c) => c.at >= since && c.args.channel === channel && Array.isArray(c.args.blocks) && JSON.stringify(c.args.blocks).includes("netrca · ") && (thread === undefined || c.args.thread_ts === thread));
const blocksText = (c: SlackCall) => JSON.stringify(c.args.blocks);
const EXPLAINED = /Written by the model gpt-4\.1-mini from these findings; its figures and names were checked against the evidence/;

describe("explanations in serve, asked for per question", () => {
  let service: Service;
  const logs: string[] = [];
  beforeAll(async () => {
    service = await start(false, logs);
  }, 60_000);
  afterAll(() => service?.stop());

  it("a plain question gets no explanation and asks no model", async () => {
    const asked = model.requests.length;
    const since = Date.now();
    await send(service, command("why is dns failing in namespace shop?", "C0PLAIN"), form);
    const post = await slack.waitFor(reportIn("C0PLAIN", since));
    expect(blocksText(post)).not.toMatch(/Written by the model/);
    expect(model.requests.length).toBe(asked);
  });

  it("\"explain …\" in a slash command: the ack says so, the reply carries the explanation under the summary, marked as the model's", async () => {
    model.answer = faithfulModel;
    const since = Date.now();
    const ack = JSON.parse(await send(service, command("explain dns failures in namespace shop", "C0EXPL"), form));
    expect(ack.text).toMatch(/DNS.*shop.*and asking the model to explain what it finds/);
    const post = await slack.waitFor(reportIn("C0EXPL", since));
    const blocks = post.args.blocks as { type: string; text?: { text: string }; elements?: { text: string }[] }[];
    const marked = blocks.findIndex((b) => b.type === "context" && EXPLAINED.test(b.elements?.[0]?.text ?? ""));
    expect(marked).toBeGreaterThan(0);
    // Quoted, under the summary, above the findings: the first finding's title, figure and start, and its next step.
    const said = blocks[marked + 1]!.text!.text;
    expect(said).toMatch(/^>shop\/checkout gets SERVFAIL for api\.partner\.example\.com\. \(A\) since 14:31: 69 responses in this window\. Finding 1 is the likely cause/);
    expect(said).toMatch(/Next: check the DNS server and its upstream/);
    const summary = blocks.findIndex((b) => b.type === "section" && /Most probable root cause/.test(b.text?.text ?? ""));
    const firstFinding = blocks.findIndex((b) => b.type === "section" && /:red_circle:|🔴/.test(b.text?.text ?? ""));
    expect(summary).toBeLessThan(marked);
    expect(firstFinding === -1 || marked < firstFinding).toBe(true);
    // The tokens are logged, never the prompt or the key.
    const line = logs.find((l) => /explained a dns answer with gpt-4\.1-mini: 1200 input and 80 output tokens/.test(l));
    expect(line).toBeDefined();
    expect(logs.join("\n")).not.toMatch(/sk-test-never-logged|<data>|api\.partner/);
  });

  it("\"why?\" in a reply's thread explains the thread's question, with the thread's scope", async () => {
    model.answer = faithfulModel;
    const since = Date.now();
    await send(service, mention("dns errors in namespace shop", "1763650100.000100"), "application/json");
    const first = await slack.waitFor(reportIn("C0THREAD", since));
    expect(blocksText(first)).not.toMatch(/Written by the model/);
    const asked = model.requests.length;
    const again = Date.now();
    await send(service, mention("why?", "1763650200.000200", "1763650100.000100"), "application/json");
    const explained = await slack.waitFor(reportIn("C0THREAD", again, "1763650100.000100"));
    expect(blocksText(explained)).toMatch(EXPLAINED);
    expect(blocksText(explained)).toMatch(/namespace shop/);
    expect(model.requests.length).toBe(asked + 1);
    expect(String(model.requests.at(-1)!.body.input)).toMatch(/"namespace":"shop"/);
  });

  it("an explanation that invents a pod is not shown; the reply is the same deterministic answer, with a note", async () => {
    model.answer = { text: "The pod checkout-7f9c8d6b5-zz9zz is crash-looping since 09:12 and is the cause." };
    const since = Date.now();
    await send(service, command("explain dns failures in namespace shop", "C0BAD"), form);
    const post = await slack.waitFor(reportIn("C0BAD", since));
    expect(blocksText(post)).not.toMatch(/Written by the model|crash-looping/);
    expect(blocksText(post)).toMatch(/The model.s explanation was dropped: it stated .*checkout-7f9c8d6b5-zz9zz/);
    expect(String(post.args.text)).toMatch(/shop\/checkout gets SERVFAIL for api\.partner\.example\.com\./);
  });

  it("Teams: \"explain …\" puts the explanation in the card, in a box of its own above the findings", async () => {
    model.answer = faithfulModel;
    const a = {
      type: "message", id: "1763650999001", timestamp: new Date().toISOString(), serviceUrl: connector.serviceUrl, channelId: "msteams",
      from: { id: "29:oncall", name: "On Call" }, conversation: { isGroup: true, conversationType: "channel", tenantId: "t1", id: "19:incident@thread.tacv2;messageid=1763650999001" },
      recipient: { id: BOT, name: "netrca" }, text: "<at>netrca</at> explain the dns failures in namespace shop",
      entities: [{ type: "mention", text: "<at>netrca</at>", mentioned: { id: BOT, name: "netrca" } }],
      channelData: { teamsChannelId: "19:incident@thread.tacv2", channel: { id: "19:incident@thread.tacv2" }, tenant: { id: "t1" } },
    };
    const res = await fetch(`http://127.0.0.1:${service.port}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(a) });
    expect(res.status).toBe(200);
    const reply = await connector.waitFor(() => connector.calls.find((c: ConnectorCall) => c.path.endsWith(`/activities/${a.id}`) && c.body.type === "message"));
    const card = (reply.body.attachments as { content: { body: { type: string; style?: string; items?: { text: string }[]; text?: string }[] } }[])[0]!.content;
    const box = card.body.findIndex((e) => e.type === "Container" && e.style === "emphasis" && /Written by the model gpt-4\.1-mini/.test(e.items?.[0]?.text ?? ""));
    expect(box).toBeGreaterThan(0);
    expect(card.body[box]!.items![1]!.text).toMatch(/Finding 1 is the likely cause/);
    const findings = card.body.findIndex((e) => e.type === "TextBlock" && /^Findings?$/.test(e.text ?? ""));
    expect(box).toBeLessThan(findings);
  });
});

describe("explanations on for every reply (NETRCA_EXPLAIN=on), alert summaries included", () => {
  let service: Service;
  const logs: string[] = [];
  beforeAll(async () => {
    service = await start(true, logs, { alerts: { token: ALERT_TOKEN, slackChannel: "C0ALERT" } });
  }, 60_000);
  afterAll(() => service?.stop());

  it("a plain question is explained", async () => {
    model.answer = faithfulModel;
    const since = Date.now();
    await send(service, command("why is dns failing in namespace shop?", "C0ON"), form);
    expect(blocksText(await slack.waitFor(reportIn("C0ON", since)))).toMatch(EXPLAINED);
  });

  it("the alert's summary in the incident channel carries the explanation", async () => {
    model.answer = faithfulModel;
    const since = Date.now();
    const body = {
      version: "4", groupKey: "{}:{alertname=\"KubeDNSErrorsHigh\"}", status: "firing", receiver: "netrca",
      groupLabels: { alertname: "KubeDNSErrorsHigh" }, commonLabels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "critical" }, commonAnnotations: {},
      alerts: [{ status: "firing", labels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "critical" }, annotations: {}, startsAt: "2026-11-20T14:33:00Z", endsAt: "0001-01-01T00:00:00Z", fingerprint: "e1" }],
    };
    const res = await fetch(`http://127.0.0.1:${service.port}/alerts/alertmanager`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    const parent = await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0ALERT" && !c.args.thread_ts));
    expect(blocksText(parent)).toMatch(/FIRING/);
    expect(blocksText(parent)).toMatch(EXPLAINED);
    expect(blocksText(parent)).toMatch(/Finding 1 is the likely cause/);
  }, 30_000);

  it("with no model configured, serve warns once at start and every reply says how to configure one", async () => {
    const warned: string[] = [];
    const s = await startService({
      config: { port: 0, slack: { signingSecret: SECRET, botToken: "xoxb-test", apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state-none") },
      flows: [flows], now: new Date(sim.to), log: (l) => warned.push(l), explain: { always: true, llm: null },
    });
    try {
      expect(warned.filter((l) => /explanations are on, but no model is configured: set OPENAI_API_KEY/.test(l))).toHaveLength(1);
      const since = Date.now();
      await send(s, command("why is dns failing in namespace shop?", "C0NONE"), form);
      const post = await slack.waitFor(reportIn("C0NONE", since));
      expect(blocksText(post)).toMatch(/No explanation: no model is configured \(set OPENAI_API_KEY/);
      expect(String(post.args.text)).toMatch(/shop\/checkout gets SERVFAIL/);
    } finally {
      await s.stop();
    }
  });
});
