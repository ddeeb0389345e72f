import { z } from "zod";
import { thousands } from "../model/text.js";
import { Field } from "../query/index.js";
import { PartyColumns, partyOf } from "./party.js";
import { label, num, str, queryOf } from "./rows.js";
import type { Analyzer } from "./types.js";

const params = z
  .object({
    /** How to state the top rows when a question asks for them ("top talkers"). */
    figure: z
      .object({
        query: z.string().default("main"),
        who: PartyColumns,
        /** Columns that say what (a DNS name and its type, a drop reason), before the count. */
        what: z.array(Field).default([]),
        measure: z.string().default("flows"),
        unit: z.string().default("flows"),
        /** A second measure and its unit, in parentheses ("to 3 workloads"). */
        extra: z.object({ measure: z.string(), words: z.string() }).strict().optional(),
        rows: z.number().int().min(1).max(10).default(3),
        /** Order the rows by this measure instead of the query's own order. */
        orderBy: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const n = (v: number) => thousands(v);

/** A check that only shows its table (top talkers, top queries): no judgement, no findings. */
export const evidenceOnly: Analyzer<typeof params> = {
  name: "evidenceOnly",
  params,
  usesBaseline: false,
  run: () => [],
  figures({ queries, params: { figure: f }, scope }) {
    if (!f) return null;
    let rows = queryOf(queries, f.query, "evidenceOnly").current;
    // A cluster-wide table (every node) answers for the node asked about; "top talkers in
    // default" are the talkers in default, not the DNS servers that answer them.
    if (f.who.node && scope.node) rows = rows.filter((r) => r[f.who.node!] === scope.node);
    const own = (col: keyof typeof f.who, value: string | null) => {
      const c = f.who[col];
      if (c && value && rows.some((r) => r[c] === value)) rows = rows.filter((r) => r[c] === value);
    };
    own("namespace", scope.namespace);
    own("workload", scope.workload);
    if (f.orderBy) rows = [...rows].sort((a, b) => num(b[f.orderBy!]) - num(a[f.orderBy!]));
    rows = rows.slice(0, f.rows);
    if (rows.length === 0) return "none in this window";
    return rows.map((r) => {
      const [first, ...more] = f.what.map((c) => str(r[c])).filter(Boolean);
      const what = first ? `${first}${more.length ? ` (${more.join(", ")})` : ""} ` : "";
      const extra = f.extra ? ` (${f.extra.words.replace("{n}", n(num(r[f.extra.measure])))})` : "";
      return `${label(partyOf(r, f.who))} ${what}${n(num(r[f.measure]))} ${f.unit}${extra}`;
    }).join("; ");
  },
};
