import type { FlowSource } from "../query/index.js";
import { FlowStore, InputError, openDemoStore, type IngestResult } from "./embedded/index.js";
import type { LogAnalyticsOptions } from "./loganalytics/index.js";

export interface OpenedSource {
  source: FlowSource & { close(): void };
  /** What loading --flows files found (bad lines), if files were given. */
  ingest?: IngestResult;
  /** No flow logs: an empty stand-in store (metrics alone answer). */
  noFlows?: boolean;
}

/**
 * Pick the data a question is answered from: --flows files (loaded into memory), a Log
 * Analytics workspace (--workspace or LOG_ANALYTICS_WORKSPACE_ID), a store file (--store or
 * NETRCA_STORE), or else the built-in demo cluster.
 */
export async function openSource(opts: { flows?: string[]; store?: string; logAnalytics?: LogAnalyticsOptions; metricsOnly?: boolean }): Promise<OpenedSource> {
  if (opts.flows?.length) {
    const source = await FlowStore.open(opts.store ?? ":memory:", { create: true });
    try {
      const ingest = await source.ingest(opts.flows);
      if (ingest.rows === 0 && ingest.rejected > 0) {
        const e = ingest.errors[0]!;
        throw new InputError(`no usable flow in ${opts.flows.join(", ")}: all ${ingest.rejected} lines were rejected (first: ${e.file}:${e.line}: ${e.message})`);
      }
      return { source, ingest };
    } catch (e) {
      source.close();
      throw e;
    }
  }
  if (opts.logAnalytics) {
    const { LogAnalyticsSource } = await import("./loganalytics/index.js");
    return { source: await LogAnalyticsSource.open(opts.logAnalytics) };
  }
  // Asking only reads: several processes may share the store, and nothing in it changes.
  if (opts.store) return { source: await FlowStore.open(opts.store, { readOnly: true }) };
  // Metrics given and no flows: never the demo's flows beside a real cluster's metrics.
  if (opts.metricsOnly) return { source: await FlowStore.open(":memory:"), noFlows: true };
  return { source: await openDemoStore() };
}

export { FlowStore, InputError, type IngestResult };
