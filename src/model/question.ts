import { z } from "zod";

/** What the user asked for; each intent but help and triage names one playbook. */
export const Intent = z.enum(["dns", "drops", "traffic", "health", "l7", "triage", "help"]);
export type Intent = z.infer<typeof Intent>;

const name = z.string().nullable();

/** The second party of "A can't reach B" or "A gets 403 from B". */
export const Peer = z.object({ namespace: name, workload: name, pod: name }).strict();
export type Peer = z.infer<typeof Peer>;

/**
 * Where and when to look. Names here were validated as Kubernetes names (DNS-1123) by the
 * parser; `from`/`to` are ISO instants (UTC).
 */
export const Scope = z
  .object({
    namespace: name,
    workload: name,
    pod: name,
    node: name,
    peer: Peer.nullable(),
    from: z.string(),
    to: z.string(),
    /**
     * The namespaces the asking channel may see (patterns: "shop", "shop-*"); absent: all.
     * Every query of the question keeps to flows whose ends are all in them (or not pods).
     */
    allowed: z.array(z.string()).optional(),
    /** Namespaces every restricted channel sees as the other end of its own flows (kube-system's DNS). */
    shared: z.array(z.string()).optional(),
  })
  .strict();
export type Scope = z.infer<typeof Scope>;

/** Figures a question asks for by name, answered in the summary whatever else is found. */
export const Ask = z.enum(["top-talkers", "balance", "latency", "top-queries", "top-drops", "node-flows"]);
export type Ask = z.infer<typeof Ask>;

/** A name the question wrote that cannot be a Kubernetes name: nothing is looked up for it. */
export const InvalidName = z.object({ field: z.enum(["namespace", "workload", "pod", "node"]), value: z.string(), why: z.string() });

export const Question = z.object({
  text: z.string(),
  intent: Intent,
  scope: Scope,
  /** Playbooks that scored close to the intent's: run as well ("dns timeouts": DNS and drops). */
  also: z.array(Intent).default([]),
  /** Figures asked for by name ("top talkers", "is it balanced", "latency between A and B"). */
  asks: z.array(Ask).default([]),
  /** Names written out that are not valid Kubernetes names ("namespace café"). */
  invalidNames: z.array(InvalidName).default([]),
  /** Things the parser noticed and the reply should say (unknown names, assumptions). */
  notes: z.array(z.string()).default([]),
  /** Names the data does not hold, with the closest names it does ("did you mean …?"). */
  unknownNames: z
    .array(z.object({ field: z.enum(["namespace", "workload", "pod", "node", "peer"]), name: z.string(), suggestions: z.array(z.string()) }))
    .default([]),
  /** Set when the asking channel may not ask this: the refusal, said instead of any answer. */
  denied: z.string().nullable().default(null),
  /** The reply should carry the model's explanation ("explain …", or "why?" in a thread). */
  explain: z.boolean().default(false),
});
export type Question = z.infer<typeof Question>;

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
