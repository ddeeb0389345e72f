import { z } from "zod";
import { ASKS, INTENTS, type Ask, type Intent, type Peer, type Question, type Scope } from "./question.js";

// The zod schemas of question.ts's types, for the Report's and the playbooks' validation.
// The `satisfies` lines keep the two in step: a field added to one and not the other fails
// the type check.

export const IntentSchema = z.enum(INTENTS);
export const AskSchema = z.enum(ASKS);

const name = z.string().nullable();

export const PeerSchema = z.object({ namespace: name, workload: name, pod: name }).strict();

export const ScopeSchema = z
  .object({
    namespace: name,
    workload: name,
    pod: name,
    node: name,
    peer: PeerSchema.nullable(),
    from: z.string(),
    to: z.string(),
    allowed: z.array(z.string()).optional(),
    shared: z.array(z.string()).optional(),
  })
  .strict();

export const QuestionSchema = z
  .object({
    text: z.string(),
    intent: IntentSchema,
    scope: ScopeSchema,
    also: z.array(IntentSchema),
    asks: z.array(AskSchema),
    invalidNames: z.array(z.object({ field: z.enum(["namespace", "workload", "pod", "node"]), value: z.string(), why: z.string() }).strict()),
    notes: z.array(z.string()),
    unknownNames: z.array(z.object({ field: z.enum(["namespace", "workload", "pod", "node", "peer"]), name: z.string(), suggestions: z.array(z.string()) }).strict()),
    denied: z.string().nullable(),
    explain: z.boolean(),
  })
  .strict();

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<z.infer<typeof IntentSchema>, Intent>;
true satisfies Same<z.infer<typeof AskSchema>, Ask>;
true satisfies Same<z.infer<typeof PeerSchema>, Peer>;
true satisfies Same<z.infer<typeof ScopeSchema>, Scope>;
true satisfies Same<z.infer<typeof QuestionSchema>, Question>;
