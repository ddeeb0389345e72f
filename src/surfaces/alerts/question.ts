import { isK8sName } from "../../model/k8s-name.js";
import type { Intent, Question } from "../../model/index.js";
import type { AlertNotice } from "./payloads.js";

/** How far before the alert began to look: the window before it is the baseline. */
const LEAD_MINUTES = 15;
/** The shortest window an alert is investigated over. */
const MIN_MINUTES = 30;

/**
 * Well-known network alert names (kube-prometheus, Cilium/Hubble, Retina and ACNS examples)
 * in the words the question parser knows: the name alone often says more than its text.
 */
const KNOWN: [RegExp, Intent, string][] = [
  [/core.?dns|kube.?dns|dns/i, "dns", "dns failures"],
  [/conntrack|ct.?map/i, "health", "node network health: conntrack drops"],
  [/polic(y|ies).*(drop|den)|(drop|den).*polic/i, "drops", "policy packet drops"],
  [/drop/i, "drops", "packet drops"],
  [/(tcp)?.?(reset|rst)/i, "traffic", "tcp resets"],
  [/imbalance|skew|unbalanced/i, "traffic", "traffic imbalance across pods"],
  [/http|5xx|4xx|grpc|kafka|error.?rate|latency/i, "l7", "http errors"],
  [/node.*(network|unreach|down|not.?ready)|network.*(unavailable|down|receive|transmit)|syn.?sent|tcp.?state/i, "health", "node network health"],
];

const known = (n: AlertNotice) => KNOWN.find(([re]) => re.test(n.name));

/** An alert's name and texts as a question ("KubeDNSErrorsHigh: …" → "dns failures: Kube DNS Errors High: …"). */
export function questionText(n: AlertNotice): string {
  const words = n.name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").replace(/[_-]+/g, " ");
  const texts = [n.annotations.summary, n.annotations.description, n.annotations.message].filter((t): t is string => !!t).map((t) => t.slice(0, 400));
  return [known(n)?.[2], words, ...texts].filter(Boolean).join(": ");
}

/** A label value that may name a pod or node: a valid Kubernetes name, never anything else. */
const named = (v: string | undefined) => (v && isK8sName(v) ? v : null);
/** Hubble's `namespace/pod` context label. */
function nsPod(v: string | undefined): { namespace: string; pod: string } | null {
  const [ns, pod, ...rest] = (v ?? "").split("/");
  return ns && pod && rest.length === 0 && named(ns) && named(pod) ? { namespace: ns, pod } : null;
}
/** `instance` is a node on Retina's metrics, but often host:port or an IP elsewhere. */
function nodeOf(labels: Record<string, string>): string | null {
  const v = labels.node ?? labels.nodename ?? labels.node_name ?? labels.kubernetes_node ?? labels.instance;
  if (!v || /:\d+$/.test(v) || /^\d+\.\d+\.\d+\.\d+$/.test(v)) return null;
  return named(v);
}

/**
 * The alert's scope from its labels, over the parsed question: namespace, workload, pod and node
 * as validated names only (an unknown or malformed label is ignored), and the window from a
 * while before the alert began to now.
 */
export function scopeAlert(q: Question, n: AlertNotice, now: Date): Question {
  const l = n.labels;
  const ctxSide = nsPod(l.destination) ?? nsPod(l.source);
  const namespace = named(l.namespace ?? l.exported_namespace ?? l.destination_namespace ?? l.source_namespace) ?? ctxSide?.namespace ?? null;
  const workload = named(l.workload ?? l.deployment ?? l.statefulset ?? l.daemonset ?? l.workload_name ?? l.app);
  const pod = named(l.pod ?? l.pod_name ?? l.podname) ?? ctxSide?.pod ?? null;
  const node = nodeOf(l);
  const start = Date.parse(n.startedAt);
  const from = Math.min(start - LEAD_MINUTES * 60_000, now.getTime() - MIN_MINUTES * 60_000);
  // Up to the resolve (never past now: a fixed clock for demo data may stand before it).
  const to = n.resolvedAt ? Math.min(Math.max(Date.parse(n.resolvedAt), start + 60_000), now.getTime()) : now.getTime();
  const minute = (t: number) => new Date(Math.floor(t / 60_000) * 60_000).toISOString();
  const labelled = !!(namespace || workload || pod || node);
  // A well-known alert name says which playbook, whatever its free text leans to.
  const intent = known(n)?.[1];
  return {
    ...q,
    ...(intent && intent !== q.intent && { intent, also: [...new Set([q.intent, ...q.also])].filter((i) => i !== intent && i !== "help" && i !== "triage") }),
    scope: {
      ...q.scope,
      // What the labels say wins; the text fills in what they leave out.
      namespace: namespace ?? (labelled ? null : q.scope.namespace),
      workload: workload ?? (labelled ? null : q.scope.workload),
      pod: pod ?? (labelled ? null : q.scope.pod),
      node: node ?? (labelled ? null : q.scope.node),
      from: minute(from),
      to: new Date(Math.ceil(to / 60_000) * 60_000).toISOString(),
    },
    // Names from labels are looked up as they are: the parser's "did you mean" was about the text.
    unknownNames: labelled ? [] : q.unknownNames,
    invalidNames: [],
  };
}
