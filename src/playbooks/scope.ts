import type { Scope } from "../model/index.js";
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
  // Cluster-wide checks (node comparisons) still keep to a node the question names.
  if (mode === "none") return scope.node ? [{ field: "node", op: "eq", value: scope.node }] : [];
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
  return out;
}

/** The question's window and the window of the same length just before it. */
export function windows(scope: Scope): { current: { from: Date; to: Date }; baseline: { from: Date; to: Date } } {
  const from = new Date(scope.from), to = new Date(scope.to);
  const span = to.getTime() - from.getTime();
  return { current: { from, to }, baseline: { from: new Date(from.getTime() - span), to: from } };
}
