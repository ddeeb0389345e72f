/**
 * Scope names from the words of a question, most explicit first:
 *   1. written forms: ns:x, -n x, namespace x, x namespace, pod x, node x, deployment x, x pods, ns/x
 *   2. relations: "A can't reach B", "between A and B", "A -> B", "A gets 403 from B", "from A to B"
 *   3. positions: "for x", "from x", "to x", "with x"…, a bare "in x", the subject of "is x balanced?"
 *   4. shapes: a pod-shaped or node-shaped word anywhere.
 * Every name is lower-case and a valid Kubernetes name (isK8sName); a word that is not
 * never reaches the scope. Each word is used once: the first pass to claim it keeps it.
 */
import { isK8sName, isK8sNamespace } from "../model/k8s-name.js";
import { isNodeShaped, podOwner } from "./shapes.js";
import type { Token } from "./tokens.js";
import {
  ARTICLES, EVERYDAY_WORDS, FILLER_WORDS, FUNCTION_WORDS, HTTP_METHODS, KEYWORDS, NAMESPACE_KINDS, NAMEABLE_KEYWORDS, NODE_KINDS, POD_KINDS, STOP_WORDS,
  WORKLOAD_KINDS,
} from "./vocabulary.js";

export type Field = "namespace" | "workload" | "pod" | "node";

/** How a name was found; decides precedence and what the reply says about it. */
export type Via = "written" | "kind" | "relation" | "shape" | "position" | "in" | "subject" | "inventory";

// The subject of the sentence outranks a name after a preposition: "payment keeps timing out when called from checkout".
const RANK: Record<Via, number> = { written: 6, kind: 5, relation: 4, shape: 3, inventory: 2.5, subject: 2.2, position: 2, in: 1.5 };

const GUESSED: ReadonlySet<Via> = new Set(["position", "subject", "in"]);

export interface Slot { name: string; via: Via; at: number }

export interface PeerDraft { namespace: Slot | null; workload: Slot | null; pod: Slot | null }

/** The names of a question before any inventory lookup. */
export interface Draft {
  namespace: Slot | null;
  workload: Slot | null;
  pod: Slot | null;
  node: Slot | null;
  peer: PeerDraft | null;
  /** Further names the question mentioned that did not fit a slot. */
  extra: (Slot & { field: Field })[];
  /** Unclaimed words that could still be names an inventory knows ("is search balanced?"). */
  loose: Slot[];
  /** Names written out after a kind word that cannot be Kubernetes names ("namespace café"). */
  invalid: { field: Field; value: string; why: string }[];
}

interface Find { field: Field | "in"; name: string; via: Via; at: number; namespace?: string }

const NEGATIONS = [
  "can't", "cant", "cannot", "can not", "couldn't", "couldnt", "could not", "unable to", "not able to", "isn't able to",
  "fails to", "fail to", "failing to", "failed to", "won't", "wont", "will not", "doesn't", "doesnt", "does not",
  "didn't", "did not", "never", "no longer",
].map((n) => n.split(" "));
const REACH_VERBS = new Set([
  "talk", "reach", "connect", "access", "call", "hit", "ping", "communicate", "get", "resolve", "send", "see", "curl", "query", "open",
]);
const GET_VERBS = new Set(["get", "gets", "getting", "got", "receive", "receives", "receiving", "received", "see", "sees", "seeing", "saw"]);
const FLOW_WORDS = new Set(["calls", "calling", "talks", "talking", "connecting", "connections", "requests", "traffic", "hitting", "connects"]);
const POSITION_PREPS = new Set([
  "for", "from", "to", "of", "with", "on", "about", "across", "at", "regarding", "towards", "toward", "hitting", "calling", "reaching", "against", "behind", "by",
]);
const IN_PREPS = new Set(["in", "inside", "within"]);
const GROUP_KINDS = new Set(["workloads", "services", "deployments", "apps", "applications", "statefulsets", "daemonsets"]);
/** Networking words that are also common namespace names. */
const NAMESPACE_NAMES = new Set(["ingress", "egress", "data", "metrics", "logs", "internal", "external", "services", "apps", "monitoring", "dns", "mesh", "edge", "web", "api"]);
const SUBJECT_VERBS = new Set([
  "is", "are", "was", "were", "keeps", "seems", "has", "have", "looks", "returns", "returning", "gets", "getting", "throws",
  "throwing", "sees", "seeing", "fails", "failing", "drops", "dropping", "sends", "sending", "not", "isn't", "isnt", "can't",
  "cant", "cannot", "won't", "wont", "doesn't", "doesnt", "never", "stopped", "started", "spitting", "giving", "answering",
  "responding", "timing", "resetting", "refusing", "rejecting", "denying", "erroring", "crashing", "hanging", "went", "goes",
]);
const QUESTION_AUX = new Set(["is", "are", "was", "were", "does", "do", "did", "has", "have"]);

