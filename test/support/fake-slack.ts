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

  async close(): Promise<void> {
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
