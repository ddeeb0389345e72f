import type { FindingDraft } from "../analyze/index.js";

const pod = (ns: string | null | undefined, name: string | null | undefined) => (ns && name ? `${ns}/${name}` : name ?? "");

/**
 * What to look at next and the command that shows it, made from the finding's typed fields.
 * hubble observe filters: https://docs.cilium.io/en/stable/observability/hubble/hubble-cli/
 */
export function nextSteps(d: FindingDraft): string[] {
  const s = d.subject, p = d.peer;
  const ns = s.namespace ?? "default";
  const wl = s.workload ?? "";
  switch (d.kind) {
    case "dns_errors":
      if (d.facts?.noise) return [`nothing to fix: lower the lookups with a trailing dot on external names (FQDN) or ndots:2 in the pod's dnsConfig`];
      return [
        d.reason === "NXDOMAIN"
          ? `check the name ${d.query ?? ""} exists: kubectl get svc -A | grep ${String(d.query ?? "").split(".")[0]}`
          : `check CoreDNS and its upstream for ${d.query ?? "the name"}: kubectl -n kube-system logs -l k8s-app=kube-dns --since=30m | grep -i ${d.reason?.toLowerCase() ?? "error"}`,
        `watch it live: hubble observe --namespace ${ns} --port 53 --type l7 --follow`,
      ];
    case "dns_missing_responses":
      return [
        `kubectl -n ${ns} describe pod ${s.pod ?? wl} && kubectl -n ${ns} top pod ${s.pod ?? ""}`.trim(),
        `hubble observe --to-pod ${pod(ns, s.pod ?? wl)} --port 53 --follow`,
      ];
    case "dns_latency":
      return [`kubectl -n ${ns} top pod -l k8s-app=kube-dns`, `hubble observe --namespace ${ns} --port 53 --type l7 --follow`];
    case "packet_drops":
      return [
        d.reason?.startsWith("POLICY")
          ? `find the NetworkPolicy that denies it: kubectl -n ${ns} get networkpolicy,ciliumnetworkpolicy && kubectl -n ${ns} describe networkpolicy`
          : `look up ${d.reason} in Cilium's drop reasons; then: kubectl -n kube-system exec ds/cilium -- cilium-dbg monitor --type drop`,
        `watch it live: hubble observe --verdict DROPPED --to-pod ${pod(ns, wl)}${p?.workload ? ` --from-pod ${pod(p.namespace ?? ns, p.workload)}` : ""} --follow`,
      ];
    case "node_drops":
      return [
        d.reason?.startsWith("CT_")
          ? `conntrack table full on ${s.node}: kubectl -n kube-system exec <cilium pod on ${s.node}> -- cilium-dbg bpf ct list global | wc -l; raise bpf-ct-global-max or spread the connection churn`
          : `kubectl describe node ${s.node}`,
        `watch it live: hubble observe --node ${s.node} --verdict DROPPED --follow`,
      ];
    case "l7_drops":
      return [
        `look at the L7 rules (rules.http) of: kubectl -n ${ns} get ciliumnetworkpolicy -o yaml`,
        `watch it live: hubble observe --namespace ${ns} --type l7 --verdict DROPPED --to-pod ${pod(ns, wl)} --follow`,
      ];
    case "tcp_resets":
      return [
        `kubectl -n ${ns} describe pod ${s.pod ?? wl} && kubectl -n ${ns} logs ${s.pod ?? `deploy/${wl}`} --since=30m`,
        `watch it live: hubble observe --from-pod ${pod(ns, s.pod ?? wl)} --tcp-flags RST --follow`,
      ];
    case "http_errors":
      return [
        d.reason === "403" || d.reason === "401"
          ? `check authorization and L7 policy on ${wl}: kubectl -n ${ns} get ciliumnetworkpolicy; kubectl -n ${ns} logs deploy/${wl} --since=30m`
          : `kubectl -n ${ns} logs deploy/${wl} --since=30m`,
        `watch it live: hubble observe --namespace ${ns} --protocol http --http-status ${d.reason ?? "500+"} --from-pod ${pod(ns, wl)} --follow`,
      ];
    case "http_latency":
      return [`kubectl -n ${ns} top pod -l app=${wl}`, `hubble observe --namespace ${ns} --protocol http --from-pod ${pod(ns, wl)} --follow`];
    case "traffic_imbalance":
      return [
        `check the endpoints and session affinity: kubectl -n ${ns} get endpointslices -o wide | grep ${wl}; long-lived connections (HTTP/2, gRPC, keep-alive) pin clients to one pod`,
        `hubble observe --to-pod ${pod(ns, s.pod ?? wl)} --follow`,
      ];
    case "traffic_drop":
      return [`kubectl -n ${ns} get deploy,endpointslices | grep ${wl}`, `hubble observe --to-pod ${pod(ns, wl)} --follow`];
    case "kafka_errors":
      return [`kubectl -n ${ns} logs ${wl} --since=30m`, `hubble observe --namespace ${ns} --protocol kafka --follow`];
    case "grpc_errors":
    case "tcp_state_anomaly":
      return [`hubble observe --namespace ${ns} --follow`];
  }
}
