import { z } from "zod";
import { isK8sName } from "../model/k8s-name.js";
import { FIELDS, FIELD_NAMES, type FieldName } from "./fields.js";

/**
 * FlowQuery: the typed query a check holds instead of SQL or KQL text. It is evaluated over
 * a time window; compilers in sql.ts and kql.ts turn it into text plus bound values.
 */

export const Field = z.enum(FIELD_NAMES);

const Scalar = z.union([z.string().max(1024), z.number().finite(), z.boolean()]);
type Scalar = z.infer<typeof Scalar>;

const CompareOp = z.enum(["eq", "neq", "gt", "gte", "lt", "lte", "startsWith", "contains"]);
const ListOp = z.enum(["in", "notIn"]);
const NullOp = z.enum(["isNull", "notNull"]);

export type Predicate =
  | { field: FieldName; op: z.infer<typeof CompareOp>; value: Scalar }
  | { field: FieldName; op: z.infer<typeof ListOp>; values: Scalar[] }
  | { field: FieldName; op: z.infer<typeof NullOp> }
  | { field: "tcpFlags"; op: "hasFlag"; value: string }
  | { any: Predicate[] }
  | { all: Predicate[] }
  | { not: Predicate };

export const Predicate: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    z.object({ field: Field, op: CompareOp, value: Scalar }).strict(),
    z.object({ field: Field, op: ListOp, values: z.array(Scalar).min(1).max(200) }).strict(),
    z.object({ field: Field, op: NullOp }).strict(),
    z.object({ field: z.literal("tcpFlags"), op: z.literal("hasFlag"), value: z.string() }).strict(),
    z.object({ any: z.array(Predicate).min(1) }).strict(),
    z.object({ all: z.array(Predicate).min(1) }).strict(),
    z.object({ not: Predicate }).strict(),
  ]),
).superRefine((p, ctx) => checkValues(p, ctx));

/** Values must fit their field: names are DNS-1123, enums closed, numbers numeric. */
function checkValues(p: Predicate, ctx: z.RefinementCtx): void {
  if ("any" in p || "all" in p || "not" in p) return;
  const def = FIELDS[p.field];
  const values: Scalar[] = "values" in p ? p.values : "value" in p ? [p.value] : [];
  for (const v of values) {
    const problem = valueProblem(def.values, v, p.op);
    if (problem) ctx.addIssue({ code: "custom", message: `${p.field}: ${problem}`, path: ["value"] });
  }
}

function valueProblem(spec: (typeof FIELDS)[FieldName]["values"], v: Scalar, op: string): string | null {
  switch (spec.kind) {
    case "k8sName":
      if (typeof v !== "string") return "expects a Kubernetes name";
      // A prefix of a name ("checkout-") may end in '-' or '.'; a whole name may not.
      if (op === "startsWith" || op === "contains") return /^[a-z0-9.-]{1,253}$/.test(v) ? null : `invalid name fragment ${JSON.stringify(v)}`;
      return isK8sName(v) ? null : `${JSON.stringify(v)} is not a valid Kubernetes name (DNS-1123)`;
    case "enum":
      return typeof v === "string" && spec.values.includes(v) ? null : `${JSON.stringify(v)} is not one of ${spec.values.join(", ")}`;
    case "text":
      return typeof v === "string" ? null : "expects text";
    case "number":
      return typeof v === "number" ? null : "expects a number";
    case "bool":
      return typeof v === "boolean" ? null : "expects true or false";
    case "time":
      return typeof v === "string" && !Number.isNaN(Date.parse(v)) ? null : "expects an ISO time";
  }
}

const Alias = z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/, "an alias is a camelCase identifier");

export const Measure = z.discriminatedUnion("fn", [
  /** Flows = IngressFlowCount + EgressFlowCount + UnknownDirectionFlowCount (1 per raw Hubble flow). */
  z.object({ fn: z.literal("flows"), as: Alias }).strict(),
  /** Flows matching a condition, e.g. errors next to the total in one pass. */
  z.object({ fn: z.literal("flowsWhere"), where: z.array(Predicate).min(1), as: Alias }).strict(),
  z.object({ fn: z.literal("distinct"), field: Field, as: Alias }).strict(),
  z.object({ fn: z.enum(["min", "max", "avg", "sum"]), field: Field, as: Alias }).strict(),
  z.object({ fn: z.enum(["p50", "p95", "p99"]), field: Field, as: Alias }).strict(),
]);
export type Measure = z.infer<typeof Measure>;

