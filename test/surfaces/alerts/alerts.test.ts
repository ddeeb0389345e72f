// Alert webhooks end to end through `serve`: the real HTTP server, the real @slack/web-api
// client posting to a fake of Slack's Web API on loopback, and the alert state on disk.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../../src/surfaces/service.js";
import { FakeSlack, type SlackCall } from "../../support/fake-slack.js";
import { freePort } from "../../support/prometheus.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();
const TOKEN = "alert-token-0123456789abcdef";
const sim = simulate("dns-servfail");
const flows = join(dir, "dns-servfail.jsonl");
const configFile = join(dir, "netrca.yaml");
writeFileSync(configFile, "alerts:\n  routes:\n    - match: { namespace: shop, team: x }\n      slack: C0RATE\n    - match: { namespace: shop }\n      slack: C0SHOP\n  default: { slack: C0INC }\n  minSeverity: warning\n  ignore:\n    - match: { alertname: Watchdog }\n");

const firing = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: "4", groupKey: '{}:{alertname="KubeDNSErrorsHigh", namespace="shop"}', status: "firing", receiver: "netrca",
  groupLabels: { alertname: "KubeDNSErrorsHigh", namespace: "shop" }, commonLabels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "critical" },
  commonAnnotations: { summary: "DNS lookups from shop fail" }, externalURL: "http://alertmanager:9093",
  alerts: [{ status: "firing", labels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "critical" }, annotations: { summary: "DNS lookups from shop fail" }, startsAt: "2026-11-20T14:33:00Z", endsAt: "0001-01-01T00:00:00Z", generatorURL: "http://prometheus:9090/graph?g0.expr=x", fingerprint: "a1b2c3d4e5f60718" }],
  ...over,
});
const resolved = () => {
  const b = firing({ status: "resolved" });
  b.alerts = (b.alerts as Record<string, unknown>[]).map((a) => ({ ...a, status: "resolved", endsAt: "2026-11-20T14:56:00Z" }));
  return b;
};
const text = (c: SlackCall) => JSON.stringify(c.args);
beforeAll(() => writeSimulation(sim, flows), 60_000);

