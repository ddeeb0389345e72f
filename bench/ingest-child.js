// One ingest in a process of its own: prints {ms, rows, rejected, maxRss} as JSON.
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { FlowStore } = await import(join(root, "dist", "sources", "embedded", "index.js"));
// A file-backed store, as `netrca ingest --store` uses: RSS then measures the pipeline, not the data.
const store = await FlowStore.open(process.argv[3], { create: true });
const t0 = performance.now();
const r = await store.ingest([process.argv[2]]);
// Closing checkpoints the store: part of what an ingest costs before its flows are durable.
store.close();
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, rows: r.rows, rejected: r.rejected, maxRss: process.resourceUsage().maxRSS * 1024 }));
