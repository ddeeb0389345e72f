import { z } from "zod";
import { FindingKind } from "./finding-kind.js";
import { Intent, Scope } from "./question.js";

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
  intent: Intent,
  scope: Scope,
  summary: z.string(),
  findings: z.array(Finding),
  evidence: z.array(Evidence),
  charts: z.array(Chart),
  notes: z.array(z.string()),
  /** The model's prose over the findings, kept only as far as the evidence holds it (--explain); null otherwise. */
  explanation: z.object({ text: z.string(), model: z.string() }).nullable().default(null),
});
export type Report = z.infer<typeof Report>;
