export { FlowStore, type Cell, type QueryResult } from "./store.js";
export { InputError, MAX_ERRORS, type IngestResult } from "./ingest/result.js";
export { demoStorePath, openDemoStore } from "./demo.js";
