import type { TokenCredential } from "@azure/identity";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/**
 * The Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`, `/api/v1/label/…/values`),
 * self-hosted or Azure Monitor managed. Every failure becomes a MetricsError of one sentence
 * that names the server and never the credentials.
 */

export interface PrometheusOptions {
  url: string;
  /** Bearer token (self-hosted behind a proxy). */
  token?: string;
  username?: string;
  password?: string;
  /** Azure Monitor workspace: tokens for https://prometheus.monitor.azure.com/.default. Default: from the host name. */
  azure?: boolean;
  /** Default for Azure: DefaultAzureCredential (workload identity in AKS, `az login` locally). */
  credential?: TokenCredential;
  /** Extra CA certificate(s), PEM (a private CA; tests). */
  ca?: string;
  /** Per request, covering the whole answer. */
  timeoutMs?: number;
}

export const AZURE_PROMETHEUS_SCOPE = "https://prometheus.monitor.azure.com/.default";

export class MetricsError extends Error {
  override name = "MetricsError";
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value] */
  points: [number, number][];
}

interface ApiBody {
  status: "success" | "error";
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export function isAzurePrometheus(url: string): boolean {
  try {
    return new URL(url).hostname.toLowerCase().endsWith(".prometheus.monitor.azure.com");
  } catch {
    return false;
  }
}

export class PrometheusClient {
  readonly base: URL;
  private credential: TokenCredential | undefined;
  private readonly names = new Map<string, Promise<Set<string>>>();

