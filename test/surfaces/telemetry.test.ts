// netrca's own metrics, scraped by a real Prometheus (Debian's), and its JSON log events.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type Service } from "../../src/surfaces/service.js";
import { FakeSlack, slackSignature } from "../support/fake-slack.js";
import { freePort, HAVE_PROMETHEUS, startDaemon, type RunningPrometheus } from "../support/prometheus.js";
import { tempDir } from "../support/tmp.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const BOT_TOKEN = "xoxb-123-456-secret-bot-token";
const dir = tempDir();
const configFile = join(dir, "netrca.yaml");
writeFileSync(configFile, "access:\n  default: ['*']\n  slack:\n    C0SHOP: [shop]\n");
let slack: FakeSlack;
let service: Service;
const lines: string[] = [];
const events = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  slack = await new FakeSlack().start();
  const out = new PassThrough();
  let buf = "";
  out.on("data", (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  service = await startService({ config: { port: 0, slack: { signingSecret: SECRET, botToken: BOT_TOKEN, apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state"), configFile }, logDestination: out });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await slack?.close();
});

const slash = async (text: string, channel: string) => {
  const body = new URLSearchParams({ token: "x", team_id: "T1", channel_id: channel, channel_name: "c", user_id: "U1", user_name: "u", command: "/netrca", text, api_app_id: "A1", trigger_id: "1", response_url: slack.responseUrl(channel) }).toString();
  const res = await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature(SECRET, body) }, body });
  return res.text();
};
const metricsText = async () => (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();

describe("GET /metrics and /readyz", () => {
  it("counts questions by surface and intent, refusals, and times investigations", async () => {
    const since = Date.now();
    await slash("why is dns failing in namespace shop?", "C0ALL");
    await slash("what's wrong in namespace pets?", "C0SHOP");
    await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0ALL"));
    const m = await metricsText();
    expect(m).toMatch(/^netrca_questions_total\{surface="slack",intent="dns"\} 1$/m);
    expect(m).toMatch(/^netrca_questions_refused_total\{surface="slack"\} 1$/m);
    expect(m).toMatch(/^netrca_investigation_duration_seconds_count\{intent="dns"\} 1$/m);
    expect(m).toMatch(/^netrca_queue_depth 0$/m);
    expect(m).toMatch(/^netrca_process_resident_memory_bytes \d+/m);
    const ready = await fetch(`http://127.0.0.1:${service.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, source: "embedded" });
  });

  it("logs one JSON event per line, with one request id from the question to the post, and no secret", async () => {
    await slack.waitFor(() => events().some((e) => e.msg === "reply.posted"));
    const understood = events().find((e) => e.msg === "question.understood" && e.channel === "C0ALL")!;
    expect(understood).toMatchObject({ surface: "slack", intent: "dns", denied: false });
    const id = understood.requestId as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(events().filter((e) => e.requestId === id).map((e) => e.msg)).toEqual(["question.understood", "question.answered", "reply.posted"]);
    expect(events().find((e) => e.msg === "question.understood" && e.channel === "C0SHOP")).toMatchObject({ denied: true });
    const all = lines.join("\n");
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SECRET);
    // Redaction is the logger's configuration: any event carrying a token or an authorization header.
    service.logger.info({ token: BOT_TOKEN, headers: { authorization: `Bearer ${BOT_TOKEN}`, "x-slack-signature": "v0=abc" }, slack: { botToken: BOT_TOKEN, signingSecret: SECRET } }, "probe");
    await new Promise((r) => setTimeout(r, 50));
    const probe = events().find((e) => e.msg === "probe")!;
    expect(JSON.stringify(probe)).not.toMatch(new RegExp(`${BOT_TOKEN}|${SECRET}|v0=abc`));
    expect(probe.token).toBe("[redacted]");
  });
});

describe.skipIf(!HAVE_PROMETHEUS)("a real Prometheus scrapes /metrics", () => {
  let prom: RunningPrometheus;
  beforeAll(async () => {
    const port = await freePort();
    mkdirSync(join(dir, "prom"), { recursive: true });
    writeFileSync(join(dir, "prom", "prometheus.yml"), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: netrca\n    static_configs:\n      - targets: ["127.0.0.1:${service.port}"]\n`);
    prom = await startDaemon("prometheus", [`--config.file=${join(dir, "prom", "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom", "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], `http://127.0.0.1:${port}`, "/-/ready");
  }, 60_000);
  afterAll(() => prom?.stop());

  const query = async (q: string) => {
    const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
    return r.data.result.map((x) => Number(x.value[1]));
  };
  const until = async (q: string, want: number) => {
    for (let i = 0; i < 100; i++) {
      const v = await query(q);
      if (v[0] === want) return v[0];
      await new Promise((r) => setTimeout(r, 200));
    }
    return (await query(q))[0];
  };

  it("sees the target up, and the question counter move with the next questions", async () => {
    expect(await until('up{job="netrca"}', 1)).toBe(1);
    const before = (await query('sum(netrca_questions_total{job="netrca"})'))[0] ?? 0;
    const since = Date.now();
    await slash("any packet drops in namespace default?", "C0ALL");
    await slash("http errors in namespace pets", "C0ALL");
    await slack.waitFor(() => slack.posts().filter((c) => c.at >= since && c.args.channel === "C0ALL" && !c.args.thread_ts).length >= 2);
    expect(await until('sum(netrca_questions_total{job="netrca"})', before + 2)).toBe(before + 2);
    expect(await until('netrca_questions_total{job="netrca",intent="l7"}', 1)).toBe(1);
  }, 60_000);
});
