import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { LOG_ANALYTICS_TABLES as LA_TABLES } from "../model/flow-columns.js";

/**
 * Settings from the environment (DESIGN.md "Configuration"), checked at start-up. A bad
 * value is one line naming the variable; secrets are never echoed back.
 */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  NETRCA_STORE: z.string().min(1).optional(),
  NETRCA_TZ: z.string().min(1).optional(),
  PROMETHEUS_URL: z.string().regex(/^https?:\/\/\S+$/, "must be an http:// or https:// URL, e.g. http://prometheus.monitoring:9090").optional(),
  PROMETHEUS_TOKEN: z.string().min(1).optional(),
  PROMETHEUS_USERNAME: z.string().min(1).optional(),
  PROMETHEUS_PASSWORD: z.string().optional(),
  PROMETHEUS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, "must be a bot token (xoxb-…)").optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, "must be an app-level token (xapp-…)").optional(),
  SLACK_API_URL: z.url().optional(),
  MICROSOFT_APP_ID: z.string().optional(),
  MICROSOFT_APP_PASSWORD: z.string().optional(),
  MICROSOFT_APP_TYPE: z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("MultiTenant"),
  MICROSOFT_APP_TENANT_ID: z.string().optional(),
  NETRCA_STATE_DIR: z.string().min(1).optional(),
  NETRCA_STATE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, "must be a PostgreSQL URL (postgres://user:password@host:5432/netrca)").optional(),
  NETRCA_CONFIG: z.string().min(1).optional(),
  NETRCA_ALERT_TOKEN: z.string().min(16, "must be at least 16 characters (a random secret)").optional(),
  NETRCA_ALERT_SLACK_CHANNEL: z.string().regex(/^[CG][A-Z0-9]{2,}$/, "must be a Slack channel id (C…)").optional(),
  NETRCA_ALERT_TEAMS_CHANNEL: z.string().min(1).optional(),
  NETRCA_EXPLAIN: onOff("NETRCA_EXPLAIN").optional(),
  NETRCA_KUBE: onOff("NETRCA_KUBE").optional(),
  ...laEnv(),
});

/** on/off switches: on, off, true, false, 1, 0, yes, no. */
export function onOff(name: string) {
  return z.string().transform((v, ctx) => {
    const t = v.trim().toLowerCase();
    if (["on", "true", "1", "yes"].includes(t)) return true;
    if (["off", "false", "0", "no"].includes(t)) return false;
    ctx.addIssue({ code: "custom", message: `must be on or off, not ${JSON.stringify(v)}`, path: [] });
    return z.NEVER;
  }).describe(name);
}

function laEnv() {
  return {
    LOG_ANALYTICS_WORKSPACE_ID: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be the workspace id (a GUID, the workspace's Overview page)").optional(),
    LOG_ANALYTICS_RESOURCE_ID: z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i, "must be the workspace's ARM resource id (/subscriptions/…/providers/Microsoft.OperationalInsights/workspaces/NAME)").optional(),
    LOG_ANALYTICS_TABLES: z.string().transform((v) => v.split(",").map((t) => t.trim()).filter(Boolean)).pipe(z.array(z.enum(LA_TABLES)).min(1)).optional(),
    NETRCA_LA_MAX_HOURS: z.coerce.number().positive().max(24 * 31).default(24),
    NETRCA_LA_MAX_ROWS: z.coerce.number().int().min(1).max(10_000).default(10_000),
  };
}

/** Log Analytics settings (the source used when a workspace id is given). */
export interface LogAnalyticsConfig {
  workspaceId: string;
  resourceId?: string;
  tables?: (typeof LA_TABLES)[number][];
  maxHours: number;
  maxRows: number;
}

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  appToken?: string;
  apiUrl?: string;
}

export interface TeamsConfig {
  /** Empty: Bot Framework authentication is off (local use only). */
  appId: string;
  appPassword: string;
  appType: "MultiTenant" | "SingleTenant" | "UserAssignedMSI";
  tenantId?: string;
}

export interface Config {
  port: number;
  /** Interface to listen on; unset: all, or 127.0.0.1 only while Teams authentication is off. */
  host?: string;
  store?: string;
  tz?: string;
  slack?: SlackConfig;
  teams: TeamsConfig;
  /** Where chat state (Teams conversation references) is kept. */
  stateDir: string;
  /** NETRCA_STATE_URL: chat and alert state shared by replicas in PostgreSQL, instead of stateDir. */
  stateUrl?: string;
  logAnalytics?: LogAnalyticsConfig;
  /** The configuration file (NETRCA_CONFIG, or --config on serve). */
  configFile?: string;
  /** The alert webhooks: on when NETRCA_ALERT_TOKEN is set; a default route from the environment. */
  alerts?: { token: string; slackChannel?: string; teamsChannel?: string };
  /** NETRCA_EXPLAIN: every reply carries the model's explanation (unset: the configuration file decides). */
  explain?: boolean;
  /** NETRCA_KUBE=on: the cluster's network policies from the Kubernetes API (kubeconfig or in-cluster). */
  kube?: boolean;
  /** Prometheus for metric checks (PROMETHEUS_URL and its credentials). */
  prometheus?: { url: string; token?: string; username?: string; password?: string; timeoutMs?: number };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(clean);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  return r.data;
}

