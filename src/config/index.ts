import { z } from "zod";

/**
 * Settings from the environment (DESIGN.md "Configuration"), checked at start-up. A bad
 * value is one line naming the variable; secrets are never echoed back.
 */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  NETRCA_STORE: z.string().min(1).optional(),
  NETRCA_TZ: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, "must be a bot token (xoxb-…)").optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, "must be an app-level token (xapp-…)").optional(),
  SLACK_API_URL: z.url().optional(),
});

export interface SlackConfig {
  signingSecret: string;
  botToken: string;
  appToken?: string;
  apiUrl?: string;
}

export interface Config {
  port: number;
  store?: string;
  tz?: string;
  slack?: SlackConfig;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = Env.safeParse(clean);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = r.data;
  const slack = e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN;
  if (slack && !e.SLACK_BOT_TOKEN) throw new ConfigError("SLACK_BOT_TOKEN: needed when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set");
  if (slack && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) throw new ConfigError("SLACK_SIGNING_SECRET: needed to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode)");
  return {
    port: e.PORT,
    ...(e.NETRCA_STORE && { store: e.NETRCA_STORE }),
    ...(e.NETRCA_TZ && { tz: e.NETRCA_TZ }),
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
