// Per-channel namespace access through serve: the real Bolt and botbuilder apps over HTTP.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/file.js";
import { accessFor, startService, type Service } from "../../src/surfaces/service.js";
import { FakeConnector, type ConnectorCall } from "../support/fake-connector.js";
import { FakeSlack, slackSignature } from "../support/fake-slack.js";
import { tempDir } from "../support/tmp.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const BOT = "28:00000000-0000-0000-0000-000000000000";
const dir = tempDir();
const configFile = join(dir, "netrca.yaml");
writeFileSync(configFile, [
  "access:",
  "  default: []",
  "  contact: '#platform-team'",
  "  slack:",
  "    C0SHOP: [shop]",
  "    C0ALL: ['*']",
  "  teams:",
  "    '19:shop@thread.tacv2': [shop]",
  "  users:",
  "    U0PETS: [pets]",
  "",
].join("\n"));

let slack: FakeSlack;
let connector: FakeConnector;
let service: Service;
beforeAll(async () => {
  slack = await new FakeSlack().start();
  connector = await new FakeConnector().start();
  // No flows given: the built-in demo cluster (faults in default, shop and pets).
  service = await startService({ config: { port: 0, slack: { signingSecret: SECRET, botToken: "xoxb-test", apiUrl: slack.apiUrl }, teams: { appId: "", appPassword: "", appType: "MultiTenant" }, stateDir: join(dir, "state"), configFile } });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await slack?.close();
  await connector?.close();
});

const slash = async (text: string, channel: string, user = "U1") => {
  const body = new URLSearchParams({ token: "x", team_id: "T1", channel_id: channel, channel_name: "c", user_id: user, user_name: "u", command: "/netrca", text, api_app_id: "A1", trigger_id: "1", response_url: slack.responseUrl(channel) }).toString();
  const res = await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature(SECRET, body) }, body });
  return JSON.parse(await res.text()) as { text: string };
};
const settle = () => new Promise((r) => setTimeout(r, 1500));
const postsTo = (channel: string, since: number) => slack.calls.filter((c) => c.at >= since && (c.args.channel === channel || c.args.channel_id === channel));
const OTHERS = /\bpets\b|rabbitmq|store-front|product-service|kapinger|\bdefault\//;

describe("namespace access in Slack", () => {
  it("a channel allowed only shop asking about pets: refused in the ack, nothing investigated or posted", async () => {
    const since = Date.now();
    expect((await slash("what's wrong in namespace pets?", "C0SHOP")).text).toBe("This channel may ask about shop; not pets.");
    await settle();
    expect(postsTo("C0SHOP", since)).toEqual([]);
  });

  it("its \"what's wrong?\" reports shop alone: the reply, its table, its chart and its thread show nothing of pets or default", async () => {
    const since = Date.now();
    const ack = await slash("what's wrong?", "C0SHOP");
    expect(ack.text).toMatch(/^Looking at .* in namespace shop/);
    const post = await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0SHOP" && !c.args.thread_ts));
    expect(String(post.args.text)).toMatch(/^Most probable root cause in namespace shop/);
    // Everything posted into the channel and its thread (charts and queries included).
    await slack.waitFor(() => slack.calls.some((c) => c.at >= since && c.method === "files.completeUploadExternal"));
    await settle();
    const all = JSON.stringify(postsTo("C0SHOP", since).map((c) => ({ ...c.args, blocks: JSON.stringify(c.args.blocks ?? []).replace(/"dnsQuery"[^\]]*/g, "") })));
    expect(all.replace(/kapinger-bad\.default\.shop\.svc\.cluster\.local\.?/g, "")).not.toMatch(OTHERS);
    const uploads = slack.calls.filter((c) => c.at >= since && c.method === "files.getUploadURLExternal").map((c) => String(c.args.filename) + String(c.args.alt_text ?? ""));
    expect(uploads.join(" ")).not.toMatch(OTHERS);
  });

  it("a channel allowed every namespace sees pets' faults; one not listed (default: none) is refused and told who to ask", async () => {
    const since = Date.now();
    await slash("what's wrong?", "C0ALL");
    const post = await slack.waitFor(() => slack.posts().find((c) => c.at >= since && c.args.channel === "C0ALL" && !c.args.thread_ts));
    expect(JSON.stringify(post.args.blocks)).toMatch(/pets\/rabbitmq-0|pets\/product-service/);
    expect((await slash("what's wrong?", "C0OTHER")).text).toBe("This channel may not ask about any namespace: #platform-team sets which namespaces each channel may see (access in netrca's configuration file).");
  });

  it("a DM uses the user's entry, else the default", async () => {
    expect((await slash("what's wrong in namespace shop?", "D0DM", "U0PETS")).text).toBe("This channel may ask about pets; not shop.");
    expect((await slash("what's wrong in namespace shop?", "D0DM", "U0NOBODY")).text).toMatch(/^This channel may not ask about any namespace/);
  });
});

