import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { RequestListener } from "node:http";
import { App, HTTPReceiver, LogLevel, webApi, type RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { SlackConfig } from "../../config/index.js";
import type { Question, Report } from "../../model/index.js";
import { ackText, escapeMrkdwn, failureMessage, helpMessage, queryMessages, reportMessage, type SlackMessage } from "./blocks.js";
import { memoryChatState, type ChatState } from "../../state/chat.js";
import type { Answerer, ChatHooks } from "../answerer.js";
import { policyFixTexts } from "../labels.js";

export interface SlackSurface {
  app: App;
  /** For the shared HTTP server's POST /slack/events (absent in Socket Mode). */
  requestListener?: RequestListener;
  /** How the connection to Slack's Web API stands, for /healthz. */
  state(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Signed requests stamped further than this ahead of our clock are refused, like stale ones. */
const MAX_FUTURE_S = 5 * 60;

/** Errors that mean "the bot is not in that channel": answer through response_url instead. */
const NOT_IN_CHANNEL = new Set(["not_in_channel", "channel_not_found", "is_archived"]);

/**
 * The Slack app: `/netrca <question>` and @mentions, answered with the Report as Block Kit.
 * Ack first (what was understood), answer after; Bolt verifies signatures and refuses stale
 * timestamps; retried events are answered once; a failure is still answered.
 */
export function createSlackSurface(cfg: SlackConfig, answer: Answerer, hooks?: ChatHooks, memory: ChatState = memoryChatState()): SlackSurface {
  const socket = !!cfg.appToken;
  const receiver = socket ? undefined : new HTTPReceiver({ signingSecret: cfg.signingSecret, logLevel: LogLevel.WARN });
  // The bot's identity comes from auth.test, called in the background and retried with backoff:
  // Slack being unreachable at boot must not take the service (and Teams with it) down.
  const identity: { botUserId?: string; botId?: string } = {};
  let state = "starting";
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const app = new App({
    authorize: async () => ({ botToken: cfg.botToken, ...identity }),
    logLevel: LogLevel.WARN,
    ...(hooks?.logger && { logger: boltLogger(hooks.logger) }),
    ...(socket ? { socketMode: true, appToken: cfg.appToken } : { receiver }),
    clientOptions: {
      ...(cfg.apiUrl && { slackApiUrl: cfg.apiUrl }),
      // Honour 429 Retry-After, but give up within about a minute: someone is waiting.
      retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 20_000 },
    },
  });
  // 429s the client waits out, and calls that failed, for /metrics.
  app.client.on(webApi.WebClientEvent.RATE_LIMITED, () => hooks?.rateLimited("slack"));
  app.error(async (e) => {
    hooks?.apiError("slack", slackError((e as { original?: unknown }).original ?? e) ?? "unhandled");
    app.logger.error(`netrca: ${reason((e as { original?: unknown }).original ?? e)}`);
  });
  const verify = async (attempt: number): Promise<void> => {
    try {
      const r = await app.client.auth.test({ token: cfg.botToken });
      identity.botUserId = r.user_id;
      identity.botId = r.bot_id;
      state = "ok";
    } catch (e) {
      state = `auth.test failed (${reason(e)}); retrying`;
      app.logger.warn(`netrca: Slack's Web API did not answer auth.test (${reason(e)}); retrying`);
      if (!stopped) (retry = setTimeout(() => void verify(attempt + 1), Math.min(60_000, 1000 * 2 ** attempt))).unref();
    }
  };
  const queued = () => answer.waiting?.() ?? 0;
  // Socket Mode dials out: a failed connection is retried like auth.test, never fatal.
  const connect = async (attempt: number): Promise<void> => {
    try {
      await app.start();
    } catch (e) {
      state = `socket mode connection failed (${reason(e)}); retrying`;
      if (!stopped) (retry = setTimeout(() => void connect(attempt + 1), Math.min(60_000, 1000 * 2 ** attempt))).unref();
    }
  };

  app.command("/netrca", async ({ command, ack, respond, client, logger }) => {
    const text = command.text.trim();
    if (!text || /^(help|\?)$/i.test(text)) {
      await ack({ response_type: "ephemeral", ...helpMessage(answer.help) });
      return;
    }
    let q: Question;
    try {
      q = await answer.understand(text, undefined, { surface: "slack", channel: command.channel_id, user: command.user_id, personal: command.channel_id.startsWith("D") });
    } catch (e) {
      await ack({ response_type: "ephemeral", text: `netrca could not start on that: ${reason(e)}` });
      return;
    }
    // Another team's namespace: refused in the ack, nothing investigated, nothing posted.
    if (q.denied) {
      await ack({ response_type: "ephemeral", text: escapeMrkdwn(q.denied) });
      return;
    }
    if (q.intent === "help") {
      await ack({ response_type: "ephemeral", ...helpMessage(answer.help) });
      return;
    }
    await ack({ response_type: "ephemeral", text: ackText(q, queued()) });
    await reply({ client, channel: command.channel_id, asker: command.user_id, question: q, respond, logger });
  });

  app.event("app_mention", async ({ event, body, client, logger }) => {
    // Slack retries an event it thinks was missed: answer each event once.
    if (!(await memory.first("slack-event", String((body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`)))) return;
    if (event.bot_id || event.subtype === "bot_message") return;
    const thread = event.thread_ts ?? event.ts;
    const key = `${event.channel}:${thread}`;
    let q: Question;
    try {
      q = await answer.understand(event.text, await memory.thread(key), { surface: "slack", channel: event.channel, ...(event.user && { user: event.user }), personal: event.channel.startsWith("D") });
    } catch (e) {
      await client.chat.postMessage({ channel: event.channel, thread_ts: thread, ...failureMessage(event.text.replace(/<@[A-Z0-9]+>\s*/g, ""), reason(e)) });
      return;
    }
    if (q.denied) {
      await client.chat.postMessage({ channel: event.channel, thread_ts: thread, text: escapeMrkdwn(q.denied) });
      return;
    }
    if (q.intent === "help") {
      await client.chat.postMessage({ channel: event.channel, thread_ts: thread, ...helpMessage(answer.help) });
      return;
    }
    await memory.setThread(key, q);
    await reply({ client, channel: event.channel, thread, ...(event.user && { asker: event.user }), question: q, logger });
  });

  async function reply(r: {
    client: WebClient; channel: string; thread?: string; asker?: string; question: Question;
    respond?: RespondFn; logger: { warn(...a: unknown[]): void };
  }): Promise<void> {
    let report: Report;
    try {
      report = await answer.investigate(r.question);
    } catch (e) {
      await post(r, failureMessage(r.question.text, reason(e)));
      return;
    }
    try {
      await answerWith(r, report);
    } finally {
      await answer.release?.(report);
    }
  }

  async function answerWith(r: Parameters<typeof reply>[0], report: Report): Promise<void> {
    const ts = await post(r, reportMessage(report, r.asker ? { questionBy: r.asker } : {}), () => reportMessage(report, { tableAsBlock: false, ...(r.asker && { questionBy: r.asker }) }));
    if (!ts) return; // answered through response_url: no thread for charts and queries
    for (const chart of report.charts) {
      try {
        await r.client.files.uploadV2({ channel_id: r.channel, thread_ts: ts, file: await readFile(chart.file), filename: basename(chart.file), title: chart.title, alt_text: chart.title });
      } catch (e) {
        hooks?.apiError("slack", slackError(e) ?? "upload");
        r.logger.warn(`chart upload failed: ${reason(e)}`);
        await r.client.chat.postMessage({ channel: r.channel, thread_ts: ts, text: `(The chart "${chart.title}" could not be uploaded: ${reason(e)})` });
      }
    }
    for (const m of queryMessages(behindFindings(report))) await r.client.chat.postMessage({ channel: r.channel, thread_ts: ts, ...m });
    // A policy drop's checked fix, ready to apply, in the thread.
    for (const text of policyFixTexts(report, 3500)) await r.client.chat.postMessage({ channel: r.channel, thread_ts: ts, text });
  }

  /** Post to the channel (or thread); returns the message ts, or null when answered via response_url. */
  async function post(
    r: { client: WebClient; channel: string; thread?: string; respond?: RespondFn },
    msg: SlackMessage,
    withoutTable?: () => SlackMessage,
  ): Promise<string | null> {
    try {
      const res = await r.client.chat.postMessage({ channel: r.channel, ...(r.thread && { thread_ts: r.thread }), ...msg });
      return res.ts ?? null;
    } catch (e) {
      const code = slackError(e);
      hooks?.apiError("slack", code ?? "request");
      if (withoutTable && (code === "invalid_attachments" || code === "invalid_blocks")) return post(r, withoutTable());
      if (r.respond && code && NOT_IN_CHANNEL.has(code)) {
        await r.respond({ response_type: "in_channel", ...msg });
        return null;
      }
      throw e;
    }
  }

  /**
   * Bolt checks the signature and refuses stale timestamps; a request stamped far in the
   * future is refused here, and the same signed request sent again is answered once.
   */
  const requestListener: RequestListener | undefined = receiver && ((req, res) => {
    const ts = Number(req.headers["x-slack-request-timestamp"]);
    const signature = req.headers["x-slack-signature"];
    if (Number.isFinite(ts) && ts > Date.now() / 1000 + MAX_FUTURE_S) {
      res.writeHead(401, { "content-type": "text/plain" }).end("the request's timestamp is in the future");
      return;
    }
    if (typeof signature !== "string") return receiver.requestListener(req, res);
    // The same signed request again (a retry, or a replay, perhaps at another replica): answered once.
    memory.first("slack-request", `${ts}:${signature}`).then(
      (first) => (first ? receiver.requestListener(req, res) : res.writeHead(200).end()),
      () => res.writeHead(503, { "content-type": "text/plain" }).end("the chat state cannot be reached"),
    );
  });

  return {
    app,
    ...(requestListener && { requestListener }),
    state: () => (socket ? `socket mode, ${state}` : state),
    // Over HTTP the shared server feeds requestListener; only Socket Mode connects out.
    start: async () => {
      void verify(0);
      if (socket) void connect(0);
    },
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      if (socket) await app.stop();
    },
  };
}

/**
 * The tables worth their KQL in the thread: those behind the findings (a triage has a
 * table for every check; posting all would flood the thread at one message a second).
 */
function behindFindings(report: Report): Report {
  const used = [...new Set(report.findings.flatMap((f) => f.evidence))].slice(0, MAX_QUERY_TABLES);
  const evidence = (used.length ? used : [0]).map((i) => report.evidence[i]).filter((e) => e !== undefined);
  return { ...report, evidence };
}

const MAX_QUERY_TABLES = 4;

function slackError(e: unknown): string | undefined {
  return (e as { data?: { error?: string } }).data?.error;
}

function reason(e: unknown): string {
  return slackError(e) ?? (e instanceof Error ? e.message.split("\n")[0]! : String(e));
}

/** Bolt's Logger over a JSON logger: Bolt's messages become events like the rest. */
function boltLogger(l: NonNullable<ChatHooks["logger"]>) {
  let level = LogLevel.WARN;
  const text = (a: unknown[]) => a.map((x) => (x instanceof Error ? x.message : typeof x === "string" ? x : JSON.stringify(x))).join(" ");
  const rank = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };
  const at = (want: LogLevel) => rank[want] >= rank[level];
  return {
    debug: (...a: unknown[]) => void (at(LogLevel.DEBUG) && l.debug(text(a))),
    info: (...a: unknown[]) => void (at(LogLevel.INFO) && l.info(text(a))),
    warn: (...a: unknown[]) => void (at(LogLevel.WARN) && l.warn(text(a))),
    error: (...a: unknown[]) => void (at(LogLevel.ERROR) && l.error(text(a))),
    setLevel: (v: LogLevel) => void (level = v),
    getLevel: () => level,
    setName: () => {},
  };
}
