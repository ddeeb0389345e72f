/**
 * Names checked against what the data holds. The inventory settles what shape and
 * position could only guess (is "shop" a namespace or a workload?), fills a workload's
 * namespace when it lives in exactly one, finds names said without a marker ("is search
 * balanced?"), and turns a name the data lacks into an "unknown name" with suggestions:
 * the name stays in the scope as written, so the reply can say what it looked for.
 */
import type { Inventory, Question } from "../model/question.js";
import { visible } from "../model/text.js";
import { editDistance } from "./distance.js";
import type { Draft, Slot } from "./names.js";

type Unknown = Question["unknownNames"][number];

export interface Resolution {
  unknownNames: Unknown[];
  notes: string[];
}

/** Up to `max` names from the pool: closest by edit distance, then prefix/substring matches. */
export function suggest(name: string, pool: Iterable<string>, max = 3): string[] {
  const names = [...new Set(pool)].filter((p) => p !== name);
  const limit = Math.max(2, Math.floor(name.length / 3));
  const close = names
    .map((p) => ({ p, d: editDistance(name, p) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.p.localeCompare(b.p))
    .map(({ p }) => p);
  const contains = (a: string, b: string) => b.length >= 3 && a.includes(b);
  const partial = names
    .filter((p) => !close.includes(p) && (p.startsWith(name) || name.startsWith(p) || contains(p, name) || contains(name, p)))
    .sort((a, b) => Math.abs(a.length - name.length) - Math.abs(b.length - name.length) || a.localeCompare(b));
  return [...close, ...partial].slice(0, max);
}

function orList(raw: string[]): string {
  const names = raw.map(visible);
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

export function resolveNames(draft: Draft, inv: Inventory): Resolution {
  const namespaces = new Set([...inv.namespaces, ...inv.workloads.map((w) => w.namespace), ...inv.pods.map((p) => p.namespace)]);
  const workloadNs = new Map<string, Set<string>>();
  for (const { namespace, workload } of inv.workloads) {
    const set = workloadNs.get(workload) ?? new Set<string>();
    set.add(namespace);
    workloadNs.set(workload, set);
  }
  const pods = new Map(inv.pods.map((p) => [p.pod, p]));
  const nodes = new Set(inv.nodes);
  const unknownNames: Unknown[] = [];
  const notes: string[] = [];
  const workloadsIn = (ns: string | undefined) =>
    inv.workloads.filter((w) => ns === undefined || w.namespace === ns).map((w) => w.workload);
  const unknown = (field: Unknown["field"], what: string, name: string, pool: Iterable<string>) => {
    const suggestions = suggest(name, pool);
    unknownNames.push({ field, name, suggestions });
    notes.push(`no ${what} named '${name}' in the data` + (suggestions.length ? `; did you mean ${orList(suggestions)}?` : ""));
  };
  const set = (field: "namespace" | "workload" | "pod" | "node", name: string, via: Slot["via"] = "inventory") => {
    draft[field] = { name, via, at: -1 };
  };

  // A guessed workload the data lacks gives way to a name the question also said that the data
  // has ("orders are failing, 502s from order-api": order-api runs, orders is a noun).
  const guessed = (v: Slot["via"]) => v === "position" || v === "subject" || v === "in";
  if (draft.workload && guessed(draft.workload.via) && !workloadNs.has(draft.workload.name) && !namespaces.has(draft.workload.name) && !pods.has(draft.workload.name)) {
    const known = [...draft.extra.filter((e) => e.field === "workload"), ...draft.loose].find((e) => workloadNs.has(e.name));
    if (known) draft.workload = { name: known.name, via: "inventory", at: known.at };
  }

  // Names said without a marker: fill only what is still empty.
  for (const { name, at } of draft.loose) {
    if (!draft.workload && workloadNs.has(name)) draft.workload = { name, via: "inventory", at };
    else if (!draft.namespace && namespaces.has(name)) draft.namespace = { name, via: "inventory", at };
    else if (!draft.pod && pods.has(name)) draft.pod = { name, via: "inventory", at };
    else if (!draft.node && nodes.has(name)) draft.node = { name, via: "inventory", at };
  }

  // A guessed namespace ("in x") may be a workload or a pod.
  const ns = draft.namespace;
  if (ns && !namespaces.has(ns.name)) {
    if (ns.via === "in" && workloadNs.has(ns.name) && !draft.workload) {
      draft.namespace = null;
      set("workload", ns.name, "in");
    } else if (ns.via === "in" && pods.has(ns.name) && !draft.pod) {
      draft.namespace = null;
      set("pod", ns.name, "in");
    } else if (ns.via === "in") {
      unknown("namespace", "namespace or workload", ns.name, [...namespaces, ...workloadNs.keys()]);
    } else {
      unknown("namespace", "namespace", ns.name, namespaces);
    }
  }

  // "productpage" for the only workload called productpage-<something> (productpage-v1): the
  // app's name, as its label spells it, for its one versioned workload.
  if (draft.workload && !workloadNs.has(draft.workload.name) && !namespaces.has(draft.workload.name) && !pods.has(draft.workload.name)) {
    const stem = draft.workload.name;
    const inNs = draft.namespace && namespaces.has(draft.namespace.name) ? draft.namespace.name : undefined;
    const versions = [...new Set(workloadsIn(inNs).filter((w) => w.startsWith(`${stem}-`)))];
    if (versions.length === 1) {
      notes.push(`read '${stem}' as '${versions[0]}', the only workload of that name`);
      draft.workload = { ...draft.workload, name: versions[0]! };
    }
  }

  // A guessed workload may be a namespace ("rca for shop") or a pod.
  const wl = draft.workload;
  if (wl && !workloadNs.has(wl.name)) {
    const guessed = wl.via !== "written" && wl.via !== "kind";
    if (guessed && namespaces.has(wl.name) && !draft.namespace) {
      draft.workload = null;
      set("namespace", wl.name, wl.via);
    } else if (pods.has(wl.name) && !draft.pod) {
      draft.workload = null;
      set("pod", wl.name, wl.via);
    } else {
      unknown("workload", "workload", wl.name, workloadsIn(namespaces.has(draft.namespace?.name ?? "") ? draft.namespace?.name : undefined).concat(workloadsIn(undefined)));
    }
  } else if (wl) {
    const homes = [...workloadNs.get(wl.name)!].sort();
    const current = draft.namespace?.name;
    if (!current) {
      if (homes.length === 1) set("namespace", homes[0]!);
      else notes.push(`'${wl.name}' runs in namespaces ${homes.join(", ")}: looking at all of them`);
    } else if (namespaces.has(current) && !homes.includes(current)) {
      const suggestions = suggest(wl.name, workloadsIn(current));
      unknownNames.push({ field: "workload", name: wl.name, suggestions });
      notes.push(`no workload named '${wl.name}' in namespace '${current}' in the data (it runs in ${homes.join(", ")})`);
    }
  }

  // A pod-shaped name the data lacks may be a workload whose name merely looks like a pod.
  const pod = draft.pod;
  if (pod && !pods.has(pod.name)) {
    if (workloadNs.has(pod.name) && !draft.workload) {
      draft.pod = null;
      set("workload", pod.name, pod.via);
      const homes = [...workloadNs.get(pod.name)!];
      if (!draft.namespace && homes.length === 1) set("namespace", homes[0]!);
    } else {
      unknown("pod", "pod", pod.name, pods.keys());
    }
  } else if (pod) {
    const home = pods.get(pod.name)!.namespace;
    if (!draft.namespace) set("namespace", home);
    else if (draft.namespace.name !== home) notes.push(`pod '${pod.name}' is in namespace '${home}', not '${draft.namespace.name}'`);
  }

  if (draft.node && !nodes.has(draft.node.name)) unknown("node", "node", draft.node.name, nodes);

  const peer = draft.peer;
  if (peer?.workload) {
    const homes = workloadNs.get(peer.workload.name);
    if (!homes) {
      const guessed = peer.workload.via !== "written" && peer.workload.via !== "kind";
      // "drops from shop to default": a guessed peer that is a namespace of the data, as for the subject.
      if (guessed && namespaces.has(peer.workload.name) && !peer.namespace) {
        peer.namespace = peer.workload;
        peer.workload = null;
      } else if (pods.has(peer.workload.name)) {
        peer.pod = peer.workload;
        peer.workload = null;
      } else unknown("peer", "workload", peer.workload.name, workloadNs.keys());
    } else if (!peer.namespace && homes.size === 1) peer.namespace = { name: [...homes][0]!, via: "inventory", at: -1 };
  }
  if (peer?.pod) {
    const p = pods.get(peer.pod.name);
    if (!p) unknown("peer", "pod", peer.pod.name, pods.keys());
    else if (!peer.namespace) peer.namespace = { name: p.namespace, via: "inventory", at: -1 };
  }
  if (peer?.namespace && !namespaces.has(peer.namespace.name)) unknown("peer", "namespace", peer.namespace.name, namespaces);

  return { unknownNames, notes };
}
