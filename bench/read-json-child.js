// DuckDB's own read_json of a file, in a process of its own: the yardstick for ingest speed.
import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
const t0 = performance.now();
// Every field read, as ingest reads them: the flow as JSON, so nothing is skipped by projection.
await c.run(`CREATE TABLE t AS SELECT * FROM read_json('${process.argv[2].replace(/'/g, "''")}', format = 'newline_delimited', records = false, columns = {j: 'JSON'})`);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
