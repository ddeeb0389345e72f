import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseQuestion } from "../../../src/understand/index.js";
import { parseAlertmanager, parseAzureMonitor, PayloadError } from "../../../src/surfaces/alerts/payloads.js";
import { questionText, scopeAlert } from "../../../src/surfaces/alerts/question.js";
import { routeOf, severityRank } from "../../../src/surfaces/alerts/index.js";
import { sharedFile } from "../../support/shared.js";
import { ConfigFile } from "../../../src/config/file.js";

const now = new Date("2026-11-20T15:00:00Z");

describe("real alert payloads parse", () => {
  const icmp = sharedFile("samples/real/alertmonitor--alertmanager-v4-icmp-ping-failed.jsonl");
  it.skipIf(!icmp)("Alertmanager without fingerprints, endsAt at year 1 (alertmonitor)", () => {
    const lines = readFileSync(icmp!, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const n = parseAlertmanager(lines[0]);
    expect(n).toMatchObject({ source: "alertmanager", status: "firing", name: "ICMP ping failed", severity: "major" });
    expect(n.key).toBe(lines[0].groupKey);
    expect(n.alerts).toHaveLength(3);
    // Go's zero time is no end; missing fingerprints get a stable stand-in from the labels.
    expect(n.alerts.every((a) => a.endsAt === null && a.status === "firing")).toBe(true);
    expect(new Set(n.alerts.map((a) => a.id)).size).toBe(3);
    const second = parseAlertmanager(lines[1]);
    expect(second.key).toBe(n.key);
  });

  const msteams = sharedFile("samples/real/prometheus-msteams--alertmanager-v4-prom_post_request.json");
  it.skipIf(!msteams)("Alertmanager v4 with a groupKey (prometheus-msteams)", () => {
    const n = parseAlertmanager(JSON.parse(readFileSync(msteams!, "utf8")));
    expect(n.key).toBe('{}:{alertname="high_memory_load"}');
    expect(n).toMatchObject({ name: "high_memory_load", severity: "warning", status: "firing" });
    expect(n.annotations.summary).toBe("Prometheus Test");
  });

  const logAlert = sharedFile("samples/real/azure-monitor-docs--log-alerts-v2-alertcontext.json");
  it.skipIf(!logAlert)("an Azure log-search alert's context (Log Alerts V2) inside the common schema", () => {
    const { alertContext } = JSON.parse(readFileSync(logAlert!, "utf8"));
    const body = {
      schemaId: "azureMonitorCommonAlertSchema",
      data: {
        essentials: { alertId: "/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1b3f", alertRule: "Heartbeat missing", severity: "Sev1", signalType: "Log", monitorCondition: "Fired", monitoringService: "Log Alerts V2", firedDateTime: "2026-11-20T14:35:00Z", configurationItems: ["aks-prod"] },
        alertContext,
      },
    };
    const n = parseAzureMonitor(body);
    expect(n).toMatchObject({ source: "azure-monitor", key: "/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/1b3f", name: "Heartbeat missing", severity: "Sev1", status: "firing", startedAt: "2026-11-20T14:35:00.000Z" });
    expect(n.labels).toMatchObject({ Computer: "TestComputer", cluster: "aks-prod" });
    expect(n.links[0]?.url).toMatch(/^https:\/\/portal\.azure\.com/);
  });
});

describe("alerts become questions", () => {
  it("an Azure managed-Prometheus rule alert: labels scope it, the window starts before it fired", () => {
    const n = parseAzureMonitor({
      schemaId: "azureMonitorCommonAlertSchema",
      data: {
        essentials: { alertId: "/subscriptions/x/alerts/9", alertRule: "KubeDNSErrorsHigh", severity: "Sev2", signalType: "Metric", monitorCondition: "Fired", monitoringService: "Prometheus", firedDateTime: "2026-11-20T14:40:00Z" },
        alertContext: { expression: 'sum(rate(hubble_dns_responses_total{rcode!="No Error"}[5m])) > 1', labels: { alertname: "KubeDNSErrorsHigh", namespace: "shop", pod: "checkout-6b8f7c9d4-x2x4k" }, annotations: { summary: "DNS errors for checkout" } },
      },
    });
    const text = questionText(n);
    expect(text).toMatch(/^dns failures: Kube DNS Errors High: DNS errors for checkout/);
    const q = scopeAlert(parseQuestion(text, { now }), n, now);
    expect(q.intent).toBe("dns");
    expect(q.scope).toMatchObject({ namespace: "shop", pod: "checkout-6b8f7c9d4-x2x4k", from: "2026-11-20T14:25:00.000Z", to: "2026-11-20T15:00:00.000Z" });
  });

  it("without a groupKey, the receiver and group labels key the group", () => {
    const body = { receiver: "rca", status: "firing", groupLabels: { b: "2", a: "1" }, alerts: [{ labels: { alertname: "X" }, startsAt: "2026-11-20T14:30:00Z" }] };
    expect(parseAlertmanager(body).key).toBe('rca:{"a":"1","b":"2"}');
  });

  it("labels that are not Kubernetes names never reach the scope", () => {
    const n = parseAlertmanager({ status: "firing", alerts: [{ labels: { alertname: "HubblePolicyDrops", namespace: "shop\"; drop table", pod: "x'||1", instance: "10.0.0.4:9965", source: "pets/rabbitmq-0" }, startsAt: "2026-11-20T14:30:00Z" }] });
    const q = scopeAlert(parseQuestion(questionText(n), { now }), n, now);
    expect(q.intent).toBe("drops");
    // The bad namespace and pod are ignored; Hubble's source label still names a pod; host:port is no node.
    expect(q.scope).toMatchObject({ namespace: "pets", pod: "rabbitmq-0", node: null });
  });

  it("well-known alert names pick the playbook", () => {
    const intent = (alertname: string) => {
      const n = parseAlertmanager({ status: "firing", alerts: [{ labels: { alertname }, startsAt: "2026-11-20T14:30:00Z" }] });
      return scopeAlert(parseQuestion(questionText(n), { now }), n, now).intent;
    };
    expect(intent("CoreDNSErrorsHigh")).toBe("dns");
    expect(intent("CiliumConntrackTableFull")).toBe("health");
    expect(intent("HubbleTcpResetsHigh")).toBe("traffic");
    expect(intent("Http5xxRateHigh")).toBe("l7");
    expect(intent("NetworkPolicyDropsHigh")).toBe("drops");
    // Not a known name: the text decides, as for a chat question.
    expect(intent("SomethingOdd")).toBe("triage");
  });

  it("routes: first match wins, then the default; severities on one scale", () => {
    const c = ConfigFile.parse({ alerts: { routes: [{ match: { namespace: "shop" }, slack: "C0SHOP" }, { match: { team: "pay" }, slack: "C0PAY" }], default: { slack: "C0INC" } } }).alerts;
    expect(routeOf(c, { namespace: "shop", team: "pay" })?.slack).toBe("C0SHOP");
    expect(routeOf(c, { namespace: "pets", team: "pay" })?.slack).toBe("C0PAY");
    expect(routeOf(c, { namespace: "pets" })?.slack).toBe("C0INC");
    expect(["Sev0", "critical", "major", "warning", "Sev4", "purple"].map(severityRank)).toEqual([3, 3, 2, 1, 0, null]);
  });
});

describe("bad bodies are refused with the field", () => {
  it.each([
    [{ status: "firing", alerts: [] }, /^alerts: must hold at least one alert$/],
    [{ status: "burning", alerts: [{ labels: {}, startsAt: "2026-11-20T14:30:00Z" }] }, /^status: /],
    [{ status: "firing", alerts: [{ labels: { a: 1 }, startsAt: "2026-11-20T14:30:00Z" }] }, /^alerts\[0\]\.labels\.a: /],
    [{ version: "3", status: "firing", alerts: [{ labels: {}, startsAt: "2026-11-20T14:30:00Z" }] }, /^version: /],
    [{ status: "firing", alerts: [{ labels: {}, startsAt: "yesterday" }] }, /^alerts\[0\]\.startsAt: must be an RFC 3339 time$/],
  ])("Alertmanager %#", (body, message) => {
    expect(() => parseAlertmanager(body)).toThrow(PayloadError);
    expect(() => parseAlertmanager(body)).toThrow(message);
  });

  it("Azure without the common schema says to turn it on", () => {
    expect(() => parseAzureMonitor({ schemaId: "Microsoft.Insights/activityLogs", data: {} })).toThrow(/^schemaId: must be "azureMonitorCommonAlertSchema" \(turn on the common alert schema/);
  });
});
