import type { TokenCredential } from "@azure/identity";
import { LogsQueryClient, LogsQueryResultStatus, type LogsErrorInfo, type LogsQueryClientOptions, type LogsTable } from "@azure/monitor-query-logs";
import type { Cell, Inventory } from "../../model/index.js";
import { LOG_ANALYTICS_TABLES } from "../../model/flow-columns.js";
import { compileKql, FIELDS, outputColumns, type FlowQuery, type FlowResult, type FlowSource } from "../../query/index.js";
import { explainError, LogAnalyticsError, shortReason } from "./errors.js";
import { perFlowNotes } from "./per-flow.js";
import { portalLogsLink } from "./portal.js";

export type LogAnalyticsTable = (typeof LOG_ANALYTICS_TABLES)[number];

export interface LogAnalyticsOptions {
  workspaceId: string;
  /** The workspace's ARM resource id; with it, evidence tables link to the portal. */
  resourceId?: string;
  /** Tables to query (default: both, the table was renamed). */
  tables?: readonly LogAnalyticsTable[];
  /** Longest question window sent to Log Analytics (NETRCA_LA_MAX_HOURS, default 24). */
  maxHours?: number;
  /** Row cap for queries without `top` (NETRCA_LA_MAX_ROWS, default 10000). */
  maxRows?: number;
  /** Default: DefaultAzureCredential (workload identity in AKS, `az login` locally). */
  credential?: TokenCredential;
  /** Query API base URL (LogsQueryClient `endpoint`), e.g. a fake in tests. */
  endpoint?: string;
  /** Client-side limit per request, in ms (default: the server's 60 s plus 15 s). */
  clientTimeoutMs?: number;
  /** Further LogsQueryClient options (tests: `tlsOptions` to trust a local CA, retry delays). */
  clientOptions?: Omit<LogsQueryClientOptions, "endpoint">;
}

/** Server-side time limit per query (sent as `Prefer: wait=60`). */
export const SERVER_TIMEOUT_SECONDS = 60;
const EXTENT_TTL_MS = 60_000;
const INVENTORY_TTL_MS = 5 * 60_000;
const INVENTORY_CAP = 5000;

/**
 * Flows in a Log Analytics workspace (ContainerNetworkLogs / RetinaNetworkFlowLogs), asked
 * with KQL through `@azure/monitor-query-logs`. Every query aggregates (summarize) in the
 * workspace; the question's window is pushed down as the query timespan too.
 */
export class LogAnalyticsSource implements FlowSource {
  readonly name = "loganalytics";
  readonly workspaceId: string;
  readonly maxHours: number;
  readonly maxRows: number;
  private readonly clientTimeoutMs: number;
  private readonly tables: readonly LogAnalyticsTable[];
  private readonly resourceId: string | undefined;
  private readonly client: LogsQueryClient;

  private constructor(opts: LogAnalyticsOptions, credential: TokenCredential) {
    this.workspaceId = opts.workspaceId;
    this.resourceId = opts.resourceId;
    this.tables = opts.tables?.length ? opts.tables : LOG_ANALYTICS_TABLES;
    this.maxHours = opts.maxHours ?? 24;
    this.maxRows = opts.maxRows ?? 10_000;
    this.clientTimeoutMs = opts.clientTimeoutMs ?? (SERVER_TIMEOUT_SECONDS + 15) * 1000;
    this.client = new LogsQueryClient(credential, {
      // The pipeline's default retry policy already honours 429/503 + Retry-After
      // (throttlingRetryStrategy) and backs off exponentially on other transient failures.
      retryOptions: { maxRetries: 3, retryDelayInMs: 1000, maxRetryDelayInMs: 15_000 },
      ...opts.clientOptions,
      ...(opts.endpoint && { endpoint: opts.endpoint }),
    });
  }

  /** Open a source; without a credential, DefaultAzureCredential (loaded only then). */
  static async open(opts: LogAnalyticsOptions): Promise<LogAnalyticsSource> {
    let credential = opts.credential;
    if (!credential) {
      const { DefaultAzureCredential } = await import("@azure/identity");
      credential = new DefaultAzureCredential();
    }
    return new LogAnalyticsSource(opts, credential);
  }

