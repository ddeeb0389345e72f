// Two netrca serve processes on one real PostgreSQL (Debian's): a retried Slack event is answered
// once, an alert is delivered once, and a thread's follow-up is understood by either replica.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { FakeSlack, slackSignature, type SlackCall } from "../support/fake-slack.js";
import { HAVE_POSTGRES, startPostgres, type RunningPostgres } from "../support/postgres.js";
import { freePort } from "../support/prometheus.js";
import { tempDir } from "../support/tmp.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TOKEN = "alert-token-0123456789abcdef";
const dir = tempDir();
const sim = simulate("dns-servfail");
const flows = join(dir, "dns.jsonl");
if (!HAVE_POSTGRES) console.warn("postgresql not installed: the two-replica test is skipped");

describe.skipIf(!HAVE_POSTGRES)("two replicas on one PostgreSQL", () => {
  let pg: RunningPostgres;
  let slack: FakeSlack;
  const replicas: { child: ChildProcess; port: number; log: string[] }[] = [];

  beforeAll(async () => {
    await writeSimulation(sim, flows);
    pg = await startPostgres();
    slack = await new FakeSlack().start();
    const bin = join(import.meta.dirname, "../../bin/netrca.js");
    // Started together: the schema is made once (an advisory lock), whichever comes first.
    await Promise.all([0, 1].map(async (i) => {
      const port = await freePort();
      const log: string[] = [];
      const child = spawn(process.execPath, [bin, "serve", "--flows", flows, "--now", sim.to], {
        env: {
          PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", NETRCA_STATE_URL: pg.url,
          // Each its own folder: whatever they share goes through PostgreSQL.
          NETRCA_STATE_DIR: join(dir, `state-${i}`), NETRCA_ALERT_TOKEN: TOKEN, NETRCA_ALERT_SLACK_CHANNEL: "C0INC",
          SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: "xoxb-test", SLACK_API_URL: slack.apiUrl,
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on("data", (c: Buffer) => {
          log.push(...c.toString().split("\n").filter(Boolean));
          if (log.some((l) => /listening on/.test(l))) resolve();
        });
        child.once("exit", (code) => reject(new Error(`replica ${i} exited ${code}: ${log.join("\n")}`)));
      });
      replicas[i] = { child, port, log };
    }));
  }, 90_000);
  afterAll(async () => {
    for (const r of replicas) if (r) r.child.kill("SIGTERM");
    await Promise.all(replicas.filter(Boolean).map((r) => new Promise((res) => (r.child.exitCode !== null ? res(null) : r.child.once("exit", res)))));
    await slack?.close();
    await pg?.stop();
  }, 30_000);

  const event = (text: string, ts: string, eventId: string, thread?: string) => JSON.stringify({
    token: "x", team_id: "T1", api_app_id: "A1", type: "event_callback", event_id: eventId, event_time: 1763650000,
    authorizations: [{ team_id: "T1", user_id: "UBOT", is_bot: true }],
    event: { type: "app_mention", user: "U1", text: `<@UBOT> ${text}`, ts, channel: "C0REP", event_ts: ts, ...(thread && { thread_ts: thread }) },
  });
  const send = (i: number, body: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${replicas[i]!.port}/slack/events`, { method: "POST", headers: { "content-type": "application/json", ...slackSignature(SECRET, body), ...headers }, body });
  const reportsIn = (thread: string) => (c: SlackCall) => c.args.channel === "C0REP" && c.args.thread_ts === thread && JSON.stringify(c.args.blocks ?? "").includes("netrca · ");

  it("a Slack event retried to the other replica is answered once", async () => {
    const body = event("why is dns failing in namespace shop?", "1763650400.000100", "EvREPL1");
    expect((await send(0, body)).status).toBe(200);
    // Slack's retry, as it sends it: the same event, marked as a retry, here to the other replica.
    expect((await send(1, body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })).status).toBe(200);
    await slack.waitFor(() => slack.posts().find(reportsIn("1763650400.000100")));
    await new Promise((r) => setTimeout(r, 2500));
    expect(slack.posts().filter(reportsIn("1763650400.000100"))).toHaveLength(1);
  }, 30_000);

  it("a follow-up in the thread, at the other replica, keeps the thread's question", async () => {
    const body = event("and over the last 2 hours?", "1763650500.000100", "EvREPL2", "1763650400.000100");
    expect((await send(1, body)).status).toBe(200);
    await slack.waitFor(() => slack.posts().filter(reportsIn("1763650400.000100")).length >= 2);
    const followUp = slack.posts().filter(reportsIn("1763650400.000100"))[1]!;
    expect(JSON.stringify(followUp.args.blocks)).toMatch(/DNS · namespace shop/);
    expect(JSON.stringify(followUp.args.blocks)).toMatch(/13:00–15:00 UTC/);
  }, 30_000);

  it("an alert is delivered once, though both replicas run the outbox; its repeat at the other replica posts nothing", async () => {
    const alert = {
      version: "4", groupKey: "{}:{alertname=\"KubeDNSErrorsHigh\"}", status: "firing", receiver: "netrca",
      groupLabels: { alertname: "KubeDNSErrorsHigh" }, commonLabels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "critical" }, commonAnnotations: {},
      alerts: [{ status: "firing", labels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", severity: "critical" }, annotations: {}, startsAt: "2026-11-20T14:33:00Z", endsAt: "0001-01-01T00:00:00Z", fingerprint: "rep1" }],
    };
    const post = (i: number) => fetch(`http://127.0.0.1:${replicas[i]!.port}/alerts/alertmanager`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(alert) });
    expect((await post(0)).status).toBe(202);
    const parents = () => slack.posts().filter((c) => c.args.channel === "C0INC" && !c.args.thread_ts);
    await slack.waitFor(() => parents()[0], 30_000);
    expect((await post(1)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 4000));
    expect(parents()).toHaveLength(1);
    expect(JSON.stringify(parents()[0]!.args.blocks)).toMatch(/SERVFAIL/);
    // Each thread message once too (charts and queries), whichever replica sent it.
    const inThread = slack.posts().filter((c) => c.args.channel === "C0INC" && c.args.thread_ts);
    expect(new Set(inThread.map((c) => JSON.stringify(c.args))).size).toBe(inThread.length);
    const health = (await (await fetch(`http://127.0.0.1:${replicas[1]!.port}/healthz`)).json()) as { state: string; alerts: { received: number; pendingPosts: number } };
    expect(health.state).toBe("postgres");
    expect(health.alerts.received).toBe(2);
  }, 60_000);
});
