import { createServer, type Server } from "node:http";

/** One request the bot made to the Bot Connector service. */
export interface ConnectorCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  at: number;
}

/**
 * A stand-in for the Bot Connector service (Teams' side of a bot) on loopback, at the HTTP
 * level: activities carry `serviceUrl` pointing here, and the real botbuilder ConnectorClient
 * posts its replies to it.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private server!: Server;
  port = 0;

  get serviceUrl(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      this.calls.push({ method: req.method ?? "", path: decodeURIComponent(req.url ?? ""), body: text ? JSON.parse(text) : {}, at: Date.now() });
      res.writeHead(200, { "content-type": "application/json" });
      // A new conversation in a channel (a new post): its id names the channel and the post, as Teams' does.
      const channel = (this.calls.at(-1)!.body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
      if (req.method === "POST" && req.url === "/v3/conversations" && channel) return res.end(JSON.stringify({ id: `${channel};messageid=post-${this.calls.length}`, activityId: `post-${this.calls.length}` }));
      res.end(JSON.stringify({ id: `reply-${this.calls.length}` }));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Wait until `predicate` holds on the recorded calls. */
  async waitFor<T>(predicate: () => T | undefined | false, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = predicate();
      if (v) return v;
      if (Date.now() > end) throw new Error(`FakeConnector: timed out; calls: ${this.calls.map((c) => `${c.method} ${c.path}`).join(", ")}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
