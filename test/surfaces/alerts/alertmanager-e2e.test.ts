// End to end with the real parts: a real Prometheus evaluates a rule on a series the test serves
// live, a real Alertmanager sends the group to netrca's webhook with a bearer token, netrca posts
// the summary to a fake of Slack's Web API. `.ci/run` installs prometheus and prometheus-alertmanager.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { startService, type Service } from "../../../src/surfaces/service.js";
import { FakeSlack } from "../../support/fake-slack.js";
import { freePort, HAVE_ALERTMANAGER, HAVE_PROMETHEUS, startDaemon, type RunningPrometheus } from "../../support/prometheus.js";
import { tempDir } from "../../support/tmp.js";

const ready = HAVE_PROMETHEUS && HAVE_ALERTMANAGER;
if (!ready) console.warn("prometheus or prometheus-alertmanager not installed: the alert end-to-end test is skipped");

const dir = tempDir();
const TOKEN = "am-token-0123456789abcdef";

describe.skipIf(!ready)("a Prometheus rule fires, Alertmanager posts, netrca summarises in the routed channel", () => {
  const sim = simulate("dns-servfail");
  let level = 5;
  let exporter: Server;
  let prom: RunningPrometheus, am: RunningPrometheus;
  let slack: FakeSlack;
  let service: Service;

  beforeAll(async () => {
    const flows = join(dir, "flows.jsonl");
    await writeSimulation(sim, flows);
    slack = await new FakeSlack().start();
    service = await startService({
      config: {
        port: 0, slack: { signingSecret: "8f742231b10e8888abcd99yyyzzz85a5", botToken: "xoxb-test", apiUrl: slack.apiUrl },
        teams: { appId: "", appPassword: "", appType: "MultiTenant" as const }, stateDir: join(dir, "state"), alerts: { token: TOKEN, slackChannel: "C0INCIDENT" },
      },
      flows: [flows], now: new Date(sim.to),
    });
    // The series the rule watches, served live (imported history never fires a rule).
    exporter = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(`# TYPE coredns_servfail_ratio gauge\ncoredns_servfail_ratio{namespace="shop"} ${level}\n`);
    });
    await new Promise<void>((r) => exporter.listen(0, "127.0.0.1", r));
    const exporterPort = (exporter.address() as { port: number }).port;
    const [amPort, promPort] = [await freePort(), await freePort()];
    mkdirSync(join(dir, "am"), { recursive: true });
    writeFileSync(join(dir, "am", "am.yml"), [
      "route: { receiver: netrca, group_by: [alertname, namespace], group_wait: 1s, group_interval: 2s, repeat_interval: 3s }",
      "receivers:",
      "  - name: netrca",
      "    webhook_configs:",
      `      - url: http://127.0.0.1:${service.port}/alerts/alertmanager`,
      "        send_resolved: true",
      "        http_config:",
      `          authorization: { type: Bearer, credentials: ${TOKEN} }`,
    ].join("\n") + "\n");
    am = await startDaemon("prometheus-alertmanager", [`--config.file=${join(dir, "am", "am.yml")}`, `--storage.path=${join(dir, "am", "data")}`, `--web.listen-address=127.0.0.1:${amPort}`, "--cluster.listen-address=", "--log.level=warn"], `http://127.0.0.1:${amPort}`, "/-/ready");
    mkdirSync(join(dir, "prom"), { recursive: true });
    writeFileSync(join(dir, "prom", "rules.yml"), [
      "groups:",
      "  - name: dns",
      "    interval: 1s",
      "    rules:",
      "      - alert: KubeDNSErrorsHigh",
      "        expr: coredns_servfail_ratio > 1",
      "        labels: { severity: critical }",
      "        annotations: { summary: DNS lookups from shop get SERVFAIL }",
    ].join("\n") + "\n");
    writeFileSync(join(dir, "prom", "prometheus.yml"), [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      `rule_files: [${join(dir, "prom", "rules.yml")}]`,
      `alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }] }`,
      `scrape_configs: [{ job_name: coredns, static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }] }]`,
    ].join("\n") + "\n");
    prom = await startDaemon("prometheus", [`--config.file=${join(dir, "prom", "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom", "data")}`, `--web.listen-address=127.0.0.1:${promPort}`, "--log.level=warn"], `http://127.0.0.1:${promPort}`, "/-/ready");
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await am?.stop();
    await service?.stop();
    await slack?.close();
    await new Promise((r) => exporter?.close(r));
  });

  it("posts one parent naming the injected cause, nothing on Alertmanager's repeat, and edits it on resolve", async () => {
    const parent = await slack.waitFor(() => slack.posts().find((c) => !c.args.thread_ts), 45_000);
    expect(parent.args.channel).toBe("C0INCIDENT");
    const text = JSON.stringify(parent.args);
    expect(text).toMatch(/FIRING.*KubeDNSErrorsHigh/);
    // The injected cause: shop/checkout's lookups of one name get SERVFAIL.
    expect(text).toMatch(/shop\/checkout gets SERVFAIL for api\.partner\.example\.com\./);
    await service.alerts!.idle();
    const settled = slack.calls.length;
    const received = (await service.alerts!.stats()).received;
    // Alertmanager re-sends the unchanged group (repeat_interval 3s): nothing new is posted.
    await new Promise((r) => setTimeout(r, 8000));
    await service.alerts!.idle();
    expect((await service.alerts!.stats()).received).toBeGreaterThan(received);
    expect(slack.calls.slice(settled).map((c) => c.method)).toEqual([]);
    // The series drops below the threshold: Prometheus resolves, Alertmanager sends the resolve.
    level = 0;
    const update = await slack.waitFor(() => slack.calls.find((c) => c.method === "chat.update"), 45_000);
    expect(JSON.stringify(update.args)).toMatch(/RESOLVED.*KubeDNSErrorsHigh/);
    await service.alerts!.idle();
    const last = slack.posts().at(-1)!;
    expect(last.args.thread_ts).toBe(update.args.ts);
    expect(JSON.stringify(last.args)).toMatch(/Resolved\* at \d\d:\d\d UTC after \d+ min/);
    expect(slack.posts().filter((c) => !c.args.thread_ts)).toHaveLength(1);
  }, 120_000);
});
