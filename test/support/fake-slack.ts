import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";

/** One call the app made to Slack's Web API, with its form or JSON arguments decoded. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

/**
 * A stand-in for Slack's Web API on loopback, at the HTTP level: the real @slack/web-api
 * client talks to it. It answers auth.test, chat.postMessage, the files.uploadV2 sequence and
 * response_url posts, records everything, and can be told to fail the next call.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly uploads: { fileId: string; bytes: Buffer }[] = [];
  readonly responses: { path: string; body: Record<string, unknown> }[] = [];
  private failures: { method: string; error?: string; status?: number; retryAfter?: number }[] = [];
  private server!: Server;
  private ts = 1_763_650_000;
  port = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  /** The next call of `method` fails: with a Slack error, or with an HTTP status (429). */
  failNext(method: string, f: { error?: string; status?: number; retryAfter?: number }): void {
    this.failures.push({ method, ...f });
  }

  posts(): SlackCall[] {
    return this.calls.filter((c) => c.method === "chat.postMessage");
  }

  /** Wait until `predicate` holds on the recorded calls (the app answers after its ack). */
  async waitFor<T>(predicate: () => T | undefined | false, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (Date.now() > end) throw new Error(`FakeSlack: timed out; calls so far: ${this.calls.map((c) => c.method).join(", ")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** `port`: listen there (a fake that comes back where it was, after a restart). */
  async start(port = 0): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await read(req);
      const path = req.url ?? "/";
      const send = (status: number, obj: object, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(obj));
      };
      if (path.startsWith("/upload/")) {
        this.uploads.push({ fileId: path.slice("/upload/".length), bytes: filePart(req, body) });
        return send(200, { ok: true });
      }
      if (path.startsWith("/response/")) {
        this.responses.push({ path, body: JSON.parse(body.toString("utf8")) });
        return send(200, { ok: true });
      }
      const method = path.replace(/^\/api\//, "").split("?")[0]!;
      const args = decode(req, body);
      const i = this.failures.findIndex((f) => f.method === method);
      if (i >= 0) {
        const f = this.failures.splice(i, 1)[0]!;
        this.calls.push({ method: `${method}!failed`, args, at: Date.now() });
        if (f.status === 429) return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(f.retryAfter ?? 1) });
        return send(f.status ?? 200, { ok: false, error: f.error ?? "internal_error" });
      }
      this.calls.push({ method, args, at: Date.now() });
      switch (method) {
        case "apps.connections.open":
          // Socket Mode: only with the app-level token, as Slack requires.
          if (req.headers.authorization !== `Bearer ${this.socket?.appToken}`) return send(200, { ok: false, error: "invalid_auth" });
          return send(200, { ok: true, url: `ws://127.0.0.1:${this.socket!.port}/link/?ticket=t${this.calls.length}` });
        case "auth.test":
          return send(200, { ok: true, user_id: "UBOT", bot_id: "B0BOT", team_id: "T1", user: "netrca", team: "test" });
        case "chat.postMessage":
          return send(200, { ok: true, channel: args.channel, ts: `${this.ts++}.000100`, message: { text: args.text } });
        case "chat.update":
          return send(200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
        case "files.getUploadURLExternal": {
          const id = `F${this.uploads.length + this.calls.length}`;
          return send(200, { ok: true, file_id: id, upload_url: `http://127.0.0.1:${this.port}/upload/${id}` });
        }
        case "files.completeUploadExternal":
          return send(200, { ok: true, files: (JSON.parse(String(args.files)) as { id: string }[]).map((f) => ({ id: f.id })) });
        default:
          return send(200, { ok: false, error: "unknown_method" });
      }
    });
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Socket Mode: a WebSocket server apps.connections.open points at; envelopes go out, acks come back. */
  socket?: { appToken: string; port: number; server: import("ws").WebSocketServer; peers: Set<import("ws").WebSocket>; acks: Record<string, unknown>[] };
  async startSocketMode(appToken: string): Promise<void> {
    const { WebSocketServer } = await import("ws");
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => server.once("listening", () => r()));
    const socket = { appToken, port: (server.address() as { port: number }).port, server, peers: new Set<import("ws").WebSocket>(), acks: [] as Record<string, unknown>[] };
    server.on("connection", (ws) => {
      socket.peers.add(ws);
      ws.on("close", () => socket.peers.delete(ws));
      ws.on("message", (m) => socket.acks.push(JSON.parse(m.toString())));
      ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake", approximate_connection_time: 18060 }, connection_info: { app_id: "A1" } }));
    });
    this.socket = socket;
  }

  /** Send an envelope to every connected app; resolves with its ack. */
  async envelope(type: "slash_commands" | "events_api", payload: Record<string, unknown>, id: string): Promise<Record<string, unknown>> {
    const s = this.socket!;
    for (const ws of s.peers) ws.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: type === "slash_commands", retry_attempt: 0, retry_reason: "" }));
    return this.waitFor(() => s.acks.find((a) => a.envelope_id === id));
  }

  async close(): Promise<void> {
    if (this.socket) {
      for (const ws of this.socket.peers) ws.terminate();
      await new Promise<void>((r) => this.socket!.server.close(() => r()));
    }
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The file's bytes, from a raw body or the one part of a multipart/form-data body. */
function filePart(req: IncomingMessage, body: Buffer): Buffer {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers["content-type"] ?? "");
  if (!m) return body;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const start = body.indexOf("\r\n\r\n", body.indexOf(boundary)) + 4;
  const end = body.indexOf(Buffer.concat([Buffer.from("\r\n"), boundary]), start);
  return body.subarray(start, end);
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** WebClient sends forms with JSON strings inside (blocks, attachments); some calls send JSON. */
function decode(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = req.headers["content-type"] ?? "";
  const text = body.toString("utf8");
  if (type.includes("json")) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = (k === "blocks" || k === "attachments") ? JSON.parse(v) : v;
  }
  return out;
}

/** Headers for a request signed the way Slack signs it (v0, HMAC-SHA256 over v0:ts:body). */
export function slackSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const sig = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-request-timestamp": String(timestamp), "x-slack-signature": `v0=${sig}` };
}
