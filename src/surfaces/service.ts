import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import { mkdtemp, rm } from "node:fs/promises";
import type { Question, Report } from "../model/index.js";
import { flowQuery } from "../query/index.js";
import type { Answerer, Asker, ChatHooks } from "./answerer.js";
import type { AccessConfig } from "../config/file.js";
import type { Access } from "../investigate/index.js";
import { Limiter } from "./limiter.js";
import { scratchBase } from "./scratch.js";
import { createTelemetry, type Telemetry } from "./telemetry.js";
import { ANALYZER_CATALOG } from "../analyze/index.js";
import { investigate, understand, type InvestigateContext } from "../investigate/index.js";
import { HELP } from "../investigate/help.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../playbooks/index.js";
import { openSource } from "../sources/index.js";
import { startServer } from "./http/server.js";
import { createSlackSurface } from "./slack/app.js";
import { createTeamsSurface, type TeamsSurface } from "./teams/bot.js";
import { ConversationStore } from "./teams/conversations.js";
import type { AlertSurface, SlackPoster } from "./alerts/index.js";
import type { LlmConfig } from "../explain/index.js";
import type { AlertStore } from "../state/alerts.js";
import type { PgState } from "../state/postgres.js";

/** When replies carry the model's explanation, and which model writes it. */
export interface ExplainSettings {
  /** NETRCA_EXPLAIN=on or `explain: on`: every reply; otherwise only "explain …" and "why?". */
  always: boolean;
  llm: LlmConfig | null;
}

/** Questions investigated at once (the machine has two cores); the rest wait their turn. */
const INVESTIGATIONS = 2;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export interface Service {
  port: number;
  /** The interface it listens on. */
  address: string;
  /** Where questions render their charts, one folder each while they are answered. */
  charts: string;
  teams: TeamsSurface;
  alerts?: AlertSurface;
  /** JSON log events (pino), one line each. */
  logger: import("pino").Logger;
  stop(): Promise<void>;
}

/** The alert webhooks, their state and their Slack poster (a client that retries through the outbox, not inline). */
async function startAlerts(config: Config, answerer: Answerer, teams: TeamsSurface, log?: (line: string) => void, fixedNow?: Date, shared?: AlertStore): Promise<{ surface: AlertSurface; close(): Promise<void> }> {
  const { loadConfigFile } = await import("../config/file.js");
  const { AlertState } = await import("../state/alerts.js");
  const { createAlertSurface } = await import("./alerts/index.js");
  const file = config.configFile ? await loadConfigFile(config.configFile) : { alerts: { routes: [], ignore: [] } };
  const env = config.alerts!;
  const fromEnv = { ...(env.slackChannel && { slack: env.slackChannel }), ...(env.teamsChannel && { teams: env.teamsChannel }) };
  const alertsConfig = { ...file.alerts, ...(!file.alerts.default && Object.keys(fromEnv).length && { default: fromEnv }) };
  if (!alertsConfig.default && alertsConfig.routes.length === 0) log?.("netrca: WARNING: alert webhooks are on but no channel is routed: set alerts.default in the configuration file or NETRCA_ALERT_SLACK_CHANNEL");
  // Shared (PostgreSQL) state is closed by its owner; the embedded file is ours.
  const state: AlertStore = shared ?? (await AlertState.open(config.stateDir));
  let poster: SlackPoster | undefined;
  if (config.slack) {
    const { webApi } = await import("@slack/bolt");
    // No retries inside the call: the outbox retries, durably, and honours Retry-After.
    const client = new webApi.WebClient(config.slack.botToken, { ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: webApi.LogLevel.ERROR });
    poster = {
      postMessage: (a) => client.chat.postMessage(a),
      update: (a) => client.chat.update(a),
      upload: (a) => client.files.uploadV2({ channel_id: a.channel, thread_ts: a.thread_ts, file: a.file, filename: a.filename, title: a.title, alt_text: a.title }),
    };
  }
  // A fixed --now (demo data, tests) is the alert's "now" too: the window ends there, not at the wall clock.
  const surface = createAlertSurface({
    token: env.token, state, config: alertsConfig, answer: answerer, ...(poster && { slack: poster }), ...(log && { log }), ...(fixedNow && { now: () => fixedNow }),
    teams: { post: (c, a) => teams.channel.post(c, a), reply: (c, p, a) => teams.channel.reply(c, p, a), update: (c, p, a) => teams.channel.update(c, p, a) },
  });
  return { surface, close: async () => { await surface.stop(); if (!shared) await state.close(); } };
}

