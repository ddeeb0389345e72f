// Renders charts off the main thread: ECharts loads and draws here while the main thread runs
// queries and answers chat requests.
import { parentPort } from "node:worker_threads";
import { renderChart } from "./index.js";
import type { ChartSpec } from "./types.js";

parentPort!.on("message", (m: { id: number; spec: ChartSpec; file: string }) => {
  renderChart(m.spec, m.file).then(
    (result) => parentPort!.postMessage({ id: m.id, result }),
    (e: Error) => parentPort!.postMessage({ id: m.id, error: e.message }),
  );
});
