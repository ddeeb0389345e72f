import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../../src/analyze/index.js";
import { investigate, understand } from "../../../src/investigate/index.js";
import { HELP } from "../../../src/investigate/help.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../../src/playbooks/index.js";
import { FlowStore } from "../../../src/sources/embedded/index.js";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { startServer } from "../../../src/surfaces/http/server.js";
import { startService, type Service } from "../../../src/surfaces/service.js";
import { createSlackSurface } from "../../../src/surfaces/slack/app.js";
import { FakeSlack, slackSignature, type SlackCall } from "../../support/fake-slack.js";
import { tempDir } from "../../support/tmp.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const dir = tempDir();
let slack: FakeSlack;
let service: Service;
let file: string;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  file = join(dir, "demo.jsonl");
  await writeSimulation(simulate("demo"), file);
  service = await startService({ config: { port: 0, slack: { signingSecret: SECRET, botToken: "xoxb-test", apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state") }, flows: [file] });
});
afterAll(async () => {
  await service?.stop();
  await slack?.close();
});

const url = () => `http://127.0.0.1:${service.port}/slack/events`;

function command(text: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: "x", team_id: "T1", team_domain: "acme", channel_id: "C1", channel_name: "incident-42", user_id: "U1", user_name: "oncall",
    command: "/netrca", text, api_app_id: "A1", trigger_id: "1.2.3", response_url: slack.responseUrl("r1"), ...extra,
  }).toString();
}

async function send(body: string, type: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url(), { method: "POST", headers: { "content-type": type, ...slackSignature(SECRET, body), ...headers }, body });
  return { status: res.status, body: await res.text(), ms: performance.now() - t0 };
}
const form = "application/x-www-form-urlencoded";

function mention(text: string, ts: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    token: "x", team_id: "T1", api_app_id: "A1", type: "event_callback", event_id: `Ev${ts.replace(".", "")}`, event_time: 1763650000,
    authorizations: [{ team_id: "T1", user_id: "UBOT", is_bot: true }],
    event: { type: "app_mention", user: "U1", text: `<@UBOT> ${text}`, ts, channel: "C2", event_ts: ts, ...extra },
  });
}

const after = (since: number) => (c: SlackCall) => c.at >= since;
const reportTo = (channel: string, since: number) => slack.posts().find((c) => after(since)(c) && c.args.channel === channel && Array.isArray(c.args.attachments));

describe("/netrca slash command", () => {
  it("acks at once with what it understood, then posts the report with a table and uploads the chart into its thread", async () => {
    const since = Date.now();
    const r = await send(command("why is dns failing in namespace shop?"), form);
    console.log(`slash command ack: ${r.ms.toFixed(0)} ms`);
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(JSON.parse(r.body)).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/DNS.*shop.*14:00–15:00 UTC/) });

    const post = await slack.waitFor(() => reportTo("C1", since));
    const table = (post.args.attachments as { blocks: { type: string; rows: { text: string }[][] }[] }[])[0]!.blocks[0]!;
    expect(table.type).toBe("table");
    expect(table.rows[0]!.map((c) => c.text)).toContain("dnsRcode");
    expect(table.rows[1]!.map((c) => c.text)).toContain("SERVFAIL");
    expect(String(post.args.text)).toMatch(/shop\/checkout gets SERVFAIL for api\.partner\.example\.com\./);
    expect((post.args.blocks as unknown[]).length).toBeLessThanOrEqual(50);

    const done = await slack.waitFor(() => slack.calls.find((c) => c.method === "files.completeUploadExternal" && after(since)(c)));
    expect(done.args).toMatchObject({ channel_id: "C1" });
    expect(slack.uploads.at(-1)!.bytes.subarray(1, 4).toString()).toBe("PNG");
    // The chart and the KQL go into the report's thread.
    const threadTs = await slack.waitFor(() => slack.posts().find((c) => after(since)(c) && c.args.channel === "C1" && c.args.thread_ts)?.args.thread_ts);
    expect(done.args.thread_ts).toBe(threadTs);
    const kql = await slack.waitFor(() => slack.posts().find((c) => after(since)(c) && c.args.thread_ts === threadTs && JSON.stringify(c.args.blocks ?? "").includes("union isfuzzy=true")));
    expect(kql).toBeTruthy();
  });

  it("answers help and an empty command with usage", async () => {
    for (const text of ["", "help"]) {
      const r = await send(command(text), form);
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/why is dns failing/);
    }
  });

  it("falls back to response_url where the bot is not in the channel", async () => {
    const since = Date.now();
    slack.failNext("chat.postMessage", { error: "not_in_channel" });
    await send(command("show packet drops in namespace default", { channel_id: "C9", response_url: slack.responseUrl("r9") }), form);
    const answered = await slack.waitFor(() => slack.responses.find((r) => r.path.endsWith("/r9")));
    expect(answered.body).toMatchObject({ response_type: "in_channel" });
    expect(JSON.stringify(answered.body)).toMatch(/kapinger-bad/);
    expect(slack.calls.some((c) => c.method === "chat.postMessage!failed" && c.at >= since)).toBe(true);
  });

  it("honours a 429 Retry-After and still posts", async () => {
    const since = Date.now();
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    await send(command("http 403 errors in namespace pets", { channel_id: "C5" }), form);
    const post = await slack.waitFor(() => reportTo("C5", since));
    const limited = slack.calls.find((c) => c.method === "chat.postMessage!failed" && c.at >= since)!;
    expect(post.at - limited.at).toBeGreaterThanOrEqual(1000);
  });
});

