#!/usr/bin/env node
// Try netrca's Slack app by hand, with no Slack: stands in for Slack's Web API on
// 127.0.0.1:API_PORT (prints what netrca posts) and sends netrca a signed slash command.
//
//   SLACK_API_URL=http://127.0.0.1:3999/api/ SLACK_SIGNING_SECRET=test-secret SLACK_BOT_TOKEN=xoxb-test \
//     npx netrca serve &
//   node scripts/try-slack.mjs "why is dns failing in namespace shop?"
import { createHmac } from "node:crypto";
import { createServer } from "node:http";

const question = process.argv[2] ?? "what's wrong in namespace pets?";
const netrca = process.env.NETRCA_URL ?? "http://127.0.0.1:3000/slack/events";
const secret = process.env.SLACK_SIGNING_SECRET ?? "test-secret";
const apiPort = Number(process.env.API_PORT ?? 3999);
const waitMs = Number(process.env.WAIT_MS ?? 8000);

let ts = 1763650000;
const api = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const method = (req.url ?? "").replace(/^\/api\//, "");
  const reply = (obj) => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify(obj)); };
  if (req.url?.startsWith("/upload/")) {
    console.log(`\n--- upload ${req.url}: ${body.length} bytes`);
    return reply({ ok: true });
  }
  const args = Object.fromEntries([...new URLSearchParams(body.toString())].map(([k, v]) => [k, k === "blocks" || k === "attachments" || k === "files" ? JSON.parse(v) : v]));
  if (method !== "auth.test") console.log(`\n--- ${method}\n${JSON.stringify(args, null, 2)}`);
  if (method === "auth.test") return reply({ ok: true, user_id: "UBOT", bot_id: "BBOT", team_id: "T1" });
  if (method === "chat.postMessage") return reply({ ok: true, channel: args.channel, ts: `${ts++}.000100` });
  if (method === "files.getUploadURLExternal") return reply({ ok: true, file_id: "F1", upload_url: `http://127.0.0.1:${apiPort}/upload/F1` });
  if (method === "files.completeUploadExternal") return reply({ ok: true, files: [{ id: "F1" }] });
  reply({ ok: false, error: "unknown_method" });
});
await new Promise((r) => api.listen(apiPort, "127.0.0.1", r));

const body = new URLSearchParams({
  token: "x", team_id: "T1", team_domain: "acme", channel_id: "C0INCIDENT", channel_name: "incident", user_id: "U0ONCALL",
  user_name: "oncall", command: "/netrca", text: question, api_app_id: "A1", trigger_id: "1.2.3",
  response_url: `http://127.0.0.1:${apiPort}/response`,
}).toString();
const stamp = Math.floor(Date.now() / 1000);
const signature = "v0=" + createHmac("sha256", secret).update(`v0:${stamp}:${body}`).digest("hex");
const t0 = performance.now();
const res = await fetch(netrca, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(stamp), "x-slack-signature": signature }, body });
console.log(`ack: HTTP ${res.status} in ${(performance.now() - t0).toFixed(0)} ms: ${await res.text()}`);
setTimeout(() => api.close(() => process.exit(0)), waitMs);
