import { timingSafeEqual, createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AlertTarget, ConfigFile } from "../../config/file.js";
import { SEVERITIES } from "../../config/file.js";
import type { Finding, Question, Report } from "../../model/index.js";
import type { AlertStore, GroupRow, OutboxRow } from "../../state/alerts.js";
import type { Answerer } from "../answerer.js";
import { escapeMrkdwn, queryMessages, reportMessage, type SlackMessage } from "../slack/blocks.js";
import { escapeMarkdown, reportCard } from "../teams/card.js";
import { parseAlertmanager, parseAzureMonitor, PayloadError, type AlertNotice } from "./payloads.js";
import { questionText, scopeAlert } from "./question.js";

/** A webhook body larger than this is not an alert (Azure caps the common schema at 256 KB). */
const MAX_BODY = 1024 * 1024;
/** Slack allows about one message a second per channel. */
const CHANNEL_GAP_MS = 1100;
/** A delivery that keeps failing is given up after this many tries (about a day with backoff). */
const MAX_ATTEMPTS = 300;
/** Slack errors that no retry can fix. */
const PERMANENT = new Set(["channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive", "token_revoked", "missing_scope", "msg_too_long", "message_not_found", "cant_update_message"]);

export interface AlertSurfaceOptions {
  token: string;
  state: AlertStore;
  config: ConfigFile["alerts"];
  answer: Answerer;
  /** Slack's Web API client for posting (absent: Slack not configured). */
  slack?: SlackPoster;
  /** Posting into Teams channels (the bot's proactive messages). */
  teams?: TeamsPoster;
  now?: () => Date;
  log?: (line: string) => void;
}

/** The calls the outbox makes to Slack; the real client is @slack/web-api's WebClient. */
export interface SlackPoster {
  postMessage(args: { channel: string; thread_ts?: string } & SlackMessage): Promise<{ ts?: string }>;
  update(args: { channel: string; ts: string } & SlackMessage): Promise<unknown>;
  upload(args: { channel: string; thread_ts: string; file: Buffer; filename: string; title: string }): Promise<unknown>;
}

export interface TeamsPoster {
  post(channelId: string, activity: Record<string, unknown>): Promise<string>;
  reply(channelId: string, postId: string, activity: Record<string, unknown>): Promise<void>;
  update(channelId: string, postId: string, activity: Record<string, unknown>): Promise<void>;
}

export interface AlertSurface {
  alertmanager: RequestListener;
  azureMonitor: RequestListener;
  /** Work through what is recorded and not yet done (after a restart too). */
  start(): void;
  stop(): Promise<void>;
  /** Resolves when nothing is left to investigate or deliver (tests). */
  idle(): Promise<void>;
  stats(): Promise<{ received: number; pendingNotices: number; pendingPosts: number; failedPosts: number }>;
}

/**
 * Incident-channel summaries: an alert is recorded, answered 202, then investigated like a
 * question and posted into its routed channel, one thread per alert group, through a durable
 * outbox that retries until Slack takes it.
 */
