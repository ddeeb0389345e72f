import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip, gunzipSync } from "node:zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdb } from "../duckdb.js";
import { LOG_ANALYTICS_COLUMNS } from "../../../model/flow-columns.js";
import { DUPLICATES, insertDerived, REMOVE_DUPLICATES } from "../schema.js";
import { HUBBLE_LINE, HUBBLE_LINE_ERROR, hubbleToLogAnalytics } from "./hubble.js";
import { columnForHeader, jsonColumnsAsRaw, LA_ROW_ERROR, laJsonColumnsSpec, logAnalyticsToColumns } from "./log-analytics.js";
import { InputError, MAX_ERRORS, emptyResult, type IngestResult } from "./result.js";
import { jsonStructure, structType } from "./shape.js";

export { InputError, MAX_ERRORS, emptyResult, type IngestResult } from "./result.js";

const BATCH_LINES = 50_000;
/** A Hubble flow is a few KB; a line this long is not one, and parsing it would only exhaust memory. */
const MAX_LINE = 4 * 1024 * 1024;
/** A JSON array is parsed whole in memory: larger ones must be exported as JSON lines. */
const MAX_ARRAY_FILE = 256 * 1024 * 1024;

export type Format = "hubble" | "hubble-array" | "la-json" | "la-jsonl" | "la-csv" | "empty";

const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Ingest files into the flows table; good rows are kept whatever the bad ones, and a file
 * that cannot be read at all is an error of its own (line 0) while the others are still read.
 * Only when no file could be read at all is that an InputError.
 */
export async function ingestFiles(conn: DuckDBConnection, files: string[]): Promise<IngestResult> {
  const result = emptyResult();
  const unreadable: InputError[] = [];
  for (const file of files) {
    try {
      const format = await detectFormat(file);
      if (format === "empty") throw new InputError(`${file} is empty: no flows in it`);
      if (format === "hubble") await ingestHubble(conn, file, result);
      else if (format === "hubble-array") await ingestHubbleArray(conn, file, result);
      else if (format === "la-jsonl") await ingestLaJsonLines(conn, file, result);
      else if (format === "la-json") await ingestLaJsonArray(conn, file, result);
      else if (format === "la-csv") await ingestLaCsv(conn, file, result);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      unreadable.push(e);
      addError(result, file, 0, e.message);
      result.rejected--; // a file, not a line
    }
  }
  // Flows the store already held (or that came twice) are stored once: drop the copies.
  const copies = Number((await conn.runAndReadAll(DUPLICATES)).getRows()[0]![0]);
  if (copies > 0) {
    await conn.run(REMOVE_DUPLICATES);
    result.rows -= copies;
    result.skipped += copies;
  }
  if (unreadable.length === files.length) throw unreadable.length === 1 ? unreadable[0]! : new InputError(`none of the ${files.length} files could be read (first: ${unreadable[0]!.message})`);
  return result;
}

/** Look at the start of a file (gzip or not) to tell the export format. */
export async function detectFormat(file: string): Promise<Format> {
  let head: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(`cannot read ${file}: not a file`);
    const fh = await open(file, "r");
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: a truncated member is fine */ });
    } catch {
      throw new InputError(`cannot read ${file}: not a valid gzip file`);
    }
  }
  const text = head.toString("utf8").replace(/^\uFEFF/, "");
  const first = text.trimStart();
  if (first.length === 0) return "empty";
  if (first.startsWith("[")) {
    // An array of Hubble flows ({"flow": …} or bare flow objects) or of Log Analytics rows.
    const element = first.slice(1, 4096);
    return /"TimeGenerated"\s*:/.test(element) && !/"flow"\s*:/.test(element) ? "la-json" : "hubble-array";
  }
  if (first.startsWith("{")) {
    const line = first.split("\n", 1)[0]!;
    return /"flow"\s*:/.test(line) || !/"TimeGenerated"\s*:/.test(line) ? "hubble" : "la-jsonl";
  }
  const header = first.split(/\r?\n/, 1)[0]!;
  if (header.split(",").some((h) => columnForHeader(h.replace(/^"|"$/g, "")) === "TimeGenerated")) return "la-csv";
  // Neither JSON nor a known CSV: treat as Hubble lines so every line is reported.
  return "hubble";
}

async function addRows(conn: DuckDBConnection, relation: string, result: IngestResult): Promise<void> {
  const inserted = await conn.run(insertDerived(relation));
  result.rows += inserted.rowsChanged;
}