/** Plain words whose shape alone looks like a pod ("top-10", "http-503"): not pods. */
const isPlainWord = (w: string) => FUNCTION_WORDS.has(w) || EVERYDAY_WORDS.has(w) || PROTOCOL_WORDS.has(w);
const PROTOCOL_WORDS = new Set(["http", "https", "tcp", "udp", "icmp", "port", "ipv4", "ipv6", "l4", "l7", "layer", "p", "grpc", "dns"]);

/** Why a written-out name cannot be a Kubernetes name, in a few words. */
export function whyInvalid(field: Field, value: string): string {
  if (field === "namespace" && value.length > 63) return "a namespace has at most 63 characters";
  if (value.length > 253) return "a name has at most 253 characters";
  const why = field === "namespace"
    ? "a namespace is lower-case letters, digits and '-', starting and ending with a letter or digit"
    : "a name is lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
  // "kube_system" is one keystroke from a real name.
  const meant = value.toLowerCase().replace(/[_\s]+/g, "-");
  const ok = field === "namespace" ? isK8sNamespace(meant) : isK8sName(meant);
  return ok && meant !== value ? `${why}; did you mean '${meant}'?` : why;
}

/** Numbers and number-with-unit words ("403", "30m", "4xx") are never names. */
const NUMERIC = /^\d+[a-z]{0,3}$/;

