export { rankDrafts } from "./rank.js";
export { nextSteps } from "./next-steps.js";
export { summarize, scopeLabel, windowLabel } from "./summary.js";
export { barsChart, heatmapChart, stackedChart, timeseriesChart } from "./chart-specs.js";
export { renderChart, type ChartSpec } from "./charts/index.js";
