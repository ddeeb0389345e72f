/**
 * netrca's own metrics (GET /metrics, prom-client) and structured logs (pino, JSON, one line
 * per event). Secrets are redacted by the logger's configuration, by path, never by hand.
 */
import type { Logger } from "pino";
import type { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface Telemetry {
  registry: Registry;
  log: Logger;
  questions: Counter<"surface" | "intent">;
  refused: Counter<"surface">;
  investigationSeconds: Histogram<"intent">;
  errors: Counter<"stage">;
  chatApiErrors: Counter<"platform" | "error">;
  rateLimited: Counter<"platform">;
  llmTokens: Counter<"direction">;
  queueDepth: Gauge;
}

/** Paths whose values never reach a log line, whatever event carries them. */
export const REDACT = [
  "token", "*.token", "botToken", "*.botToken", "appToken", "*.appToken", "signingSecret", "*.signingSecret",
  "apiKey", "*.apiKey", "password", "*.password", "appPassword", "*.appPassword",
  "authorization", "*.authorization", "headers.authorization", "*.headers.authorization",
  'headers["x-slack-signature"]', '*.headers["x-slack-signature"]', 'headers["api-key"]', '*.headers["api-key"]',
];

export async function createTelemetry(opts: { queueDepth: () => number; alertStats?: () => Promise<{ received: number; pendingPosts: number; failedPosts: number }>; destination?: NodeJS.WritableStream; level?: string }): Promise<Telemetry> {
  const [{ default: pino }, prom] = await Promise.all([import("pino"), import("prom-client")]);
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: "netrca_" });
  const log = pino({ level: opts.level ?? "info", base: { service: "netrca" }, redact: { paths: REDACT, censor: "[redacted]" }, timestamp: pino.stdTimeFunctions.isoTime }, (opts.destination ?? process.stderr) as import("pino").DestinationStream);
  const reg = { registers: [registry] };
  const t: Telemetry = {
    registry,
    log,
    questions: new prom.Counter({ name: "netrca_questions_total", help: "Questions answered, by surface and intent", labelNames: ["surface", "intent"], ...reg }),
    refused: new prom.Counter({ name: "netrca_questions_refused_total", help: "Questions refused because the channel may not see the namespace", labelNames: ["surface"], ...reg }),
    investigationSeconds: new prom.Histogram({ name: "netrca_investigation_duration_seconds", help: "Time from a question to its Report", labelNames: ["intent"], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], ...reg }),
    errors: new prom.Counter({ name: "netrca_errors_total", help: "Failures, by pipeline stage", labelNames: ["stage"], ...reg }),
    chatApiErrors: new prom.Counter({ name: "netrca_chat_api_errors_total", help: "Slack Web API and Bot Connector calls that failed", labelNames: ["platform", "error"], ...reg }),
    rateLimited: new prom.Counter({ name: "netrca_chat_rate_limited_total", help: "Slack and Teams answers of 429", labelNames: ["platform"], ...reg }),
    llmTokens: new prom.Counter({ name: "netrca_llm_tokens_total", help: "Tokens used by explanations", labelNames: ["direction"], ...reg }),
    queueDepth: new prom.Gauge({ name: "netrca_queue_depth", help: "Questions waiting for an investigation slot", ...reg, collect() { this.set(opts.queueDepth()); } }),
  };
  if (opts.alertStats) {
    const stats = opts.alertStats;
    new prom.Gauge({ name: "netrca_alerts_received", help: "Alert notifications accepted and recorded (kept across restarts)", ...reg, async collect() { this.set((await stats()).received); } });
    new prom.Gauge({ name: "netrca_alert_posts_pending", help: "Alert summary posts in the outbox", ...reg, async collect() { this.set((await stats()).pendingPosts); } });
    new prom.Gauge({ name: "netrca_alert_posts_failed", help: "Alert summary posts given up (a permanent error)", ...reg, async collect() { this.set((await stats()).failedPosts); } });
  }
  return t;
}
