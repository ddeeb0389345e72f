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

/**
 * A predicate as a test on result rows, when every field it reads is one of the columns (a
 * group key): filtering the groups then gives exactly the groups of the filtered flows. Null
 * when it reads a field the rows lack. Nulls behave as in the compiled SQL.
 */
export function rowTest(p: Predicate, columns: string[]): ((row: Cell[]) => boolean) | null {
  if ("any" in p || "all" in p) {
    const parts = ("any" in p ? p.any : p.all).map((x) => rowTest(x, columns));
    if (parts.some((t) => t === null)) return null;
    const ts = parts as ((row: Cell[]) => boolean)[];
    return "any" in p ? (row) => ts.some((t) => t(row)) : (row) => ts.every((t) => t(row));
  }
  if ("not" in p) {
    const t = rowTest(p.not, columns);
    return t && ((row) => !t(row));
  }
  const i = columns.indexOf(p.field);
  if (i < 0 || p.op === "hasFlag" || p.op === "startsWith" || p.op === "contains") return null;
  const v = (row: Cell[]) => row[i] ?? null;
  switch (p.op) {
    case "eq": return (row) => v(row) === p.value;
    case "neq": return (row) => v(row) !== p.value;
    case "gt": return (row) => v(row) !== null && v(row)! > p.value;
    case "gte": return (row) => v(row) !== null && v(row)! >= p.value;
    case "lt": return (row) => v(row) !== null && v(row)! < p.value;
    case "lte": return (row) => v(row) !== null && v(row)! <= p.value;
    case "in": return (row) => p.values.includes(v(row) as never);
    case "notIn": return (row) => v(row) === null || !p.values.includes(v(row) as never);
    case "isNull": return (row) => v(row) === null;
    case "notNull": return (row) => v(row) !== null;
  }
}
