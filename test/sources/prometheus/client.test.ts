// The Prometheus client over HTTPS against a local fake of an Azure Monitor workspace's query
// endpoint (it checks the bearer token's scope), and each failure as one sentence.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../../src/analyze/index.js";
import { investigate } from "../../../src/investigate/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../../src/playbooks/index.js";
import { FlowStore } from "../../../src/sources/embedded/index.js";
import { AZURE_PROMETHEUS_SCOPE, isAzurePrometheus, MetricSource, PrometheusClient } from "../../../src/sources/prometheus/index.js";
import { makeCertificate } from "../../support/fake-log-analytics.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();
/** The token a credential hands out names the scope it was asked for, so the fake can check it. */
const credential = { getToken: async (scopes: string | string[]) => ({ token: `token-for ${[scopes].flat().join(" ")}`, expiresOnTimestamp: Date.now() + 3600_000 }) };

let tls: { key: string; cert: string };
let server: Server;
let url: string;
const seen: { path: string; authorization?: string; body: string }[] = [];
let mode: "ok" | "500" | "slow" = "ok";

function answer(req: IncomingMessage, res: ServerResponse, body: string) {
  seen.push({ path: req.url ?? "", ...(req.headers.authorization && { authorization: req.headers.authorization }), body });
  const json = (status: number, v: unknown) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(v)); };
  if (req.headers.authorization !== `Bearer token-for ${AZURE_PROMETHEUS_SCOPE}`) return json(401, { status: "error", errorType: "unauthorized", error: "token audience is not https://prometheus.monitor.azure.com" });
  if (mode === "500") return json(500, { status: "error", errorType: "internal", error: "query processing failed\nat line 3" });
  if (mode === "slow") return void setTimeout(() => json(200, { status: "success", data: [] }), 2000);
  if (req.url?.startsWith("/api/v1/label/__name__/values")) return json(200, { status: "success", data: ["networkobservability_drop_count", "networkobservability_forward_count"] });
  if (req.url?.startsWith("/api/v1/label/")) return json(200, { status: "success", data: [] });
  if (req.url === "/api/v1/query") {
    const q = new URLSearchParams(body).get("query") ?? "";
    const at = Number(new URLSearchParams(body).get("time"));
    const now = at > Date.parse("2026-11-20T14:30:00Z") / 1000;
    const result = q.includes("networkobservability_drop_count") && now
      ? [{ metric: { instance: "aks-node-1", reason: "CONNTRACK_ADD_DROP" }, value: [at, "812.4"] }]
      : q.includes("networkobservability_forward_count") ? [{ metric: { instance: "aks-node-1" }, value: [at, "50000"] }] : [];
    return json(200, { status: "success", data: { resultType: "vector", result }, ...(now && { warnings: ["partial data: 1 of 3 shards did not answer"] }) });
  }
  json(404, { status: "error", errorType: "not_found", error: "no such endpoint" });
}

