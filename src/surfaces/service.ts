import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import type { Question } from "../model/index.js";
import { ANALYZER_CATALOG } from "../analyze/index.js";
import { investigate, understand, type InvestigateContext } from "../investigate/index.js";
import { HELP } from "../investigate/help.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../playbooks/index.js";
import { openSource } from "../sources/index.js";
import { startServer } from "./http/server.js";
import { createSlackSurface } from "./slack/app.js";
import { createTeamsSurface, type TeamsSurface } from "./teams/bot.js";
import { ConversationStore } from "./teams/conversations.js";

export interface Service {
  port: number;
  teams: TeamsSurface;
  stop(): Promise<void>;
}

/**
 * `netrca serve`: the data source, the playbooks and every configured chat surface behind
 * one HTTP port. Playbooks load (and are checked) before the port opens.
 */
export async function startService(opts: { config: Config; flows?: string[]; store?: string; now?: Date; log?: (line: string) => void }): Promise<Service> {
  const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
  const { source, ingest } = await openSource({
    ...(opts.flows && { flows: opts.flows }), ...(opts.store && { store: opts.store }),
    ...(opts.config.logAnalytics && { logAnalytics: opts.config.logAnalytics }),
  });
  if (ingest?.rejected) opts.log?.(`netrca: kept ${ingest.rows} rows, rejected ${ingest.rejected} lines (first: ${ingest.errors[0]?.file}:${ingest.errors[0]?.line}: ${ingest.errors[0]?.message})`);
  const ctx: InvestigateContext = {
    source, playbooks, outDir: join(tmpdir(), "netrca", `serve-${process.pid}`),
    ...(opts.now && { now: opts.now }), ...(opts.config.tz && { tz: opts.config.tz }),
  };
  const answerer = {
    understand: (text: string, previous?: Question) => understand(text, { ...ctx, ...(previous && { previous }) }),
    investigate: (q: Question) => investigate(q, ctx),
    help: HELP,
  };
  const slack = opts.config.slack ? createSlackSurface(opts.config.slack, answerer) : undefined;
  const teams = createTeamsSurface(opts.config.teams, answerer, new ConversationStore(opts.config.stateDir));
  if (teams.authDisabled) {
    opts.log?.("netrca: WARNING: MICROSOFT_APP_ID is empty, so POST /api/messages accepts unsigned activities and replies to any serviceUrl they name. Use this only locally; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD anywhere else.");
  }
  const server = await startServer(opts.config.port, {
    health: async () => ({ source: source.name, demo: source.demo, ...(await source.extent()), slack: slack ? (opts.config.slack?.appToken ? "socket-mode" : "http") : "off", teams: teams.authDisabled ? "auth-off" : "on" }),
    ...(slack?.requestListener && { slack: slack.requestListener }),
    teams: teams.requestListener,
  });
  // Warm the parser and the names once, so the first slash command's ack is as quick as the rest.
  await understand("what's wrong in the cluster?", ctx);
  await slack?.start();
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : opts.config.port,
    teams,
    stop: async () => {
      await slack?.stop();
      await teams.settle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      source.close();
    },
  };
}
