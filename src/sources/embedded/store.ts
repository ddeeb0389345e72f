import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { compileSql, outputColumns, type CompiledSql, type FlowQuery } from "../../query/index.js";
import { CREATE_FLOWS } from "./schema.js";
import { ingestFiles, type IngestResult } from "./ingest/index.js";

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
export class FlowStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(path = ":memory:"): Promise<FlowStore> {
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    // Times are UTC throughout; the store must not apply the machine's zone.
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(CREATE_FLOWS);
    return new FlowStore(instance, conn, path);
  }

  async ingest(files: string[]): Promise<IngestResult> {
    return ingestFiles(this.conn, files);
  }

  /** Run a FlowQuery; the result's columns are the query's output columns. */
  async query(q: FlowQuery): Promise<QueryResult & { sql: CompiledSql }> {
    const sql = compileSql(q);
    const result = await this.run(sql);
    return { ...result, columns: outputColumns(q), sql };
  }

  async run(compiled: Pick<CompiledSql, "sql" | "params">): Promise<QueryResult> {
    const reader = await this.conn.runAndReadAll(compiled.sql, compiled.params);
    return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(toCell)) };
  }

  /** Number of flow rows and the time range they cover. */
  async extent(): Promise<{ rows: number; from: string | null; to: string | null }> {
    const r = await this.run({ sql: `SELECT count(*), min(TimeGenerated), max(TimeGenerated) FROM flows`, params: [] });
    const [n, from, to] = r.rows[0]!;
    return { rows: Number(n), from: from as string | null, to: to as string | null };
  }

  close(): void {
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