const isoOf = (e: string) => `strftime(${e}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

/** Widen the result's time range to take in [lo, hi]. */
function widen(result: IngestResult, lo: string | null, hi: string | null): void {
  if (lo && (!result.from || lo < result.from)) result.from = lo;
  if (hi && (!result.to || hi > result.to)) result.to = hi;
}

/** Insert LA-column rows held in a table, widening the range by theirs. */
async function addTableRows(conn: DuckDBConnection, table: string, result: IngestResult): Promise<void> {
  const r = await conn.runAndReadAll(`SELECT ${isoOf('min("TimeGenerated")')}, ${isoOf('max("TimeGenerated")')} FROM ${table}`);
  const [lo, hi] = r.getRows()[0] as [string | null, string | null];
  widen(result, lo, hi);
  await addRows(conn, `SELECT * FROM ${table}`, result);
}

function addError(result: IngestResult, file: string, line: number, message: string): void {
  result.rejected++;
  if (result.errors.length < MAX_ERRORS) result.errors.push({ file, line, message });
}

// ---- Hubble export lines -------------------------------------------------------------

const HUBBLE_COLUMNS = `{${Object.entries(HUBBLE_LINE).map(([k, v]) => `"${k}": '${structType(v)}'`).join(", ")}}`;
const HUBBLE_STRUCTURE = jsonStructure(HUBBLE_LINE);

async function ingestHubble(conn: DuckDBConnection, file: string, result: IngestResult, opts: { lineName?: string } = {}): Promise<void> {
  // Fast path: DuckDB reads and parses the whole file in parallel, once, inside a
  // transaction. It cannot say which line was bad (a bad line arrives with no TimeGenerated),
  // so a file with any bad line is rolled back and sent down the exact, line-numbered path.
  const parsed = `SELECT struct_pack(flow := flow, node_name := node_name, "time" := "time") AS j FROM read_json(${sqlStr(file)}, format = 'newline_delimited', columns = ${HUBBLE_COLUMNS}, maximum_object_size = ${MAX_LINE})`;
  const firstNew = Number((await conn.runAndReadAll(`SELECT coalesce(max(rowid) + 1, 0) FROM flows`)).getRows()[0]![0]);
  await conn.run("BEGIN TRANSACTION");
  try {
    await conn.run(insertDerived(hubbleToLogAnalytics(parsed)));
    const r = await conn.runAndReadAll(
      `SELECT count(*), count(*) FILTER (WHERE TimeGenerated IS NULL), ${isoOf("min(TimeGenerated)")}, ${isoOf("max(TimeGenerated)")} FROM flows WHERE rowid >= ${firstNew}`,
    );
    const [rows, bad, lo, hi] = r.getRows()[0] as [bigint, bigint, string | null, string | null];
    if (Number(bad) === 0) {
      await conn.run("COMMIT");
      result.rows += Number(rows);
      widen(result, lo, hi);
      return;
    }
  } catch {
    // not JSON lines DuckDB can read whole (a bad line, a type it cannot convert, a damaged gzip)
  }
  await conn.run("ROLLBACK");
  await ingestLines(conn, file, result, {
    // TRY: a value DuckDB cannot convert (an identity that is text) fails its line, not the batch.
    parse: (staging) =>
      `SELECT line_no, valid, line, CASE WHEN valid THEN TRY(from_json(line, ${sqlStr(HUBBLE_STRUCTURE)})) END AS j FROM (SELECT *, json_valid(line) AS valid FROM ${staging})`,
    error: `CASE WHEN j IS NULL THEN ${RAW_TYPE_ERROR} ELSE ${HUBBLE_LINE_ERROR} END`,
    toColumns: (good) => hubbleToLogAnalytics(`SELECT j FROM (${good})`),
    ...(opts.lineName && { lineName: opts.lineName }),
  });
}

/** Numeric fields a line may hold as something else, which from_json cannot convert. */
const NUMERIC_FIELDS = ["$.flow.source.identity", "$.flow.destination.identity", "$.flow.l4.TCP.source_port", "$.flow.l4.TCP.destination_port", "$.flow.l4.UDP.source_port", "$.flow.l4.UDP.destination_port", "$.flow.l7.http.code"];
const RAW_TYPE_ERROR = `CASE ${NUMERIC_FIELDS.map((f) => `WHEN json_type(line, '${f}') NOT IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'NULL') THEN '${f.slice(2)} must be a number'`).join(" ")} ELSE 'a field has a value of the wrong type' END`;

/**
 * A JSON array of Hubble flows (what a `jq -s` or an API dump gives): written out as one flow
 * a line and read like an export, each element's number standing for its line.
 */
async function ingestHubbleArray(conn: DuckDBConnection, file: string, result: IngestResult): Promise<void> {
  const { size } = await stat(file);
  if (size > MAX_ARRAY_FILE) throw new InputError(`${file} is a JSON array of ${Math.round(size / 1e6)} MB: export it as JSON lines (one flow a line) instead`);
  let raw = await readFileMaybeGzip(file);
  let items: unknown;
  try {
    items = JSON.parse(raw.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new InputError(`cannot read ${file}: not a valid JSON array (${(e as Error).message.split("\n")[0]})`);
  }
  raw = "";
  if (!Array.isArray(items)) throw new InputError(`cannot read ${file}: not a JSON array`);
  const lines = items.map((x) => JSON.stringify(x && typeof x === "object" && !("flow" in x) ? { flow: x } : x));
  const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "netrca-array-"));
  try {
    const jsonl = join(dir, "flows.jsonl");
    await writeFile(jsonl, lines.join("\n") + "\n");
    const before = result.errors.length;
    await ingestHubble(conn, jsonl, result, { lineName: "element" });
    for (const e of result.errors.slice(before)) e.file = file;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readFileMaybeGzip(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const buf = await readFile(file);
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString("utf8");
}

interface LineMapping {
  /** SELECT over the staging table giving line_no, valid, line and a parsed value. */
  parse(staging: string): string;
  /** SQL expression: why a parsed, valid line cannot be kept (NULL when it can). */
  error: string;
  /** SELECT of LA columns over the good parsed lines. */
  toColumns(good: string): string;
  /** What a line is called in messages ("element" for an array's items). */
  lineName?: string;
}

/** The exact path: number every line in JS, stage a batch in DuckDB, map it, report the rest. */
async function ingestLines(conn: DuckDBConnection, file: string, result: IngestResult, m: LineMapping): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE staging (line_no INTEGER, line VARCHAR)`);
  const appender = await conn.createAppender("staging");
  let nums: number[] = [];
  let texts: string[] = [];
  let staged = 0;
  const appendChunk = () => {
    const chunk = duckdb.DuckDBDataChunk.create([duckdb.INTEGER, duckdb.VARCHAR], nums.length);
    chunk.setColumns([nums, texts]);
    appender.appendDataChunk(chunk);
    staged += nums.length;
    nums = [];
    texts = [];
  };
  const processBatch = async () => {
    if (nums.length) appendChunk();
    appender.flushSync();
    if (staged === 0) return;
    // Parse the batch once; errors, rows and range all read this table.
    await conn.run(`CREATE OR REPLACE TEMP TABLE parsed AS ${m.parse("staging")}`);
    const bad = await conn.runAndReadAll(
      `SELECT line_no, CASE WHEN NOT valid THEN NULL ELSE ${m.error} END AS message, CASE WHEN NOT valid THEN left(line, 4096) END AS line
       FROM parsed WHERE NOT valid OR (${m.error}) IS NOT NULL ORDER BY line_no`,
    );
    for (const [lineNo, message, line] of bad.getRows() as [number, string | null, string | null][]) {
      addError(result, file, Number(lineNo), (m.lineName ? `${m.lineName} ${lineNo}: ` : "") + (message ?? jsonProblem(line ?? "")));
    }
    await conn.run(`CREATE OR REPLACE TEMP TABLE batch AS ${m.toColumns(`SELECT * FROM parsed WHERE valid AND (${m.error}) IS NULL`)}`);
    await addTableRows(conn, "batch", result);
    await conn.run(`DELETE FROM staging`);
    staged = 0;
  };

  const raw = createReadStream(file);
  const gz = file.endsWith(".gz") || (await isGzip(file));
  const input: NodeJS.ReadableStream = gz ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  // A damaged gzip fails the decompressor: end the lines there and say so after the last good one.
  let damage: Error | null = null;
  const stop = (e: Error) => {
    damage ??= e;
    lines.close();
  };
  raw.on("error", stop);
  if (gz) input.on("error", stop);
  let lineNo = 0;
  try {
    try {
      for await (const line of lines) {
        lineNo++;
        if (line.trim() === "") continue;
        if (line.length > MAX_LINE) {
          addError(result, file, lineNo, `the line is ${(line.length / 1e6).toFixed(1)} MB long: a flow is a few KB, so this is not one (skipped)`);
          continue;
        }
        nums.push(lineNo);
        texts.push(line);
        if (nums.length >= 2048) appendChunk();
        if (staged + nums.length >= BATCH_LINES) await processBatch();
      }
    } catch (e) {
      damage ??= e as Error;
    }
    // The lines read before the damage are kept; the damage is reported where it begins.
    const broke = damage as Error | null;
    if (broke) addError(result, file, lineNo + 1, `${gz ? "the gzip stream is damaged" : "the file could not be read"} after line ${lineNo}: ${broke.message.split("\n")[0]}`);
    await processBatch();
  } finally {
    appender.closeSync();
    await conn.run(`DROP TABLE IF EXISTS staging; DROP TABLE IF EXISTS parsed; DROP TABLE IF EXISTS batch`);
  }
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** A one-line reason for a line that is not JSON, in the words of Node's own parser. */
function jsonProblem(line: string): string {
  try {
    JSON.parse(line);
    return "not a JSON object";
  } catch (e) {
    return `not valid JSON: ${(e as Error).message.split("\n")[0]}`;
  }
}