export function findNames(tokens: readonly Token[], keywordAt: ReadonlySet<number>): Draft {
  const used = new Set<number>();
  const finds: Find[] = [];
  const invalid: Draft["invalid"] = [];
  const w = (i: number) => {
    const t = tokens[i];
    return t && !t.gap ? t.w : "";
  };
  const free = (i: number) => i >= 0 && i < tokens.length && !used.has(i) && !tokens[i]!.gap;
  const valid = (s: string) => s.length > 0 && isK8sName(s) && !NUMERIC.test(s);
  const isKindWord = (s: string) => WORKLOAD_KINDS.has(s) || NAMESPACE_KINDS.has(s) || POD_KINDS.has(s) || NODE_KINDS.has(s);
  /**
   * After a kind word ("pod x", "node x"): any valid name but a stop-word; after "namespace"
   * also the networking words that are common namespace names ("namespace ingress").
   */
  const writtenOk = (s: string, field: Field) =>
    valid(s) && !isKindWord(s) && (!STOP_WORDS.has(s) || HTTP_METHODS.has(s) || (field === "namespace" && NAMESPACE_NAMES.has(s)));
  /** Found by position: also not a networking word nor a keyword (unless it is one that names things). */
  const positionOk = (i: number) => {
    const s = w(i);
    if (!valid(s) || !free(i)) return false;
    if (isShaped(s)) return true;
    if (s.includes(".") && !svcName(s)) return false; // a DNS name such as api.partner.example.com, not a workload
    return !STOP_WORDS.has(s) && (!keywordAt.has(i) || NAMEABLE_KEYWORDS.has(s));
  };
  const isShaped = (s: string) => isNodeShaped(s) || podOwner(s, isPlainWord) !== null;
  /** Skip "the", "my"… between a preposition and its object, without crossing a clause end. */
  const objectOf = (i: number) => {
    let j = i + 1;
    while (j < tokens.length && ARTICLES.has(w(j)) && !tokens[j - 1]!.end) j++;
    return tokens[j - 1]?.end ? -1 : j;
  };
  /** A name found somewhere: its shape may overrule the field its position suggests. */
  const add = (field: Field | "in", s: string, via: Via, at: number) => {
    const svc = svcName(s);
    if (svc) {
      finds.push({ field: "workload", name: svc.workload, via, at });
      finds.push({ field: "namespace", name: svc.namespace, via, at });
    } else if ((field === "namespace" || field === "in") && !isK8sNamespace(s) && !isNodeShaped(s)) {
      // A namespace is a DNS-1123 label: "ns:a.b" names nothing.
    } else if (isNodeShaped(s)) finds.push({ field: "node", name: s, via, at });
    else if (field !== "namespace" && field !== "node" && podOwner(s, isPlainWord) !== null) finds.push({ field: "pod", name: s, via, at });
    else finds.push({ field, name: s, via, at });
    used.add(at);
  };

  // 1a. Written forms inside one word: ns:shop, namespace=shop, --namespace=shop, pod:x, node/x, deploy/x.
  tokens.forEach((t, i) => {
    if (t.gap) return;
    const m = /^(--namespace|-n|namespace|ns|pod|po|pods|node|nodes|deployment|deployments|deploy|workload|app|svc|service|statefulset|sts|daemonset|ds|job)[:=/](.+)$/.exec(t.w);
    if (!m) return;
    const [, kind, rawName] = m as unknown as [string, string, string];
    const name = rawName.replace(/[:=]+$/, "");
    const field: Field = NAMESPACE_KINDS.has(kind) || kind.endsWith("namespace") || kind === "-n"
      ? "namespace" : POD_KINDS.has(kind) || kind === "pods" ? "pod" : kind.startsWith("node") ? "node" : "workload";
    if (!valid(name) || (field === "namespace" && !isK8sNamespace(name))) {
      used.add(i); // "ns:../../etc" is spent: not a name, and not a word to read otherwise
      if (name && !NUMERIC.test(name)) invalid.push({ field, value: rawAfter(t.raw, kind), why: whyInvalid(field, name) });
      return;
    }
    add(field, name, "written", i);
  });

  // 1b. Flags and kind words before or after a name.
  tokens.forEach((t, i) => {
    if (!free(i)) return;
    const k = t.w;
    const next = i + 1;
    if ((k === "-n" || k === "--namespace") && free(next)) {
      used.add(i);
      if (valid(w(next))) add("namespace", w(next), "written", next);
      return;
    }
    if (t.end) return;
    const prefixField: Field | null = NAMESPACE_KINDS.has(k) ? "namespace" : POD_KINDS.has(k) ? "pod"
      : k === "node" ? "node" : ["deployment", "deploy", "workload", "statefulset", "daemonset", "service", "svc", "app"].includes(k) ? "workload" : null;
    if (prefixField && free(next) && writtenOk(w(next), prefixField)) {
      used.add(i);
      add(prefixField, w(next), "written", next);
    } else if (prefixField && free(next) && /^[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9.]*$/.test(w(next))) {
      used.add(i); // "namespace shop/checkout": the namespace/workload form below reads it
    } else if (prefixField && free(next) && meantAsName(w(next)) && !valid(w(next))) {
      used.add(i);
      used.add(next);
      invalid.push({ field: prefixField, value: tokens[next]!.raw.replace(/[?,!;]+$/, ""), why: whyInvalid(prefixField, w(next)) });
    }
  });
  /** A word in a name's place that is no word: letters outside a-z, '_', '$', quotes, shell or path characters. */
  function meantAsName(s: string) {
    return s.length > 0 && /[^a-z0-9.-]/.test(s) && /[\p{L}\d]/u.test(s) && !/^[\p{P}\p{S}]+$/u.test(s);
  }
  tokens.forEach((t, i) => {
    const k = t.w;
    const prev = i - 1;
    if (t.gap || used.has(i) || prev < 0 || !free(prev) || tokens[prev]!.end || !positionOkForKind(prev)) return;
    if (k === "namespace") add("namespace", w(prev), "kind", prev);
    // "prod workloads", "payments services": a group of workloads, most likely a namespace.
    else if (GROUP_KINDS.has(k)) add("in", w(prev), "in", prev);
    else if (WORKLOAD_KINDS.has(k) || POD_KINDS.has(k)) add("workload", w(prev), "kind", prev);
    else if (k === "node") add("node", w(prev), "kind", prev);
  });
  function positionOkForKind(i: number) {
    // "the kafka pods", "the default namespace": keywords that name things and plain names.
    const s = w(i);
    return valid(s) && !STOP_WORDS.has(s) && (!keywordAt.has(i) || NAMEABLE_KEYWORDS.has(s)) && (!s.includes(".") || isShaped(s));
  }

  // 1c. namespace/workload (or namespace/pod): "rca for shop/checkout".
  tokens.forEach((t, i) => {
    if (!free(i)) return;
    const m = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(t.w);
    if (!m) return;
    const [, ns, name] = m as unknown as [string, string, string];
    const plain = (s: string) => valid(s) && !STOP_WORDS.has(s) && (!KEYWORDS.has(s) || NAMEABLE_KEYWORDS.has(s));
    if (!plain(ns) || !plain(name) || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) return;
    finds.push({ field: "namespace", name: ns, via: "written", at: i });
    add("workload", name, "written", i);
  });

  // 2. Relations between two parties.
  let relation: { a: number; b: number; aName: string; bName: string } | null = null;
  /**
   * The word at i as one side of a relation: a free name, a name already written out
   * ("deployment x"), or a kind word after one ("the checkout pods are getting …").
   */
  const party = (i: number): number => {
    if (i < 0) return -1;
    if (positionOk(i)) return i;
    const named = (j: number) => finds.some((f) => f.at === j && (f.field === "workload" || f.field === "pod"));
    if (named(i)) return i;
    if ((WORKLOAD_KINDS.has(w(i)) || POD_KINDS.has(w(i))) && named(i - 1)) return i - 1;
    if ((WORKLOAD_KINDS.has(w(i)) || POD_KINDS.has(w(i))) && named(i + 1)) return i + 1;
    return -1;
  };
  const relate = (from: number, to: number) => {
    const a = party(from);
    const b = party(to);
    if (relation || a < 0 || b < 0 || a === b) return false;
    // Both sides are re-filed as the relation's parties, under the name already found for them.
    const take = (i: number) => {
      let name = w(i);
      for (let k = finds.length - 1; k >= 0; k--) {
        const f = finds[k]!;
        if (f.at === i && (f.field === "workload" || f.field === "pod")) {
          name = f.name;
          finds.splice(k, 1);
        }
      }
      return name;
    };
    relation = { a, b, aName: take(a), bName: take(b) };
    return true;
  };
  // "A -> B", "B <- A"
  tokens.forEach((t, i) => {
    if (t.w === "->") relate(i - 1, i + 1);
    else if (t.w === "<-") relate(i + 1, i - 1);
  });
  // "between A and B"
  tokens.forEach((t, i) => {
    if (t.w !== "between" || t.end) return;
    const a = objectOf(i);
    if (a < 0 || tokens[a]?.end) return;
    if (w(a + 1) === "and" || w(a + 1) === "&") relate(a, objectOf(a + 1));
  });
  // "A can't talk to B", "A is unable to reach B"
  for (let i = 0; i < tokens.length && !relation; i++) {
    const neg = NEGATIONS.find((n) => n.every((part, k) => w(i + k) === part));
    if (!neg) continue;
    let a = i - 1;
    // "checkout pods intermittently can't reach payments": skip the adverbs.
    while (a > 0 && (["is", "are", "still", "now", "just", "keeps", "seems", "often", "sometimes"].includes(w(a)) || /..ly$/.test(w(a)))) a--;
    let v = i + neg.length;
    if (w(v) === "to") v++;
    if (!REACH_VERBS.has(w(v))) {
      if (REACH_VERBS.has(w(v + 1)) && party(v) >= 0) [a, v] = [v, v + 1]; // "why can't frontend reach backend"
      else if (REACH_VERBS.has(w(v + 1))) v++; // "can't even reach"
      else continue;
    }
    // "talk to B", "connect with B", "reach (the) B"
    const b = ["to", "with", "into", "from"].includes(w(v + 1)) ? objectOf(v + 1) : objectOf(v);
    relate(a, b);
  }
  // "A gets 403 from B", "A is getting SERVFAIL from B"
  for (let i = 1; i < tokens.length && !relation; i++) {
    if (!GET_VERBS.has(w(i))) continue;
    let a = i - 1;
    while (a > 0 && ["is", "are", "keeps", "still", "now"].includes(w(a))) a--;
    if (party(a) < 0) continue;
    for (let j = i + 1; j < Math.min(tokens.length, i + 8); j++) {
      if (w(j) === "from") {
        relate(a, objectOf(j));
        break;
      }
      if (tokens[j]!.end) break;
    }
  }
  // "from A to B", "to B from A", "A calls B", "A talking to B"
  for (let i = 0; i < tokens.length && !relation; i++) {
    if (w(i) === "from" || w(i) === "for") {
      let a = objectOf(i);
      if (a >= 0 && isKindWord(w(a)) && !tokens[a]!.end && party(a + 1) >= 0) a = a + 1;
      if (a >= 0 && !tokens[a]?.end && ["to", "towards", "toward", "->"].includes(w(a + 1))) relate(a, objectOf(a + 1));
    } else if (w(i) === "to") {
      const b = objectOf(i);
      if (b >= 0 && !tokens[b]?.end && w(b + 1) === "from") relate(objectOf(b + 1), b);
    } else if (FLOW_WORDS.has(w(i)) && i > 0 && !tokens[i - 1]!.end) {
      const b = ["to", "with", "into"].includes(w(i + 1)) ? objectOf(i + 1) : objectOf(i);
      let a = i - 1;
      // "frontend pods keep timing out calling catalog": walk back over the clause's plain words.
      while (a > 0 && party(a) < 0 && !tokens[a - 1]!.end && STOP_WORDS.has(w(a))) a--;
      if (b >= 0) relate(a, b);
    }
  }
  let peer: PeerDraft | null = null;
  if (relation) {
    const { a, b, aName, bName: pb } = relation as { a: number; b: number; aName: string; bName: string };
    add("workload", aName, "relation", a);
    const svc = svcName(pb);
    used.add(b);
    const written = finds.findIndex((f) => f.at === b && f.field === "namespace");
    const writtenNs = written >= 0 ? finds.splice(written, 1)[0]! : null;
    peer = svc
      ? { namespace: { name: svc.namespace, via: "relation", at: b }, workload: { name: svc.workload, via: "relation", at: b }, pod: null }
      : podOwner(pb, isPlainWord) !== null
        ? { namespace: null, workload: null, pod: { name: pb, via: "relation", at: b } }
        : { namespace: null, workload: { name: pb, via: "relation", at: b }, pod: null };
    if (writtenNs && !peer.namespace) peer.namespace = { name: writtenNs.name, via: "written", at: b };
  }

  // 3. Positions: "for x", "from x", "to x"…, then a bare "in x", then the subject.
  tokens.forEach((t, i) => {
    if (!POSITION_PREPS.has(t.w) || t.end || used.has(i)) return;
    const j = objectOf(i);
    if (j >= 0 && positionOk(j)) add("workload", w(j), "position", j);
  });
  tokens.forEach((t, i) => {
    if (!IN_PREPS.has(t.w) || t.end) return;
    const j = objectOf(i);
    if (j >= 0 && positionOk(j)) add("in", w(j), "in", j);
  });
  // "is search balanced?", "why is checkout failing?", "redis keeps timing out", and the same
  // after a greeting or a channel link ("in #war-room: why is order-api failing?").
  for (let start = 0; start < tokens.length; start++) {
    if (start > 0 && !tokens[start - 1]!.end) continue;
    let s = start;
    while (s < tokens.length && (tokens[s]!.gap || FILLER_WORDS.has(w(s)))) s++;
    if (["why", "so", "how", "and", "but"].includes(w(s))) s++;
    const asked = QUESTION_AUX.has(w(s));
    if (asked) s++;
    while (ARTICLES.has(w(s))) s++;
    if (positionOk(s) && !tokens[s]!.end && (asked || SUBJECT_VERBS.has(w(s + 1)))) {
      add("workload", w(s), "subject", s);
      break;
    }
  }

  // 4. Shapes anywhere: a pod or node name needs no preposition.
  tokens.forEach((t, i) => {
    if (free(i) && valid(t.w) && (isShaped(t.w) || svcName(t.w))) add("workload", t.w, "shape", i);
  });

  return { ...assemble(finds, peer, tokens, used, keywordAt), invalid };
}

