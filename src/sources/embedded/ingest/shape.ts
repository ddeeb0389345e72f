/**
 * A JSON shape written once and rendered two ways for DuckDB: as a STRUCT type for
 * read_json(columns=…) (the fast path) and as a structure for from_json (the per-line path).
 */
export type Shape = string | { [key: string]: Shape };

export function structType(shape: Shape): string {
  if (typeof shape === "string") return shape;
  return `STRUCT(${Object.entries(shape).map(([k, v]) => `"${k}" ${structType(v)}`).join(", ")})`;
}

export function jsonStructure(shape: Shape): string {
  return JSON.stringify(shape);
}