  /** The query as sent: a row cap when it has no `top`, and its KQL over the configured tables. */
  plan(q: FlowQuery): { q: FlowQuery; kql: string; capped: boolean } {
    const hours = (q.window.to.getTime() - q.window.from.getTime()) / 3_600_000;
    if (hours > this.maxHours + 1e-9) {
      throw new LogAnalyticsError(
        `netrca asks Log Analytics about at most ${this.maxHours} hours at a time (NETRCA_LA_MAX_HOURS), and this question covers ${fmtHours(hours)}: ask about a shorter time`,
      );
    }
    const capped = q.top === undefined;
    const sent: FlowQuery = capped ? { ...q, top: this.maxRows } : q;
    return { q: sent, kql: this.fromTables(compileKql(sent)), capped };
  }

  async query(q: FlowQuery): Promise<FlowResult> {
    const { q: sent, kql, capped } = this.plan(q);
    const { table, partial } = await this.run(kql, { startTime: q.window.from, endTime: q.window.to });
    const columns = outputColumns(q);
    const rows = table ? tableRows(table, columns) : [];
    const notes: string[] = [];
    if (partial) notes.push(`Log Analytics returned partial results: ${partial}`);
    if (capped && rows.length >= sent.top!) notes.push(`Log Analytics returned the first ${sent.top} rows only (NETRCA_LA_MAX_ROWS): the table may be incomplete.`);
    notes.push(...perFlowNotes(q, columns, rows));
    return { columns, rows, ...(notes.length && { notes }) };
  }

  /** The KQL of extent(): rows and time covered over the guard window before now. */
  extentKql(): string {
    return [this.union(), `| where TimeGenerated > ago(${this.maxHours}h)`, `| summarize rows = count(), from = min(TimeGenerated), to = max(TimeGenerated)`].join("\n");
  }

  async extent(): Promise<{ rows: number; from: string | null; to: string | null }> {
    return this.cached("extent", EXTENT_TTL_MS, () => this.fetchExtent());
  }

  private async fetchExtent(): Promise<{ rows: number; from: string | null; to: string | null }> {
    const { table } = await this.run(this.extentKql(), { duration: `PT${this.maxHours}H` });
    const [rows, from, to] = table ? (tableRows(table, ["rows", "from", "to"])[0] ?? []) : [];
    const n = Number(rows ?? 0);
    return { rows: n, from: n > 0 ? ((from as string | null) ?? null) : null, to: n > 0 ? ((to as string | null) ?? null) : null };
  }

  /** The KQL of inventory(): distinct namespace/workload/pod and nodes over the last 24 h. */
  inventoryKql(): string {
    const wl = (side: "src" | "dst") => FIELDS[side === "src" ? "srcWorkload" : "dstWorkload"].kql;
    return [
      `let flows = ${this.union()}`,
      `| where TimeGenerated > ago(24h);`,
      `union`,
      `  (flows | summarize by entity = "pod", namespace = SourceNamespace, workload = ${wl("src")}, pod = SourcePodName),`,
      `  (flows | summarize by entity = "pod", namespace = DestinationNamespace, workload = ${wl("dst")}, pod = DestinationPodName),`,
      `  (flows | summarize by entity = "node", namespace = NodeName, workload = "", pod = "")`,
      `| where isnotempty(namespace)`,
      `| summarize by entity, namespace, workload, pod`,
      `| order by entity asc, namespace asc, workload asc, pod asc`,
      `| take ${INVENTORY_CAP}`,
    ].join("\n");
  }

  async inventory(): Promise<Inventory> {
    return this.cached("inventory", INVENTORY_TTL_MS, () => this.fetchInventory());
  }

