import { z } from "zod";
import { AskSchema, IntentSchema } from "../model/question-schema.js";
import { Field, Predicate, QueryTemplate } from "../query/index.js";
import { MetricTemplate } from "../query/promql.js";

/**
 * A playbook as written in playbooks/<intent>.yaml: an intent, a title and checks. A check
 * holds typed queries (never query text), names the analyzer that judges their rows, and
 * says how to present them. Judgement lives in analyzers; data needs live here.
 */

/** How the question's scope narrows a check's flows. */
export const ScopeMode = z.enum([
  "either", // the named namespace/workload/pod on either side (with a peer: between the two)
  "subject", // the named namespace/workload/pod on either side, whatever the peer (DNS: a peer is reached by name)
  "none", // cluster-wide, whatever the question named (e.g. node comparisons)
]);

export const ChartPlan = z.discriminatedUnion("kind", [
  /** The top finding's flows over time against the rest of the check's bad flows. */
  z.object({ kind: z.literal("timeseries") }).strict(),
  /** The check's bad flows over time, stacked by a field (e.g. drop reason). */
  z.object({ kind: z.literal("stacked"), by: Field, top: z.number().int().min(1).max(8).default(6) }).strict(),
  /** The check's bad flows over time by a field (e.g. pods sending RSTs). */
  z.object({ kind: z.literal("heatmap"), by: Field, top: z.number().int().min(1).max(12).default(8) }).strict(),
  /** Bars the analyzer made (e.g. each pod's share of its workload's traffic). */
  z.object({ kind: z.literal("bars") }).strict(),
]);
export type ChartPlan = z.infer<typeof ChartPlan>;

export const Check = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, "a check id is lower-case words joined by '-'"),
    title: z.string().min(1),
    source: z.enum(["flows", "metrics"]).default("flows"),
    scope: ScopeMode.default("either"),
    queries: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), QueryTemplate).default({}),
    /** A metrics check's queries (source: metrics), in flow-field words; compiled to PromQL for whichever family the server has. */
    metrics: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), MetricTemplate).default({}),
    analyze: z.object({ name: z.string(), params: z.record(z.string(), z.unknown()).default({}) }).strict(),
    /** Flows that count as trouble for this check's timeline and charts (e.g. verdict DROPPED). */
    trouble: z.array(Predicate).default([]),
    present: z
      .object({
        table: z.string().optional(),
        columns: z.array(z.string()).optional(),
        chart: ChartPlan.optional(),
        /** A metrics check: the flow check (by id) whose figure is the same, so its KQL stands beside the PromQL. */
        sameAs: z.string().optional(),
        /** What a question may ask this check for by name (top-talkers, balance, latency…): its figures lead the summary. */
        answers: z.array(AskSchema).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const own = c.source === "metrics" ? c.metrics : c.queries;
    const field = c.source === "metrics" ? "metrics" : "queries";
    if (Object.keys(own).length === 0) ctx.addIssue({ code: "custom", path: [field], message: `a ${c.source} check needs at least one query under ${field}` });
    if (c.source === "flows" && Object.keys(c.metrics).length) ctx.addIssue({ code: "custom", path: ["metrics"], message: "metric queries need source: metrics" });
    if (c.source === "metrics" && Object.keys(c.queries).length) ctx.addIssue({ code: "custom", path: ["queries"], message: "a metrics check has metric queries (metrics:), not flow queries" });
    const table = c.present.table ?? Object.keys(own)[0];
    if (table && !(table in own)) ctx.addIssue({ code: "custom", path: ["present", "table"], message: `no query named ${table}` });
  });
export type Check = z.output<typeof Check>;

export const Playbook = z
  .object({
    intent: IntentSchema.exclude(["help"]),
    title: z.string().min(1),
    description: z.string().optional(),
    /** For triage: the playbooks it runs (by intent). */
    include: z.array(IntentSchema.exclude(["help", "triage"])).optional(),
    checks: z.array(Check).default([]),
  })
  .strict();
export type Playbook = z.output<typeof Playbook>;