describe("request checks", () => {
  it("refuses a forged signature and a stale timestamp, and answers neither", async () => {
    const body = command("why is dns failing in namespace shop?", { channel_id: "C3" });
    const forged = await fetch(url(), { method: "POST", headers: { "content-type": form, ...slackSignature("not-the-secret", body) }, body });
    expect(forged.status).toBe(401);
    const stale = await fetch(url(), { method: "POST", headers: { "content-type": form, ...slackSignature(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60) }, body });
    expect(stale.status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.calls.filter((c) => c.args.channel === "C3" || c.args.channel_id === "C3")).toEqual([]);
  });

  it("answers GET /healthz with what it serves", async () => {
    const h = (await (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({ ok: true, source: "embedded", slack: "ok", rows: expect.any(Number), waiting: 0 });
  });
});

describe("@mentions", () => {
  it("answers in the mention's thread, once, even when Slack retries the event", async () => {
    const since = Date.now();
    const body = mention("what's wrong in namespace pets?", "1763650100.000200");
    expect((await send(body, "application/json")).status).toBe(200);
    const reply = await slack.waitFor(() => reportTo("C2", since));
    expect(reply.args.thread_ts).toBe("1763650100.000200");
    expect((await send(body, "application/json", { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.posts().filter((c) => after(since)(c) && c.args.channel === "C2" && Array.isArray(c.args.attachments))).toHaveLength(1);
  });

  it("a follow-up in the thread keeps the scope it does not change", async () => {
    const since = Date.now();
    await send(mention("and over the last 30 minutes?", "1763650200.000300", { thread_ts: "1763650100.000200" }), "application/json");
    const reply = await slack.waitFor(() => reportTo("C2", since));
    expect(reply.args.thread_ts).toBe("1763650100.000200");
    const text = JSON.stringify(reply.args.blocks);
    expect(text).toMatch(/pets/);
    expect(text).toMatch(/14:30–15:00 UTC/);
  });

  it("a second follow-up keeps the window the first one set, and takes the new namespace", async () => {
    const since = Date.now();
    await send(mention("what about shop?", "1763650250.000350", { thread_ts: "1763650100.000200" }), "application/json");
    const reply = await slack.waitFor(() => reportTo("C2", since));
    expect(reply.args.thread_ts).toBe("1763650100.000200");
    const text = JSON.stringify(reply.args.blocks);
    expect(text).toMatch(/namespace shop/);
    expect(text).not.toMatch(/namespace pets/);
    expect(text).toMatch(/14:30–15:00 UTC/);
  });

  it("ignores other bots", async () => {
    const since = Date.now();
    await send(mention("what's wrong in namespace pets?", "1763650300.000400", { bot_id: "B0OTHER" }), "application/json");
    await new Promise((r) => setTimeout(r, 1000));
    expect(slack.posts().filter((c) => after(since)(c) && c.args.thread_ts === "1763650300.000400")).toEqual([]);
  });
});

describe("a backend failure", () => {
  it("still gets a reply in the channel that says what failed", async () => {
    const store = await FlowStore.open();
    await store.ingest([file]);
    const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
    const ctx = { source: store, playbooks };
    const surface = createSlackSurface({ signingSecret: SECRET, botToken: "xoxb-test", apiUrl: slack.apiUrl }, {
      // The question is understood; then the store goes away under it, as a crashed backend would.
      understand: async (t) => {
        const q = await understand(t, ctx);
        store.close();
        return q;
      },
      investigate: (q) => investigate(q, ctx),
      help: HELP,
    });
    const server = await startServer(0, "127.0.0.1", { health: async () => ({}), slack: surface.requestListener! });
    const port = (server.address() as { port: number }).port;
    try {
      const since = Date.now();
      const body = command("show packet drops in namespace default", { channel_id: "C7" });
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST", headers: { "content-type": form, ...slackSignature(SECRET, body) }, body });
      expect(res.status).toBe(200);
      const post = await slack.waitFor(() => slack.posts().find((c) => after(since)(c) && c.args.channel === "C7"));
      expect(String(post.args.text)).toMatch(/fail|could not/i);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
