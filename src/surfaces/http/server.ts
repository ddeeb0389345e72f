import { createServer, type RequestListener, type Server } from "node:http";

export interface Routes {
  /** GET /healthz (and /readyz): what answers questions; throws when a question could not be answered. */
  health(): Promise<object>;
  /** GET /metrics: netrca's own metrics, Prometheus text. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** POST /slack/events, when Slack over HTTP is configured. */
  slack?: RequestListener;
  /** POST /api/messages: the Teams bot (Bot Framework). */
  teams?: RequestListener;
  /** POST /alerts/alertmanager and /alerts/azure-monitor, when NETRCA_ALERT_TOKEN is set. */
  alerts?: { alertmanager: RequestListener; azureMonitor: RequestListener };
}

/** One HTTP server on one port for every surface (Slack, Teams, alert webhooks). */
export async function startServer(port: number, host: string | undefined, routes: Routes): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics" && routes.metrics) {
      routes.metrics().then(
        (m) => res.writeHead(200, { "content-type": m.contentType }).end(m.body),
        (e) => json(res, 500, { ok: false, error: (e as Error).message }),
      );
      return;
    }
    // Ready: the source answers (the store, or the remote workspace); /healthz says the same, with detail.
    if (req.method === "GET" && (path === "/healthz" || path === "/readyz")) {
      routes.health().then(
        (h) => json(res, 200, { ok: true, ...h }),
        (e) => json(res, 503, { ok: false, error: (e as Error).message }),
      );
      return;
    }
    if (path === "/slack/events") {
      if (routes.slack) return routes.slack(req, res);
      return json(res, 404, { ok: false, error: "Slack is not configured (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)" });
    }
    if (path === "/api/messages" && routes.teams) return routes.teams(req, res);
    if (path === "/alerts/alertmanager" || path === "/alerts/azure-monitor") {
      if (!routes.alerts) return json(res, 404, { ok: false, error: "alert webhooks are off (set NETRCA_ALERT_TOKEN)" });
      return (path === "/alerts/alertmanager" ? routes.alerts.alertmanager : routes.alerts.azureMonitor)(req, res);
    }
    json(res, 404, { ok: false, error: `no route for ${req.method} ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (host) server.listen(port, host, resolve);
    else server.listen(port, resolve);
  });
  return server;
}

function json(res: Parameters<RequestListener>[1], status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
