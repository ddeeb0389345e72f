import { LOG_ANALYTICS_COLUMNS } from "../../model/flow-columns.js";
import { DNS_RCODES, POD_TO_WORKLOAD_PATTERN, TCP_FLAGS } from "../../query/index.js";

/**
 * The `flows` table: the ContainerNetworkLogs columns, then columns derived from them once at
 * ingest so queries need no JSON parsing. Every input format is first mapped to the Log
 * Analytics columns (dynamic ones as JSON text); DERIVE_SQL then adds the rest, the same way
 * for a Hubble export and a Log Analytics export. kql.ts computes the same values in KQL.
 */
export const DERIVED_COLUMNS: readonly [string, string][] = [
  ["SourceWorkload", "VARCHAR"],
  ["DestinationWorkload", "VARCHAR"],
  ["SourceIP", "VARCHAR"],
  ["DestinationIP", "VARCHAR"],
  ["Protocol", "VARCHAR"],
  ["SourcePort", "INTEGER"],
  ["DestinationPort", "INTEGER"],
  ["TcpFlags", "VARCHAR"],
  ["L7Type", "VARCHAR"],
  ["L7Protocol", "VARCHAR"],
  ["DnsQuery", "VARCHAR"],
  ["DnsQtypes", "VARCHAR"],
  ["DnsRcode", "VARCHAR"],
  ["HttpStatus", "INTEGER"],
  ["HttpMethod", "VARCHAR"],
  ["HttpUrl", "VARCHAR"],
  ["LatencyMs", "DOUBLE"],
  ["KafkaTopic", "VARCHAR"],
  ["KafkaApiKey", "VARCHAR"],
  ["KafkaErrorCode", "INTEGER"],
  ["Flows", "BIGINT"],
  // What makes a flow the same flow when a file is loaded again: its UUID, else its content.
  ["FlowKey", "VARCHAR"],
];

export const CREATE_FLOWS = `CREATE TABLE IF NOT EXISTS flows (\n  ${[
  ...LOG_ANALYTICS_COLUMNS.map((c) => `"${c.name}" ${c.duckdb}`),
  ...DERIVED_COLUMNS.map(([n, t]) => `"${n}" ${t}`),
].join(",\n  ")}\n)`;

const L4_SHAPE = JSON.stringify({
  TCP: { source_port: "INTEGER", destination_port: "INTEGER", flags: Object.fromEntries(TCP_FLAGS.map((f) => [f, "BOOLEAN"])) },
  UDP: { source_port: "INTEGER", destination_port: "INTEGER" },
  SCTP: { source_port: "INTEGER", destination_port: "INTEGER" },
  ICMPv4: "JSON",
  ICMPv6: "JSON",
});
const L7_SHAPE = JSON.stringify({
  type: "VARCHAR",
  latency_ns: "VARCHAR",
  dns: { query: "VARCHAR", qtypes: ["VARCHAR"], rcode: "VARCHAR" },
  http: { code: "INTEGER", method: "VARCHAR", url: "VARCHAR" },
  kafka: { topic: "VARCHAR", api_key: "VARCHAR", error_code: "INTEGER" },
});
const IP_SHAPE = JSON.stringify({ source: "VARCHAR", destination: "VARCHAR" });

const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

// CASE, not coalesce: DuckDB then runs the regex only on rows without workloads[0].
function workload(side: "Source" | "Destination"): string {
  const pod = `"${side}PodName"`;
  const named = `nullif(json_extract_string("${side}Workloads", '$[0].name'), '')`;
  return `CASE WHEN ${named} IS NOT NULL THEN ${named} ELSE coalesce(nullif(regexp_extract(${pod}, ${sqlStr(POD_TO_WORKLOAD_PATTERN)}, 1), ''), ${pod}) END`;
}

const RC = "l7s.dns.rcode";
const rcodeNames = `[${DNS_RCODES.map(sqlStr).join(", ")}]`;

