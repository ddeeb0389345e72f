// DuckDB's own read_json of a file, in a process of its own: the yardstick for ingest speed.
// "text": every line read as JSON text into memory (parsed for validity, no fields taken out).
// "store": read_json as it is used by hand, columns auto-detected, into a DuckDB file, as
// `netrca ingest --store` writes one (the time includes the checkpoint that makes it durable).
import { DuckDBInstance } from "@duckdb/node-api";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const [file, mode = "text"] = process.argv.slice(2);
const dir = mode === "store" ? mkdtempSync(join(tmpdir(), "netrca-yard-")) : null;
const db = await DuckDBInstance.create(dir ? join(dir, "t.duckdb") : ":memory:");
const c = await db.connect();
const lit = `'${file.replace(/'/g, "''")}'`;
const t0 = performance.now();
await c.run(mode === "store"
  ? `CREATE TABLE t AS SELECT * FROM read_json(${lit})`
  : `CREATE TABLE t AS SELECT * FROM read_json(${lit}, format = 'newline_delimited', records = false, columns = {j: 'JSON'})`);
if (dir) await c.run("CHECKPOINT");
const ms = performance.now() - t0;
c.closeSync();
db.closeSync();
if (dir) rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ ms }));