  /**
   * Every question reads the extent and the names before it is acknowledged; over a remote
   * workspace that is two round trips inside Slack's 3 s ack. They change slowly: keep them a
   * little while, and let concurrent questions share one request.
   */
  private cached<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.memo.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.memo.set(key, { at: Date.now(), value });
    value.catch(() => this.memo.delete(key)); // a failure is not remembered
    return value;
  }
  private readonly memo = new Map<string, { at: number; value: Promise<unknown> }>();

  private async fetchInventory(): Promise<Inventory> {
    const { table } = await this.run(this.inventoryKql(), { duration: "PT24H" });
    const inv: Inventory = { namespaces: [], workloads: [], pods: [], nodes: [] };
    const seen = new Set<string>();
    for (const [kind, ns, wl, pod] of table ? tableRows(table, ["entity", "namespace", "workload", "pod"]) : []) {
      if (typeof ns !== "string" || !ns) continue;
      if (kind === "node") {
        if (!inv.nodes.includes(ns)) inv.nodes.push(ns);
        continue;
      }
      if (!inv.namespaces.includes(ns)) inv.namespaces.push(ns);
      const workload = typeof wl === "string" && wl ? wl : null;
      if (workload && !seen.has(`${ns}/${workload}`)) {
        seen.add(`${ns}/${workload}`);
        inv.workloads.push({ namespace: ns, workload });
      }
      if (typeof pod === "string" && pod) inv.pods.push({ namespace: ns, workload, pod });
    }
    return inv;
  }

  /** The KQL this source sends for a query, over the configured tables, without the row cap. */
  kqlOf(q: FlowQuery): string {
    return this.fromTables(compileKql(q));
  }

  /** A portal link opening the KQL in the workspace's Logs blade; none without a resource id. */
  portalLink(kql: string): string | undefined {
    return this.resourceId ? portalLogsLink(this.resourceId, kql) : undefined;
  }

  /** Nothing to release: the client holds no connection that keeps the process alive. */
  close(): void {}

  private union(): string {
    return this.tables.length === 1 ? this.tables[0]! : `union isfuzzy=true ${this.tables.join(", ")}`;
  }

  /** compileKql reads both tables; narrow to the configured ones. */
  private fromTables(kql: string): string {
    const first = `union isfuzzy=true ${LOG_ANALYTICS_TABLES.join(", ")}`;
    return kql.startsWith(first) ? this.union() + kql.slice(first.length) : kql;
  }

  private async run(kql: string, timespan: { startTime: Date; endTime: Date } | { duration: string }): Promise<{ table: LogsTable | undefined; partial: string | null }> {
    try {
      const r = await this.client.queryWorkspace(this.workspaceId, kql, timespan, {
        serverTimeoutInSeconds: SERVER_TIMEOUT_SECONDS,
        // The server may never answer (network): abort on our side too (AbortError, not retried).
        requestOptions: { timeout: this.clientTimeoutMs },
      });
      if (r.status === LogsQueryResultStatus.PartialFailure) {
        return { table: r.partialTables[0], partial: shortReason(innermost(r.partialError)) };
      }
      return { table: r.tables[0], partial: null };
    } catch (e) {
      throw explainError(e, this.workspaceId, { server: SERVER_TIMEOUT_SECONDS, client: this.clientTimeoutMs / 1000 });
    }
  }
}

/** Rows in the embedded store's conventions: numbers, ISO times, "" as null, dynamic as JSON. */
export function tableRows(table: LogsTable, columns: string[]): Cell[][] {
  const names = table.columnDescriptors.map((c) => c.name);
  const idx = columns.map((c) => names.indexOf(c));
  const missing = columns.filter((_, i) => idx[i]! < 0);
  if (missing.length) throw new LogAnalyticsError(`Log Analytics answered without the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  const types = table.columnDescriptors.map((c) => c.type);
  return table.rows.map((row) => idx.map((i) => toCell(row[i], types[i])));
}

function toCell(v: unknown, type: string | undefined): Cell {
  if (v === null || v === undefined || v === "") return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (type === "datetime" && typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  // long/real may arrive as text (e.g. "NaN", big longs).
  if ((type === "long" || type === "int" || type === "real" || type === "decimal") && typeof v === "string") {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  if (typeof v === "string" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

/** The most specific message of a Log Analytics error (the top one is generic). */
function innermost(e: LogsErrorInfo): string {
  let inner: LogsErrorInfo = e;
  while (inner.innererror) inner = inner.innererror;
  return (inner !== e ? inner.message : undefined) ?? e.details?.[0]?.message ?? e.message;
}

function fmtHours(h: number): string {
  return Number.isInteger(h) ? `${h} hours` : `${h.toFixed(1)} hours`;
}
