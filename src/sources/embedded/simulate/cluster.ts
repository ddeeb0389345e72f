/**
 * The one simulated cluster every scenario runs on: an AKS cluster with ACNS (Cilium data
 * plane), three nodes, five namespaces. It is built from a fixed seed, not the run's seed,
 * so pod names, IPs and identities are the same in every scenario and every run: ground
 * truth can name "rabbitmq-0" or a coredns pod, and a demo answer stays stable.
 */
import { Rng, hash32 } from "./random.js";
import type { HubbleEndpoint, NetworkInterface, WorkloadKind } from "./hubble-types.js";

export const CLUSTER_NAME = "aks-prod-weu";
export const NODE_NAMES = [
  "aks-nodepool1-27013129-vmss000000",
  "aks-nodepool1-27013129-vmss000001",
  "aks-nodepool1-27013129-vmss000002",
] as const;

/** Azure's platform DNS (CoreDNS forwards external names to it). */
export const AZURE_DNS_IP = "168.63.129.16";

export interface Node {
  name: string;
  /** `<cluster>/<node>`, the form Hubble writes in `node_name`. */
  qualified: string;
  ip: string;
  mac: string;
}

/** Anything that can be a flow's source or destination. */
export interface Peer {
  kind: "pod" | "world" | "host";
  ip: string;
  mac: string;
  endpoint: HubbleEndpoint;
  /** Where a pod runs (null for world). */
  node: Node | null;
  /** The pod's lxc device, where Cilium observes traffic to and from it. */
  iface: NetworkInterface | null;
}

export interface Pod extends Peer {
  kind: "pod";
  name: string;
  namespace: string;
  workload: Workload;
  node: Node;
  iface: NetworkInterface;
}

export interface Workload {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  identity: number;
  pods: Pod[];
  /** The port its Service exposes (same as the container port here). */
  port: number;
  /** Service name and ClusterIP, for DNS answers. */
  service: { name: string; clusterIP: string } | null;
}

interface WorkloadSpec {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  replicas: number;
  port: number;
  labels?: string[];
  service?: string | null;
  clusterIP?: string;
}

const SPECS: readonly WorkloadSpec[] = [
  { namespace: "kube-system", name: "coredns", kind: "Deployment", replicas: 2, port: 53, labels: ["k8s:k8s-app=kube-dns"], service: "kube-dns", clusterIP: "10.0.0.10" },
  { namespace: "kube-system", name: "konnectivity-agent", kind: "Deployment", replicas: 2, port: 8082, service: null },
  { namespace: "kube-system", name: "metrics-server", kind: "Deployment", replicas: 2, port: 4443, labels: ["k8s:k8s-app=metrics-server"] },
  { namespace: "kube-system", name: "ama-logs", kind: "DaemonSet", replicas: 3, port: 25224, labels: ["k8s:component=ama-logs-agent"], service: null },
  { namespace: "shop", name: "frontend", kind: "Deployment", replicas: 3, port: 8080 },
  { namespace: "shop", name: "checkout", kind: "Deployment", replicas: 2, port: 8080 },
  { namespace: "shop", name: "cart", kind: "Deployment", replicas: 2, port: 8080 },
  { namespace: "shop", name: "catalog", kind: "Deployment", replicas: 2, port: 8080 },
  { namespace: "shop", name: "payments", kind: "Deployment", replicas: 3, port: 8080 },
  { namespace: "pets", name: "store-front", kind: "Deployment", replicas: 2, port: 8080 },
  { namespace: "pets", name: "order-service", kind: "Deployment", replicas: 2, port: 3000 },
  { namespace: "pets", name: "product-service", kind: "Deployment", replicas: 2, port: 3002 },
  { namespace: "pets", name: "makeline-service", kind: "Deployment", replicas: 1, port: 3001 },
  { namespace: "pets", name: "rabbitmq", kind: "StatefulSet", replicas: 1, port: 5672 },
  { namespace: "pets", name: "mongodb", kind: "StatefulSet", replicas: 1, port: 27017 },
  { namespace: "default", name: "kapinger-good", kind: "Deployment", replicas: 2, port: 8080, labels: ["k8s:app=kapinger", "k8s:server=good"] },
  { namespace: "default", name: "kapinger-bad", kind: "Deployment", replicas: 2, port: 8080, labels: ["k8s:app=kapinger", "k8s:server=bad"] },
  { namespace: "search", name: "search-api", kind: "Deployment", replicas: 2, port: 8080 },
  { namespace: "search", name: "search", kind: "Deployment", replicas: 4, port: 9200 },
];

