/**
 * LogAnalyticsSource with the real LogsQueryClient over HTTPS against a local fake of the
 * Log Analytics query API (test/support/fake-log-analytics.ts). The fake cannot run KQL:
 * `answered()` below wraps the source's query so that every FlowQuery's KQL is registered
 * with the fake together with compileSql of the same query, which the fake runs on DuckDB
 * holding the policy-drop scenario aggregated the way the workspace stores it.
 */
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../../src/analyze/index.js";
import { investigate } from "../../../src/investigate/index.js";
import { Report } from "../../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../../src/playbooks/index.js";
import { compileSql, flowQuery, type FlowQuery } from "../../../src/query/index.js";
import { FlowStore } from "../../../src/sources/embedded/index.js";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { LogAnalyticsError, LogAnalyticsSource, type LogAnalyticsOptions } from "../../../src/sources/loganalytics/index.js";
import { aggregateLikeLogAnalytics, EXTENT_SQL, FakeLogAnalytics, INVENTORY_SQL, staticCredential } from "../../support/fake-log-analytics.js";
import { checkKql } from "../../support/kusto.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();
const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
const WORKSPACE = "8f2a1c3e-1111-4a4b-9c9d-0123456789ab";
const RESOURCE_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.OperationalInsights/workspaces/law-prod";

let fake: FakeLogAnalytics;
let raw: FlowStore;
let aggregated: { rawRows: number; rows: number };

beforeAll(async () => {
  const sim = simulate("policy-drop");
  const agg = await aggregateLikeLogAnalytics(sim, dir);
  aggregated = agg;
  fake = await FakeLogAnalytics.start({ dir, store: agg.store, workspaceId: WORKSPACE });
  fake.answer(kqlOf("extentKql"), EXTENT_SQL);
  fake.answer(kqlOf("inventoryKql"), INVENTORY_SQL);
  const file = `${dir}/policy-drop.jsonl`;
  await writeSimulation(sim, file);
  raw = await FlowStore.open();
  await raw.ingest([file]);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  fake?.store.close();
  raw?.close();
});

/** A source pointed at the fake: real client, real HTTPS, the fake's certificate as CA. */
async function source(opts: Partial<LogAnalyticsOptions> = {}): Promise<LogAnalyticsSource> {
  return LogAnalyticsSource.open({
    workspaceId: WORKSPACE,
    credential: staticCredential,
    endpoint: fake.url,
    clientOptions: { tlsOptions: { ca: fake.ca }, retryOptions: { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 100 } },
    ...opts,
  });
}

/** A source whose every flow query's KQL is registered with the fake, with the SQL that answers it. */
async function answered(opts: Partial<LogAnalyticsOptions> = {}): Promise<LogAnalyticsSource> {
  const s = await source(opts);
  const query = s.query.bind(s);
  s.query = async (q: FlowQuery) => {
    try {
      const plan = s.plan(q);
      fake.answer(plan.kql, compileSql(plan.q));
    } catch {
      // the source's own guard refuses it: let query() say so
    }
    return query(q);
  };
  return s;
}

/** The KQL texts of extent/inventory as a default-configured source sends them (no connection needed). */
function kqlOf(m: "extentKql" | "inventoryKql"): string {
  const s = Object.create(LogAnalyticsSource.prototype) as LogAnalyticsSource;
  Object.assign(s, { tables: ["ContainerNetworkLogs", "RetinaNetworkFlowLogs"], maxHours: 24 });
  return s[m]();
}

describe("the aggregated workspace data", () => {
  it("is aggregated: fewer rows than flows, no per-flow fields", async () => {
    expect(aggregated.rows).toBeGreaterThan(0);
    expect(aggregated.rows).toBeLessThan(aggregated.rawRows / 2);
    const r = await fake.store.run({ sql: "SELECT count(*) FILTER (WHERE DnsQuery IS NOT NULL OR TcpFlags IS NOT NULL OR SourceIP IS NOT NULL OR HttpUrl IS NOT NULL) FROM flows", params: [] });
    expect(r.rows[0]![0]).toBe(0);
  });

  it("extent and inventory KQL type-check against the tables", () => {
    expect(checkKql(kqlOf("extentKql"))).toEqual([]);
    expect(checkKql(kqlOf("inventoryKql"))).toEqual([]);
  });
});

