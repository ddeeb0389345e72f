import { z } from "zod";

/**
 * Alert webhooks as one shape: Alertmanager's webhook (version "4") and Azure Monitor's common
 * alert schema (its Prometheus-rule and log-search variants) become an AlertNotice, keyed by
 * the group it belongs to, so one thread follows one group from firing to resolved.
 */
export interface AlertNotice {
  source: "alertmanager" | "azure-monitor";
  /** Alertmanager's groupKey (or receiver + group labels when absent); Azure's essentials.alertId. */
  key: string;
  status: "firing" | "resolved";
  /** What the group is called in a message: the alert name. */
  name: string;
  severity: string | null;
  alerts: AlertItem[];
  /** Labels every alert of the group shares (Alertmanager commonLabels; Azure labels and dimensions). */
  labels: Record<string, string>;
  /** summary / description / runbook_url of the group. */
  annotations: Record<string, string>;
  /** Links back to where the alert came from (generatorURL, the portal). */
  links: { title: string; url: string }[];
  /** When the earliest alert of the group began, ISO. */
  startedAt: string;
  /** When the group resolved (resolved notices), ISO. */
  resolvedAt: string | null;
}

export interface AlertItem {
  /** Fingerprint, or a stable stand-in from the labels when the sender omits it. */
  id: string;
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
}

export class PayloadError extends Error {
  override name = "PayloadError";
}

const labelMap = z.record(z.string(), z.string());
const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an RFC 3339 time");