/** SELECT list that turns a relation of Log Analytics columns (plus l4s/l7s/ips) into a flows row. */
const DERIVED_EXPRS: Record<string, string> = {
  SourceWorkload: workload("Source"),
  DestinationWorkload: workload("Destination"),
  SourceIP: "ips.source",
  DestinationIP: "ips.destination",
  Protocol: `CASE WHEN l4s.TCP IS NOT NULL THEN 'TCP' WHEN l4s.UDP IS NOT NULL THEN 'UDP' WHEN l4s.ICMPv4 IS NOT NULL THEN 'ICMPv4' WHEN l4s.ICMPv6 IS NOT NULL THEN 'ICMPv6' WHEN l4s.SCTP IS NOT NULL THEN 'SCTP' END`,
  SourcePort: "coalesce(l4s.TCP.source_port, l4s.UDP.source_port, l4s.SCTP.source_port)",
  DestinationPort: "coalesce(l4s.TCP.destination_port, l4s.UDP.destination_port, l4s.SCTP.destination_port)",
  TcpFlags: `nullif(concat_ws(',', ${TCP_FLAGS.map((f) => `CASE WHEN l4s.TCP.flags.${f} THEN '${f}' END`).join(", ")}), '')`,
  L7Type: "l7s.type",
  L7Protocol: `CASE WHEN l7s.dns IS NOT NULL THEN 'dns' WHEN l7s.http IS NOT NULL THEN 'http' WHEN l7s.kafka IS NOT NULL THEN 'kafka' END`,
  DnsQuery: "l7s.dns.query",
  DnsQtypes: "nullif(array_to_string(l7s.dns.qtypes, ','), '')",
  // Hubble writes rcode as a number and omits it for NOERROR; some Log Analytics rows hold the name.
  DnsRcode:
    `CASE WHEN l7s.dns IS NULL THEN NULL ` +
    `WHEN coalesce(${RC}, '') = '' THEN CASE WHEN l7s.type = 'RESPONSE' THEN 'NOERROR' END ` +
    `WHEN regexp_full_match(${RC}, '[0-9]+') THEN coalesce(${rcodeNames}[TRY_CAST(${RC} AS INTEGER) + 1], ${RC}) ` +
    `ELSE upper(${RC}) END`,
  HttpStatus: "l7s.http.code",
  HttpMethod: "l7s.http.method",
  HttpUrl: "l7s.http.url",
  LatencyMs: "TRY_CAST(l7s.latency_ns AS DOUBLE) / 1000000.0",
  KafkaTopic: "l7s.kafka.topic",
  KafkaApiKey: "l7s.kafka.api_key",
  KafkaErrorCode: "l7s.kafka.error_code",
  Flows: `coalesce("IngressFlowCount", 0) + coalesce("EgressFlowCount", 0) + coalesce("UnknownDirectionFlowCount", 0)`,
  // Every column, a missing one marked as such: concat_ws would skip NULLs and let two flows collide.
  FlowKey: `CASE WHEN coalesce("UUID", '') <> '' THEN "UUID" ELSE md5(concat_ws('|', ${LOG_ANALYTICS_COLUMNS.map((c) => `coalesce(CAST("${c.name}" AS VARCHAR), chr(1))`).join(", ")})) END`,
};

/** SELECT that derives the extra columns from a relation of Log Analytics columns. */
export function selectDerived(laRelation: string): string {
  const la = LOG_ANALYTICS_COLUMNS.map((c) => `"${c.name}"`).join(", ");
  const derived = DERIVED_COLUMNS.map(([n]) => `${DERIVED_EXPRS[n]} AS "${n}"`).join(",\n  ");
  return (
    `SELECT ${la},\n  ${derived}\nFROM (\n` +
    `  SELECT la.*, from_json("Layer4", '${L4_SHAPE}') AS l4s, from_json("Layer7", '${L7_SHAPE}') AS l7s, from_json("IP", '${IP_SHAPE}') AS ips\n` +
    `  FROM (${laRelation}) la\n)`
  );
}

/** INSERT that derives the extra columns from a relation of Log Analytics columns. */
export function insertDerived(laRelation: string): string {
  return `INSERT INTO flows BY NAME\n${selectDerived(laRelation)}`;
}

/**
 * Flows stored more than once (a file loaded again, a flow twice within it) are kept once.
 * Counting distinct keys is cheap next to an anti-join on every insert, and duplicates are rare.
 */
export const DUPLICATES = `SELECT count(*) - count(DISTINCT FlowKey) FROM flows`;
export const REMOVE_DUPLICATES = `DELETE FROM flows WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY FlowKey ORDER BY rowid) AS n FROM flows) WHERE n > 1)`;

/** Stores made before FlowKey existed get it, so their flows are not stored twice either. */
export const MIGRATE = [
  `ALTER TABLE flows ADD COLUMN IF NOT EXISTS FlowKey VARCHAR`,
  `UPDATE flows SET FlowKey = ${DERIVED_EXPRS.FlowKey} WHERE FlowKey IS NULL`,
];
