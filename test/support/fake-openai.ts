// A local OpenAI-compatible server (POST /v1/responses, Azure's /openai/v1/responses) so the real
// `openai` client runs over HTTP; also a managed-identity token endpoint (App Service's
// IDENTITY_ENDPOINT) for the Entra path of @azure/identity's DefaultAzureCredential.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface ModelAnswer {
  text?: string;
  status?: number;
  delayMs?: number;
}

export interface ModelRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: { model?: string; instructions?: string; input?: string } & Record<string, unknown>;
}

export const ENTRA_TOKEN = "entra-token-for-cognitive-services";

export class FakeOpenAI {
  requests: ModelRequest[] = [];
  tokenRequests: { url: string; headers: IncomingHttpHeaders }[] = [];
  /** What the model says to a request (a fixed answer, or one written from the request). */
  answer: ModelAnswer | ((req: ModelRequest) => ModelAnswer) = {};
  private server?: Server;
  base = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        if (req.url?.startsWith("/msi/token")) {
          this.tokenRequests.push({ url: req.url, headers: req.headers });
          res.writeHead(200, { "content-type": "application/json" });
          return res.end(JSON.stringify({ access_token: ENTRA_TOKEN, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: "https://cognitiveservices.azure.com", token_type: "Bearer" }));
        }
        const r: ModelRequest = { path: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : {} };
        this.requests.push(r);
        const a = typeof this.answer === "function" ? this.answer(r) : this.answer;
        setTimeout(() => {
          if (res.destroyed) return;
          if (a.status) {
            res.writeHead(a.status, { "content-type": "application/json" });
            return res.end(JSON.stringify({ error: { message: "upstream failed", type: "server_error" } }));
          }
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({
            id: "resp_1", object: "response", created_at: 1, status: "completed", model: r.body.model ?? "gpt-4.1-mini",
            output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: a.text ?? "", annotations: [] }] }],
            usage: { input_tokens: 1200, output_tokens: 80, total_tokens: 1280 },
          }));
        }, a.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** The findings the request carries, as the model reads them. */
export function findingsIn(req: ModelRequest): { rank: number; title: string; subject: string | null; value: number; unit: string; since: string | null; next: string[] }[] {
  const input = String(req.body.input ?? "");
  const block = input.slice(input.indexOf("<findings>") + 10, input.indexOf("</findings>")).trim();
  return block ? block.split("\n").map((l) => JSON.parse(l)) : [];
}

/**
 * A model that does what the instructions ask, from the request alone: the first finding,
 * its size and start, why it leads, and its own next step.
 */
export function faithfulModel(req: ModelRequest): ModelAnswer {
  const [top, second] = findingsIn(req);
  if (!top) return { text: "The checks found no fault in this window." };
  const since = top.since && !/\bsince\b/.test(top.title) ? ` since ${top.since.slice(11, 16)} UTC` : "";
  const parts = [`${top.title.replace(/\.$/, "")}${since}: ${top.value} ${top.unit} in this window.`];
  parts.push(`Finding 1 is the likely cause${second ? `; finding 2 (${second.title.replace(/\.$/, "")}) is ranked below it` : ""}.`);
  if (top.next[0]) parts.push(`Next: ${top.next[0].replace(/\.$/, "")}.`);
  return { text: parts.join(" ") };
}