describe("namespace access in Teams", () => {
  let n = 0;
  const message = (text: string, channel: string) => {
    const id = `17636510${String(++n).padStart(5, "0")}`;
    return {
      type: "message", id, timestamp: new Date().toISOString(), serviceUrl: connector.serviceUrl, channelId: "msteams",
      from: { id: "29:oncall", name: "On Call" }, conversation: { isGroup: true, conversationType: "channel", tenantId: "t1", id: `${channel};messageid=${id}` },
      recipient: { id: BOT, name: "netrca" }, text: `<at>netrca</at> ${text}`, entities: [{ type: "mention", text: "<at>netrca</at>", mentioned: { id: BOT, name: "netrca" } }],
      channelData: { teamsChannelId: channel, channel: { id: channel }, tenant: { id: "t1" } },
    };
  };
  const send = async (a: ReturnType<typeof message>) => {
    const res = await fetch(`http://127.0.0.1:${service.port}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(a) });
    await res.text();
  };
  const replies = (a: ReturnType<typeof message>) => connector.calls.filter((c: ConnectorCall) => c.path.startsWith(`/v3/conversations/${a.conversation.id}/activities`) && c.body.type === "message");

  it("the shop channel asking about pets gets the refusal and no card", async () => {
    const a = message("what's wrong in namespace pets?", "19:shop@thread.tacv2");
    await send(a);
    const reply = await connector.waitFor(() => replies(a)[0]);
    expect(reply.body.text).toBe("This channel may ask about shop; not pets.");
    await settle();
    expect(replies(a).filter((c) => Array.isArray(c.body.attachments) && (c.body.attachments as unknown[]).length)).toEqual([]);
  });

  it("its \"what's wrong?\" card is about shop alone", async () => {
    const a = message("what's wrong?", "19:shop@thread.tacv2");
    await send(a);
    const reply = await connector.waitFor(() => replies(a).find((c) => Array.isArray(c.body.attachments)));
    const card = JSON.stringify((reply.body.attachments as { content?: unknown }[])[0]!.content);
    expect(card).toMatch(/namespace shop/);
    expect(card.replace(/kapinger-bad\.default\.shop\.svc\.cluster\.local\.?/g, "")).not.toMatch(OTHERS);
  });

  it("a channel not listed gets the default (none)", async () => {
    const a = message("what's wrong?", "19:other@thread.tacv2");
    await send(a);
    expect((await connector.waitFor(() => replies(a)[0])).body.text).toMatch(/^This channel may not ask about any namespace: #platform-team/);
  });
});

describe("the access section of the configuration file", () => {
  it("reads patterns and refuses a bad one naming the field", async () => {
    const cfg = (await loadConfigFile(configFile)).access!;
    expect(accessFor(cfg, { surface: "slack", channel: "C0SHOP" })).toEqual({ namespaces: ["shop"], shared: ["kube-system"], contact: "#platform-team" });
    expect(accessFor(cfg, { surface: "teams", channel: "19:shop@thread.tacv2;messageid=123" })?.namespaces).toEqual(["shop"]);
    expect(accessFor(cfg, { surface: "teams", channel: "constructor" })?.namespaces).toEqual([]);
    expect(accessFor(undefined, { surface: "slack", channel: "C1" })).toBeUndefined();
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "access:\n  slack:\n    C0X: [Shop_1]\n");
    await expect(loadConfigFile(bad)).rejects.toThrow(`${bad}: access.slack.C0X.0: "Shop_1" is not a namespace name, a prefix ending in * ("shop-*") or "*"`);
  });
});
