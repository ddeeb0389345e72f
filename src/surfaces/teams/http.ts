import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request, Response } from "botbuilder";

/**
 * botbuilder's adapter expects Express-like objects (a parsed body; status/header/send/end).
 * These wrap plain node:http ones, so the shared server needs no framework.
 */
export async function botRequest(req: IncomingMessage, limit = 1_000_000): Promise<Request> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error("activity too large"), { status: 413 });
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    throw Object.assign(new Error("the activity is not JSON"), { status: 400 });
  }
  return { method: req.method ?? "POST", headers: req.headers as Request["headers"], ...(body && { body }) };
}

export function botResponse(res: ServerResponse): Response {
  return {
    socket: res.socket,
    status: (code: number) => {
      res.statusCode = code;
    },
    header: (name: string, value: unknown) => {
      res.setHeader(name, String(value));
    },
    send: (body?: unknown) => {
      if (body === undefined || body === null) return;
      if (typeof body === "object" && !Buffer.isBuffer(body)) {
        res.setHeader("content-type", "application/json");
        res.write(JSON.stringify(body));
      } else res.write(body as string | Buffer);
    },
    end: () => {
      res.end();
    },
  };
}
