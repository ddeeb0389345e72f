// Plain types and constants, no schema library: the parser (`netrca parse`, every chat
// message) loads this, and zod alone costs ~90 ms of start-up. The zod schemas for the same
// shapes, used where a Report or a playbook is validated, are in question-schema.ts.

/** What the user asked for; each intent but help and triage names one playbook. */
export const INTENTS = ["dns", "drops", "traffic", "health", "l7", "triage", "help"] as const;
export type Intent = (typeof INTENTS)[number];

/** The second party of "A can't reach B" or "A gets 403 from B". */
export interface Peer {
  namespace: string | null;
  workload: string | null;
  pod: string | null;
}

/**
 * Where and when to look. Names here were validated as Kubernetes names (DNS-1123) by the
 * parser; `from`/`to` are ISO instants (UTC).
 */
export interface Scope {
  namespace: string | null;
  workload: string | null;
  pod: string | null;
  node: string | null;
  peer: Peer | null;
  from: string;
  to: string;
  /**
   * The namespaces the asking channel may see (patterns: "shop", "shop-*"); absent: all.
   * Every query of the question keeps to flows whose ends are all in them (or not pods).
   */
  allowed?: string[] | undefined;
  /** Namespaces every restricted channel sees as the other end of its own flows (kube-system's DNS). */
  shared?: string[] | undefined;
}

/** Figures a question asks for by name, answered in the summary whatever else is found. */
export const ASKS = ["top-talkers", "balance", "latency", "top-queries", "top-drops", "node-flows"] as const;
export type Ask = (typeof ASKS)[number];

/** A name the question wrote that cannot be a Kubernetes name: nothing is looked up for it. */
export interface InvalidName {
  field: "namespace" | "workload" | "pod" | "node";
  value: string;
  why: string;
}

export interface Question {
  text: string;
  intent: Intent;
  scope: Scope;
  /** Playbooks that scored close to the intent's: run as well ("dns timeouts": DNS and drops). */
  also: Intent[];
  /** Figures asked for by name ("top talkers", "is it balanced", "latency between A and B"). */
  asks: Ask[];
  /** Names written out that are not valid Kubernetes names ("namespace café"). */
  invalidNames: InvalidName[];
  /** Things the parser noticed and the reply should say (unknown names, assumptions). */
  notes: string[];
  /** Names the data does not hold, with the closest names it does ("did you mean …?"). */
  unknownNames: { field: "namespace" | "workload" | "pod" | "node" | "peer"; name: string; suggestions: string[] }[];
  /** Set when the asking channel may not ask this: the refusal, said instead of any answer. */
  denied: string | null;
  /** The reply should carry the model's explanation ("explain …", or "why?" in a thread). */
  explain: boolean;
}

/**
 * The names present in the data, so the parser can tell a namespace from a workload and
 * offer "did you mean …?". Declared here because the source that fills it is a later stage.
 */
export interface Inventory {
  namespaces: string[];
  /** namespace/workload pairs */
  workloads: { namespace: string; workload: string }[];
  pods: { namespace: string; workload: string | null; pod: string }[];
  nodes: string[];
}