beforeAll(async () => {
  tls = makeCertificate(dir);
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => answer(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("Azure Monitor managed Prometheus", () => {
  it("is recognised by its host name", () => {
    expect(isAzurePrometheus("https://myamw-abcd.westeurope.prometheus.monitor.azure.com")).toBe(true);
    expect(isAzurePrometheus("http://prometheus.monitoring:9090")).toBe(false);
  });

  it("asks with a token for the workspace scope, over verified TLS, and answers a question from it", async () => {
    mode = "ok";
    const metrics = MetricSource.open({ url, azure: true, credential, ca: tls.cert });
    const empty = await FlowStore.open(":memory:");
    const r = await investigate("what's wrong with the cluster network?", { source: empty, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG), now: new Date("2026-11-20T15:00:00Z"), metrics, noFlows: true });
    empty.close();
    expect(r.findings[0]).toMatchObject({ kind: "node_drops", reason: "CT_MAP_INSERTION_FAILED", severity: "critical", value: 812, subject: { node: "aks-node-1" } });
    expect(r.evidence.find((e) => e.query.promql?.includes("networkobservability_drop_count"))?.title).toMatch(/\(Retina metrics\)$/);
    // Partial data is said, once.
    expect(r.notes.filter((n) => /partial data: 1 of 3 shards/.test(n))).toHaveLength(1);
    expect(seen.every((s) => s.authorization === `Bearer token-for ${AZURE_PROMETHEUS_SCOPE}`)).toBe(true);
  });

  it("without the private CA the certificate is refused, in one sentence", async () => {
    const c = new PrometheusClient({ url, azure: true, credential });
    await expect(c.instant("up", new Date())).rejects.toThrow(/^Prometheus at https:\/\/127\.0\.0\.1:\d+ cannot be reached: [^\n]+$/);
  });

  it("a token for another scope is refused with what to grant, and no token in the message", async () => {
    const wrong = { getToken: async () => ({ token: "token-for https://management.azure.com/.default", expiresOnTimestamp: Date.now() + 1000 }) };
    const c = new PrometheusClient({ url, azure: true, credential: wrong, ca: tls.cert });
    const err = await c.instant("up", new Date()).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/refused netrca's credentials \(HTTP 401\): give netrca's identity the Monitoring Data Reader role/);
    expect((err as Error).message).not.toMatch(/token-for|\n/);
  });

  it("a failing sign-in, a 5xx, a timeout and an unreachable server are each one sentence", async () => {
    const noCred = { getToken: async () => { throw Object.assign(new Error("EnvironmentCredential is unavailable.\n  at frame"), { name: "CredentialUnavailableError" }); } };
    await expect(new PrometheusClient({ url, azure: true, credential: noCred, ca: tls.cert }).instant("up", new Date())).rejects.toThrow(/^netrca could not sign in to Azure for Prometheus at [^\n]+: EnvironmentCredential is unavailable$/);
    mode = "500";
    await expect(new PrometheusClient({ url, azure: true, credential, ca: tls.cert }).instant("up", new Date())).rejects.toThrow(/^Prometheus at [^ ]+ refused a query \(internal\): query processing failed$/);
    mode = "slow";
    await expect(new PrometheusClient({ url, azure: true, credential, ca: tls.cert, timeoutMs: 300 }).instant("up", new Date())).rejects.toThrow(/^Prometheus at [^ ]+ did not answer within 300 ms$/);
    mode = "ok";
    await expect(new PrometheusClient({ url: "http://127.0.0.1:9" }).instant("up", new Date())).rejects.toThrow(/^Prometheus at http:\/\/127\.0\.0\.1:9 cannot be reached \(ECONNREFUSED\)$/);
  });

  it("a metric check that cannot run is a note in the reply, never a failed question", async () => {
    const metrics = MetricSource.open({ url: "http://127.0.0.1:9" });
    const empty = await FlowStore.open(":memory:");
    const r = await investigate("is the cluster network healthy?", { source: empty, playbooks: loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG), now: new Date("2026-11-20T15:00:00Z"), metrics, noFlows: true });
    empty.close();
    expect(r.findings).toEqual([]);
    expect(r.notes.some((n) => /skipped: Prometheus at http:\/\/127\.0\.0\.1:9 cannot be reached \(ECONNREFUSED\)\.$/.test(n))).toBe(true);
    // Nothing checked is no all-clear.
    expect(r.summary).not.toMatch(/^No active fault/);
  });
});

describe("self-hosted Prometheus", () => {
  it("sends a bearer token, or user and password from the URL, and never shows them", async () => {
    const auth: string[] = [];
    const plain = createHttp((req, res) => {
      auth.push(req.headers.authorization ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
    const port = (plain.address() as AddressInfo).port;
    await new PrometheusClient({ url: `http://127.0.0.1:${port}`, token: "s3cret" }).instant("up", new Date());
    const basic = new PrometheusClient({ url: `http://alice:pa%40ss@127.0.0.1:${port}/prom/` });
    await basic.instant("up", new Date());
    expect(basic.shown).toBe(`http://127.0.0.1:${port}/prom`);
    await new Promise<void>((r) => plain.close(() => r()));
    expect(auth).toEqual(["Bearer s3cret", `Basic ${Buffer.from("alice:pa@ss").toString("base64")}`]);
  });

  it("a URL that is not one is refused in one sentence", () => {
    expect(() => new PrometheusClient({ url: "prometheus:9090" })).toThrow(/^--prometheus prometheus:9090: the URL must start with http:\/\/ or https:\/\/$/);
    expect(() => new PrometheusClient({ url: "not a url" })).toThrow(/is not a URL/);
  });
});