describe("LogAnalyticsSource over HTTPS (real LogsQueryClient, fake API)", () => {
  it("(1) finds the same top finding on the aggregated workspace as the embedded store on raw flows", async () => {
    const q = "show packet drops in namespace shop";
    const la = await answered({ resourceId: RESOURCE_ID });
    const [fromLa, fromRaw] = [await investigate(q, { source: la, playbooks }), await investigate(q, { source: raw, playbooks })];
    const top = (r: Report) => ({ kind: r.findings[0]?.kind, reason: r.findings[0]?.reason, subject: { namespace: r.findings[0]?.subject.namespace, workload: r.findings[0]?.subject.workload } });
    expect(fromRaw.findings.length).toBeGreaterThan(0);
    expect(top(fromLa)).toEqual(top(fromRaw));
    expect(top(fromLa)).toMatchObject({ kind: "packet_drops", reason: "POLICY_DENIED", subject: { namespace: "shop", workload: "payments" } });
    // The time range was pushed down and the server timeout asked for, with the token.
    const sent = fake.requests.at(-1)!;
    expect(sent.authorization).toBe("Bearer fake-la-token");
    expect(sent.prefer).toBe("wait=60");
    expect(fake.requests.some((r) => /^2026-11-20T1\d:\d\d:00\.000Z\/2026-11-20T1\d:\d\d:00\.000Z$/.test(r.body.timespan ?? ""))).toBe(true);
    // Every evidence table carries a portal link.
    expect(fromLa.evidence.length).toBeGreaterThan(0);
    for (const e of fromLa.evidence) expect(e.query.portal).toMatch(/^https:\/\/portal\.azure\.com\/#blade\//);
  }, 60_000);

  it("maps cells like the embedded store: numbers, ISO times, \"\" as null", async () => {
    const la = await answered();
    const q = flowQuery({ window: { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, groupBy: ["dropReason"], bin: "5m", measures: [{ fn: "flows", as: "flows" }] });
    const [a, b] = [await la.query(q), await fake.store.query(q)];
    expect(a.columns).toEqual(b.columns);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.some((r) => r[1] === null)).toBe(true);
    expect(a.rows[0]![0]).toMatch(/^2026-11-20T14:00:00\.000Z$/);
  });

  it("(2) a partial result gives its rows plus a note in the Report", async () => {
    const la = await answered();
    const q = flowQuery({ window: { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, groupBy: ["dstWorkload"], measures: [{ fn: "flows", as: "flows" }] });
    const full = await la.query(q);
    fake.partialNext("Query result set has exceeded the internal data size limit");
    const part = await la.query(q);
    expect(part.rows.length).toBeGreaterThan(0);
    expect(part.rows.length).toBeLessThan(full.rows.length);
    expect(part.notes).toEqual(["Log Analytics returned partial results: Query result set has exceeded the internal data size limit"]);

    // In a Report: the partial answer of a check's query becomes a note.
    const q2 = la.query.bind(la);
    let first = true;
    la.query = async (fq) => {
      if (first && fq.groupBy.includes("dropReason")) {
        first = false;
        fake.partialNext("Query execution has exceeded the allowed limits");
      }
      return q2(fq);
    };
    const r = await investigate("show packet drops in namespace shop", { source: la, playbooks });
    expect(r.notes.some((n) => n.includes("Log Analytics returned partial results: Query execution has exceeded the allowed limits"))).toBe(true);
  }, 60_000);

  it("(3) a 403 is one clear sentence, in the thrown error the CLI prints", async () => {
    const la = await answered();
    fake.failNext(403, { error: { code: "InsufficientAccessError", message: "The provided credentials have insufficient access to perform the requested operation" } });
    const err = await investigate("show packet drops in namespace shop", { source: la, playbooks }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogAnalyticsError);
    expect((err as Error).message).toBe(`netrca's identity has no read access to workspace ${WORKSPACE} (it needs the Log Analytics Reader role)`);
    expect((err as Error).message).not.toMatch(/fake-la-token|\n|at /);
  });

  it("401, 404 and credential failures are clear sentences too, without the token", async () => {
    const la = await answered();
    fake.failNext(401, { error: { code: "InvalidTokenError", message: "The provided authentication is not valid for this resource" } });
    await expect(la.extent()).rejects.toThrow(/^netrca could not sign in to Azure: The provided authentication is not valid for this resource$/);
    const other = await source({ workspaceId: "00000000-0000-0000-0000-000000000000" });
    await expect(other.extent()).rejects.toThrow("workspace 00000000-0000-0000-0000-000000000000 not found");
    const noCred = await source({
      credential: { getToken: async () => { const e = new Error("EnvironmentCredential is unavailable. No credentials configured.\n  at stack frame"); e.name = "CredentialUnavailableError"; throw e; } },
    });
    await expect(noCred.extent()).rejects.toThrow(/^netrca could not sign in to Azure: EnvironmentCredential is unavailable\.?$/);
    fake.failNext(504, { error: { code: "GatewayTimeout", message: "Gateway timeout" } });
    const slow = await source({ clientOptions: { tlsOptions: { ca: fake.ca }, retryOptions: { maxRetries: 0 } } });
    await expect(slow.extent()).rejects.toThrow("Log Analytics did not answer within 60 s: ask about a shorter time or a narrower scope");
    // A server that does not answer at all: the client gives up (not retried).
    fake.delayNext(1500);
    const hung = await source({ clientTimeoutMs: 300 });
    await expect(hung.extent()).rejects.toThrow("Log Analytics did not answer within 0.3 s: ask about a shorter time or a narrower scope");
  });

  it("(4) a 429 with Retry-After is retried by the pipeline's throttling policy, then succeeds", async () => {
    const la = await answered();
    const before = fake.requests.length;
    fake.failNext(429, { error: { code: "ThrottledError", message: "Too many requests" } }, { "Retry-After": "1" });
    const t0 = Date.now();
    const e = await la.extent();
    expect(e.rows).toBeGreaterThan(0);
    expect(fake.requests.length - before).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it("(5) refuses a question window longer than NETRCA_LA_MAX_HOURS", async () => {
    const la = await answered();
    const before = fake.requests.length;
    const q = flowQuery({ window: { from: new Date("2026-11-18T15:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, measures: [{ fn: "flows", as: "flows" }] });
    await expect(la.query(q)).rejects.toThrow("netrca asks Log Analytics about at most 24 hours at a time (NETRCA_LA_MAX_HOURS), and this question covers 48 hours: ask about a shorter time");
    const err = await investigate("show packet drops in namespace shop over the last 48 hours", { source: la, playbooks, now: new Date("2026-11-20T15:00:00Z") }).catch((x: unknown) => x);
    expect((err as Error).message).toMatch(/^netrca asks Log Analytics about at most 24 hours/);
    // Refused before any query was sent for it (extent/inventory only).
    expect(fake.requests.slice(before).every((r) => !/summarize flows = /.test(r.body.query))).toBe(true);
  });

  it("caps a query without top, and says so when the cap is hit", async () => {
    const la = await answered({ maxRows: 3 });
    const q = flowQuery({ window: { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, groupBy: ["dstWorkload"], measures: [{ fn: "flows", as: "flows" }] });
    const r = await la.query(q);
    expect(r.rows).toHaveLength(3);
    expect(fake.requests.at(-1)!.body.query).toMatch(/\| take 3$/);
    expect(r.notes).toEqual(["Log Analytics returned the first 3 rows only (NETRCA_LA_MAX_ROWS): the table may be incomplete."]);
  });

  it("(6) the portal link decodes back (base64, gunzip) to the exact KQL; no resource id, no link", async () => {
    const la = await answered({ resourceId: RESOURCE_ID });
    const kql = la.kqlOf(flowQuery({ window: { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, where: [{ field: "dstNamespace", op: "eq", value: "shop" }], groupBy: ["dnsQuery"], measures: [{ fn: "flows", as: "flows" }] }));
    const link = la.portalLink(kql)!;
    const m = /^https:\/\/portal\.azure\.com\/#blade\/Microsoft_Azure_Monitoring_Logs\/LogsBlade\/resourceId\/([^/]+)\/source\/LogsBlade\.AnalyticsShareLinkToQuery\/q\/([^/]+)$/.exec(link);
    expect(m).not.toBeNull();
    expect(decodeURIComponent(m![1]!)).toBe(RESOURCE_ID);
    expect(gunzipSync(Buffer.from(decodeURIComponent(m![2]!), "base64")).toString("utf8")).toBe(kql);
    expect((await answered()).portalLink(kql)).toBeUndefined();
  });

  it("(7) a DNS question on aggregated data says the workspace lacks DNS query names", async () => {
    const la = await answered();
    const r = await investigate("why is dns failing in namespace shop?", { source: la, playbooks });
    expect(r.notes.some((n) => n.includes("The workspace's aggregated logs lack DNS query names"))).toBe(true);
    // The embedded store on raw flows has them: no such note there.
    const fromRaw = await investigate("why is dns failing in namespace shop?", { source: raw, playbooks });
    expect(fromRaw.notes.some((n) => n.includes("aggregated logs lack"))).toBe(false);
    // A check that only filters on a per-flow field (RST flags) and finds nothing says so too.
    const rst = await investigate("who is sending RST packets in namespace shop?", { source: la, playbooks });
    expect(rst.notes.some((n) => n.includes("Nothing matched TCP flags in the workspace, whose aggregated logs may lack TCP flags"))).toBe(true);
  }, 60_000);

  it("asks the workspace for its names and extent once, not for every question", async () => {
    const s = await answered();
    const sent = (kql: string) => fake.requests.filter((r) => r.body.query === kql).length;
    const before = { inv: sent(s.inventoryKql()), ext: sent(s.extentKql()) };
    await Promise.all([s.inventory(), s.inventory(), s.extent()]);
    await s.inventory();
    await s.extent();
    expect(sent(s.inventoryKql()) - before.inv).toBe(1);
    expect(sent(s.extentKql()) - before.ext).toBe(1);
  });

  it("reads only the configured table", async () => {
    const la = await answered({ tables: ["ContainerNetworkLogs"] });
    const q = flowQuery({ window: { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") }, measures: [{ fn: "flows", as: "flows" }] });
    await la.query(q);
    expect(fake.requests.at(-1)!.body.query).toMatch(/^ContainerNetworkLogs\n\| where TimeGenerated/);
    expect(checkKql(la.kqlOf(q))).toEqual([]);
  });
});
