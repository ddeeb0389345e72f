/**
 * A fake Azure Monitor Log Analytics query API over real HTTPS, so the real LogsQueryClient
 * (and its pipeline: bearer token, retries, TLS) runs against it.
 *
 * - TLS: a self-signed certificate for localhost/127.0.0.1 made with the `openssl` CLI into a
 *   temp dir at start. Clients trust it by passing it as their CA (`tlsOptions: { ca }`);
 *   certificate verification stays on.
 * - Data: a DuckDB FlowStore holding Log Analytics rows (see aggregateLikeLogAnalytics).
 * - KQL: the fake CANNOT execute KQL. A test registers, for every KQL text the source will
 *   send, the DuckDB SQL that computes the same result (`answer(kql, sql)`; for flow
 *   queries that is compileSql of the same FlowQuery). The fake looks the request's KQL up,
 *   runs the SQL on its store and returns the rows in the API's JSON shape, with column
 *   types as Log Analytics would give them (string, long, real, datetime, bool).
 *   Unregistered KQL gets a 400 BadArgumentError, like a query Log Analytics cannot run.
 * - Failures: `failNext` queues raw HTTP answers (403, 429 + Retry-After…); `partialNext`
 *   makes the next answer a partial result (HTTP 200 with `tables` and `error`, which the
 *   SDK maps to LogsQueryResultStatus.PartialFailure).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { FlowStore, type Cell } from "../../src/sources/embedded/index.js";
import { writeSimulation, type Simulation } from "../../src/sources/embedded/simulate/index.js";

export interface CompiledLike {
  sql: string;
  params: unknown[];
}

interface Canned {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  prefer: string | undefined;
  body: { query: string; timespan?: string };
}

export const FAKE_TOKEN = "fake-la-token";

/** A static credential: Azure AD is a remote service we fake too (no network). */
export const staticCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: FAKE_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

/** Make a self-signed certificate for localhost with the openssl CLI. */
export function makeCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

export class FakeLogAnalytics {
  readonly requests: SeenRequest[] = [];
  private readonly answers = new Map<string, CompiledLike>();
  private readonly queued: Canned[] = [];
  private partial: string | null = null;
  private delay = 0;

  private constructor(
    private readonly server: Server,
    readonly store: FlowStore,
    readonly workspaceId: string,
    /** The self-signed certificate, to be trusted by clients as their CA. */
    readonly ca: string,
  ) {}