// ---- Log Analytics exports -----------------------------------------------------------

const LA_STRUCTURE = JSON.stringify(Object.fromEntries(LOG_ANALYTICS_COLUMNS.map((c) => [c.name, "JSON"])));

async function ingestLaJsonLines(conn: DuckDBConnection, file: string, result: IngestResult): Promise<void> {
  await ingestLines(conn, file, result, {
    parse: (staging) =>
      `SELECT line_no, valid, line, ${jsonColumnsAsRaw("s")} FROM (SELECT line_no, line, valid, CASE WHEN valid THEN from_json(line, ${sqlStr(LA_STRUCTURE)}) END AS s FROM (SELECT *, CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END AS valid FROM ${staging}))`,
    error: LA_ROW_ERROR,
    toColumns: (good) => logAnalyticsToColumns(good),
  });
}

async function ingestLaJsonArray(conn: DuckDBConnection, file: string, result: IngestResult): Promise<void> {
  const raw = `SELECT row_number() OVER () AS row_no, ${jsonColumnsAsRaw()} FROM read_json(${sqlStr(file)}, format = 'array', columns = ${laJsonColumnsSpec()}, maximum_object_size = 16777216)`;
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE la_raw AS ${raw}`);
  } catch (e) {
    throw new InputError(`cannot read ${file}: not a valid JSON array of Log Analytics rows (${firstLine(e)})`);
  }
  await keepGoodLaRows(conn, file, result, "la_raw", (rowNo) => rowNo);
}

async function ingestLaCsv(conn: DuckDBConnection, file: string, result: IngestResult): Promise<void> {
  const csv = `read_csv(${sqlStr(file)}, header = true, all_varchar = true, auto_detect = true, store_rejects = true, max_line_size = 16777216)`;
  let headers: string[];
  try {
    headers = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${csv}`)).getRows().map((r) => String(r[0]));
  } catch (e) {
    throw new InputError(`cannot read ${file}: not a readable CSV export (${firstLine(e)})`);
  }
  const picked = new Map<string, string>();
  for (const h of headers) {
    const col = columnForHeader(h);
    if (col && !picked.has(col)) picked.set(col, h);
  }
  // Columns the export left out read as NULL, so a partial export still loads.
  const select = LOG_ANALYTICS_COLUMNS.map(({ name }) => {
    const h = picked.get(name);
    return h ? `"${h.replace(/"/g, '""')}" AS raw_${name}` : `NULL::VARCHAR AS raw_${name}`;
  });
  await conn.run(`CREATE OR REPLACE TEMP TABLE la_raw AS SELECT row_number() OVER () AS row_no, ${select.join(", ")} FROM ${csv}`);
  const rejects = await conn.runAndReadAll(`SELECT line, error_message FROM reject_errors ORDER BY line`);
  for (const [line, message] of rejects.getRows() as [bigint, string][]) addError(result, file, Number(line), `not a valid CSV row: ${String(message).split("\n")[0]}`);
  // The header is line 1; a row's line is exact unless a quoted cell spans lines.
  await keepGoodLaRows(conn, file, result, "la_raw", (rowNo) => rowNo + 1);
}

async function keepGoodLaRows(conn: DuckDBConnection, file: string, result: IngestResult, table: string, lineOf: (rowNo: number) => number): Promise<void> {
  try {
    const bad = await conn.runAndReadAll(`SELECT row_no, ${LA_ROW_ERROR} AS message FROM ${table} WHERE (${LA_ROW_ERROR}) IS NOT NULL ORDER BY row_no`);
    for (const [rowNo, message] of bad.getRows() as [bigint, string][]) addError(result, file, lineOf(Number(rowNo)), message);
    await conn.run(`CREATE OR REPLACE TEMP TABLE batch AS ${logAnalyticsToColumns(`SELECT * FROM ${table} WHERE (${LA_ROW_ERROR}) IS NULL`)}`);
    await addTableRows(conn, "batch", result);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS batch`);
  }
}

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e).split("\n")[0]!;
}
