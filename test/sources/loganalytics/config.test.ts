import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadLogAnalyticsConfig } from "../../../src/config/index.js";
import { main } from "../../../src/surfaces/cli/main.js";

const ID = "8f2a1c3e-1111-4a4b-9c9d-0123456789ab";

describe("Log Analytics settings", () => {
  it("none without a workspace id; defaults with one", () => {
    expect(loadLogAnalyticsConfig({})).toBeUndefined();
    expect(loadConfig({ LOG_ANALYTICS_WORKSPACE_ID: ID }).logAnalytics).toEqual({ workspaceId: ID, maxHours: 24, maxRows: 10_000 });
    expect(loadLogAnalyticsConfig({ LOG_ANALYTICS_TABLES: "ContainerNetworkLogs", NETRCA_LA_MAX_HOURS: "6" }, ID)).toEqual({ workspaceId: ID, maxHours: 6, maxRows: 10_000, tables: ["ContainerNetworkLogs"] });
  });
  it("names the bad setting", () => {
    expect(() => loadConfig({ LOG_ANALYTICS_WORKSPACE_ID: "law-prod" })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_ANALYTICS_WORKSPACE_ID: "law-prod" })).toThrow(/^LOG_ANALYTICS_WORKSPACE_ID: must be the workspace id/);
    expect(() => loadLogAnalyticsConfig({ LOG_ANALYTICS_TABLES: "Flows" }, ID)).toThrow(/^LOG_ANALYTICS_TABLES: /);
    expect(() => loadLogAnalyticsConfig({ LOG_ANALYTICS_RESOURCE_ID: "/subscriptions/x" }, ID)).toThrow(/^LOG_ANALYTICS_RESOURCE_ID: /);
  });
  it("netrca ask --workspace with a bad id is bad usage (exit 2, one line)", async () => {
    const err: string[] = [];
    const code = await main(["ask", "show drops in ns shop", "--workspace", "law-prod"], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err).toEqual(["netrca: --workspace: must be the workspace id (a GUID, the workspace's Overview page)"]);
  });
});
