// Socket Mode end to end: Bolt's SocketModeReceiver dials a local fake of Slack (apps.connections.open
// on the fake Web API, then a WebSocket), gets a slash command and a mention as envelopes, and acks them.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../../src/surfaces/service.js";
import { FakeSlack } from "../../support/fake-slack.js";
import { tempDir } from "../../support/tmp.js";

const APP_TOKEN = "xapp-1-A1-123-socketmodetoken";
const dir = tempDir();
let slack: FakeSlack;
let service: Service;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  await slack.startSocketMode(APP_TOKEN);
  const flows = join(dir, "demo.jsonl");
  await writeSimulation(simulate("demo"), flows);
  service = await startService({ config: { port: 0, slack: { signingSecret: "", botToken: "xoxb-test", appToken: APP_TOKEN, apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state") }, flows: [flows], log: () => {} });
  await slack.waitFor(() => slack.socket!.peers.size > 0);
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await slack?.close();
});

describe("Slack over Socket Mode", () => {
  it("opens the connection with the app-level token, and /healthz says so", async () => {
    expect(slack.calls.some((c) => c.method === "apps.connections.open")).toBe(true);
    const h = (await (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json()) as { slack: string };
    expect(h.slack).toMatch(/^socket mode/);
    // Over Socket Mode there is no request URL to serve.
    expect((await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST" })).status).toBe(404);
  });

  it("a slash command envelope is acked with what was understood, then the report is posted", async () => {
    const since = Date.now();
    const ack = await slack.envelope("slash_commands", {
      token: "x", team_id: "T1", channel_id: "C0SOCK", channel_name: "incident", user_id: "U1", user_name: "oncall",
      command: "/netrca", text: "why is dns failing in namespace shop?", api_app_id: "A1", trigger_id: "1", response_url: slack.responseUrl("sock"),
    }, "env-slash-1");
    expect(ack).toMatchObject({ envelope_id: "env-slash-1", payload: { response_type: "ephemeral", text: expect.stringMatching(/DNS.*shop/) } });
    const post = await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0SOCK" && !c.args.thread_ts));
    expect(String(post.args.text)).toMatch(/shop\/checkout gets SERVFAIL for api\.partner\.example\.com\./);
  });

  it("a mention envelope is acked and answered in its thread, once even when Slack sends it again", async () => {
    const since = Date.now();
    const event = {
      token: "x", team_id: "T1", api_app_id: "A1", type: "event_callback", event_id: "EvSOCK1", event_time: 1763650000,
      authorizations: [{ team_id: "T1", user_id: "UBOT", is_bot: true }],
      event: { type: "app_mention", user: "U1", text: "<@UBOT> what's wrong in namespace pets?", ts: "1763650300.000100", channel: "C0SOCK2", event_ts: "1763650300.000100" },
    };
    expect(await slack.envelope("events_api", event, "env-ev-1")).toMatchObject({ envelope_id: "env-ev-1" });
    const reply = await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0SOCK2" && c.args.thread_ts === "1763650300.000100"));
    expect(JSON.stringify(reply.args.blocks)).toMatch(/pets\/rabbitmq-0|pets\/product-service/);
    // The same event again (a retry): acked, not answered twice.
    expect(await slack.envelope("events_api", event, "env-ev-2")).toMatchObject({ envelope_id: "env-ev-2" });
    await new Promise((r) => setTimeout(r, 1500));
    const reports = slack.posts().filter((c) => c.at >= since && c.args.channel === "C0SOCK2" && c.args.thread_ts === "1763650300.000100" && Array.isArray(c.args.blocks) && JSON.stringify(c.args.blocks).includes("netrca · "));
    expect(reports).toHaveLength(1);
  });
});
