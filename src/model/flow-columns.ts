/**
 * The canonical flow row: the columns of the Log Analytics table `ContainerNetworkLogs`
 * (formerly `RetinaNetworkFlowLogs`), as Azure's agent fills them from Hubble flows
 * (shared/reference/network-data.md §1.2), plus derived columns the embedded store keeps
 * for speed. One list drives the DuckDB table, Log Analytics ingest and the KQL schema.
 */

/** Kusto scalar types used by the Log Analytics tables. */
export type KustoType = "datetime" | "string" | "int" | "long" | "bool" | "dynamic" | "real";

export interface LogAnalyticsColumn {
  name: string;
  kusto: KustoType;
  duckdb: string;
}

/** Columns as they exist in Log Analytics (ContainerNetworkLogs and RetinaNetworkFlowLogs). */
export const LOG_ANALYTICS_COLUMNS: readonly LogAnalyticsColumn[] = [
  { name: "TimeGenerated", kusto: "datetime", duckdb: "TIMESTAMP" },
  { name: "UUID", kusto: "string", duckdb: "VARCHAR" },
  { name: "Verdict", kusto: "string", duckdb: "VARCHAR" },
  { name: "DropReason", kusto: "string", duckdb: "VARCHAR" },
  { name: "IP", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "Layer4", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "SourceIdentity", kusto: "int", duckdb: "BIGINT" },
  { name: "DestinationIdentity", kusto: "int", duckdb: "BIGINT" },
  { name: "SourceClusterName", kusto: "string", duckdb: "VARCHAR" },
  { name: "DestinationClusterName", kusto: "string", duckdb: "VARCHAR" },
  { name: "SourceNamespace", kusto: "string", duckdb: "VARCHAR" },
  { name: "DestinationNamespace", kusto: "string", duckdb: "VARCHAR" },
  { name: "SourcePodName", kusto: "string", duckdb: "VARCHAR" },
  { name: "DestinationPodName", kusto: "string", duckdb: "VARCHAR" },
  { name: "SourceWorkloads", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "DestinationWorkloads", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "FlowType", kusto: "string", duckdb: "VARCHAR" },
  { name: "NodeName", kusto: "string", duckdb: "VARCHAR" },
  { name: "Layer7", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "Reply", kusto: "bool", duckdb: "BOOLEAN" },
  { name: "EventType", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "Service", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "TrafficDirection", kusto: "string", duckdb: "VARCHAR" },
  { name: "TraceObservationPoint", kusto: "string", duckdb: "VARCHAR" },
  { name: "IngressFlowCount", kusto: "long", duckdb: "BIGINT" },
  { name: "EgressFlowCount", kusto: "long", duckdb: "BIGINT" },
  { name: "UnknownDirectionFlowCount", kusto: "long", duckdb: "BIGINT" },
  { name: "Policies", kusto: "dynamic", duckdb: "VARCHAR" },
  { name: "AdditionalFlowData", kusto: "dynamic", duckdb: "VARCHAR" },
] as const;

/** The two table names that hold the same columns in Log Analytics. */
export const LOG_ANALYTICS_TABLES = ["ContainerNetworkLogs", "RetinaNetworkFlowLogs"] as const;
