import type { Cell } from "../model/index.js";
import type { Predicate } from "./ir.js";

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
