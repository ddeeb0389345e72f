import { z } from "zod";
import type { Predicate } from "../query/index.js";
import { Field } from "../query/index.js";
import { str } from "./rows.js";
import type { Party, Row } from "./types.js";

/** Which result columns name a party: e.g. { namespace: dstNamespace, workload: dstWorkload }. */
export const PartyColumns = z
  .object({ namespace: Field.optional(), workload: Field.optional(), pod: Field.optional(), node: Field.optional(), reserved: Field.optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "name at least one column");
export type PartyColumns = z.infer<typeof PartyColumns>;

export function partyOf(row: Row, cols: PartyColumns): Party {
  return {
    namespace: cols.namespace ? str(row[cols.namespace]) : null,
    workload: cols.workload ? str(row[cols.workload]) : null,
    ...(cols.pod && { pod: str(row[cols.pod]) }),
    ...(cols.node && { node: str(row[cols.node]) }),
    ...(cols.reserved && str(row[cols.reserved]) && { reserved: str(row[cols.reserved]) }),
  };
}

export function partyColumns(cols: PartyColumns): Field[] {
  return [cols.namespace, cols.workload, cols.pod, cols.node, cols.reserved].filter((c): c is Field => !!c);
}

type Field = z.infer<typeof Field>;

/** Predicates that select exactly this group's flows (null values match missing fields). */
export function matchOf(row: Row, fields: Field[]): Predicate[] {
  return fields.map((f) => {
    const v = row[f];
    if (v === null || v === undefined || v === "") return { field: f, op: "isNull" as const };
    return { field: f, op: "eq" as const, value: v as string | number | boolean };
  });
}