export function createAlertSurface(o: AlertSurfaceOptions): AlertSurface {
  const now = o.now ?? (() => new Date());
  let stopped = false;
  let working: Promise<void> = Promise.resolve();
  let wake: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const lastSent = new Map<string, number>();

  const listener = (parse: (body: unknown) => AlertNotice): RequestListener => (req, res) => {
    void (async () => {
      if (req.method !== "POST") return reply(res, 405, { ok: false, error: "POST an alert notification here" });
      if (!authorized(req, o.token)) return reply(res, 401, { ok: false, error: "missing or wrong token (Authorization: Bearer <NETRCA_ALERT_TOKEN>, or ?token=)" });
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)).toString("utf8"));
      } catch (e) {
        return reply(res, 400, { ok: false, error: e instanceof PayloadError ? e.message : "the body is not JSON" });
      }
      let notice: AlertNotice;
      try {
        notice = parse(body);
      } catch (e) {
        if (e instanceof PayloadError) return reply(res, 400, { ok: false, error: e.message });
        throw e;
      }
      try {
        await o.state.record(notice);
      } catch (e) {
        // Not recorded: a 5xx makes Alertmanager send it again.
        o.log?.(`netrca: could not record an alert: ${(e as Error).message.split("\n")[0]}`);
        return reply(res, 503, { ok: false, error: "the alert could not be recorded; send it again" });
      }
      reply(res, 202, { ok: true, group: notice.key, status: notice.status });
      kick();
    })().catch((e: Error) => {
      o.log?.(`netrca: alert webhook failed: ${e.message}`);
      if (!res.headersSent) reply(res, 500, { ok: false, error: "internal error" });
    });
  };

  /** Run the loop now (or once more after the current pass). */
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    working = (async () => {
      try {
        do {
          again = false;
          await investigatePending();
          await deliverDue();
        } while (again && !stopped);
      } catch (e) {
        o.log?.(`netrca: alert worker: ${(e as Error).message.split("\n")[0]}`);
      } finally {
        running = false;
      }
      // Sleep until the next retry falls due.
      const wait = await o.state.nextDueIn().catch(() => 5000);
      clearTimeout(wake);
      if (wait !== null && !stopped) (wake = setTimeout(kick, Math.max(50, wait))).unref();
    })();
  }

  async function investigatePending(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const next = await o.state.nextNotice();
      if (!next) return;
      const { seq, notice } = next;
      const quiet = quietReason(o.config, notice);
      if (quiet) {
        await o.state.settle(seq, quiet, []);
        continue;
      }
      // Each routed channel (Slack, Teams) has a group, and so a thread, of its own.
      const route = routeOf(o.config, notice.labels);
      const targets = await Promise.all([
        { key: notice.key, channel: route?.slack },
        { key: `${notice.key} @teams`, channel: route?.teams && `teams:${route.teams}` },
      ].map(async (t) => ({ ...t, group: await o.state.group(t.key) })));
      const live = targets.filter((t) => t.channel || t.group).map((t) => ({ ...t, channel: (t.channel ?? t.group!.channel) as string }));
      if (!live.length) {
        await o.state.settle(seq, "no route", []);
        o.log?.(`netrca: alert ${notice.name} (${notice.key}) has no route: set alerts.default in the configuration file or NETRCA_ALERT_SLACK_CHANNEL`);
        continue;
      }
      const report = await rca(notice);
      const charts = await chartPayloads(report);
      const items = live.map((t) => plan(notice, report, charts, t.key, t.channel, t.group)).filter((x): x is NonNullable<typeof x> => !!x);
      await o.state.settle(seq, items.length ? items.map((i) => i.outcome).join(", ") : "repeat", items);
    }
  }

  /** What one channel's thread needs for this notice (null: a repeat with nothing new). */
  function plan(notice: AlertNotice, report: Report, charts: Record<string, unknown>[], key: string, channel: string, group: GroupRow | null) {
    const teams = channel.startsWith("teams:");
    const ids = notice.alerts.filter((a) => a.status === "firing").map((a) => a.id);
    const top = topOf(report);
    const render = (status: "firing" | "resolved") => (teams ? { activity: alertActivity(notice, report, status, charts[0]) } : { message: alertMessage(notice, report, status) });
    const note = (text: string, mrkdwn = escapeMrkdwn(text)) => (teams ? { activity: { type: "message", text } } : { message: { text, blocks: [section(mrkdwn.slice(0, 2900))] } });
    const base: Omit<GroupRow, "ts"> = {
      key, name: notice.name, status: notice.status, channel, startedAt: group && group.status === "firing" ? group.startedAt : notice.startedAt,
      resolvedAt: notice.resolvedAt, top, alerts: [...new Set([...(group?.alerts ?? []), ...ids])],
    };
    const uploads = teams ? [] : charts;
    if (notice.status === "firing" && group?.status === "firing" && ids.every((id) => group.alerts.includes(id))) {
      // A repeat: say something only when the cause changed.
      if (top === group.top) return null;
      return { outcome: "cause changed", group: { ...base, startedAt: group.startedAt }, posts: [
        { kind: "reply" as const, channel, payload: note(`The likely cause changed: ${report.summary}`) },
        { kind: "update" as const, channel, payload: render("firing") },
      ] };
    }
    if (!group) {
      if (notice.status === "resolved") return { outcome: "resolved before it was posted", group: base, posts: [{ kind: "post" as const, channel, payload: render("resolved") }] };
      return { outcome: "posted", group: base, posts: [
        { kind: "post" as const, channel, payload: render("firing") },
        ...uploads.map((c) => ({ kind: "upload" as const, channel, payload: c })),
        ...(teams ? [] : queryMessages(report).slice(0, 3).map((m) => ({ kind: "reply" as const, channel, payload: { message: m } }))),
      ] };
    }
    if (notice.status === "resolved") {
      if (group.status === "resolved") return null;
      const minutes = Math.max(1, Math.round((Date.parse(notice.resolvedAt ?? now().toISOString()) - Date.parse(group.startedAt)) / 60_000));
      return { outcome: "resolved", group: { ...base, startedAt: group.startedAt }, posts: [
        { kind: "update" as const, channel, payload: render("resolved") },
        { kind: "reply" as const, channel, payload: note(`Resolved at ${clock(notice.resolvedAt)} UTC after ${minutes} min.`, `:white_check_mark: *Resolved* at ${clock(notice.resolvedAt)} UTC after ${minutes} min.`) },
      ] };
    }
    // New alerts in the group, or firing again after a resolve (flapping): the same thread.
    const what = group.status === "resolved" ? "Firing again" : `${ids.filter((id) => !group.alerts.includes(id)).length} more alert(s) in the group`;
    return { outcome: what, group: base, posts: [
      { kind: "reply" as const, channel, payload: note(`${what}: ${report.summary}`) },
      ...uploads.slice(0, 1).map((c) => ({ kind: "upload" as const, channel, payload: c })),
      { kind: "update" as const, channel, payload: render("firing") },
    ] };
  }

  async function rca(notice: AlertNotice): Promise<Report> {
    const q: Question = scopeAlert(await o.answer.understand(questionText(notice)), notice, now());
    const report = await o.answer.investigate(q);
    return report;
  }

  /** Charts as bytes in the outbox: the chart folder is gone by the time a retry runs. */
  async function chartPayloads(report: Report): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const c of report.charts.slice(0, 2)) {
      const bytes = await readFile(c.file).catch(() => null);
      if (bytes) out.push({ png: bytes.toString("base64"), filename: c.file.split("/").pop() ?? "chart.png", title: c.title });
    }
    await o.answer.release?.(report);
    return out;
  }

  async function deliverDue(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const due = await o.state.due();
      if (!due.length) return;
      for (const row of due) {
        if (stopped) return;
        await deliver(row);
      }
    }
  }

  /** At most one message a second per channel (Slack's limit; Teams' per-thread limits are looser). */
  async function pace(channel: string): Promise<void> {
    const gap = (lastSent.get(channel) ?? 0) + CHANNEL_GAP_MS - Date.now();
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    lastSent.set(channel, Date.now());
  }

  async function deliver(row: OutboxRow & { parentTs: string | null }): Promise<void> {
    if (row.kind !== "post" && !row.parentTs) return o.state.failed(row.id, "the thread's first message was never posted", null);
    if (row.channel.startsWith("teams:")) return deliverTeams(row);
    if (!o.slack) return o.state.failed(row.id, "Slack is not configured (SLACK_BOT_TOKEN)", null);
    await pace(row.channel);
    const message = row.payload.message as SlackMessage | undefined;
    try {
      if (row.kind === "post") {
        const r = await o.slack.postMessage({ channel: row.channel, ...message! });
        return o.state.delivered(row.id, row.key, r.ts ?? null);
      }
      if (row.kind === "reply") await o.slack.postMessage({ channel: row.channel, thread_ts: row.parentTs!, ...message! });
      else if (row.kind === "update") await o.slack.update({ channel: row.channel, ts: row.parentTs!, ...message! });
      else await o.slack.upload({ channel: row.channel, thread_ts: row.parentTs!, file: Buffer.from(String(row.payload.png), "base64"), filename: String(row.payload.filename), title: String(row.payload.title) });
      await o.state.delivered(row.id, row.key, null);
    } catch (e) {
      const code = (e as { data?: { error?: string } }).data?.error;
      const retryAfter = (e as { retryAfter?: number }).retryAfter;
      const why = code ?? (e as Error).message.split("\n")[0]!;
      if (code && PERMANENT.has(code)) {
        o.log?.(`netrca: gave up posting the summary of ${row.key} into ${row.channel}: ${code}${code === "not_in_channel" ? " (invite the bot to the channel)" : ""}`);
        return o.state.failed(row.id, why, null);
      }
      // 429: as long as Slack says; anything else: back off, up to five minutes.
      const delay = retryAfter ?? Math.min(300, 2 ** Math.min(row.attempts, 8));
      await o.state.failed(row.id, why, row.attempts + 1 >= MAX_ATTEMPTS ? null : delay);
    }
  }

  async function deliverTeams(row: OutboxRow & { parentTs: string | null }): Promise<void> {
    const channelId = row.channel.slice("teams:".length);
    const activity = row.payload.activity as Record<string, unknown>;
    if (!o.teams) return o.state.failed(row.id, "Teams is not configured", null);
    await pace(row.channel);
    try {
      if (row.kind === "post") return o.state.delivered(row.id, row.key, (await o.teams.post(channelId, activity)) || null);
      if (row.kind === "reply") await o.teams.reply(channelId, row.parentTs!, activity);
      else if (row.kind === "update") await o.teams.update(channelId, row.parentTs!, activity);
      await o.state.delivered(row.id, row.key, null);
    } catch (e) {
      const why = (e as Error).message.split("\n")[0]!;
      if ((e as Error).name === "TeamsChannelUnknown") {
        o.log?.(`netrca: gave up posting the summary of ${row.key}: ${why}`);
        return o.state.failed(row.id, why, null);
      }
      // The Bot Connector's 429 and 5xx are retried like Slack's; a 4xx is not going to change.
      const status = (e as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500 && status !== 429 && status !== 412) return o.state.failed(row.id, why, null);
      await o.state.failed(row.id, why, row.attempts + 1 >= MAX_ATTEMPTS ? null : Math.min(300, 2 ** Math.min(row.attempts, 8)));
    }
  }

  return {
    alertmanager: listener(parseAlertmanager),
    azureMonitor: listener(parseAzureMonitor),
    start: () => kick(),
    stop: async () => {
      stopped = true;
      clearTimeout(wake);
      await working;
    },
    idle: async () => {
      for (;;) {
        await working;
        const s = await o.state.stats();
        if (!running && s.pendingNotices === 0 && s.pendingPosts === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stats: () => o.state.stats(),
  };
}

/** The route for an alert's labels: the first whose labels all match, else the default. */
export function routeOf(c: ConfigFile["alerts"], labels: Record<string, string>): AlertTarget | null {
  const hit = c.routes.find((r) => Object.entries(r.match).every(([k, v]) => labels[k] === v));
  return hit ?? c.default ?? null;
}

/** Why an alert is recorded and not investigated, or null. */
function quietReason(c: ConfigFile["alerts"], n: AlertNotice): string | null {
  if (c.ignore.some((i) => Object.entries(i.match).every(([k, v]) => n.labels[k] === v))) return "ignored";
  if (c.minSeverity && n.severity) {
    const rank = severityRank(n.severity);
    if (rank !== null && rank < SEVERITIES.indexOf(c.minSeverity)) return `below ${c.minSeverity}`;
  }
  return null;
}

/** Alertmanager's and Azure's severities on one scale (info < warning < error < critical). */
export function severityRank(s: string): number | null {
  const v = s.toLowerCase();
  if (/^(critical|page|sev0|sev1|p1|emergency|fatal)$/.test(v)) return 3;
  if (/^(error|major|high|sev2|p2)$/.test(v)) return 2;
  if (/^(warning|warn|minor|medium|sev3|p3)$/.test(v)) return 1;
  if (/^(info|informational|none|low|sev4|p4|p5)$/.test(v)) return 0;
  return null;
}

function topOf(r: Report): string | null {
  const f: Finding | undefined = r.findings[0];
  return f ? `${f.kind}|${JSON.stringify(f.subject)}|${f.reason ?? ""}|${f.severity}` : null;
}

const clock = (iso: string | null) => (iso ?? new Date().toISOString()).slice(11, 16);
const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

/** The parent message: the alert (state, name, labels, links), then the RCA as a chat reply gives it. */
/**
 * While an alert fires, "no active fault" must not read as an all-clear: the alert is the
 * evidence that something is wrong; the network checks only did not find it.
 */
export function notFound(n: AlertNotice, report: Report, status: "firing" | "resolved"): string | null {
  if (status !== "firing" || report.findings.some((f) => f.severity !== "info")) return null;
  return `${n.name} is firing, but netrca's network checks found no cause in this window: it is not an all-clear. Look at the alert's own query and at what it measures beyond the network (the application, its dependencies).`;
}

/** The alert's line in either markup: `strong` bolds and escapes a value for it. */
function headline(n: AlertNotice, status: "firing" | "resolved", strong: (s: string) => string, plain: (s: string) => string): string {
  return status === "firing"
    ? `🚨 ${strong("FIRING")} · ${strong(n.name)}${n.severity ? ` (${plain(n.severity)})` : ""} since ${clock(n.startedAt)} UTC`
    : `✅ ${strong("RESOLVED")} · ${strong(n.name)} (${clock(n.startedAt)}–${clock(n.resolvedAt)} UTC)`;
}

/** The labels worth showing (not the alert's name, at most eight). */
const shownLabels = (n: AlertNotice) => Object.entries(n.labels).filter(([k]) => k !== "alertname").slice(0, 8);

export function alertMessage(n: AlertNotice, report: Report, status: "firing" | "resolved"): SlackMessage {
  const rca = reportMessage(report);
  const caveat = notFound(n, report, status);
  const shown = shownLabels(n).map(([k, v]) => `\`${escapeMrkdwn(k)}=${escapeMrkdwn(v)}\``).join(" ");
  const head = headline(n, status, (x) => `*${escapeMrkdwn(x)}*`, escapeMrkdwn);
  const links = n.links.map((l) => `<${l.url}|${escapeMrkdwn(l.title)}>`).join(" · ");
  const context = { type: "context", elements: [{ type: "mrkdwn", text: [shown, links].filter(Boolean).join(" · ") || "no labels" }] };
  return {
    text: `${status === "firing" ? "FIRING" : "RESOLVED"} ${n.name}: ${caveat ? `${caveat} ` : ""}${rca.text}`,
    blocks: [section(head), context, ...(caveat ? [section(`:warning: ${escapeMrkdwn(caveat)}`)] : []), ...rca.blocks],
    ...(rca.attachments && { attachments: rca.attachments }),
  };
}

/** The Teams post: the alert line on top of the RCA's Adaptive Card, the first chart inline. */
export function alertActivity(n: AlertNotice, report: Report, status: "firing" | "resolved", chart?: Record<string, unknown>): Record<string, unknown> {
  const card = reportCard(report, { chartNote: !!chart });
  const head = headline(n, status, (x) => `**${escapeMarkdown(x)}**`, escapeMarkdown);
  const labels = shownLabels(n).map(([k, v]) => escapeMarkdown(`${k}=${v}`)).join(" · ");
  const caveat = notFound(n, report, status);
  const body = [
    { type: "TextBlock", text: head, wrap: true, size: "Medium" }, ...(labels ? [{ type: "TextBlock", text: labels, wrap: true, isSubtle: true, size: "Small" }] : []),
    ...(caveat ? [{ type: "TextBlock", text: `⚠️ ${caveat}`, wrap: true, color: "Warning" }] : []), ...card.body,
  ];
  return {
    type: "message",
    summary: `${status === "firing" ? "FIRING" : "RESOLVED"} ${n.name}: ${report.summary}`.slice(0, 200),
    attachments: [
      { contentType: "application/vnd.microsoft.card.adaptive", content: { ...card, body } },
      ...(chart ? [{ contentType: "image/png", contentUrl: `data:image/png;base64,${String(chart.png)}`, name: String(chart.title).slice(0, 200) }] : []),
    ],
  };
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Bearer token or ?token=, compared in constant time (hashes of equal length). */
function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  const query = new URL(req.url ?? "/", "http://x").searchParams.get("token");
  const given = bearer ?? query;
  if (!given) return false;
  const h = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(h(given), h(token));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new PayloadError(`the body is larger than ${MAX_BODY / 1024} KB: not an alert notification`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
