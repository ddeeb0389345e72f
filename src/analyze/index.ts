import type { AnalyzerCatalog } from "../model/index.js";
import { changeVsBaseline } from "./change-vs-baseline.js";
import { dnsErrors } from "./dns-errors.js";
import { evidenceOnly } from "./evidence-only.js";
import { httpErrors } from "./http-errors.js";
import { latency } from "./latency.js";
import { missingResponses } from "./missing-responses.js";
import { shareImbalance } from "./share-imbalance.js";
import { trafficDrop } from "./traffic-drop.js";
import type { Analyzer } from "./types.js";

/** The analyzers playbooks may name, by name. */
export const ANALYZERS: Record<string, Analyzer> = Object.fromEntries(
  [changeVsBaseline, dnsErrors, evidenceOnly, httpErrors, latency, missingResponses, shareImbalance, trafficDrop].map((a) => [a.name, a as unknown as Analyzer]),
);

export const ANALYZER_CATALOG: AnalyzerCatalog = ANALYZERS;

export { change, score, SYMPTOM_KINDS } from "./score.js";
export { label, reservedLabel } from "./rows.js";
export { titleOf } from "./titles.js";
export { expandsResolvedName } from "./dns-errors.js";
export type { Analyzer, AnalyzerInput, FindingDraft, Party, QueryRows, Row } from "./types.js";
export { shareSeries, since } from "./since.js";
