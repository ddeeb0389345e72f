import { describe, expect, it } from "vitest";
import { Report } from "../../src/model/index.js";
import { queryMessages } from "../../src/surfaces/slack/blocks.js";
import { reportCard } from "../../src/surfaces/teams/card.js";

// A Log Analytics answer: its evidence carries a link to the query in the Azure portal.
const portal = "https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/resourceId/%2Fsubscriptions%2Fs%2FresourceGroups%2Frg%2Fproviders%2FMicrosoft.OperationalInsights%2Fworkspaces%2Fw/source/LogsBlade.AnalyticsShareLinkToQuery/q/H4sIAAAAAAAAA0s%3D";
const report = Report.parse({
  question: "show packet drops in namespace shop", intent: "drops",
  scope: { namespace: "shop", workload: null, pod: null, node: null, peer: null, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
  summary: "No active fault.", findings: [], charts: [], notes: [],
  evidence: [{ title: "Dropped flows", columns: ["flows"], rows: [[3]], query: { kql: "ContainerNetworkLogs | take 1", portal } }],
});

describe("portal links reach the chat replies", () => {
  it("Slack: the thread's query message links to the portal", () => {
    expect(JSON.stringify(queryMessages(report))).toContain(`<${portal}|Open “Dropped flows” in the Azure portal>`);
  });
  it("Teams: the card has an Open in the Azure portal action", () => {
    expect(reportCard(report).actions).toContainEqual({ type: "Action.OpenUrl", title: "Open in the Azure portal", url: portal });
  });
});
