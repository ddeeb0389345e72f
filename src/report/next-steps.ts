import type { FindingDraft, Party } from "../analyze/index.js";

/**
 * What the flows say about a party beyond its name, so a command can name it the way
 * kubectl and hubble need: its label selector and controller kind (from the flows' labels
 * and workloads), a few of its pods, and for endpoints outside the cluster their addresses.
 */
export interface PartyFacts {
  selector: string | null;
  /** Kubernetes kind of the controller (Deployment, StatefulSet, DaemonSet…). */
  kind: string | null;
  pods: string[];
  ips: string[];
}
export interface Parties { subject?: PartyFacts | null; peer?: PartyFacts | null }

const KIND_SHORT: Record<string, string> = {
  Deployment: "deploy", StatefulSet: "sts", DaemonSet: "ds", ReplicaSet: "rs", Job: "job", CronJob: "cronjob",
};
const STATEFULSET_POD = /-(0|[1-9]\d{0,3})$/;
const REPLICASET_POD = /-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/** How kubectl and hubble can name a party; every field is a complete argument or null. */
interface Target {
  ns: string | null;
  /** `pod/x`, `deploy/x`…: what `kubectl logs` and `describe` take. */
  object: string | null;
  /** `-l app=x` for `kubectl top pod`, or a pod name. */
  topArgs: string | null;
  /** hubble filters for flows to / from the party. */
  to: string | null;
  from: string | null;
}

function target(p: Party | null | undefined, f: PartyFacts | null | undefined): Target {
  const none: Target = { ns: null, object: null, topArgs: null, to: null, from: null };
  if (!p) return none;
  const ns = p.namespace ?? null;
  if (!ns && !p.pod && !p.workload) {
    if (p.node) return { ...none, to: `--node-name ${p.node}`, from: `--node-name ${p.node}` };
    if (!p.reserved) return none;
    // Not a pod: by address when the flows have one, else by Cilium's reserved identity.
    const ip = f?.ips[0];
    return { ...none, to: ip ? `--to-ip ${ip}` : `--to-label reserved:${p.reserved}`, from: ip ? `--from-ip ${ip}` : `--from-label reserved:${p.reserved}` };
  }
  const pod = p.pod ?? (f?.pods.length === 1 ? f.pods[0]! : null);
  const short = f?.kind ? KIND_SHORT[f.kind] : undefined;
  // A controller named by the pods' shape when the flows carry no workload kind.
  const guessed = !short && f?.pods[0] ? (STATEFULSET_POD.test(f.pods[0]) ? "sts" : REPLICASET_POD.test(f.pods[0]) ? "deploy" : undefined) : undefined;
  const controller = p.workload && (short ?? guessed) ? `${short ?? guessed}/${p.workload}` : null;
  const object = p.pod ? `pod/${p.pod}` : controller ?? (pod ? `pod/${pod}` : null);
  // A label selector only when it names this workload, not a family of them (app=kapinger
  // is both kapinger-good and kapinger-bad; app=reviews is reviews-v1, -v2 and -v3).
  const own = f?.selector && (!p.workload || f.selector.split("=")[1] === p.workload) ? f.selector : null;
  const topArgs = own ? `-l ${own}` : pod ?? null;
  // hubble's --to-pod takes a pod-name prefix: "search" would also match search-api's pods, so a
  // Deployment's pods are named by their ReplicaSet (search-8swlfwlnt2) when the flows show it.
  const rs = !p.pod && f?.pods.length ? replicaSetOf(f.pods) : null;
  const name = p.pod ?? rs ?? p.workload;
  const hubble = ns && name ? `${ns}/${name}` : null;
  return {
    ns, object, topArgs,
    to: hubble ? `--to-pod ${hubble}` : ns ? `--to-namespace ${ns}` : null,
    from: hubble ? `--from-pod ${hubble}` : ns ? `--from-namespace ${ns}` : null,
  };
}

/** The ReplicaSet all these Deployment pods share ("search-8swlfwlnt2"), or null. */
function replicaSetOf(pods: string[]): string | null {
  const sets = new Set(pods.map((x) => (REPLICASET_POD.test(x) ? x.replace(/-[bcdfghjklmnpqrstvwxz2456789]{5}$/, "") : null)));
  const [only] = sets;
  return sets.size === 1 && only ? only : null;
}