  static async start(opts: { dir: string; store: FlowStore; workspaceId: string }): Promise<FakeLogAnalytics> {
    const { key, cert } = makeCertificate(opts.dir);
    const server = createServer({ key, cert });
    const fake = new FakeLogAnalytics(server, opts.store, opts.workspaceId, cert);
    server.on("request", (req, res) => {
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (text += c));
      req.on("end", () => {
        fake.handle(req.method ?? "", req.url ?? "", req.headers, text).then(
          (a) => {
            res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
            res.end(a.body === undefined ? "" : JSON.stringify(a.body));
          },
          (e: Error) => {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: { code: "InternalError", message: e.message } }));
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  /** The LogsQueryClient endpoint. */
  get url(): string {
    return `https://localhost:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Register the SQL that answers a KQL text (the fake cannot run KQL). */
  answer(kql: string, sql: CompiledLike): void {
    this.answers.set(kql, sql);
  }

  failNext(status: number, body?: unknown, headers?: Record<string, string>): void {
    this.queued.push({ status, ...(headers && { headers }), ...(body !== undefined && { body }) });
  }

  /** Hold the next answer this long (a server that does not answer in time). */
  delayNext(ms: number): void {
    this.delay = ms;
  }

  partialNext(message: string): void {
    this.partial = message;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(method: string, url: string, headers: Record<string, string | string[] | undefined>, text: string): Promise<Canned> {
    const m = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(url.split("?")[0]!);
    if (method !== "POST" || !m) return { status: 404, body: { error: { code: "PathNotFoundError", message: `no route ${method} ${url}` } } };
    const body = JSON.parse(text || "{}") as SeenRequest["body"];
    const authorization = headers.authorization as string | undefined;
    this.requests.push({ path: url, authorization, prefer: headers.prefer as string | undefined, body });
    if (this.delay) {
      const ms = this.delay;
      this.delay = 0;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    const canned = this.queued.shift();
    if (canned) return canned;
    if (authorization !== `Bearer ${FAKE_TOKEN}`) return { status: 401, body: { error: { code: "InvalidTokenError", message: "The provided authentication is not valid for this resource" } } };
    if (decodeURIComponent(m[1]!) !== this.workspaceId) return { status: 404, body: { error: { code: "WorkspaceNotFoundError", message: `Workspace ${m[1]} not found` } } };
    const sql = this.answers.get(body.query);
    if (!sql) return { status: 400, body: { error: { code: "BadArgumentError", message: "The fake has no answer registered for this KQL" } } };
    const r = await this.store.run(sql as Parameters<FlowStore["run"]>[0]);
    const types = r.columns.map((_, i) => typeOf(r.rows.map((row) => row[i] ?? null)));
    let rows = r.rows.map((row) => row.map((v, i) => (v === null && types[i] === "string" ? "" : v)));
    const error = this.partial;
    this.partial = null;
    if (error) rows = rows.slice(0, Math.ceil(rows.length / 2));
    return {
      status: 200,
      body: {
        tables: [{ name: "PrimaryResult", columns: r.columns.map((name, i) => ({ name, type: types[i] })), rows }],
        ...(error && { error: { code: "PartialError", message: "There were some errors when processing your query.", details: [{ code: "EngineError", message: error }], innererror: { code: "LimitsExceeded", message: error } } }),
      },
    };
  }
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** The Log Analytics column type of a result column, from its values. */
function typeOf(values: Cell[]): string {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return "string";
  if (present.every((v) => typeof v === "number")) return present.every((v) => Number.isInteger(v)) ? "long" : "real";
  if (present.every((v) => typeof v === "boolean")) return "bool";
  if (present.every((v) => typeof v === "string" && ISO.test(v))) return "datetime";
  return "string";
}

/**
 * A scenario as a Log Analytics workspace stores it: flows grouped into 30-second windows by
 * the aggregation key (network-data.md §1.1: verdict, is_reply, drop reason, namespaces,
 * workloads, identities, destination port, HTTP code, DNS rcode, IP version, cluster names;
 * plus the node, since each node's agent aggregates its own flows), flow counts summed, and
 * per-flow fields dropped (DNS query names, URLs, TCP flags, IPs, pod names, ports but the
 * destination one). Written as a Log Analytics JSON export and ingested by FlowStore.ingest.
 */
export async function aggregateLikeLogAnalytics(sim: Simulation, dir: string): Promise<{ store: FlowStore; rawRows: number; rows: number }> {
  const raw = join(dir, `${sim.scenario}-raw.jsonl`);
  await writeSimulation(sim, raw);
  const rawStore = await FlowStore.open();
  let rows: Record<string, Cell>[];
  let rawRows: number;
  try {
    rawRows = (await rawStore.ingest([raw])).rows;
    const r = await rawStore.run({ sql: AGGREGATE_SQL, params: [] });
    rows = r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i] ?? null])));
  } finally {
    rawStore.close();
  }
  const file = join(dir, `${sim.scenario}-la-export.json`);
  writeFileSync(file, JSON.stringify(rows));
  const store = await FlowStore.open();
  const ingested = await store.ingest([file]);
  return { store, rawRows, rows: ingested.rows };
}

const AGGREGATE_SQL = `
SELECT
  strftime(time_bucket(INTERVAL 30 seconds, TimeGenerated), '%Y-%m-%dT%H:%M:%S.000Z') AS TimeGenerated,
  Verdict, DropReason, Reply, SourceNamespace, DestinationNamespace, SourceWorkloads, DestinationWorkloads,
  SourceIdentity, DestinationIdentity, SourceClusterName, DestinationClusterName, NodeName, FlowType, TrafficDirection,
  CASE Protocol WHEN 'TCP' THEN json_object('TCP', json_object('destination_port', DestinationPort))
                WHEN 'UDP' THEN json_object('UDP', json_object('destination_port', DestinationPort)) END::VARCHAR AS Layer4,
  CASE L7Protocol WHEN 'dns' THEN json_object('type', L7Type, 'dns', json_object('rcode', DnsRcode))
                  WHEN 'http' THEN json_object('type', L7Type, 'http', json_object('code', HttpStatus))
                  WHEN 'kafka' THEN json_object('type', L7Type, 'kafka', json_object('error_code', KafkaErrorCode)) END::VARCHAR AS Layer7,
  json_object('ipVersion', json_extract_string(IP, '$.ipVersion'))::VARCHAR AS IP,
  sum(IngressFlowCount)::BIGINT AS IngressFlowCount,
  sum(EgressFlowCount)::BIGINT AS EgressFlowCount,
  sum(UnknownDirectionFlowCount)::BIGINT AS UnknownDirectionFlowCount
FROM flows
GROUP BY ALL
ORDER BY 1`;

/** SQL answering LogAnalyticsSource.extentKql() on the fake's store (over all its data). */
export const EXTENT_SQL: CompiledLike = { sql: `SELECT count(*) AS "rows", min(TimeGenerated) AS "from", max(TimeGenerated) AS "to" FROM flows`, params: [] };

/** SQL answering LogAnalyticsSource.inventoryKql() on the fake's store. */
export const INVENTORY_SQL: CompiledLike = {
  sql: `SELECT DISTINCT entity, namespace, workload, pod FROM (
    SELECT 'pod' AS entity, SourceNamespace AS namespace, coalesce(SourceWorkload, '') AS workload, coalesce(SourcePodName, '') AS pod FROM flows
    UNION ALL SELECT 'pod', DestinationNamespace, coalesce(DestinationWorkload, ''), coalesce(DestinationPodName, '') FROM flows
    UNION ALL SELECT 'node', NodeName, '', '' FROM flows)
  WHERE coalesce(namespace, '') <> '' ORDER BY 1, 2, 3, 4 LIMIT 5000`,
  params: [],
};