  constructor(private readonly opts: PrometheusOptions) {
    let base: URL;
    try {
      base = new URL(opts.url);
    } catch {
      // Never echoed: a URL may carry a user and password.
      throw new MetricsError("--prometheus is not a URL (e.g. http://prometheus.monitoring:9090)");
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new MetricsError(`--prometheus ${base.username || base.password ? "(a URL with credentials)" : opts.url}: the URL must start with http:// or https://`);
    if (base.username && !opts.username) {
      this.opts = { ...opts, username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
      base.username = "";
      base.password = "";
    }
    this.base = base;
    this.credential = opts.credential;
  }

  /** The server as people may see it: no credentials, no query string. */
  get shown(): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/$/, "")}`;
  }

  private get azure(): boolean {
    return this.opts.azure ?? isAzurePrometheus(this.base.href);
  }

  /**
   * The metric names with samples in a span (the question's window and the one before), asked
   * once per span: a family that stopped reporting must not stand in for the one that now does.
   */
  metricNames(span?: { from: Date; to: Date }): Promise<Set<string>> {
    const key = span ? `${Math.floor(span.from.getTime() / 60_000)}-${Math.ceil(span.to.getTime() / 60_000)}` : "all";
    let found = this.names.get(key);
    if (!found) {
      const params: Record<string, string> = span ? { start: (span.from.getTime() / 1000).toFixed(3), end: (span.to.getTime() / 1000).toFixed(3) } : {};
      found = this.call("GET", "api/v1/label/__name__/values", params).then((b) => new Set(Array.isArray(b.data) ? (b.data as string[]) : []));
      found.catch(() => this.names.delete(key));
      if (this.names.size > 32) this.names.clear();
      this.names.set(key, found);
    }
    return found;
  }

  /** Every value a label takes on the server (for names: Hubble's namespace/pod, nodes). */
  async labelValues(label: string): Promise<string[]> {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw new MetricsError(`not a label name: ${label}`);
    const b = await this.call("GET", `api/v1/label/${label}/values`, {});
    return Array.isArray(b.data) ? (b.data as string[]) : [];
  }

  /** The label sets of the series a selector matches, over all the server holds. */
  async series(match: string): Promise<Record<string, string>[]> {
    const b = await this.call("POST", "api/v1/series", { "match[]": match });
    return Array.isArray(b.data) ? (b.data as Record<string, string>[]) : [];
  }

  /** `warnings` collects what Prometheus attached to this answer (partial data). */
  async instant(promql: string, time: Date, warnings?: string[]): Promise<Sample[]> {
    const body = await this.call("POST", "api/v1/query", { query: promql, time: (time.getTime() / 1000).toFixed(3) });
    for (const w of body.warnings ?? []) warnings?.push(w.split("\n")[0]!);
    const result = (body.data?.result ?? []) as { metric: Record<string, string>; value: [number, string] }[];
    if (body.data?.resultType !== "vector") throw new MetricsError(`Prometheus at ${this.shown} answered a ${body.data?.resultType ?? "strange"} result where a vector was expected`);
    return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) })).filter((s) => Number.isFinite(s.value));
  }

  async range(promql: string, from: Date, to: Date, stepSeconds: number): Promise<Series[]> {
    const body = await this.call("POST", "api/v1/query_range", { query: promql, start: (from.getTime() / 1000).toFixed(3), end: (to.getTime() / 1000).toFixed(3), step: String(stepSeconds) });
    const result = (body.data?.result ?? []) as { metric: Record<string, string>; values: [number, string][] }[];
    return result.map((r) => ({ labels: r.metric, points: r.values.map(([t, v]) => [Number(t), Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)) }));
  }

  private async headers(): Promise<Record<string, string>> {
    if (this.azure) {
      if (!this.credential) {
        const { DefaultAzureCredential } = await import("@azure/identity");
        this.credential = new DefaultAzureCredential();
      }
      let token;
      try {
        token = await this.credential.getToken(AZURE_PROMETHEUS_SCOPE);
      } catch (e) {
        throw new MetricsError(`netrca could not sign in to Azure for Prometheus at ${this.shown}: ${((e as Error).message ?? "").split("\n")[0]!.replace(/\.$/, "")}`);
      }
      if (!token) throw new MetricsError(`netrca could not sign in to Azure for Prometheus at ${this.shown}: no token`);
      return { authorization: `Bearer ${token.token}` };
    }
    if (this.opts.token) return { authorization: `Bearer ${this.opts.token}` };
    if (this.opts.username !== undefined) return { authorization: `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password ?? ""}`).toString("base64")}` };
    return {};
  }

  private async call(method: "GET" | "POST", path: string, params: Record<string, string>): Promise<ApiBody> {
    const url = new URL(path, this.base.href.endsWith("/") ? this.base : new URL(`${this.base.href}/`));
    const form = new URLSearchParams(params).toString();
    if (method === "GET" && form) url.search = form;
    const headers: Record<string, string> = { accept: "application/json", ...(await this.headers()) };
    if (method === "POST") headers["content-type"] = "application/x-www-form-urlencoded";
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(url, { method, headers, ...(this.opts.ca && { ca: this.opts.ca }), timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })), timeoutMs);
      req.on("close", () => clearTimeout(timer));
      req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      req.end(method === "POST" ? form : undefined);
    }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ETIMEDOUT") throw new MetricsError(`Prometheus at ${this.shown} did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`}`);
      if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "EHOSTUNREACH" || e.code === "ECONNRESET" || e.code === "EAI_AGAIN")
        throw new MetricsError(`Prometheus at ${this.shown} cannot be reached (${e.code})`);
      throw new MetricsError(`Prometheus at ${this.shown} cannot be reached: ${(e.message ?? String(e)).split("\n")[0]}`);
    });
    let body: ApiBody | undefined;
    try {
      body = JSON.parse(text) as ApiBody;
    } catch {
      body = undefined;
    }
    if (status === 401 || status === 403) throw new MetricsError(`Prometheus at ${this.shown} refused netrca's credentials (HTTP ${status})${this.azure ? ": give netrca's identity the Monitoring Data Reader role on the Azure Monitor workspace" : ": check PROMETHEUS_TOKEN or the user and password"}`);
    if (!body || typeof body !== "object") throw new MetricsError(`Prometheus at ${this.shown} answered HTTP ${status} without a Prometheus API body${status === 404 ? ": is the URL the server's root (without /api/v1)?" : ""}`);
    if (body.status !== "success") {
      const what = (body.error ?? `HTTP ${status}`).split("\n")[0];
      throw new MetricsError(`Prometheus at ${this.shown} refused a query (${body.errorType ?? status}): ${what}`);
    }
    return body;
  }
}