/**
 * The namespaces an asker may see: the channel's entry, else (personal chats) the user's, else
 * `access.default`. No `access` section: every namespace. Teams threads are their channel's.
 */
export function accessFor(cfg: AccessConfig | undefined, asker: Asker): Access | undefined {
  if (!cfg) return undefined;
  const channel = asker.surface === "teams" ? asker.channel.split(";")[0]! : asker.channel;
  const own = (m: Record<string, string[]>, k: string | undefined) => (k !== undefined && Object.hasOwn(m, k) ? m[k] : undefined);
  const listed = asker.personal ? undefined : own(asker.surface === "slack" ? cfg.slack : cfg.teams, channel);
  const namespaces = listed ?? (asker.personal ? own(cfg.users, asker.user) : undefined) ?? cfg.default;
  return { namespaces, shared: cfg.shared, ...(cfg.contact && { contact: cfg.contact }) };
}

/** The Report with the model's explanation (or a note saying why there is none); tokens are logged, never the prompt. */
async function explainFor(report: Report, llm: LlmConfig | null, log: ((line: string) => void) | undefined, telemetry: Telemetry, requestId: string): Promise<Report> {
  const { explainReport } = await import("../explain/index.js");
  const x = await explainReport(report, llm);
  if (x.usage) {
    telemetry.llmTokens.inc({ direction: "input" }, x.usage.inputTokens);
    telemetry.llmTokens.inc({ direction: "output" }, x.usage.outputTokens);
    telemetry.log.info({ requestId, model: llm?.model, inputTokens: x.usage.inputTokens, outputTokens: x.usage.outputTokens, kept: !!x.explanation }, "explanation");
  }
  if (x.usage) log?.(`netrca: explained a ${report.intent} answer with ${llm?.model}: ${x.usage.inputTokens} input and ${x.usage.outputTokens} output tokens${x.explanation ? "" : " (not kept)"}`);
  return { ...report, explanation: x.explanation, notes: [...report.notes, ...(x.note ? [x.note] : [])] };
}

/**
 * `netrca serve`: the data source, the playbooks and every configured chat surface behind
 * one HTTP port. Playbooks load (and are checked) before the port opens.
 */