// Kubernetes' alphabet for generated name suffixes (no vowels, no confusable digits).
const K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export class Cluster {
  readonly name = CLUSTER_NAME;
  readonly nodes: readonly Node[];
  readonly workloads: readonly Workload[];
  readonly pods: readonly Pod[];
  private readonly byKey = new Map<string, Workload>();
  private readonly worldPeers = new Map<string, Peer>();
  private readonly hostPeers = new Map<string, Peer>();

  constructor() {
    const rng = new Rng(0x6b8, CLUSTER_NAME);
    this.nodes = NODE_NAMES.map((name, i) =>
      Object.freeze({ name, qualified: `${CLUSTER_NAME}/${name}`, ip: `10.224.0.${4 + i}`, mac: mac(rng) }),
    );
    const nextHost = [10, 10, 10];
    const usedIds = new Set<number>();
    let rotation = 0;
    const workloads: Workload[] = [];
    const pods: Pod[] = [];
    for (const spec of SPECS) {
      const labels = [
        ...(spec.labels ?? [`k8s:app=${spec.name}`]),
        `k8s:io.cilium.k8s.policy.cluster=${CLUSTER_NAME}`,
        `k8s:io.kubernetes.pod.namespace=${spec.namespace}`,
      ].sort();
      const serviceName = spec.service === undefined ? spec.name : spec.service;
      const workload: Workload = {
        namespace: spec.namespace,
        name: spec.name,
        kind: spec.kind,
        // Cilium allocates cluster-local identities from 256 up; keep them stable per label set.
        identity: 10000 + (hash32(labels.join(",")) % 55000),
        pods: [],
        port: spec.port,
        service: serviceName === null ? null : { name: serviceName, clusterIP: spec.clusterIP ?? `10.0.${rng.between(1, 254)}.${rng.between(2, 254)}` },
      };
      const rsHash = suffix(rng, 10);
      for (let r = 0; r < spec.replicas; r++) {
        // DaemonSets put one pod per node; the rest spread round-robin, like a balanced scheduler.
        const nodeIndex = spec.kind === "DaemonSet" ? r % 3 : rotation++ % 3;
        const node = this.nodeAt(nodeIndex);
        const podName =
          spec.kind === "StatefulSet" ? `${spec.name}-${r}` : spec.kind === "DaemonSet" ? `${spec.name}-${suffix(rng, 5)}` : `${spec.name}-${rsHash}-${suffix(rng, 5)}`;
        let id = rng.between(100, 4000);
        while (usedIds.has(id)) id = rng.between(100, 4000);
        usedIds.add(id);
        const host = nextHost[nodeIndex] ?? 10;
        nextHost[nodeIndex] = host + rng.between(1, 7);
        const pod: Pod = {
          kind: "pod",
          name: podName,
          namespace: spec.namespace,
          workload,
          node,
          ip: `10.244.${nodeIndex}.${host}`,
          mac: mac(rng),
          endpoint: deepFreeze({
            ID: id,
            identity: workload.identity,
            cluster_name: CLUSTER_NAME,
            namespace: spec.namespace,
            labels,
            pod_name: podName,
            workloads: [{ name: spec.name, kind: spec.kind }],
          }),
          iface: Object.freeze({ index: rng.between(12, 240), name: `lxc${rng.hex(12)}` }),
        };
        workload.pods.push(pod);
        pods.push(pod);
      }
      workloads.push(workload);
      this.byKey.set(`${spec.namespace}/${spec.name}`, workload);
    }
    this.workloads = workloads;
    this.pods = pods;
  }

  nodeAt(index: number): Node {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    return node;
  }

  /** A workload by "namespace/name"; throws on a typo so scenario code fails loudly. */
  workload(key: string): Workload {
    const w = this.byKey.get(key);
    if (!w) throw new Error(`simulated cluster has no workload ${key}`);
    return w;
  }

  pod(key: string, index: number): Pod {
    const p = this.workload(key).pods[index];
    if (!p) throw new Error(`${key} has no pod #${index}`);
    return p;
  }

  podsOn(node: Node): Pod[] {
    return this.pods.filter((p) => p.node === node);
  }

  /** An address outside the cluster (identity 2, reserved:world). */
  world(ip: string): Peer {
    let peer = this.worldPeers.get(ip);
    if (!peer) {
      peer = Object.freeze({
        kind: "world" as const,
        ip,
        mac: "12:34:56:78:9a:bc",
        endpoint: deepFreeze({ identity: 2, labels: ["reserved:world"] }),
        node: null,
        iface: null,
      });
      this.worldPeers.set(ip, peer);
    }
    return peer;
  }

  /** A node as seen from a pod on `from`: the local host (identity 1) or a remote node (6). */
  host(node: Node, from: Node): Peer {
    const local = node === from;
    const key = `${node.name}|${local}`;
    let peer = this.hostPeers.get(key);
    if (!peer) {
      peer = Object.freeze({
        kind: "host" as const,
        ip: node.ip,
        mac: node.mac,
        endpoint: deepFreeze(local ? { identity: 1, labels: ["reserved:host"] } : { identity: 6, labels: ["reserved:remote-node"] }),
        node,
        iface: null,
      });
      this.hostPeers.set(key, peer);
    }
    return peer;
  }
}

let shared: Cluster | null = null;

/** The cluster is immutable, so one instance serves every simulation. */
export function theCluster(): Cluster {
  shared ??= new Cluster();
  return shared;
}

function suffix(rng: Rng, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += K8S_ALPHABET[rng.int(K8S_ALPHABET.length)];
  return out;
}

function mac(rng: Rng): string {
  const bytes = [((rng.int(256) | 0x02) & 0xfe).toString(16).padStart(2, "0")];
  for (let i = 0; i < 5; i++) bytes.push(rng.int(256).toString(16).padStart(2, "0"));
  return bytes.join(":");
}

/** Endpoint objects are shared by many flows; freezing stops one consumer from editing all. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
