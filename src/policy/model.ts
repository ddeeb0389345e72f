/**
 * Network policies as netrca reads them: Kubernetes NetworkPolicy and Cilium's
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy, from what `kubectl get … -o yaml|json`
 * prints (a v1 List, one object, or multi-document YAML). Only what the evaluator needs is kept;
 * a field it does not understand is an error naming the file and the policy, never ignored,
 * since an ignored rule would give a wrong verdict.
 */
import { readFileSync } from "node:fs";

export type Labels = Record<string, string>;

export interface Requirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** A label selector; absent fields match everything; `{}` selects all. */
export interface Selector {
  matchLabels?: Labels;
  matchExpressions?: Requirement[];
}

export interface PortRule {
  protocol: "TCP" | "UDP" | "SCTP";
  /** A number, a name (a container port's), or absent: every port. */
  port?: number | string;
  endPort?: number;
}

/** One peer of a rule: pods (in namespaces), an address block, or Cilium entities. */
export type Peer =
  | { kind: "pods"; podSelector?: Selector; namespaceSelector?: Selector }
  | { kind: "ipBlock"; cidr: string; except: string[] }
  | { kind: "entities"; entities: string[] }
  | { kind: "fqdn"; names: string[]; patterns: string[] };

export interface Rule {
  /** Absent (undefined): every peer. Present and empty: none. */
  peers?: Peer[];
  /** Absent or empty: every port. */
  ports?: PortRule[];
}

export interface Policy {
  kind: "NetworkPolicy" | "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
  namespace: string | null;
  name: string;
  /** Whom it applies to: pods in `namespace` (all namespaces when null) matching this. */
  selector: Selector;
  /** The directions it isolates (Kubernetes policyTypes; Cilium: the sections present). */
  isolates: { ingress: boolean; egress: boolean };
  ingress: Rule[];
  egress: Rule[];
  ingressDeny: Rule[];
  egressDeny: Rule[];
}