/**
 * Only the Log Analytics settings (for `netrca ask`, which needs no chat settings); a
 * `--workspace` id given on the command line wins over LOG_ANALYTICS_WORKSPACE_ID.
 */
export function loadLogAnalyticsConfig(env: NodeJS.ProcessEnv = process.env, workspace?: string): LogAnalyticsConfig | undefined {
  return logAnalyticsOf(parseEnv(z.object(laEnv()), { ...env, ...(workspace && { LOG_ANALYTICS_WORKSPACE_ID: workspace }) }));
}

function logAnalyticsOf(e: z.output<z.ZodObject<ReturnType<typeof laEnv>>>): LogAnalyticsConfig | undefined {
  if (!e.LOG_ANALYTICS_WORKSPACE_ID) {
    if (e.LOG_ANALYTICS_RESOURCE_ID) throw new ConfigError("LOG_ANALYTICS_WORKSPACE_ID: needed when LOG_ANALYTICS_RESOURCE_ID is set");
    return undefined;
  }
  return {
    workspaceId: e.LOG_ANALYTICS_WORKSPACE_ID,
    maxHours: e.NETRCA_LA_MAX_HOURS,
    maxRows: e.NETRCA_LA_MAX_ROWS,
    ...(e.LOG_ANALYTICS_RESOURCE_ID && { resourceId: e.LOG_ANALYTICS_RESOURCE_ID }),
    ...(e.LOG_ANALYTICS_TABLES && { tables: e.LOG_ANALYTICS_TABLES }),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(Env, env);
  const logAnalytics = logAnalyticsOf(e);
  const slack = e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN;
  if (slack && !e.SLACK_BOT_TOKEN) throw new ConfigError("SLACK_BOT_TOKEN: needed when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set");
  if (slack && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) throw new ConfigError("SLACK_SIGNING_SECRET: needed to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode)");
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (e.MICROSOFT_APP_ID && !guid.test(e.MICROSOFT_APP_ID)) throw new ConfigError("MICROSOFT_APP_ID: must be the bot's app id, a GUID");
  if (e.MICROSOFT_APP_ID && e.MICROSOFT_APP_TYPE !== "UserAssignedMSI" && !e.MICROSOFT_APP_PASSWORD) throw new ConfigError("MICROSOFT_APP_PASSWORD: needed with MICROSOFT_APP_ID");
  if (e.MICROSOFT_APP_TYPE === "SingleTenant" && !e.MICROSOFT_APP_TENANT_ID) throw new ConfigError("MICROSOFT_APP_TENANT_ID: needed when MICROSOFT_APP_TYPE is SingleTenant");
  return {
    port: e.PORT,
    ...(e.HOST && { host: e.HOST }),
    teams: {
      appId: e.MICROSOFT_APP_ID ?? "",
      appPassword: e.MICROSOFT_APP_PASSWORD ?? "",
      appType: e.MICROSOFT_APP_TYPE,
      ...(e.MICROSOFT_APP_TENANT_ID && { tenantId: e.MICROSOFT_APP_TENANT_ID }),
    },
    stateDir: e.NETRCA_STATE_DIR ?? join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "netrca"),
    ...(e.NETRCA_STORE && { store: e.NETRCA_STORE }),
    ...(e.NETRCA_STATE_URL && { stateUrl: e.NETRCA_STATE_URL }),
    ...(e.NETRCA_CONFIG && { configFile: e.NETRCA_CONFIG }),
    ...(e.NETRCA_ALERT_TOKEN && {
      alerts: { token: e.NETRCA_ALERT_TOKEN, ...(e.NETRCA_ALERT_SLACK_CHANNEL && { slackChannel: e.NETRCA_ALERT_SLACK_CHANNEL }), ...(e.NETRCA_ALERT_TEAMS_CHANNEL && { teamsChannel: e.NETRCA_ALERT_TEAMS_CHANNEL }) },
    }),
    ...(logAnalytics && { logAnalytics }),
    ...(e.PROMETHEUS_URL && {
      prometheus: {
        url: e.PROMETHEUS_URL, ...(e.PROMETHEUS_TOKEN && { token: e.PROMETHEUS_TOKEN }),
        ...(e.PROMETHEUS_USERNAME && { username: e.PROMETHEUS_USERNAME, password: e.PROMETHEUS_PASSWORD ?? "" }),
        ...(e.PROMETHEUS_TIMEOUT_MS && { timeoutMs: e.PROMETHEUS_TIMEOUT_MS }),
      },
    }),
    ...(e.NETRCA_TZ && { tz: e.NETRCA_TZ }),
    ...(e.NETRCA_EXPLAIN !== undefined && { explain: e.NETRCA_EXPLAIN }),
    ...(e.NETRCA_KUBE && { kube: true }),
    ...(slack && {
      slack: {
        signingSecret: e.SLACK_SIGNING_SECRET ?? "",
        botToken: e.SLACK_BOT_TOKEN!,
        ...(e.SLACK_APP_TOKEN && { appToken: e.SLACK_APP_TOKEN }),
        ...(e.SLACK_API_URL && { apiUrl: e.SLACK_API_URL.endsWith("/") ? e.SLACK_API_URL : `${e.SLACK_API_URL}/` }),
      },
    }),
  };
}
