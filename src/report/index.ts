export { causeOf, rankDrafts } from "./rank.js";
export { nextSteps, type Parties, type PartyFacts } from "./next-steps.js";
export { summarize, scopeLabel, windowLabel } from "./summary.js";
export { barsChart, heatmapChart, stackedChart, timeseriesChart } from "./chart-specs.js";
export { renderChart, type ChartSpec } from "./charts/index.js";
