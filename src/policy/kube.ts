/**
 * NETRCA_KUBE=on: the cluster's policies read from the Kubernetes API with @kubernetes/client-node
 * (the kubeconfig, or the in-cluster service account), read-only: listed once, then watched, so
 * a change is seen within a second; listed again every few minutes in case a watch missed one,
 * and watched again from that list's version (as an informer does), so a change the list's
 * snapshot predates is replayed rather than lost. A failed refresh keeps the last good set and
 * says so.
 */
import { parsePolicy, type Policy } from "./model.js";

export interface KubePolicies {
  current(): Policy[];
  /** When the set was last read, and why it could not be since (for /healthz and notes). */
  state(): { at: string | null; error: string | null; count: number };
  close(): void;
}

const REFRESH_MS = 5 * 60_000;
/** After a watch ends or fails: wait this long (doubling to the cap) before listing and watching again. */
const RETRY_MS = [1000, 30_000] as const;
const RESOURCES = [
  { group: "networking.k8s.io", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy" },
  { group: "cilium.io", version: "v2", plural: "ciliumnetworkpolicies", kind: "CiliumNetworkPolicy" },
  { group: "cilium.io", version: "v2", plural: "ciliumclusterwidenetworkpolicies", kind: "CiliumClusterwideNetworkPolicy" },
] as const;
type Resource = (typeof RESOURCES)[number];
type Item = Record<string, unknown> & { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

export async function openKubePolicies(opts: { kubeconfig?: string; refreshMs?: number; log?: (line: string) => void } = {}): Promise<KubePolicies> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const watcher = new k8s.Watch(kc);
  // Per resource: its objects by namespace/name, the version to watch from, and whether it exists.
  const held = new Map<Resource, { items: Map<string, Policy[]>; version: string | undefined; exists: boolean }>();
  let policies: Policy[] = [];
  let at: string | null = null;
  let error: string | null = null;
  let closed = false;
  const watches = new Map<Resource, AbortController>();
  /** The one live watch per resource: events and endings of one it has replaced are ignored. */
  const live = new Map<Resource, object>();
  const timers = new Set<NodeJS.Timeout>();

  const keyOf = (o: Item) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
  // Items of a list carry no kind: it is the list's.
  const parse = (o: Item, r: Resource) => parsePolicy({ ...o, kind: r.kind }, "the Kubernetes API") ?? [];
  const rebuild = () => {
    policies = [...held.values()].flatMap((h) => [...h.items.values()].flat());
    at = new Date().toISOString();
  };

  const list = async (r: Resource): Promise<void> => {
    try {
      // Listed as raw objects (the generic API): the typed models rename fields (`from` is `_from`).
      const l = (await custom.listClusterCustomObject({ group: r.group, version: r.version, plural: r.plural })) as { items?: Item[]; metadata?: { resourceVersion?: string } };
      hold(r, new Map((l.items ?? []).map((o) => [keyOf(o), parse(o, r)])), l.metadata?.resourceVersion, true);
    } catch (e) {
      // No Cilium CRDs (an AKS cluster without ACNS' Cilium): none of that kind.
      if (r.group === "cilium.io" && (e as { code?: number }).code === 404) hold(r, new Map(), undefined, false);
      else throw e;
    }
  };
  // Updated in place: a running watch holds this entry, and its events must land in what is read.
  const hold = (r: Resource, items: Map<string, Policy[]>, version: string | undefined, exists: boolean) => {
    const h = held.get(r);
    if (h) Object.assign(h, { items, version, exists });
    else held.set(r, { items, version, exists });
  };
  const readAll = async (): Promise<void> => {
    for (const r of RESOURCES) await list(r);
    rebuild();
    error = null;
  };
  const failed = (e: unknown, what: string) => {
    const before = error;
    error = (e as Error).message?.split("\n")[0] ?? String(e);
    // A watch refused again and again (RBAC without watch) is said once, not every 30 s.
    if (error === before) return;
    opts.log?.(`netrca: WARNING: could not ${what} the cluster's network policies (${error}); keeping the ${policies.length} read at ${at}`);
  };

  const watch = async (r: Resource, retry: number): Promise<void> => {
    const h = held.get(r);
    if (closed || !h?.exists) return;
    const me = {};
    live.set(r, me);
    const isLive = () => live.get(r) === me;
    // A watch started again (after a full list) replaces the one before it.
    watches.get(r)?.abort();
    watches.delete(r);
    let seen = false;
    const controller = await watcher.watch(
      `/apis/${r.group}/${r.version}/${r.plural}`,
      { resourceVersion: h.version, allowWatchBookmarks: true },
      (type: string, obj: Item) => {
        if (!isLive()) return;
        seen = true;
        if (obj?.metadata?.resourceVersion) h.version = obj.metadata.resourceVersion;
        if (type === "ADDED" || type === "MODIFIED") h.items.set(keyOf(obj), parse(obj, r));
        else if (type === "DELETED") h.items.delete(keyOf(obj));
        // ERROR (410 Gone: the version is too old) ends the watch: list again below.
        else if (type === "ERROR") return void watches.get(r)?.abort();
        else return; // BOOKMARK: only the version moves
        rebuild();
      },
      (err: unknown) => {
        if (closed || !isLive()) return;
        watches.delete(r);
        if (err && (err as Error).name !== "AbortError") failed(err, "watch");
        // A watch the server ended after events is normal: list and watch again at once.
        const wait = seen && !err ? 0 : Math.min(RETRY_MS[0] * 2 ** retry, RETRY_MS[1]);
        const t = setTimeout(() => {
          timers.delete(t);
          // A full list since has already started a newer watch.
          if (!isLive()) return;
          list(r)
            .then(() => { rebuild(); return watch(r, seen ? 0 : retry + 1); }, (e: unknown) => { failed(e, "list"); return watch(r, retry + 1); })
            .catch((e: unknown) => failed(e, "watch"));
        }, wait);
        t.unref();
        timers.add(t);
      },
    );
    if (closed || !isLive()) controller.abort();
    else watches.set(r, controller);
  };

  try {
    await readAll();
  } catch (e) {
    const err = new Error(`NETRCA_KUBE: cannot list the cluster's network policies: ${(e as Error).message.split("\n")[0]}`);
    err.name = "KubeError";
    throw err;
  }
  // After every full list, each kind is watched from that list's version: the list replaced what
  // the events had built, and a change newer than its snapshot is replayed by the new watch. It
  // also starts the watch of a kind whose CRD was installed since.
  const watchAll = () => {
    for (const r of RESOURCES) void watch(r, 0).catch((e: unknown) => failed(e, "watch"));
  };
  watchAll();
  const timer = setInterval(() => void readAll().then(watchAll, (e: unknown) => failed(e, "list")), opts.refreshMs ?? REFRESH_MS);
  timer.unref();
  return {
    current: () => policies,
    state: () => ({ at, error, count: policies.length }),
    close: () => {
      closed = true;
      clearInterval(timer);
      for (const t of timers) clearTimeout(t);
      for (const c of watches.values()) c.abort();
    },
  };
}
