import type { Question, Report } from "../model/index.js";

/** Who asks, as the chat platform tells it: what decides which namespaces the answer may show. */
export interface Asker {
  surface: "slack" | "teams";
  /** Slack channel id; Teams conversation id (a thread's carries ";messageid=…"). */
  channel: string;
  user?: string;
  /** A DM or personal chat: `access.users`, then `access.default`. */
  personal?: boolean;
}

/** What a chat surface needs from netrca: the understand/investigate entry points and the help text. */
export interface Answerer {
  /** The question as understood for this asker; `denied` set when the asker's channel may not ask it. */
  understand(text: string, previous?: Question, asker?: Asker): Promise<Question>;
  investigate(q: Question): Promise<Report>;
  /** How many questions a new one would wait behind (investigations run a few at a time). */
  waiting?(): number;
  /** The reply is posted: the report's chart files can go. */
  release?(r: Report): Promise<void>;
  help: string;
}

/** What a chat surface reports about the platform's API, for netrca's own metrics. */
export interface ChatHooks {
  apiError(platform: "slack" | "teams", error: string): void;
  rateLimited(platform: "slack" | "teams"): void;
  /** Where the platform library's own messages go (a JSON logger); absent: the library's default. */
  logger?: { debug(msg: string): void; info(msg: string): void; warn(msg: string): void; error(msg: string): void };
}