const watch = (...filters: (string | null)[]) => `watch it live: hubble observe ${filters.filter(Boolean).join(" ")} --follow`;
const nsFlag = (ns: string | null) => (ns ? `-n ${ns} ` : "");

/** `kubectl top pod` for the party's pods: by selector or pod, else its pods by name. */
function top(t: Target, workload: string | null | undefined): string | null {
  if (t.topArgs) return `kubectl ${nsFlag(t.ns)}top pod ${t.topArgs}`;
  return workload && t.ns ? `kubectl -n ${t.ns} top pod | grep ${workload}` : null;
}

/** `kubectl -n ns logs <object> --since=30m`, or the pods by selector, or null when nothing names it. */
function logs(t: Target): string | null {
  if (t.object) return `kubectl ${nsFlag(t.ns)}logs ${t.object} --since=30m`;
  if (t.topArgs?.startsWith("-l ")) return `kubectl ${nsFlag(t.ns)}logs ${t.topArgs} --since=30m`;
  return null;
}
function describe(t: Target): string | null {
  if (t.object) return `kubectl ${nsFlag(t.ns)}describe ${t.object}`;
  if (t.topArgs?.startsWith("-l ")) return `kubectl ${nsFlag(t.ns)}describe pods ${t.topArgs}`;
  return null;
}

const both = (...cmds: (string | null)[]) => cmds.filter(Boolean).join(" && ") || null;

/** A service FQDN (name.ns.svc.cluster.local.) as kubectl would look it up. */
function serviceOf(query: string | null | undefined): { name: string; ns: string } | null {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?\.?$/.exec(query ?? "");
  return m ? { name: m[1]!, ns: m[2]! } : null;
}
const lookup = (name: string) => `kubectl run dnscheck-$RANDOM --rm -i --restart=Never --image=busybox:1.36 -- nslookup ${name}`;

/**
 * What to look at next and the command that shows it, made from the finding's typed fields
 * and what the flows say about its parties. A command never has an empty name: where a
 * party cannot be named for a tool, that step is left out.
 * hubble observe filters: https://docs.cilium.io/en/stable/observability/hubble/hubble-cli/
 */
