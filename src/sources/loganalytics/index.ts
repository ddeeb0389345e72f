export { LogAnalyticsSource, SERVER_TIMEOUT_SECONDS, tableRows, type LogAnalyticsOptions, type LogAnalyticsTable } from "./source.js";
export { LogAnalyticsError, explainError } from "./errors.js";
export { PER_FLOW_FIELDS, perFlowNotes } from "./per-flow.js";
export { portalLogsLink, WORKSPACE_RESOURCE_ID } from "./portal.js";
