import { FIELDS, TCP_FLAGS, type FieldName } from "./fields.js";
import { BIN_SECONDS, BUCKET, orderOf, type FlowQuery, type Measure, type Predicate } from "./ir.js";

/** A DuckDB statement: text with $n placeholders and the values bound to them. */
export interface CompiledSql {
  sql: string;
  params: (string | number | boolean)[];
  /** The same statement with the values inlined, for people to read and paste. */
  text: string;
}

/** Compile a FlowQuery to DuckDB SQL over the embedded store's `flows` table. */
export function compileSql(q: FlowQuery): CompiledSql {
  const params: (string | number | boolean)[] = [];
  const bind = (v: string | number | boolean, field?: FieldName): string => {
    params.push(v);
    return field && FIELDS[field].type === "time" ? `CAST($${params.length} AS TIMESTAMP)` : `$${params.length}`;
  };
  const col = (f: FieldName) => FIELDS[f].column;

  const pred = (p: Predicate): string => {
    if ("any" in p) return `(${p.any.map(pred).join(" OR ")})`;
    if ("all" in p) return `(${p.all.map(pred).join(" AND ")})`;
    if ("not" in p) return `(${pred(p.not)}) IS NOT TRUE`;
    const c = col(p.field);
    switch (p.op) {
      case "eq": return `${c} = ${bind(p.value, p.field)}`;
      case "neq": return `${c} IS DISTINCT FROM ${bind(p.value, p.field)}`;
      case "gt": return `${c} > ${bind(p.value, p.field)}`;
      case "gte": return `${c} >= ${bind(p.value, p.field)}`;
      case "lt": return `${c} < ${bind(p.value, p.field)}`;
      case "lte": return `${c} <= ${bind(p.value, p.field)}`;
      case "startsWith": return `starts_with(${c}, ${bind(String(p.value))})`;
      case "contains": return `contains(${c}, ${bind(String(p.value))})`;
      case "in": return `${c} IN (${p.values.map((v) => bind(v, p.field)).join(", ")})`;
      case "notIn": return `(${c} IS NULL OR ${c} NOT IN (${p.values.map((v) => bind(v, p.field)).join(", ")}))`;
      case "isNull": return `${c} IS NULL`;
      case "notNull": return `${c} IS NOT NULL`;
      case "hasFlag": {
        if (!(TCP_FLAGS as readonly string[]).includes(p.value)) throw new Error(`unknown TCP flag ${p.value}`);
        return `list_contains(string_split(${c}, ','), ${bind(p.value)})`;
      }
    }
  };

  const measure = (m: Measure): string => {
    switch (m.fn) {
      case "flows": return `COALESCE(SUM(Flows), 0)`;
      case "flowsWhere": return `COALESCE(SUM(Flows) FILTER (WHERE ${m.where.map(pred).join(" AND ")}), 0)`;
      case "distinct": return `COUNT(DISTINCT ${col(m.field)})`;
      case "min": case "max": case "avg": case "sum": return `${m.fn.toUpperCase()}(${col(m.field)})`;
      case "p50": case "p95": case "p99": return `quantile_cont(${col(m.field)}, ${Number(m.fn.slice(1)) / 100})`;
    }
  };

  const select: string[] = [];
  if (q.bin) select.push(`time_bucket(INTERVAL '${BIN_SECONDS[q.bin]} seconds', TimeGenerated) AS ${BUCKET}`);
  for (const f of q.groupBy) select.push(`${col(f)} AS ${f}`);
  // $n placeholders are positional, so the order of binding need not follow the text.
  const where = [`TimeGenerated >= ${bind(sqlTime(q.window.from))}::TIMESTAMP`, `TimeGenerated < ${bind(sqlTime(q.window.to))}::TIMESTAMP`];
  const measures = q.measures.map((m) => `${measure(m)} AS ${m.as}`);
  where.push(...q.where.map(pred));

  const groupCount = (q.bin ? 1 : 0) + q.groupBy.length;
  const lines = [
    `SELECT ${[...select, ...measures].join(", ")}`,
    `FROM flows`,
    `WHERE ${where.join("\n  AND ")}`,
  ];
  if (groupCount > 0) lines.push(`GROUP BY ${Array.from({ length: groupCount }, (_, i) => i + 1).join(", ")}`);
  lines.push(`ORDER BY ${orderOf(q).map((o) => `${o.by} ${o.desc ? "DESC" : "ASC"} NULLS LAST`).join(", ")}`);
  if (q.top) lines.push(`LIMIT ${q.top}`);
  const sql = lines.join("\n");
  return { sql, params, text: inline(sql, params) };
}

function sqlTime(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

function inline(sql: string, params: (string | number | boolean)[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1]!;
    return typeof v === "string" ? `'${v.replace(/'/g, "''")}'` : String(v);
  });
}