describe("alert webhooks in serve", () => {
  let slack: FakeSlack;
  let service: Service;
  let base: string;
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    service = await startService({
      config: {
        port: 0, slack: { signingSecret: "8f742231b10e8888abcd99yyyzzz85a5", botToken: "xoxb-test", apiUrl: slack.apiUrl },
        teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state"),
        alerts: { token: TOKEN }, configFile,
      },
      flows: [flows],
      now: new Date(sim.to),
    });
    base = `http://127.0.0.1:${service.port}`;
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await slack?.close();
  });

  it("refuses a missing or wrong token (401) and a bad body (400), posting nothing", async () => {
    expect((await post("/alerts/alertmanager", firing(), {})).status).toBe(401);
    expect((await post("/alerts/alertmanager", firing(), { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post(`/alerts/azure-monitor?token=nope`, {}, {})).status).toBe(401);
    const notJson = await post("/alerts/alertmanager", "{nope");
    expect([notJson.status, ((await notJson.json()) as { error: string }).error]).toEqual([400, "the body is not JSON"]);
    const shape = await post("/alerts/alertmanager", { status: "firing", alerts: [{ labels: {} }] });
    expect([shape.status, ((await shape.json()) as { error: string }).error]).toEqual([400, "alerts[0].startsAt: expected string, received undefined"]);
    await service.alerts!.idle();
    expect(slack.calls.filter((c) => c.method.startsWith("chat."))).toEqual([]);
  });

  it("a firing group: 202 within a second, then one parent in the routed channel naming the cause, chart and queries in its thread", async () => {
    const t0 = performance.now();
    const res = await post("/alerts/alertmanager", firing());
    expect(res.status).toBe(202);
    expect(performance.now() - t0).toBeLessThan(1000);
    await service.alerts!.idle();
    const parents = slack.posts().filter((c) => !c.args.thread_ts);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    expect(parent.args.channel).toBe("C0SHOP");
    expect(text(parent)).toMatch(/FIRING.*KubeDNSErrorsHigh/);
    expect(text(parent)).toMatch(/shop\/checkout.*SERVFAIL|SERVFAIL.*shop\/checkout/);
    // The window runs from a quarter hour before the alert began to now (the service's clock).
    expect(text(parent)).toMatch(/2026-11-20 14:18–15:00 UTC/);
    const thread = slack.posts().filter((c) => c.args.thread_ts);
    expect(thread.length).toBeGreaterThan(0);
    expect(thread.every((c) => c.args.channel === "C0SHOP")).toBe(true);
    expect(slack.uploads.length).toBeGreaterThan(0);
    // Slack's one message a second per channel.
    const times = slack.calls.filter((c) => c.args.channel === "C0SHOP" || c.args.channel_id === "C0SHOP").map((c) => c.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it("Alertmanager's repeat of the same group posts nothing", async () => {
    const before = slack.calls.length;
    expect((await post("/alerts/alertmanager", firing())).status).toBe(202);
    await service.alerts!.idle();
    expect(slack.calls.slice(before).map((c) => c.method)).toEqual([]);
  }, 60_000);

  it("the resolve edits the parent and replies in its thread", async () => {
    const parent = slack.posts().find((c) => !c.args.thread_ts)!;
    // The fake numbers its messages in order: the parent was the first.
    const parentTs = `${1_763_650_000 + slack.posts().indexOf(parent)}.000100`;
    expect((await post("/alerts/alertmanager", resolved())).status).toBe(202);
    await service.alerts!.idle();
    const update = slack.calls.find((c) => c.method === "chat.update");
    expect(update?.args).toMatchObject({ channel: "C0SHOP", ts: parentTs });
    expect(text(update!)).toMatch(/RESOLVED.*KubeDNSErrorsHigh.*14:33.14:56/);
    const last = slack.posts().at(-1)!;
    expect(last.args).toMatchObject({ channel: "C0SHOP", thread_ts: parentTs });
    expect(text(last)).toMatch(/Resolved\* at 14:56 UTC after 23 min/);
    expect(parent.args.channel).toBe("C0SHOP");
  }, 60_000);

  it("firing again after the resolve (flapping) reuses the thread", async () => {
    const before = slack.posts().length;
    expect((await post("/alerts/alertmanager", firing())).status).toBe(202);
    await service.alerts!.idle();
    const fresh = slack.posts().slice(before);
    expect(fresh.length).toBeGreaterThan(0);
    const parentTs = `${1_763_650_000 + slack.posts().findIndex((c) => !c.args.thread_ts)}.000100`;
    expect(fresh.every((c) => c.args.thread_ts === parentTs), JSON.stringify(fresh.map((c) => c.args.thread_ts))).toBe(true);
    expect(text(fresh[0]!)).toMatch(/Firing again/);
  }, 60_000);

  it("an Azure Monitor managed-Prometheus alert is summarised the same way, the default route when no label matches", async () => {
    const before = slack.posts().length;
    const body = {
      schemaId: "azureMonitorCommonAlertSchema",
      data: {
        essentials: { alertId: "/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/7f1e", alertRule: "CoreDNSServfail", severity: "Sev1", signalType: "Metric", monitorCondition: "Fired", monitoringService: "Prometheus", firedDateTime: "2026-11-20T14:35:00Z" },
        alertContext: { expression: "sum(rate(hubble_dns_responses_total[5m])) > 1", labels: { alertname: "CoreDNSServfail", cluster: "aks-prod-weu" }, annotations: { summary: "CoreDNS answers SERVFAIL" } },
      },
    };
    expect((await post(`/alerts/azure-monitor?token=${TOKEN}`, body, {})).status).toBe(202);
    await service.alerts!.idle();
    const parent = slack.posts().slice(before).find((c) => !c.args.thread_ts)!;
    expect(parent.args.channel).toBe("C0INC");
    expect(text(parent)).toMatch(/FIRING.*CoreDNSServfail/);
    expect(text(parent)).toMatch(/SERVFAIL/);
  }, 60_000);

  it("an Azure log-search alert (common schema) is summarised the same way, scoped by its dimensions", async () => {
    const before = slack.posts().length;
    const body = {
      schemaId: "azureMonitorCommonAlertSchema",
      data: {
        essentials: { alertId: "/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/lsa1", alertRule: "DNS SERVFAIL in flow logs", severity: "Sev2", signalType: "Log", monitorCondition: "Fired", monitoringService: "Log Alerts V2", firedDateTime: "2026-11-20T14:36:00Z" },
        alertContext: {
          conditionType: "LogQueryCriteria",
          condition: { windowSize: "PT10M", windowStartTime: "2026-11-20T14:26:00Z", windowEndTime: "2026-11-20T14:36:00Z", allOf: [{ searchQuery: "ContainerNetworkLogs | where Layer7 has 'SERVFAIL'", dimensions: [{ name: "SourceNamespace", value: "shop" }], metricValue: 12, linkToFilteredSearchResultsUI: "https://portal.azure.com/#blade/x" }] },
        },
      },
    };
    expect((await post(`/alerts/azure-monitor?token=${TOKEN}`, body, {})).status).toBe(202);
    await service.alerts!.idle();
    const parent = slack.posts().slice(before).find((c) => !c.args.thread_ts)!;
    expect(parent.args.channel).toBe("C0INC");
    expect(text(parent)).toMatch(/FIRING.*DNS SERVFAIL in flow logs.*\(Sev2\)/);
    expect(text(parent)).toMatch(/shop\/checkout gets SERVFAIL/);
    expect(text(parent)).toMatch(/Open in the Azure portal/);
  }, 60_000);

  it("Slack's 429 is waited out (Retry-After) and the post still lands, once", async () => {
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 3 });
    const before = slack.posts().length;
    const body = firing({ groupKey: "rate-limited", commonLabels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", team: "x" }, alerts: [{ labels: { alertname: "KubeDNSErrorsHigh", namespace: "shop" }, startsAt: "2026-11-20T14:34:00Z", fingerprint: "rl1" }] });
    expect((await post("/alerts/alertmanager", body)).status).toBe(202);
    await service.alerts!.idle();
    const failed = slack.calls.filter((c) => c.method === "chat.postMessage!failed");
    expect(failed).toHaveLength(1);
    const parents = slack.posts().slice(before).filter((c) => !c.args.thread_ts);
    expect(parents).toHaveLength(1);
    // Three seconds, as Slack said (its own backoff would have tried again after one).
    expect(parents[0]!.at - failed[0]!.at).toBeGreaterThanOrEqual(3000);
  }, 60_000);

  it("an ignored alert is recorded and not investigated", async () => {
    const before = slack.calls.length;
    const body = firing({ groupKey: "{}:{alertname=\"Watchdog\"}", commonLabels: { alertname: "Watchdog" }, alerts: [{ labels: { alertname: "Watchdog" }, startsAt: "2026-11-20T14:00:00Z" }] });
    expect((await post("/alerts/alertmanager", body)).status).toBe(202);
    await service.alerts!.idle();
    expect(slack.calls.length).toBe(before);
    // Below minSeverity (warning): recorded, not investigated.
    const info = firing({ groupKey: "info-group", commonLabels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "info" }, alerts: [{ labels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "info" }, startsAt: "2026-11-20T14:00:00Z", fingerprint: "i1" }] });
    const received = (await service.alerts!.stats()).received;
    expect((await post("/alerts/alertmanager", info)).status).toBe(202);
    await service.alerts!.idle();
    expect(slack.calls.length).toBe(before);
    expect((await service.alerts!.stats()).received).toBe(received + 1);
  }, 60_000);
});

describe("a firing alert the checks cannot explain", () => {
  it("is never presented as an all-clear", async () => {
    const healthy = join(dir, "healthy.jsonl");
    const h = simulate("healthy");
    await writeSimulation(h, healthy);
    const slack = await new FakeSlack().start();
    const s = await startService({
      config: { port: 0, slack: { signingSecret: "8f742231b10e8888abcd99yyyzzz85a5", botToken: "xoxb-test", apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state-healthy"), alerts: { token: TOKEN, slackChannel: "C0INC" } },
      flows: [healthy], now: new Date(h.to),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${s.port}/alerts/alertmanager`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(firing()) });
      expect(res.status).toBe(202);
      await s.alerts!.idle();
      const parent = slack.posts().find((c) => !c.args.thread_ts)!;
      expect(String(parent.args.text)).toMatch(/^FIRING KubeDNSErrorsHigh: KubeDNSErrorsHigh is firing, but netrca's network checks found no cause in this window: it is not an all-clear\./);
    } finally {
      await s.stop();
      await slack.close();
    }
  }, 60_000);
});

describe("alert webhooks off", () => {
  it("404 and a sentence when NETRCA_ALERT_TOKEN is not set", async () => {
    const s = await startService({ config: { port: 0, teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state-off") }, flows: [flows], now: new Date(sim.to) });
    try {
      const r = await fetch(`http://127.0.0.1:${s.port}/alerts/alertmanager`, { method: "POST", body: "{}" });
      expect([r.status, ((await r.json()) as { error: string }).error]).toEqual([404, "alert webhooks are off (set NETRCA_ALERT_TOKEN)"]);
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe("never lost", () => {
  it("accepted while Slack is down, netrca killed with SIGKILL, restarted on the same state: posted once", async () => {
    const slackPort = await freePort();
    const port = await freePort();
    const state = join(dir, "state-durable");
    const bin = join(import.meta.dirname, "../../../bin/netrca.js");
    const env = {
      ...process.env, PORT: String(port), HOST: "127.0.0.1", NETRCA_STATE_DIR: state, NETRCA_ALERT_TOKEN: TOKEN, NETRCA_ALERT_SLACK_CHANNEL: "C0INC",
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5", SLACK_BOT_TOKEN: "xoxb-test", SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
    };
    const start = () => new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, "serve", "--flows", flows, "--now", sim.to], { env, stdio: ["ignore", "ignore", "pipe"] });
      let log = "";
      child.stderr!.on("data", (c: Buffer) => {
        log += c.toString();
        if (/listening on/.test(log)) resolve(child);
      });
      child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${log}`)));
    });
    const first = await start();
    let slack: FakeSlack | undefined;
    let second: ChildProcess | undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/alerts/alertmanager`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(firing({ commonLabels: { alertname: "KubeDNSErrorsHigh" } })) });
      expect(res.status).toBe(202);
      // Let it investigate and fail to post at least once, then kill it mid-retry.
      await new Promise((r) => setTimeout(r, 3000));
      first.kill("SIGKILL");
      await new Promise((r) => first.once("exit", r));
      slack = await new FakeSlack().start(slackPort);
      second = await start();
      await slack.waitFor(() => slack!.posts().some((c) => !c.args.thread_ts), 30_000);
      await new Promise((r) => setTimeout(r, 4000));
      const parents = slack.posts().filter((c) => !c.args.thread_ts);
      expect(parents).toHaveLength(1);
      expect(parents[0]!.args.channel).toBe("C0INC");
      expect(text(parents[0]!)).toMatch(/SERVFAIL/);
    } finally {
      first.kill("SIGKILL");
      second?.kill("SIGTERM");
      if (second) await new Promise((r) => (second!.exitCode !== null ? r(null) : second!.once("exit", r)));
      await slack?.close();
    }
  }, 90_000);
});

describe("alert summaries into a Teams channel", () => {
  it("posts an Adaptive Card into the channel the bot has seen, replies in its thread and edits it on resolve; an unseen channel is said, not guessed", async () => {
    const { FakeConnector } = await import("../../support/fake-connector.js");
    const connector = await new FakeConnector().start();
    const config = join(dir, "teams.yaml");
    writeFileSync(config, 'alerts:\n  routes:\n    - match: { namespace: pets }\n      teams: "19:unseen@thread.tacv2"\n  default: { teams: "19:incident@thread.tacv2" }\n');
    const s = await startService({
      config: { port: 0, teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state-teams"), alerts: { token: TOKEN }, configFile: config },
      flows: [flows], now: new Date(sim.to),
    });
    try {
      const url = `http://127.0.0.1:${s.port}`;
      // The bot is @mentioned once in the channel: Teams' activity carries the serviceUrl to post to.
      const mention = {
        type: "message", id: "1763650000001", timestamp: new Date().toISOString(), serviceUrl: connector.serviceUrl, channelId: "msteams",
        from: { id: "29:oncall", name: "On Call" }, recipient: { id: "28:bot", name: "netrca" }, text: "<at>netrca</at> help",
        conversation: { isGroup: true, conversationType: "channel", tenantId: "t1", id: "19:incident@thread.tacv2;messageid=1763650000001" },
        entities: [{ type: "mention", text: "<at>netrca</at>", mentioned: { id: "28:bot", name: "netrca" } }],
        channelData: { teamsChannelId: "19:incident@thread.tacv2", channel: { id: "19:incident@thread.tacv2" }, tenant: { id: "t1" } },
      };
      expect((await fetch(`${url}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(mention) })).status).toBe(200);
      await connector.waitFor(() => connector.calls.length > 0);
      const before = connector.calls.length;
      const send = (body: unknown) => fetch(`${url}/alerts/alertmanager`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
      expect((await send(firing())).status).toBe(202);
      await s.alerts!.idle();
      // A new post in the channel: a conversation of its own (POST /v3/conversations with the channel).
      const post = connector.calls.slice(before).find((c) => c.method === "POST" && c.path === "/v3/conversations");
      expect(post, JSON.stringify(connector.calls.slice(before).map((c) => `${c.method} ${c.path}`))).toBeTruthy();
      expect(post!.body.channelData).toMatchObject({ channel: { id: "19:incident@thread.tacv2" } });
      const card = ((post!.body.activity as Record<string, unknown>).attachments as { contentType: string; content: { body: { text?: string }[] } }[])[0]!;
      expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(JSON.stringify(card.content.body)).toMatch(/FIRING.*KubeDNSErrorsHigh/);
      expect(JSON.stringify(card.content.body)).toMatch(/SERVFAIL/);
      // The fake answers the post with its id; the resolve edits that post and replies in its thread.
      const postId = `post-${connector.calls.indexOf(post!) + 1}`;
      expect((await send(resolved())).status).toBe(202);
      await s.alerts!.idle();
      const thread = `19:incident@thread.tacv2;messageid=${postId}`;
      const edit = connector.calls.find((c) => c.method === "PUT" && c.path === `/v3/conversations/${thread}/activities/${postId}`);
      expect(edit, JSON.stringify(connector.calls.map((c) => `${c.method} ${c.path}`))).toBeTruthy();
      expect(JSON.stringify(edit!.body)).toMatch(/RESOLVED.*KubeDNSErrorsHigh/);
      expect(connector.calls.some((c) => c.method === "POST" && c.path === `/v3/conversations/${thread}/activities` && /Resolved at 14:56 UTC after 23 min/.test(JSON.stringify(c.body)))).toBe(true);
      // A channel the bot was never added to: nothing is posted anywhere, and the reason is kept.
      const calls = connector.calls.length;
      const pets = firing({ groupKey: "pets-group", commonLabels: { alertname: "KubeDNSErrorsHigh", namespace: "pets" }, alerts: [{ labels: { alertname: "KubeDNSErrorsHigh", namespace: "pets" }, startsAt: "2026-11-20T14:40:00Z", fingerprint: "p1" }] });
      expect((await send(pets)).status).toBe(202);
      await s.alerts!.idle();
      expect(connector.calls.length).toBe(calls);
      expect((await s.alerts!.stats()).failedPosts).toBeGreaterThan(0);
    } finally {
      await s.stop();
      await connector.close();
    }
  }, 90_000);
});
