/**
 * NETRCA_KUBE=on: the cluster's policies read from the Kubernetes API with @kubernetes/client-node
 * (the kubeconfig, or the in-cluster service account), read-only `list`, kept in memory and
 * listed again every minute; a failed refresh keeps the last good set and says so.
 */
import { parsePolicy, type Policy } from "./model.js";

export interface KubePolicies {
  current(): Policy[];
  /** When the set was last read, and why it could not be since (for /healthz and notes). */
  state(): { at: string | null; error: string | null; count: number };
  close(): void;
}

const REFRESH_MS = 60_000;
const CILIUM = [
  { plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy" },
  { plural: "ciliumclusterwidenetworkpolicies", kind: "CiliumClusterwideNetworkPolicy" },
] as const;

export async function openKubePolicies(opts: { kubeconfig?: string; refreshMs?: number; log?: (line: string) => void } = {}): Promise<KubePolicies> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  let policies: Policy[] = [];
  let at: string | null = null;
  let error: string | null = null;

  const read = async (): Promise<void> => {
    // Listed as raw objects (the generic API): the typed models rename fields (`from` is `_from`).
    const list = (await custom.listClusterCustomObject({ group: "networking.k8s.io", version: "v1", plural: "networkpolicies" })) as { items?: Record<string, unknown>[] };
    const out: Policy[] = [];
    // Items of a list carry no kind: it is the list's.
    for (const item of list.items ?? []) out.push(...(parsePolicy({ ...item, kind: "NetworkPolicy" }, "the Kubernetes API") ?? []));
    for (const c of CILIUM) {
      try {
        const l = (await custom.listClusterCustomObject({ group: "cilium.io", version: "v2", plural: c.plural })) as { items?: Record<string, unknown>[] };
        for (const item of l.items ?? []) out.push(...(parsePolicy({ ...item, kind: c.kind }, "the Kubernetes API") ?? []));
      } catch (e) {
        // No Cilium CRDs (an AKS cluster without ACNS' Cilium): none of that kind.
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
    policies = out;
    at = new Date().toISOString();
    error = null;
  };
  try {
    await read();
  } catch (e) {
    const err = new Error(`NETRCA_KUBE: cannot list the cluster's network policies: ${(e as Error).message.split("\n")[0]}`);
    err.name = "KubeError";
    throw err;
  }
  const timer = setInterval(() => {
    read().catch((e: unknown) => {
      error = (e as Error).message.split("\n")[0]!;
      opts.log?.(`netrca: WARNING: could not list the cluster's network policies (${error}); keeping the ${policies.length} read at ${at}`);
    });
  }, opts.refreshMs ?? REFRESH_MS);
  timer.unref();
  return {
    current: () => policies,
    state: () => ({ at, error, count: policies.length }),
    close: () => clearInterval(timer),
  };
}