const AmAlert = z.object({
  status: z.enum(["firing", "resolved"]).optional(),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: time,
  endsAt: time.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

const Alertmanager = z.object({
  version: z.literal("4").optional(),
  groupKey: z.string().min(1).optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().default(""),
  groupLabels: labelMap.default({}),
  commonLabels: labelMap.default({}),
  commonAnnotations: labelMap.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AmAlert).min(1, "must hold at least one alert"),
});

/** Go's zero time ("0001-01-01T00:00:00Z"): Alertmanager's endsAt while an alert fires. */
const unset = (t: string | undefined) => (!t || Date.parse(t) < Date.parse("1971-01-01T00:00:00Z") ? null : new Date(t).toISOString());

/** Alertmanager's webhook body (version "4"), or a PayloadError naming the field. */
export function parseAlertmanager(body: unknown): AlertNotice {
  const m = check(Alertmanager, body);
  const alerts = m.alerts.map((a): AlertItem => {
    const endsAt = unset(a.endsAt);
    // A sender that omits the per-alert status: resolved when its end has passed.
    const status = a.status ?? (m.status === "resolved" || (endsAt && Date.parse(endsAt) <= Date.now()) ? "resolved" : "firing");
    return { id: a.fingerprint ?? stableId(a.labels), status, labels: a.labels, annotations: a.annotations, startsAt: new Date(a.startsAt).toISOString(), endsAt };
  });
  const labels = Object.keys(m.commonLabels).length ? m.commonLabels : commonOf(alerts.map((a) => a.labels));
  const annotations = Object.keys(m.commonAnnotations).length ? m.commonAnnotations : commonOf(alerts.map((a) => a.annotations));
  const name = labels.alertname ?? m.groupLabels.alertname ?? alerts[0]!.labels.alertname ?? "alert";
  const links = [...new Set(m.alerts.map((a) => a.generatorURL).filter((u): u is string => !!u && /^https?:\/\//.test(u)))].slice(0, 1).map((url) => ({ title: "Source", url }));
  const ended = alerts.map((a) => a.endsAt).filter((t): t is string => !!t).sort();
  return {
    source: "alertmanager",
    key: m.groupKey ?? `${m.receiver}:${JSON.stringify(sorted(m.groupLabels))}`,
    status: m.status,
    name,
    severity: labels.severity ?? null,
    alerts,
    labels,
    annotations,
    links,
    startedAt: alerts.map((a) => a.startsAt).sort()[0]!,
    resolvedAt: m.status === "resolved" ? (ended[ended.length - 1] ?? new Date().toISOString()) : null,
  };
}

const AzureDimension = z.object({ name: z.string(), value: z.string() });
const AzureCommon = z.object({
  schemaId: z.literal("azureMonitorCommonAlertSchema", { message: 'must be "azureMonitorCommonAlertSchema" (turn on the common alert schema in the action group)' }),
  data: z.object({
    essentials: z.object({
      alertId: z.string().min(1),
      alertRule: z.string().default("alert"),
      severity: z.string().optional(),
      signalType: z.string().optional(),
      monitorCondition: z.enum(["Fired", "Resolved"]),
      monitoringService: z.string().optional(),
      configurationItems: z.array(z.string()).optional(),
      firedDateTime: time,
      resolvedDateTime: time.optional(),
      description: z.string().optional(),
    }),
    alertContext: z
      .object({
        // Managed Prometheus rule alerts
        labels: labelMap.optional(),
        annotations: labelMap.optional(),
        expression: z.string().optional(),
        // Log search alerts (Log Alerts V2)
        conditionType: z.string().optional(),
        condition: z
          .object({
            windowStartTime: time.optional(),
            windowEndTime: time.optional(),
            allOf: z.array(z.object({ searchQuery: z.string().optional(), dimensions: z.array(AzureDimension).default([]), linkToFilteredSearchResultsUI: z.string().optional(), linkToSearchResultsUI: z.string().optional() })).default([]),
          })
          .optional(),
      })
      .nullable()
      .default(null),
    customProperties: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});

/** Azure Monitor's common alert schema, or a PayloadError naming the field. */
export function parseAzureMonitor(body: unknown): AlertNotice {
  const a = check(AzureCommon, body);
  const e = a.data.essentials;
  const ctx = a.data.alertContext;
  const dims = Object.fromEntries((ctx?.condition?.allOf ?? []).flatMap((c) => c.dimensions.map((d) => [d.name, d.value] as const)));
  // Dimension names in Log Analytics columns: SourceNamespace etc. read as the labels netrca knows.
  const fromDims = Object.fromEntries(Object.entries(dims).flatMap(([k, v]) => {
    const m = /^(Source|Destination)?(Namespace|PodName|Pod|Workload|NodeName|Node)$/i.exec(k);
    if (!m) return [[k, v]];
    const what = m[2]!.toLowerCase().replace("podname", "pod").replace("nodename", "node");
    return [[m[1] ? `${m[1].toLowerCase()}_${what}` : what, v], [k, v]];
  }));
  const labels: Record<string, string> = { ...(e.configurationItems?.[0] && { cluster: e.configurationItems[0] }), ...fromDims, ...(ctx?.labels ?? {}) };
  const annotations = { ...(e.description && { description: e.description }), ...(ctx?.annotations ?? {}) };
  const link = ctx?.condition?.allOf.find((c) => c.linkToFilteredSearchResultsUI ?? c.linkToSearchResultsUI);
  const url = link?.linkToFilteredSearchResultsUI ?? link?.linkToSearchResultsUI;
  const status = e.monitorCondition === "Fired" ? "firing" : "resolved";
  const startedAt = new Date(e.firedDateTime).toISOString();
  const resolvedAt = status === "resolved" ? new Date(e.resolvedDateTime ?? Date.now()).toISOString() : null;
  return {
    source: "azure-monitor",
    key: e.alertId,
    status,
    name: labels.alertname ?? e.alertRule,
    severity: e.severity ?? labels.severity ?? null,
    alerts: [{ id: e.alertId, status, labels, annotations, startsAt: startedAt, endsAt: resolvedAt }],
    labels,
    annotations,
    links: url && /^https:\/\//.test(url) ? [{ title: "Open in the Azure portal", url }] : [],
    startedAt,
    resolvedAt,
  };
}

function check<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  throw new PayloadError(`${path || "the body"}: ${issue.message.replace(/^Invalid input: /, "")}`);
}

function sorted(l: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(l).sort(([a], [b]) => a.localeCompare(b)));
}

function stableId(l: Record<string, string>): string {
  return JSON.stringify(sorted(l));
}

/** The label pairs every one of the maps has. */
function commonOf(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((m) => m[k] === v)));
}
