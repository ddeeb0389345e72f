import type { Scope } from "../model/index.js";
import { allAllowed } from "../model/access.js";
import type { Predicate } from "../query/index.js";
import type { ScopeMode } from "./schema.js";
import type { z } from "zod";

type Party = { namespace: string | null; workload: string | null; pod: string | null };

function side(s: "src" | "dst", p: Party): Predicate[] {
  const out: Predicate[] = [];
  if (p.namespace) out.push({ field: `${s}Namespace`, op: "eq", value: p.namespace });
  if (p.workload) out.push({ field: `${s}Workload`, op: "eq", value: p.workload });
  if (p.pod) out.push({ field: `${s}Pod`, op: "eq", value: p.pod });
  return out;
}

const all = (ps: Predicate[]): Predicate => (ps.length === 1 ? ps[0]! : { all: ps });

/**
 * The question's scope as predicates. A named party may be either end of a flow; with a peer
 * ("A can't reach B") only flows between the two count, in either direction.
 */
export function scopePredicates(scope: Scope, mode: z.infer<typeof ScopeMode>): Predicate[] {
  // Whatever the mode, a channel's namespaces bound every query (cluster-wide ones too).
  const access = accessPredicates(scope);
  // Cluster-wide checks (node comparisons) still keep to a node the question names.
  if (mode === "none") return [...access, ...(scope.node ? [{ field: "node", op: "eq", value: scope.node } as Predicate] : [])];
  const out: Predicate[] = [];
  let subject: Party = { namespace: scope.namespace, workload: scope.workload, pod: scope.pod };
  let peer = scope.peer;
  let hasSubject = !!(subject.namespace || subject.workload || subject.pod);
  if (mode === "subject") {
    // The subject's own flows, whatever the peer; a peer named alone stands for the subject.
    if (!hasSubject && peer) subject = peer;
    peer = null;
    hasSubject = !!(subject.namespace || subject.workload || subject.pod);
  }
  if (peer && (peer.workload || peer.pod || peer.namespace)) {
    const a = side("src", subject), b = side("dst", peer), c = side("src", peer), d = side("dst", subject);
    out.push({ any: [all([...a, ...b]), all([...c, ...d])] });
  } else if (hasSubject) {
    out.push({ any: [all(side("src", subject)), all(side("dst", subject))] });
  }
  if (scope.node) out.push({ field: "node", op: "eq", value: scope.node });
  return [...access, ...out];
}

/**
 * A restricted channel sees a flow only when one end is in its namespaces and the other is too,
 * or is in a shared namespace (kube-system: the DNS servers), or is not a pod at all (world,
 * host). A flow with another team's pod is left out whole, so no name, IP or count of theirs
 * reaches the reply.
 */
export function accessPredicates(scope: Pick<Scope, "allowed" | "shared">): Predicate[] {
  if (allAllowed(scope.allowed)) return [];
  const visible = [...scope.allowed!, ...(scope.shared ?? [])];
  return [{ all: [endIn("src", visible, true), endIn("dst", visible, true)] }, { any: [endIn("src", scope.allowed!, false), endIn("dst", scope.allowed!, false)] }];
}

/** Flows of the channel's own pods with a pod it may not see: counted, never shown. */
export function hiddenPredicates(scope: Pick<Scope, "allowed" | "shared">): Predicate[] {
  if (allAllowed(scope.allowed)) return [];
  const visible = [...scope.allowed!, ...(scope.shared ?? [])];
  return [{ any: [endIn("src", scope.allowed!, false), endIn("dst", scope.allowed!, false)] }, { not: { all: [endIn("src", visible, true), endIn("dst", visible, true)] } }];
}

function endIn(s: "src" | "dst", patterns: readonly string[], orNone: boolean): Predicate {
  const field = `${s}Namespace` as const;
  const alts: Predicate[] = [
    ...(orNone ? [{ field, op: "isNull" } as Predicate] : []),
    ...patterns.map((p): Predicate => (p.endsWith("*") ? { field, op: "startsWith", value: p.slice(0, -1) } : { field, op: "eq", value: p })),
  ];
  return alts.length === 1 ? alts[0]! : { any: alts };
}

/** The question's window and the window of the same length just before it. */
export function windows(scope: Scope): { current: { from: Date; to: Date }; baseline: { from: Date; to: Date } } {
  const from = new Date(scope.from), to = new Date(scope.to);
  const span = to.getTime() - from.getTime();
  return { current: { from, to }, baseline: { from: new Date(from.getTime() - span), to: from } };
}