/** The name as typed after "ns:" or "namespace=", for the note about it. */
function rawAfter(raw: string, kind: string): string {
  const at = raw.toLowerCase().indexOf(kind.toLowerCase());
  return raw.slice(at + kind.length + 1).replace(/[?,!;]+$/, "");
}

/** "checkout.shop.svc.cluster.local" → workload checkout in namespace shop. */
export function svcName(s: string): { workload: string; namespace: string } | null {
  const m = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?$/.exec(s);
  return m ? { workload: m[1]!, namespace: m[2]! } : null;
}

function assemble(finds: Find[], peer: PeerDraft | null, tokens: readonly Token[], used: Set<number>, keywordAt: ReadonlySet<number>): Draft {
  // Among guesses, a name shaped like an identifier ("order-api", "redis2") beats a plain word
  // ("orders are failing, 502s from order-api"): service names carry '-' and digits, nouns do not.
  // Only across clauses: in "payments keeps timing out when called from order-api" the subject
  // is the callee, but "orders are failing, 502s from order-api" names the server in a clause of its own.
  const clause = (at: number) => tokens.slice(0, Math.max(at, 0)).filter((t) => t.end).length;
  const subjects = finds.filter((f) => f.via === "subject");
  const weight = (f: Find) => RANK[f.via]
    + (GUESSED.has(f.via) && /[-\d]/.test(f.name) && !subjects.some((x) => x !== f && clause(x.at) === clause(f.at)) ? 0.5 : 0);
  const ranked = (field: Field | "in") =>
    finds.filter((f) => f.field === field).sort((x, y) => weight(y) - weight(x) || x.at - y.at);
  const slot = (f: Find | undefined): Slot | null => (f ? { name: f.name, via: f.via, at: f.at } : null);

  const namespaces = ranked("namespace");
  const ins = ranked("in");
  const workloads = ranked("workload");
  let namespace = slot(namespaces[0]);
  // A bare "in x" names the namespace unless one is written out; then it names a workload.
  if (!namespace && ins[0]) namespace = slot(ins[0]);
  else if (ins[0]) workloads.push({ ...ins[0], field: "workload" });
  const pods = ranked("pod");
  const nodes = ranked("node");
  // "investigate shop … namespace shop": the same word is not also the workload.
  const workload = workloads.find((f) => f.via === "relation")
    ?? workloads.find((f) => f.name !== namespace?.name || f.via === "written" || f.via === "kind");
  const draft: Draft = {
    namespace,
    workload: slot(workload),
    pod: slot(pods.find((f) => f.via === "relation") ?? pods[0]),
    node: slot(nodes[0]),
    peer,
    extra: [],
    loose: [],
    invalid: [],
  };
  // A second written namespace in a two-party question is the peer's.
  for (const f of namespaces.slice(1)) {
    if (f.name === namespace?.name) continue;
    if (draft.peer && !draft.peer.namespace) draft.peer.namespace = slot(f);
    else draft.extra.push({ ...slot(f)!, field: "namespace" });
  }
  const taken = new Set([draft.namespace, draft.workload, draft.pod, draft.node, peer?.workload, peer?.pod, peer?.namespace]
    .flatMap((s) => (s ? [s.name] : [])));
  for (const f of [...workloads, ...pods, ...nodes, ...ins.slice(1)]) {
    if (taken.has(f.name)) continue;
    taken.add(f.name);
    draft.extra.push({ ...slot(f)!, field: f.field === "in" ? "namespace" : f.field });
  }
  // Words no pass claimed: an inventory may still know them.
  tokens.forEach((t, i) => {
    if (t.gap || used.has(i) || !isK8sName(t.w) || NUMERIC.test(t.w)) return;
    if (FUNCTION_WORDS.has(t.w) || (keywordAt.has(i) && !NAMEABLE_KEYWORDS.has(t.w))) return;
    draft.loose.push({ name: t.w, via: "inventory", at: i });
  });
  return draft;
}
