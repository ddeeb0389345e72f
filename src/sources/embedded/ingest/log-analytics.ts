import { LOG_ANALYTICS_COLUMNS } from "../../../model/flow-columns.js";

/**
 * Log Analytics exports (ContainerNetworkLogs or RetinaNetworkFlowLogs, as JSON or CSV) →
 * the same columns. Every value arrives as text `raw_<Column>`: CSV cells as they are, JSON
 * values unwrapped with ->>'$' (dynamic columns may be objects or JSON-in-a-string).
 */

/** Portal CSV exports name the time column "TimeGenerated [UTC]". */
export function columnForHeader(header: string): string | undefined {
  const name = header.replace(/\s*\[UTC\]\s*$/i, "").trim();
  return LOG_ANALYTICS_COLUMNS.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name;
}

const TIME = (v: string) =>
  `coalesce(TRY_CAST(${v} AS TIMESTAMPTZ)::TIMESTAMP, try_strptime(${v}, '%m/%d/%Y, %-I:%M:%S.%g %p'), try_strptime(${v}, '%m/%d/%Y, %-I:%M:%S %p'))`;

/** Why a row cannot be kept (NULL when it can). */
export const LA_ROW_ERROR = `CASE
    WHEN nullif(raw_TimeGenerated, '') IS NULL THEN 'TimeGenerated is missing'
    WHEN ${TIME("raw_TimeGenerated")} IS NULL THEN 'TimeGenerated is not a time: ' || left(raw_TimeGenerated, 40)
  END`;

/** SELECT over a relation of raw_<Column> text columns, giving the Log Analytics columns. */
export function logAnalyticsToColumns(relation: string): string {
  const counts = ["IngressFlowCount", "EgressFlowCount", "UnknownDirectionFlowCount"];
  const noCounts = counts.map((c) => `nullif(raw_${c}, '') IS NULL`).join(" AND ");
  const cols = LOG_ANALYTICS_COLUMNS.map((c) => {
    const v = `raw_${c.name}`;
    let e: string;
    if (c.name === "TimeGenerated") e = TIME(v);
    // The RetinaNetworkFlowLogs-era agent kept the "cluster/" prefix; the current one strips it.
    else if (c.name === "NodeName") e = `nullif(regexp_replace(${v}, '^.*/', ''), '')`;
    // An export that left out the counters still holds one flow per row.
    else if (c.name === "UnknownDirectionFlowCount") e = `CASE WHEN ${noCounts} THEN 1 ELSE coalesce(TRY_CAST(${v} AS BIGINT), 0) END`;
    else if (c.kusto === "dynamic") e = `CASE WHEN json_valid(${v}) AND ${v} NOT IN ('', 'null') THEN ${v} END`;
    else if (c.kusto === "bool") e = `TRY_CAST(${v} AS BOOLEAN)`;
    else if (c.kusto === "int" || c.kusto === "long") e = counts.includes(c.name) ? `coalesce(TRY_CAST(${v} AS BIGINT), 0)` : `TRY_CAST(${v} AS BIGINT)`;
    else e = `nullif(${v}, '')`;
    return `${e} AS "${c.name}"`;
  });
  return `SELECT ${cols.join(",\n  ")}\nFROM (${relation})`;
}

/** Select list turning a relation with JSON-typed LA columns into raw_<Column> text. */
export function jsonColumnsAsRaw(struct?: string): string {
  const ref = (name: string) => (struct ? `${struct}."${name}"` : `"${name}"`);
  return LOG_ANALYTICS_COLUMNS.map((c) => `${ref(c.name)}->>'$' AS raw_${c.name}`).join(", ");
}

/** read_json columns={…} spec reading every LA column as JSON (missing keys become NULL). */
export function laJsonColumnsSpec(): string {
  return `{${LOG_ANALYTICS_COLUMNS.map((c) => `"${c.name}": 'JSON'`).join(", ")}}`;
}
