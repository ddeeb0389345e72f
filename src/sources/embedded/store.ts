import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import type { Inventory } from "../../model/index.js";
import { compileSql, outputColumns, type CompiledSql, type FlowQuery, type FlowResult, type FlowSource } from "../../query/index.js";
import { CREATE_FLOWS } from "./schema.js";
import { ingestFiles, type IngestResult } from "./ingest/index.js";

const FILE_STORE_MEMORY = "512MB";
const READERS = 2;

/** The distinct names in the flows: pods with their namespace and workload, and nodes. */
const NAMES_SQL = `
  SELECT DISTINCT 'pod' AS kind, ns, wl, pod FROM (
    SELECT SourceNamespace AS ns, SourceWorkload AS wl, SourcePodName AS pod FROM flows
    UNION ALL SELECT DestinationNamespace, DestinationWorkload, DestinationPodName FROM flows)
  WHERE ns IS NOT NULL
  UNION ALL SELECT DISTINCT 'node', NodeName, NULL, NULL FROM flows WHERE NodeName IS NOT NULL`;

/** A result row: numbers, text, booleans and times (ISO strings); missing values are null. */
export type Cell = string | number | boolean | null;
export interface QueryResult {
  columns: string[];
  rows: Cell[][];
}

/**
 * The embedded store: one DuckDB database holding the `flows` table. In memory for
 * `--flows FILE`, file-backed with `--store PATH`. Always close it, or the CLI will not exit.
 */
export class FlowStore implements FlowSource {
  readonly name = "embedded";
  private next = 0;
  demo = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** Extra connections so independent queries run side by side (reads only). */
    private readonly readers: DuckDBConnection[],
    readonly path: string,
  ) {}

  static async open(path = ":memory:", opts: { readOnly?: boolean } = {}): Promise<FlowStore> {
    // Read-only opens let several processes share one store file (the cached demo cluster).
    const instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: "READ_ONLY" } : {});
    const conn = await instance.connect();
    // Times are UTC throughout; the store must not apply the machine's zone.
    await conn.run(`SET TimeZone = 'UTC'`);
    // Every query orders its own results, so DuckDB may insert in parallel out of order.
    await conn.run(`SET preserve_insertion_order = false`);
    // A file-backed store spills to disk instead of growing with the data (flat memory).
    if (path !== ":memory:") await conn.run(`SET memory_limit = '${FILE_STORE_MEMORY}'`);
    if (!opts.readOnly) await conn.run(CREATE_FLOWS);
    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < READERS; i++) {
      const r = await instance.connect();
      await r.run(`SET TimeZone = 'UTC'`);
      readers.push(r);
    }
    return new FlowStore(instance, conn, readers, path);
  }

  async ingest(files: string[]): Promise<IngestResult> {
    const result = await ingestFiles(this.conn, files);
    await this.conn.run(`CREATE OR REPLACE TABLE names AS ${NAMES_SQL}`);
    return result;
  }

  /** Run a FlowQuery; the result's columns are the query's output columns. */
  async query(q: FlowQuery): Promise<FlowResult> {
    const sql = compileSql(q);
    const result = await this.run(sql);
    return { rows: result.rows, columns: outputColumns(q), sql: sql.text };
  }

  async run(compiled: Pick<CompiledSql, "sql" | "params">): Promise<QueryResult> {
    const conn = this.readers[this.next++ % this.readers.length] ?? this.conn;
    const reader = await conn.runAndReadAll(compiled.sql, compiled.params);
    return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(toCell)) };
  }

  /** Number of flow rows and the time range they cover. */
  async extent(): Promise<{ rows: number; from: string | null; to: string | null }> {
    const r = await this.run({ sql: `SELECT count(*), min(TimeGenerated), max(TimeGenerated) FROM flows`, params: [] });
    const [n, from, to] = r.rows[0]!;
    return { rows: Number(n), from: from as string | null, to: to as string | null };
  }

  /** Every namespace, workload, pod and node in the data, for the question parser. */
  async inventory(): Promise<Inventory> {
    // Kept in a small table refreshed at ingest, so a question does not scan every flow.
    const tables = await this.run({ sql: `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'names'`, params: [] });
    const from = Number(tables.rows[0]![0]) > 0 ? "names" : `(${NAMES_SQL})`;
    const names = await this.run({ sql: `SELECT kind, ns, wl, pod FROM ${from} ORDER BY 1, 2, 3, 4`, params: [] });
    const inv: Inventory = { namespaces: [], workloads: [], pods: [], nodes: [] };
    const seenWl = new Set<string>();
    for (const [kind, ns, wl, pod] of names.rows as [string, string, string | null, string | null][]) {
      if (kind === "node") {
        inv.nodes.push(ns);
        continue;
      }
      if (!inv.namespaces.includes(ns)) inv.namespaces.push(ns);
      if (wl && !seenWl.has(`${ns}/${wl}`)) {
        seenWl.add(`${ns}/${wl}`);
        inv.workloads.push({ namespace: ns, workload: wl });
      }
      if (pod) inv.pods.push({ namespace: ns, workload: wl, pod });
    }
    return inv;
  }

  /** The SQL this store runs for a query, values inlined, for people to read. */
  explain(q: FlowQuery): string {
    return compileSql(q).text;
  }

  close(): void {
    for (const r of this.readers) r.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function toCell(v: DuckDBValue): Cell {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof DuckDBTimestampValue) return new Date(Number(v.micros / 1000n)).toISOString();
  // DECIMAL and HUGEINT sums arrive as objects with a numeric value.
  const n = Number(String(v));
  return Number.isFinite(n) ? n : String(v);
}