export class PolicyError extends Error {
  override name = "PolicyError";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

/** Policies from files as kubectl prints them. */
export async function loadPolicies(files: string[]): Promise<Policy[]> {
  const yaml = (await import("js-yaml")).default;
  const out: Policy[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new PolicyError(`--policies ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let docs: unknown[];
    try {
      docs = yaml.loadAll(text);
    } catch (e) {
      throw new PolicyError(`--policies ${file}: not valid YAML or JSON (${(e as Error).message.split("\n")[0]})`);
    }
    for (const doc of docs) {
      if (doc === null || doc === undefined) continue;
      const items = isObj(doc) && Array.isArray(doc.items) ? doc.items : [doc];
      for (const item of items) {
        if (!isObj(item)) throw new PolicyError(`--policies ${file}: an item is not an object`);
        const p = parsePolicy(item, file);
        if (p) out.push(...p);
      }
    }
  }
  return out;
}

/** One object as policies (a Cilium policy with `specs` is several); other kinds are skipped. */
export function parsePolicy(o: Obj, file = "(inline)"): Policy[] | null {
  const kind = String(o.kind ?? "");
  const meta = isObj(o.metadata) ? o.metadata : {};
  const name = String(meta.name ?? "");
  const where = `--policies ${file}: ${kind} ${meta.namespace ? `${String(meta.namespace)}/` : ""}${name}`;
  const fail = (msg: string): never => {
    throw new PolicyError(`${where}: ${msg}`);
  };
  if (kind === "NetworkPolicy") {
    const spec = isObj(o.spec) ? o.spec : fail("no spec");
    const ns = String(meta.namespace ?? "default");
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : null;
    // Implied policyTypes: Ingress always, Egress when the policy has egress rules.
    // (An empty egress list is no egress section: the API server drops it.)
    const isolates = types ? { ingress: types.includes("Ingress"), egress: types.includes("Egress") } : { ingress: true, egress: Array.isArray(spec.egress) && spec.egress.length > 0 };
    return [{
      kind, namespace: ns, name, selector: selector(spec.podSelector ?? {}, fail, "spec.podSelector"), isolates,
      ingress: rules(spec.ingress, "from", fail, "spec.ingress"), egress: rules(spec.egress, "to", fail, "spec.egress"), ingressDeny: [], egressDeny: [],
    }];
  }
  if (kind === "CiliumNetworkPolicy" || kind === "CiliumClusterwideNetworkPolicy") {
    const specs = Array.isArray(o.specs) ? o.specs : [o.spec];
    const ns = kind === "CiliumNetworkPolicy" ? String(meta.namespace ?? "default") : null;
    return specs.map((spec, i) => {
      if (!isObj(spec)) return fail(`spec${Array.isArray(o.specs) ? `s[${i}]` : ""} is not an object`);
      if (spec.nodeSelector) fail("nodeSelector (host policies) is not evaluated");
      const sel = spec.endpointSelector ?? fail("no endpointSelector");
      // A section with rules puts the endpoint in default deny that way (an empty list does not),
      // unless enableDefaultDeny says otherwise.
      const has = (k: string) => Array.isArray(spec[k]) && (spec[k] as unknown[]).length > 0;
      const dd = isObj(spec.enableDefaultDeny) ? spec.enableDefaultDeny : {};
      return {
        kind: kind as Policy["kind"], namespace: ns, name, selector: ciliumSelector(sel, fail, "endpointSelector"),
        // A section present (even empty) makes the endpoint default-deny in that direction.
        isolates: {
          ingress: typeof dd.ingress === "boolean" ? dd.ingress && (has("ingress") || has("ingressDeny")) : has("ingress") || has("ingressDeny"),
          egress: typeof dd.egress === "boolean" ? dd.egress && (has("egress") || has("egressDeny")) : has("egress") || has("egressDeny"),
        },
        ingress: ciliumRules(spec.ingress, "from", fail, "ingress"), egress: ciliumRules(spec.egress, "to", fail, "egress"),
        ingressDeny: ciliumRules(spec.ingressDeny, "from", fail, "ingressDeny"), egressDeny: ciliumRules(spec.egressDeny, "to", fail, "egressDeny"),
      };
    });
  }
  return null;
}

function selector(v: unknown, fail: (m: string) => never, at: string): Selector {
  if (v === null || v === undefined) return {};
  if (!isObj(v)) return fail(`${at} is not a label selector`);
  const out: Selector = {};
  if (v.matchLabels !== undefined) {
    if (!isObj(v.matchLabels)) fail(`${at}.matchLabels is not a map`);
    out.matchLabels = Object.fromEntries(Object.entries(v.matchLabels as Obj).map(([k, x]) => [k, String(x)]));
  }
  if (v.matchExpressions !== undefined) {
    if (!Array.isArray(v.matchExpressions)) fail(`${at}.matchExpressions is not a list`);
    out.matchExpressions = (v.matchExpressions as unknown[]).map((e, i) => {
      if (!isObj(e) || typeof e.key !== "string") return fail(`${at}.matchExpressions[${i}] has no key`);
      const op = String(e.operator);
      if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(op)) fail(`${at}.matchExpressions[${i}].operator ${op} is not In, NotIn, Exists or DoesNotExist`);
      return { key: e.key, operator: op as Requirement["operator"], ...(Array.isArray(e.values) && { values: e.values.map(String) }) };
    });
  }
  return out;
}

/** Cilium selectors write labels as `k8s:app` or `app`; namespace as `k8s:io.kubernetes.pod.namespace`. */
function ciliumSelector(v: unknown, fail: (m: string) => never, at: string): Selector {
  const s = selector(v, fail, at);
  const strip = (k: string) => k.replace(/^(k8s|any):/, "");
  return {
    ...(s.matchLabels && { matchLabels: Object.fromEntries(Object.entries(s.matchLabels).map(([k, x]) => [strip(k), x])) }),
    ...(s.matchExpressions && { matchExpressions: s.matchExpressions.map((e) => ({ ...e, key: strip(e.key) })) }),
  };
}

function ports(v: unknown, fail: (m: string) => never, at: string): PortRule[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return fail(`${at} is not a list`);
  return v.map((p, i) => {
    if (!isObj(p)) return fail(`${at}[${i}] is not an object`);
    const protocol = String(p.protocol ?? "TCP").toUpperCase();
    if (!["TCP", "UDP", "SCTP"].includes(protocol)) fail(`${at}[${i}].protocol ${protocol} is not TCP, UDP or SCTP`);
    const port = p.port === undefined ? undefined : typeof p.port === "number" ? p.port : /^\d+$/.test(String(p.port)) ? Number(p.port) : String(p.port);
    return { protocol: protocol as PortRule["protocol"], ...(port !== undefined && { port }), ...(typeof p.endPort === "number" && { endPort: p.endPort }) };
  });
}

function rules(v: unknown, peersKey: "from" | "to", fail: (m: string) => never, at: string): Rule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${at} is not a list`);
  return v.map((r, i) => {
    if (!isObj(r)) return fail(`${at}[${i}] is not an object`);
    const where = `${at}[${i}]`;
    const peersRaw = r[peersKey];
    const peers = peersRaw === undefined || peersRaw === null ? undefined : Array.isArray(peersRaw) ? peersRaw.map((p, j) => k8sPeer(p, fail, `${where}.${peersKey}[${j}]`)) : fail(`${where}.${peersKey} is not a list`);
    const pr = ports(r.ports, fail, `${where}.ports`);
    // An empty `from`/`to` list is the same as none: every peer.
    return { ...(peers && peers.length > 0 && { peers }), ...(pr && pr.length > 0 && { ports: pr }) };
  });
}

function k8sPeer(p: unknown, fail: (m: string) => never, at: string): Peer {
  if (!isObj(p)) return fail(`${at} is not an object`);
  if (p.ipBlock !== undefined) {
    const b = isObj(p.ipBlock) ? p.ipBlock : fail(`${at}.ipBlock is not an object`);
    if (typeof b.cidr !== "string") fail(`${at}.ipBlock has no cidr`);
    return { kind: "ipBlock", cidr: String(b.cidr), except: Array.isArray(b.except) ? b.except.map(String) : [] };
  }
  if (p.podSelector === undefined && p.namespaceSelector === undefined) fail(`${at} has no podSelector, namespaceSelector or ipBlock`);
  return { kind: "pods", ...(p.podSelector !== undefined && { podSelector: selector(p.podSelector, fail, `${at}.podSelector`) }), ...(p.namespaceSelector !== undefined && { namespaceSelector: selector(p.namespaceSelector, fail, `${at}.namespaceSelector`) }) };
}

function ciliumRules(v: unknown, dir: "from" | "to", fail: (m: string) => never, at: string): Rule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${at} is not a list`);
  const E = dir === "from" ? "fromEndpoints" : "toEndpoints";
  const N = dir === "from" ? "fromEntities" : "toEntities";
  const C = dir === "from" ? "fromCIDR" : "toCIDR";
  const S = dir === "from" ? "fromCIDRSet" : "toCIDRSet";
  return v.map((r, i) => {
    if (!isObj(r)) return fail(`${at}[${i}] is not an object`);
    const where = `${at}[${i}]`;
    for (const k of Object.keys(r)) {
      if (![E, N, C, S, "toPorts", "toFQDNs", "icmps"].includes(k)) fail(`${where}.${k} is not evaluated by netrca`);
    }
    const peers: Peer[] = [];
    let named = false;
    if (r[E] !== undefined) {
      named = true;
      if (!Array.isArray(r[E])) fail(`${where}.${E} is not a list`);
      for (const [j, s] of (r[E] as unknown[]).entries()) peers.push({ kind: "pods", podSelector: ciliumSelector(s, fail, `${where}.${E}[${j}]`), namespaceSelector: { matchLabels: { [CILIUM_SAME_NS]: "" } } });
    }
    if (r[N] !== undefined) {
      named = true;
      peers.push({ kind: "entities", entities: (r[N] as unknown[]).map(String) });
    }
    for (const c of [...((r[C] as unknown[] | undefined) ?? [])]) {
      named = true;
      peers.push({ kind: "ipBlock", cidr: String(c), except: [] });
    }
    for (const c of [...((r[S] as Obj[] | undefined) ?? [])]) {
      named = true;
      peers.push({ kind: "ipBlock", cidr: String(c.cidr), except: Array.isArray(c.except) ? c.except.map(String) : [] });
    }
    if (r.toFQDNs !== undefined) {
      named = true;
      const list = (r.toFQDNs as Obj[]).map((f) => f);
      peers.push({ kind: "fqdn", names: list.flatMap((f) => (f.matchName ? [String(f.matchName)] : [])), patterns: list.flatMap((f) => (f.matchPattern ? [String(f.matchPattern)] : [])) });
    }
    const pr = Array.isArray(r.toPorts) ? (r.toPorts as Obj[]).flatMap((tp, j) => ports(tp.ports, fail, `${where}.toPorts[${j}].ports`) ?? []) : undefined;
    // Ports alone admit every peer on them ("egress only on port 80"); a rule with neither
    // admits nothing (`ingress: [{}]` is Cilium's default deny); `{}` in fromEndpoints is the namespace's pods.
    const hasPorts = !!pr && pr.length > 0;
    return { ...(named ? { peers } : hasPorts ? {} : { peers: [] }), ...(hasPorts && { ports: pr }) };
  });
}

/**
 * A marker for "the policy's own namespace, unless the selector names one": a Cilium
 * endpoint selector in a namespaced policy is limited to that namespace by default.
 */
export const CILIUM_SAME_NS = "netrca.io/same-namespace";