export async function startService(opts: {
  config: Config; flows?: string[]; store?: string; now?: Date; explain?: ExplainSettings;
  /** Warnings as lines (tests, or a caller that prints them); without it they are JSON log events. */
  log?: (line: string) => void;
  /** Where JSON log events go (default: stderr when `log` is absent, nowhere when it is set). */
  logDestination?: NodeJS.WritableStream;
  /** The cluster's network policies from files (--policies); NETRCA_KUBE reads them from the cluster instead. */
  policies?: import("../policy/model.js").Policy[];
}): Promise<Service> {
  const limiter = new Limiter(INVESTIGATIONS);
  let alertStats: (() => Promise<{ received: number; pendingPosts: number; failedPosts: number }>) | undefined;
  const telemetry = await createTelemetry({
    queueDepth: () => limiter.waiting(),
    alertStats: async () => (alertStats ? alertStats() : { received: 0, pendingPosts: 0, failedPosts: 0 }),
    ...(opts.logDestination && { destination: opts.logDestination }),
    ...(opts.log && !opts.logDestination && { level: "silent" }),
  });
  const tlog = telemetry.log;
  const jsonEvents = !opts.log;
  opts = { ...opts, log: opts.log ?? ((line: string) => (/WARNING/.test(line) ? tlog.warn(line.replace(/^netrca: (WARNING: )?/, "")) : tlog.info(line.replace(/^netrca: /, "")))) };
  const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
  // Replicas share chat and alert state in PostgreSQL; one alone keeps it in memory and the state folder.
  const pg: PgState | null = opts.config.stateUrl ? await (await import("../state/postgres.js")).PgState.open(opts.config.stateUrl) : null;
  const metrics = opts.config.prometheus ? (await import("../sources/prometheus/index.js")).MetricSource.open(opts.config.prometheus) : null;
  // Policies for policy drops: listed from the cluster (and kept fresh), or the files given.
  const kube = opts.config.kube ? await (await import("../policy/kube.js")).openKubePolicies({ ...(opts.log && { log: opts.log }) }).catch(async (e: Error) => { await pg?.close(); throw e; }) : null;
  const policiesNow = () => kube?.current() ?? opts.policies;
  const { source, ingest, noFlows } = await openSource({
    ...(opts.flows && { flows: opts.flows }), ...(opts.store && { store: opts.store }),
    ...(opts.config.logAnalytics && { logAnalytics: opts.config.logAnalytics }),
    metricsOnly: !!metrics,
  });
  if (ingest?.rejected) opts.log?.(`netrca: kept ${ingest.rows} rows, rejected ${ingest.rejected} lines (first: ${ingest.errors[0]?.file}:${ingest.errors[0]?.line}: ${ingest.errors[0]?.message})`);
  const ctx: InvestigateContext = {
    source, playbooks, ...(metrics && { metrics }), ...(noFlows && { noFlows }),
    ...(opts.now && { now: opts.now }), ...(opts.config.tz && { tz: opts.config.tz }),
  };
  // Each question renders into a folder of its own, removed once its reply is posted: two
  // channels asking at once never get each other's chart.
  const charts = await mkdtemp(join(await scratchBase(), "serve-"));
  const folders = new WeakMap<Report, string>();
  // A request id from the ack to the post: the question's, then its report's.
  const requests = new WeakMap<Question | Report, { id: string; surface: string; channel?: string }>();
  const explain = opts.explain ?? { always: opts.config.explain ?? false, llm: null };
  if (explain.always && !explain.llm) opts.log?.("netrca: WARNING: explanations are on, but no model is configured: set OPENAI_API_KEY, or AZURE_OPENAI_ENDPOINT (with AZURE_OPENAI_API_KEY or an Entra identity)");
  // Which namespaces each channel may see: one rule, applied here below every surface.
  const accessConfig = opts.config.configFile ? (await (await import("../config/file.js")).loadConfigFile(opts.config.configFile)).access : undefined;
  const answerer: Answerer = {
    understand: async (text: string, previous?: Question, asker?: Asker) => {
      const access = asker && accessFor(accessConfig, asker);
      const request = { id: randomUUID(), surface: asker?.surface ?? "alerts", ...(asker && { channel: asker.channel }) };
      let q: Question;
      try {
        q = await understand(text, { ...ctx, ...(previous && { previous }), ...(access && { access }) });
      } catch (e) {
        telemetry.errors.inc({ stage: "understand" });
        tlog.error({ requestId: request.id, surface: request.surface, err: (e as Error).message }, "question.not-understood");
        throw e;
      }
      requests.set(q, request);
      if (q.denied) telemetry.refused.inc({ surface: request.surface });
      tlog.info({ requestId: request.id, surface: request.surface, channel: request.channel, intent: q.intent, scope: { namespace: q.scope.namespace, workload: q.scope.workload, allowed: q.scope.allowed }, denied: !!q.denied }, "question.understood");
      return q;
    },
    investigate: async (q: Question) => {
      const request = requests.get(q) ?? { id: randomUUID(), surface: "alerts" };
      const started = performance.now();
      let report: Report;
      try {
        report = await limiter.run(async () => {
          const outDir = await mkdtemp(join(charts, "q-"));
          try {
            const policies = policiesNow();
            const r = await investigate(q, { ...ctx, outDir, ...(policies && { policies }) });
            folders.set(r, outDir);
            return r;
          } catch (e) {
            await rm(outDir, { recursive: true, force: true });
            throw e;
          }
        });
      } catch (e) {
        telemetry.errors.inc({ stage: "investigate" });
        tlog.error({ requestId: request.id, intent: q.intent, err: (e as Error).message.split("\n")[0] }, "question.failed");
        throw e;
      }
      const seconds = (performance.now() - started) / 1000;
      telemetry.questions.inc({ surface: request.surface, intent: q.intent });
      telemetry.investigationSeconds.observe({ intent: q.intent }, seconds);
      tlog.info({ requestId: request.id, intent: q.intent, ms: Math.round(seconds * 1000), findings: report.findings.length, top: report.findings[0]?.kind ?? null }, "question.answered");
      requests.set(report, request);
      // The model waits on the network, not the CPU: outside the investigation slots.
      if (!(explain.always || q.explain)) return report;
      const explained = await explainFor(report, explain.llm, opts.log, telemetry, request.id);
      folders.set(explained, folders.get(report)!);
      requests.set(explained, request);
      return explained;
    },
    waiting: () => limiter.waiting(),
    release: async (report: Report) => {
      const dir = folders.get(report);
      if (dir) await rm(dir, { recursive: true, force: true });
      const request = requests.get(report);
      if (request) tlog.info({ requestId: request.id, surface: request.surface, channel: request.channel }, "reply.posted");
    },
    help: HELP,
  };
  const hooks: ChatHooks = {
    apiError: (platform, error) => telemetry.chatApiErrors.inc({ platform, error: error.slice(0, 40) }),
    rateLimited: (platform) => telemetry.rateLimited.inc({ platform }),
    // Only when the events are JSON: tests that read warnings as lines keep Bolt's own.
    ...(jsonEvents && { logger: { debug: (m: string) => tlog.debug(m), info: (m: string) => tlog.info(m), warn: (m: string) => tlog.warn(m), error: (m: string) => tlog.error(m) } }),
  };
  const slack = opts.config.slack ? createSlackSurface(opts.config.slack, answerer, hooks, pg?.chat) : undefined;
  const teams = createTeamsSurface(opts.config.teams, answerer, new ConversationStore(opts.config.stateDir, pg?.conversations), hooks, pg?.chat);
  const alerts = opts.config.alerts ? await startAlerts(opts.config, answerer, teams, opts.log, opts.now, pg ?? undefined) : undefined;
  if (alerts) alertStats = () => alerts.surface.stats();
  // Unsigned Teams activities can name any serviceUrl to reply to: then only this machine may reach the port.
  const host = opts.config.host ?? (teams.authDisabled ? "127.0.0.1" : undefined);
  const server = await startServer(opts.config.port, host, {
    // Healthy means a question can be answered: the store answers a query, not just opens.
    metrics: async () => ({ contentType: telemetry.registry.contentType, body: await telemetry.registry.metrics() }),
    health: async () => {
      const extent = await source.extent();
      const probe = new Date(extent.to ?? Date.now());
      await source.query(flowQuery({ window: { from: new Date(probe.getTime() - 60_000), to: new Date(probe.getTime() + 1) }, measures: [{ fn: "flows", as: "flows" }] }));
      // The shared state must answer too: without it a replica would answer retries twice.
      if (pg) await pg.ping().catch((e: Error) => { throw new Error(`the shared state at ${pg.shown} cannot be reached: ${e.message.split("\n")[0]}`); });
      return { source: source.name, demo: source.demo, ...extent, state: pg ? "postgres" : "local", slack: slack ? slack.state() : "off", teams: teams.authDisabled ? "auth-off" : "on", waiting: limiter.waiting(), alerts: alerts ? await alerts.surface.stats() : "off" };
    },
    ...(slack?.requestListener && { slack: slack.requestListener }),
    teams: teams.requestListener,
    ...(alerts && { alerts: alerts.surface }),
  }).catch(async (e: unknown) => {
    // The port is taken or not ours: let go of the store and the chart folder before saying so.
    await alerts?.close();
    await pg?.close();
    source.close();
    await rm(charts, { recursive: true, force: true });
    throw e;
  });
  if (teams.authDisabled) {
    opts.log?.(`netrca: WARNING: MICROSOFT_APP_ID is empty, so POST /api/messages accepts unsigned activities and replies to any serviceUrl they name. ${
      opts.config.host && !LOOPBACK.has(opts.config.host) ? `HOST=${opts.config.host} exposes that beyond this machine: use this only on a trusted network` : "Listening on 127.0.0.1 only (set HOST to change it)"
    }; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD anywhere else.`);
  }
  // Warm the parser and the names once, so the first slash command's ack is as quick as the rest.
  // A store that cannot answer is reported (here and on /healthz), not a reason to stay down.
  await understand("what's wrong in the cluster?", ctx).catch((e: Error) => opts.log?.(`netrca: WARNING: the flow source cannot answer: ${e.message.split("\n")[0]}`));
  await slack?.start();
  // What was recorded before a restart is investigated and delivered now.
  alerts?.surface.start();
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : opts.config.port,
    address: typeof address === "object" && address ? address.address : String(address),
    charts,
    teams,
    logger: tlog,
    ...(alerts && { alerts: alerts.surface }),
    stop: async () => {
      await alerts?.close();
      await slack?.stop();
      await teams.settle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pg?.close();
      kube?.close();
      source.close();
      await rm(charts, { recursive: true, force: true });
    },
  };
}
