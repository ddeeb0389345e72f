// DuckDB's Node client, loaded with require(): imported from an ES module, this CommonJS package
// is first scanned by Node for its export names, file by file (half of its 100 ms load).
import { createRequire } from "node:module";

export const duckdb = createRequire(import.meta.url)("@duckdb/node-api") as typeof import("@duckdb/node-api");
