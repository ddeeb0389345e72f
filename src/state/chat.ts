import type { Question } from "../model/index.js";
import { Recent } from "../surfaces/memory.js";

/**
 * What the chat surfaces remember: events and signed requests already answered (Slack retries
 * one it thinks was missed, possibly to another replica) and the question of each thread (for
 * follow-ups). In memory by default; in PostgreSQL when replicas share it.
 */
export interface ChatState {
  /** True the first time this key of this kind is seen. */
  first(kind: "slack-event" | "slack-request", key: string): Promise<boolean>;
  thread(key: string): Promise<Question | undefined>;
  setThread(key: string, q: Question): Promise<void>;
}

export function memoryChatState(): ChatState {
  const seen = { "slack-event": new Recent<number>(5000), "slack-request": new Recent<number>(10_000) };
  const threads = new Recent<Question>(2000);
  return {
    first: async (kind, key) => seen[kind].first(key, Date.now()),
    thread: async (key) => threads.get(key),
    setThread: async (key, q) => threads.set(key, q),
  };
}
