import { createServer } from "node:net";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../src/surfaces/service.js";
import { FakeSlack, slackSignature } from "../support/fake-slack.js";
import { tempDir } from "../support/tmp.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const dir = tempDir();
let demo: string;
beforeAll(async () => {
  demo = join(dir, "demo.jsonl");
  await writeSimulation(simulate("demo"), demo);
});

const config = (slackApi: string) => ({
  port: 0, slack: { signingSecret: SECRET, botToken: "xoxb-test", apiUrl: slackApi },
  teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state"),
});
function command(text: string, channel: string, responseUrl: string): string {
  return new URLSearchParams({
    token: "x", team_id: "T1", team_domain: "acme", channel_id: channel, channel_name: channel, user_id: "U1", user_name: "oncall",
    command: "/netrca", text, api_app_id: "A1", trigger_id: `1.2.${channel}`, response_url: responseUrl,
  }).toString();
}
async function send(port: number, body: string, headers = slackSignature(SECRET, body)) {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });
  return { status: res.status, text: await res.text(), ms: performance.now() - t0 };
}
const health = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("boot without Slack", () => {
  it("keeps serving when Slack's Web API cannot be reached, and says so on /healthz", { timeout: 40_000 }, async () => {
    const port = await closedPort();
    const service = await startService({ config: config(`http://127.0.0.1:${port}/api/`), flows: [demo] });
    try {
      await new Promise((r) => setTimeout(r, 15_000));
      const h = await health(service.port);
      expect(h.status).toBe(200);
      expect(String(h.body.slack)).toMatch(/^auth\.test failed \(.*\); retrying$/);
    } finally {
      await service.stop();
    }
  });
});

describe("a running service", () => {
  let slack: FakeSlack;
  let service: Service;
  beforeAll(async () => {
    slack = await new FakeSlack().start();
    service = await startService({ config: config(slack.apiUrl), flows: [demo] });
  });
  afterAll(async () => {
    await service?.stop();
    await slack?.close();
  });

  it("listens on 127.0.0.1 only while Teams authentication is off", async () => {
    const res = await fetch(`http://127.0.0.1:${service.port}/healthz`);
    expect(res.status).toBe(200);
    // The address the server bound, as Node reports it.
    expect(service.address).toBe("127.0.0.1");
  });

  it("answers the same signed request once, and refuses one stamped in the future", async () => {
    const since = Date.now();
    const body = command("what's wrong in namespace pets?", "CREPLAY", slack.responseUrl("replay"));
    const headers = slackSignature(SECRET, body);
    const first = await send(service.port, body, headers);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/Looking at everything in namespace pets/);
    for (let i = 0; i < 2; i++) expect((await send(service.port, body, headers)).text).toBe("");
    await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "CREPLAY"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(slack.posts().filter((c) => c.at >= since && c.args.channel === "CREPLAY" && Array.isArray(c.args.attachments))).toHaveLength(1);

    const future = command("what's wrong in namespace pets?", "CFUTURE", slack.responseUrl("future"));
    const ahead = await send(service.port, future, slackSignature(SECRET, future, Math.floor(Date.now() / 1000) + 10 * 60));
    expect(ahead.status).toBe(401);
  });

  it("24 channels asking at once each get the chart of their own question", { timeout: 120_000 }, async () => {
    const since = Date.now();
    const minutes = Array.from({ length: 24 }, (_, i) => 12 + 2 * i);
    const channels = minutes.map((m) => `CWIN${m}`);
    const acks = await Promise.all(minutes.map((m, i) => send(service.port, command(`http 403 errors in namespace pets over the last ${m} minutes`, channels[i]!, slack.responseUrl(channels[i]!)))));
    expect(acks.every((a) => a.status === 200)).toBe(true);
    // Each channel's chart is uploaded into that channel; the file ids say whose bytes are whose.
    const completes = await slack.waitFor(() => {
      const done = slack.calls.filter((c) => c.at >= since && c.method === "files.completeUploadExternal" && channels.includes(String(c.args.channel_id)));
      return new Set(done.map((c) => c.args.channel_id)).size === 24 ? done : undefined;
    }, 110_000);
    const first = new Map<string, Buffer>();
    for (const c of completes) {
      const id = (JSON.parse(String(c.args.files)) as { id: string }[])[0]!.id;
      if (!first.has(String(c.args.channel_id))) first.set(String(c.args.channel_id), slack.uploads.find((u) => u.fileId === id)!.bytes);
    }
    // Different windows draw different charts: no channel got another's image.
    const distinct = new Set([...first.values()].map((b) => b.toString("base64")));
    expect(distinct.size).toBe(24);
    // Once posted, a question's chart folder is gone.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await readdir(service.charts)).filter((f) => f.startsWith("q-"))).toEqual([]);
  });

  it("100 concurrent slash commands are each answered once, in their own channel", { timeout: 240_000 }, async () => {
    const since = Date.now();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const channels = Array.from({ length: 100 }, (_, i) => `CLOAD${i}`);
    const questions = ["what's wrong in namespace pets?", "why is dns failing in namespace shop?", "show packet drops in namespace default", "is traffic balanced in namespace search?"];
    const acks = await Promise.all(channels.map((c, i) => send(service.port, command(questions[i % questions.length]!, c, slack.responseUrl(c)))));
    expect(acks.every((a) => a.status === 200 && /Looking at/.test(a.text))).toBe(true);
    expect(acks.some((a) => /queued behind \d+ other questions?/.test(a.text))).toBe(true);
    const reports = () => slack.posts().filter((c) => c.at >= since && channels.includes(String(c.args.channel)) && Array.isArray(c.args.attachments));
    await slack.waitFor(() => reports().length >= 100 || undefined, 230_000);
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(sample);
    const per = new Map<string, number>();
    for (const p of reports()) per.set(String(p.args.channel), (per.get(String(p.args.channel)) ?? 0) + 1);
    expect(per.size).toBe(100);
    expect([...per.values()].every((n) => n === 1)).toBe(true);
    const ms = acks.map((a) => a.ms).sort((a, b) => a - b);
    const growth = (peak - rss0) / 1e6;
    console.log(`100 concurrent slash commands: ack p50 ${ms[49]!.toFixed(0)} ms, p99 ${ms[98]!.toFixed(0)} ms; RSS ${(rss0 / 1e6).toFixed(0)} MB idle, peak ${(peak / 1e6).toFixed(0)} MB (+${growth.toFixed(0)} MB)`);
    expect(growth).toBeLessThan(700);
  });
});

describe("/healthz on a store that cannot answer", () => {
  it("is 503 with the reason", async () => {
    // A store whose flows table lacks the columns a question reads: it opens, and no question can be answered.
    const path = join(dir, "broken.duckdb");
    const db = await DuckDBInstance.create(path);
    const c = await db.connect();
    await c.run(`CREATE TABLE flows ("TimeGenerated" TIMESTAMP)`);
    await c.run(`INSERT INTO flows VALUES ('2026-11-20 14:00:00')`);
    c.closeSync();
    db.closeSync();
    const slack = await new FakeSlack().start();
    const service = await startService({ config: config(slack.apiUrl), store: path });
    try {
      const h = await health(service.port);
      expect(h.status).toBe(503);
      expect(h.body.ok).toBe(false);
      expect(String(h.body.error)).toMatch(/Flows|column/i);
    } finally {
      await service.stop();
      await slack.close();
    }
  });
});

