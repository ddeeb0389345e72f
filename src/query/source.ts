import type { Cell, Inventory } from "../model/index.js";
import type { FlowQuery } from "./ir.js";

/** What answered a query: its rows, and the query text in the source's own language. */
export interface FlowResult {
  columns: string[];
  rows: Cell[][];
  /** The SQL the embedded store ran, values inlined, for people to read. */
  sql?: string;
  /** What the reader should know about these rows (partial results, a row cap, missing fields). */
  notes?: string[];
}

/**
 * A place flows can be asked about: the embedded DuckDB store, Log Analytics. Every source
 * answers the same IR; aggregation happens in the source, never here.
 */
export interface FlowSource {
  readonly name: string;
  /** Set when the data is the built-in demo cluster, so replies say so. */
  readonly demo?: boolean;
  query(q: FlowQuery): Promise<FlowResult>;
  /** Rows held and the time they cover (null when empty). */
  extent(): Promise<{ rows: number; from: string | null; to: string | null }>;
  /** The names present in the data, for the parser. */
  inventory(): Promise<Inventory>;
  /** The query in the source's own language (SQL for the embedded store), if it has one. */
  explain?(q: FlowQuery): string;
  /** A link that opens this KQL in the source's own UI (the Azure portal), if it has one. */
  portalLink?(kql: string): string | undefined;
}
