import type { Cell } from "../model/index.js";
import { orderOf, type FlowQuery, type Predicate } from "./ir.js";

/**
 * Whether a result row satisfies equality predicates on its own columns (a finding's group
 * key). Predicates on columns the row lacks are ignored; other operators never match.
 */
export function rowMatches(columns: string[], row: Cell[], match: Predicate[]): boolean {
  return match.every((p) => {
    if (!("field" in p)) return false;
    const i = columns.indexOf(p.field);
    if (i < 0) return true;
    if (p.op === "eq") return row[i] === p.value;
    if (p.op === "isNull") return row[i] === null;
    return false;
  });
}

/** Rows in the order the compiled query's ORDER BY gives them (NULLS LAST), for rows at hand. */
export function orderRows(columns: string[], rows: Cell[][], q: FlowQuery): Cell[][] {
  const keys = orderOf(q).map((o) => ({ i: columns.indexOf(o.by), desc: o.desc }));
  return [...rows].sort((a, b) => {
    for (const { i, desc } of keys) {
      const x = a[i] ?? null, y = b[i] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : 1;
      return desc ? -c : c;
    }
    return 0;
  });
}
