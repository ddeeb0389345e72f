import { z } from "zod";
import { FindingKind } from "./finding-kind.js";
import { IntentSchema, ScopeSchema } from "./question-schema.js";

export const Severity = z.enum(["critical", "warning", "info"]);
export type Severity = z.infer<typeof Severity>;

const Party = z.object({
  namespace: z.string().nullable(),
  workload: z.string().nullable(),
  pod: z.string().nullable().optional(),
  node: z.string().nullable().optional(),
  /** Cilium's reserved identity when the party is not a pod: world, host, remote-node, kube-apiserver… */
  reserved: z.string().nullable().optional(),
});

/** One ranked finding (DESIGN.md "Findings and the Report"). Prose is made from these fields. */
export const Finding = z.object({
  rank: z.number().int().min(1),
  kind: FindingKind,
  severity: Severity,
  title: z.string(),
  subject: Party,
  peer: Party.nullable(),
  reason: z.string().nullable(),
  query: z.string().nullable().optional(),
  value: z.number(),
  unit: z.string(),
  baseline: z.number().nullable(),
  since: z.string().nullable(),
  /** The next step: what to look at and the command that shows it. */
  next: z.array(z.string()).default([]),
  /** Which evidence tables back this finding (indexes into Report.evidence). */
  evidence: z.array(z.number().int()).default([]),
  /** A policy drop read against the cluster's policies (--policies): what decides it, and a checked fix. */
  policy: z.object({
    /** The direction that denies. */
    direction: z.enum(["ingress", "egress"]),
    /** The policies that select the endpoint in that direction. */
    policies: z.array(z.object({ namespace: z.string().nullable(), name: z.string(), kind: z.string(), admits: z.string(), whyNot: z.string() })),
    /** Deny rules that match (a deny wins over any allow). */
    deniedBy: z.array(z.string()).default([]),
    /** The smallest policy that admits the flow, as YAML; null when none can (a deny rule). */
    fix: z.string().nullable(),
    /** Other flows of the window whose verdict the fix would change. */
    fixAlsoChanges: z.number().int().default(0),
    /** What the data could not tell (labels missing, a named port). */
    uncertain: z.array(z.string()).default([]),
    /** The policy the flow log names (Hubble's ingress_denied_by / egress_denied_by), when it does. */
    named: z.array(z.string()).default([]),
  }).nullable().optional(),
});
export type Finding = z.infer<typeof Finding>;

/** A table cell: text, a number, a boolean, or nothing. */
export const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Cell = z.infer<typeof Cell>;

export const Evidence = z.object({
  title: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(Cell)).max(20),
  query: z.object({ sql: z.string().optional(), kql: z.string().optional(), promql: z.string().optional(), portal: z.url().optional() }),
});
export type Evidence = z.infer<typeof Evidence>;

export const Chart = z.object({ title: z.string(), file: z.string() });
export type Chart = z.infer<typeof Chart>;

export const Report = z.object({
  question: z.string(),
  intent: IntentSchema,
  scope: ScopeSchema,
  summary: z.string(),
  findings: z.array(Finding),
  evidence: z.array(Evidence),
  charts: z.array(Chart),
  notes: z.array(z.string()),
  /** The model's prose over the findings, kept only as far as the evidence holds it (--explain); null otherwise. */
  explanation: z.object({ text: z.string(), model: z.string() }).nullable().default(null),
});
export type Report = z.infer<typeof Report>;