export function nextSteps(d: FindingDraft, parties: Parties = {}): string[] {
  const s = target(d.subject, parties.subject);
  const p = target(d.peer, parties.peer);
  const steps: (string | null)[] = [];
  const add = (prose: string, command: string | null) => steps.push(command ? `${prose}: ${command}` : null);
  switch (d.kind) {
    case "dns_errors": {
      if (d.facts?.noise) return ["nothing to fix: lower the lookups with a trailing dot on external names (FQDN) or ndots:2 in the pod's dnsConfig"];
      const svc = serviceOf(d.query);
      if (d.reason === "NXDOMAIN" && svc) add(`check that the service ${svc.name} exists in ${svc.ns}`, `kubectl -n ${svc.ns} get svc ${svc.name}`);
      else if (d.reason === "NXDOMAIN" && d.query) add(`check that ${d.query} exists`, lookup(d.query));
      else {
        const server = p.object || p.topArgs?.startsWith("-l ") ? p : { ...p, ns: p.ns ?? "kube-system", topArgs: "-l k8s-app=kube-dns", object: null };
        const l = logs(server);
        add(`check the DNS server and its upstream for ${d.query ?? "the name"}`, l ? `${l} | grep -i ${(d.reason ?? "error").toLowerCase()}` : null);
      }
      steps.push(s.to ? watch(s.to, "--protocol dns") : null);
      break;
    }
    case "dns_missing_responses": {
      add("look at the DNS server", both(d.subject.pod ? describe(s) : null, logs(s)));
      if (d.query) add(`ask for ${d.query} by hand`, lookup(d.query));
      steps.push(s.to ? watch(s.to, "--protocol dns") : null);
      break;
    }
    case "dns_latency":
      add("how loaded the DNS server is", top(s, d.subject.workload));
      steps.push(s.from ? watch(s.from, "--protocol dns") : null);
      break;
    case "packet_drops": {
      // The policy sits with the pod end: ingress at the destination, egress at a source.
      const ns = s.ns ?? p.ns;
      if (d.reason?.startsWith("POLICY")) add("find the NetworkPolicy that denies it", ns ? `kubectl -n ${ns} get networkpolicy,ciliumnetworkpolicy && kubectl -n ${ns} describe networkpolicy` : null);
      else add(`look up ${d.reason} in Cilium's drop reasons, then watch the drops`, "kubectl -n kube-system exec ds/cilium -- cilium-dbg monitor --type drop");
      steps.push(watch("--verdict DROPPED", s.to, p.from));
      break;
    }
    case "node_drops": {
      const node = d.subject.node;
      if (!node) break;
      if (d.reason?.startsWith("CT_")) {
        add(`the conntrack table on ${node} is full; count its entries (raise bpf-ct-global-max or spread the connection churn)`,
          `kubectl -n kube-system exec $(kubectl -n kube-system get pod -l k8s-app=cilium --field-selector spec.nodeName=${node} -o name) -- cilium-dbg bpf ct list global | wc -l`);
      } else add("look at the node", `kubectl describe node ${node}`);
      steps.push(watch(`--node-name ${node}`, "--verdict DROPPED"));
      break;
    }
    case "l7_drops":
      add("look at the L7 rules (rules.http) of the policies", s.ns ? `kubectl -n ${s.ns} get ciliumnetworkpolicy -o yaml` : null);
      steps.push(watch("--type l7 --verdict DROPPED", s.to, p.from));
      break;
    case "tcp_resets":
      add("look at the pod that resets", both(describe(s), logs(s)));
      steps.push(s.from ? watch(s.from, "--tcp-flags RST") : null);
      break;
    case "http_errors": {
      const status = d.reason && /^\d{3}$/.test(d.reason) ? `--http-status ${d.reason}` : null;
      if (d.facts?.side === "client" || d.facts?.side === "clientShared") {
        add(d.facts.side === "client"
          ? `${d.facts.servers} servers fail towards this one client and answer others well: look at what sits in front of it (its sidecar proxy, its egress policy)`
          : `${d.facts.servers} servers fail towards this one client, and it is their only client: look at what they share (a dependency, a policy) and at what sits in front of the client (its proxy)`, describe(s));
        steps.push(s.to ? watch(s.to, "--protocol http", status) : null);
        break;
      }
      const l = logs(s);
      if (d.reason === "403" || d.reason === "401") add(`check authorization and L7 policy on ${s.object ?? "the server"}`, s.ns ? `kubectl -n ${s.ns} get ciliumnetworkpolicy${l ? `; ${l}` : ""}` : null);
      else add("read the server's logs", l);
      steps.push(s.from ? watch(s.from, "--protocol http", status) : null);
      break;
    }
    case "http_latency":
      add("how loaded the server is", top(s, d.subject.workload));
      steps.push(s.from ? watch(s.from, "--protocol http") : null);
      break;
    case "traffic_imbalance":
      add("check the endpoints and session affinity (long-lived HTTP/2, gRPC or keep-alive connections pin clients to one pod)",
        s.ns && d.subject.workload ? `kubectl -n ${s.ns} get endpointslices -o wide | grep ${d.subject.workload}` : null);
      steps.push(s.to ? watch(s.to) : null);
      break;
    case "traffic_drop":
      if (d.subject.node && !d.subject.workload) {
        // A node that stopped forwarding: is it Ready, and is its agent still running?
        add("is the node Ready, and what happened to it", `kubectl describe node ${d.subject.node}`);
        add("are its network agents running", `kubectl -n kube-system get pods -o wide --field-selector spec.nodeName=${d.subject.node}`);
        break;
      }
      add("are its pods and endpoints still there", s.ns && d.subject.workload ? `kubectl -n ${s.ns} get pods,endpointslices -o wide | grep ${d.subject.workload}` : null);
      steps.push(s.to ? watch(s.to) : null);
      break;
    case "kafka_errors":
      add("read the broker's logs", logs(s));
      steps.push(s.to ? watch(s.to, "--protocol kafka") : null);
      break;
    case "tcp_state_anomaly":
      if (d.subject.node && d.reason) {
        add(`list the connections in ${d.reason} on the node and where they go`, `kubectl debug node/${d.subject.node} -it --image=nicolaka/netshoot -- ss -tan state ${d.reason.toLowerCase().replace(/_/g, "-")}`);
        if (d.reason === "SYN_SENT") steps.push(`see which destinations leave SYNs unanswered: hubble observe --node-name ${d.subject.node} --tcp-flags SYN --follow`);
        break;
      }
      steps.push(s.to ? watch(s.to) : null);
      break;
    case "grpc_errors":
      steps.push(s.to ? watch(s.to) : null);
      break;
  }
  return steps.filter((x): x is string => !!x);
}