/** Time bins that divide a day, so DuckDB's and Kusto's bucket boundaries agree. */
export const BIN_SECONDS = { "1m": 60, "5m": 300, "10m": 600, "15m": 900, "30m": 1800, "1h": 3600 } as const;
export const Bin = z.enum(Object.keys(BIN_SECONDS) as [keyof typeof BIN_SECONDS, ...(keyof typeof BIN_SECONDS)[]]);
/** The output column that holds the start of a time bin. */
export const BUCKET = "bucket";

const queryFields = {
  where: z.array(Predicate).default([]),
  groupBy: z.array(Field).default([]),
  bin: Bin.optional(),
  measures: z.array(Measure).min(1),
  /** Order by a measure alias or group field; defaults to the first measure, descending. */
  orderBy: z.object({ by: z.string(), desc: z.boolean().default(true) }).optional(),
  top: z.number().int().min(1).max(10_000).optional(),
};

type Shape = { groupBy: FieldName[]; measures: { as: string }[]; bin?: unknown; orderBy?: { by: string } };
function checkColumns(q: Shape, ctx: z.RefinementCtx): void {
  const names = [...q.groupBy, ...q.measures.map((m) => m.as), ...(q.bin ? [BUCKET] : [])];
  if (new Set(names).size !== names.length) ctx.addIssue({ code: "custom", message: `duplicate output column in ${names.join(", ")}` });
  if (q.orderBy && !names.includes(q.orderBy.by)) ctx.addIssue({ code: "custom", message: `orderBy ${q.orderBy.by} is not an output column`, path: ["orderBy"] });
}

const Window = z.object({ from: z.date(), to: z.date() }).refine((w) => w.from < w.to, "window.from must be before window.to");

export const FlowQuery = z.object({ window: Window, ...queryFields }).strict().superRefine(checkColumns);
/** A query as a playbook writes it: everything but the window, which comes from the question. */
export const QueryTemplate = z.object(queryFields).strict().superRefine(checkColumns);
export type QueryTemplate = z.output<typeof QueryTemplate>;
export type FlowQuery = z.output<typeof FlowQuery>;
export type FlowQueryInput = z.input<typeof FlowQuery>;

/** Parse and validate a query; throws a one-line error naming the field. */
export function flowQuery(input: FlowQueryInput): FlowQuery {
  const r = FlowQuery.safeParse(input);
  if (!r.success) throw new Error(`invalid FlowQuery: ${z.prettifyError(r.error).replace(/\n\s*/g, "; ")}`);
  return r.data;
}

/** Output column names, in order: bucket, group fields, measures. */
export function outputColumns(q: FlowQuery): string[] {
  return [...(q.bin ? [BUCKET] : []), ...q.groupBy, ...q.measures.map((m) => m.as)];
}

/** Every field a query touches, in first-use order (compilers extend only these). */
export function fieldsUsed(q: FlowQuery): FieldName[] {
  const seen = new Set<FieldName>();
  const visit = (p: Predicate): void => {
    if ("any" in p) p.any.forEach(visit);
    else if ("all" in p) p.all.forEach(visit);
    else if ("not" in p) visit(p.not);
    else seen.add(p.field);
  };
  q.where.forEach(visit);
  q.groupBy.forEach((f) => seen.add(f));
  for (const m of q.measures) {
    if (m.fn === "flowsWhere") m.where.forEach(visit);
    else if ("field" in m) seen.add(m.field);
  }
  return [...seen];
}

/** The default order: time series by bucket, tables by the first measure, ties by group. */
export function orderOf(q: FlowQuery): { by: string; desc: boolean }[] {
  const first = q.orderBy ?? (q.bin ? { by: BUCKET, desc: false } : { by: q.measures[0]!.as, desc: true });
  const rest = [...(q.bin ? [BUCKET] : []), ...q.groupBy].filter((c) => c !== first.by).map((by) => ({ by, desc: false }));
  return [first, ...rest];
}
