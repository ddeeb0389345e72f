import { gzipSync } from "node:zlib";

/**
 * A link that opens a query in the Azure portal's Logs blade: the KQL gzip-compressed,
 * base64-encoded and URL-encoded, scoped to the workspace's ARM resource id (the portal's
 * "Share link to query" format).
 */
export function portalLogsLink(resourceId: string, kql: string): string {
  const q = encodeURIComponent(gzipSync(Buffer.from(kql, "utf8")).toString("base64"));
  return `https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/resourceId/${encodeURIComponent(resourceId)}/source/LogsBlade.AnalyticsShareLinkToQuery/q/${q}`;
}

/** An ARM resource id of a Log Analytics workspace. */
export const WORKSPACE_RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;
