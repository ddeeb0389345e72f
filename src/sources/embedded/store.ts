import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";
import { duckdb } from "./duckdb.js";
import type { Inventory } from "../../model/index.js";
import { compileSql, outputColumns, type CompiledSql, type FlowQuery, type FlowResult, type FlowSource } from "../../query/index.js";
import { stat, open as openFile } from "node:fs/promises";
import { CREATE_FLOWS, MIGRATE } from "./schema.js";
import { InputError, type IngestResult } from "./ingest/result.js";

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

  /**
   * `create`: a missing file may be made into a new store (ingest); without it the store must
   * exist (ask, serve). A path that holds anything but a DuckDB file is never opened, so it is
   * left as it was.
   */
  static async open(path = ":memory:", opts: { readOnly?: boolean; create?: boolean } = {}): Promise<FlowStore> {
    if (path !== ":memory:") await checkStorePath(path, opts.create ?? false);
    // Read-only opens let several processes share one store file (the cached demo cluster).
    const instance = await duckdb.DuckDBInstance.create(path, opts.readOnly ? { access_mode: "READ_ONLY" } : {});
    const conn = await instance.connect();
    // Times are UTC throughout; the store must not apply the machine's zone.
    await conn.run(`SET TimeZone = 'UTC'`);
    // Every query orders its own results, so DuckDB may insert in parallel out of order.
    await conn.run(`SET preserve_insertion_order = false`);
    // A file-backed store spills to disk instead of growing with the data (flat memory).
    if (path !== ":memory:") await conn.run(`SET memory_limit = '${FILE_STORE_MEMORY}'`);
    if (!opts.readOnly && (opts.create || path === ":memory:")) await conn.run(CREATE_FLOWS);
    const tables = await conn.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'flows'`);
    if (Number(tables.getRows()[0]![0]) === 0) {
      conn.closeSync();
      instance.closeSync();
      throw new InputError(`${path} is a DuckDB file but not a netrca store (it has no flows table): make one with netrca ingest FILE --store PATH`);
    }
    if (!opts.readOnly) for (const sql of MIGRATE) await conn.run(sql);
    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < READERS; i++) {
      const r = await instance.connect();
      await r.run(`SET TimeZone = 'UTC'`);
      readers.push(r);
    }
    return new FlowStore(instance, conn, readers, path);
  }

  async ingest(files: string[]): Promise<IngestResult> {
    // The reader loads only when something is ingested: asking a store never needs it.
    const { ingestFiles } = await import("./ingest/index.js");
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
  if (v instanceof duckdb.DuckDBTimestampValue) return new Date(Number(v.micros / 1000n)).toISOString();
  // DECIMAL and HUGEINT sums arrive as objects with a numeric value.
  const n = Number(String(v));
  return Number.isFinite(n) ? n : String(v);
}

/** A store path is a DuckDB file, or nothing yet when one may be created; never anything else. */
async function checkStorePath(path: string, create: boolean): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    if (!create) throw new InputError(`no store at ${path}: make one with netrca ingest FILE --store ${path}`);
    return;
  }
  if (info.isDirectory()) throw new InputError(`${path} is a folder: --store names a DuckDB file, e.g. ${path.replace(/\/+$/, "")}/flows.duckdb`);
  // DuckDB files carry "DUCK" at byte 8; anything else (an export, a text file) is not opened.
  const fh = await openFile(path, "r");
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await fh.read(head, 0, 12, 0);
    if (bytesRead < 12 || head.subarray(8, 12).toString("latin1") !== "DUCK") {
      throw new InputError(`${path} is not a netrca store (a DuckDB file)${/\.(jsonl?|csv|gz)$/i.test(path) ? ": to load it, pass it with --flows, or ingest it with netrca ingest " + path + " --store flows.duckdb" : ""}`);
    }
  } finally {
    await fh.close();
  }
}
