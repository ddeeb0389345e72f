export { causeOf, rankDrafts } from "./rank.js";
export { nextSteps, type Parties, type PartyFacts } from "./next-steps.js";
export { summarize, scopeLabel, unitFor, windowLabel } from "./summary.js";
export { barsChart, heatmapChart, stackedChart, timeseriesChart } from "./chart-specs.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
export type { ChartSpec } from "./charts/types.js";
import type { ChartSpec } from "./charts/types.js";

type Rendered = { file: string; ms: number; bytes: number };

/**
 * Renders a chart to a PNG file, on a worker thread: ECharts and resvg load there (a third
 * of a second) while the queries run, and drawing never holds up a chat server's acks. Run
 * from the TypeScript sources (tests), where no compiled worker exists, it renders in place.
 */
export async function renderChart(spec: ChartSpec, file: string): Promise<Rendered> {
  const w = chartWorker();
  if (!w) {
    const { renderChart: render } = await import("./charts/index.js");
    return render(spec, file);
  }
  const id = ++seq;
  w.ref();
  try {
    return await new Promise<Rendered>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.postMessage({ id, spec, file });
    });
  } finally {
    // An idle worker must not keep a finished command alive.
    if (pending.size === 0) w.unref();
  }
}

/** Start the chart worker (and its ECharts) now, when a reply will draw charts. */
export function preloadCharts(): void {
  chartWorker();
}

const WORKER = new URL("./charts/worker.js", import.meta.url);
let worker: Worker | null | undefined;
let seq = 0;
const pending = new Map<number, { resolve: (r: Rendered) => void; reject: (e: Error) => void }>();

function chartWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (!existsSync(fileURLToPath(WORKER))) return (worker = null);
  const w = new Worker(WORKER);
  w.on("message", (m: { id: number; result?: Rendered; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.result) p?.resolve(m.result);
    else p?.reject(new Error(m.error ?? "chart rendering failed"));
  });
  w.on("error", (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    worker = undefined;
  });
  // After the listeners: adding a "message" listener refs the worker's port again, and an
  // idle worker must not keep a command that drew no chart from exiting.
  w.unref();
  return (worker = w);
}
