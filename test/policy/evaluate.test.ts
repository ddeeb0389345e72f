// The evaluator against the specifications: each case's expected verdict is what the Kubernetes
// NetworkPolicy documentation and reference (or Cilium's policy documentation) say, written here
// before running it, not read back from the code.
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { evaluate, inCidr, type Endpoint, type FlowSpec } from "../../src/policy/evaluate.js";
import { parsePolicy, type Policy } from "../../src/policy/model.js";

const pol = (text: string): Policy[] => yaml.loadAll(text).flatMap((d) => parsePolicy(d as Record<string, unknown>) ?? []);
const pod = (namespace: string, labels: Record<string, string>, extra: Partial<Endpoint> = {}): Endpoint => ({ namespace, labels, ...extra });
const ext = (ip: string, extra: Partial<Endpoint> = {}): Endpoint => ({ namespace: null, labels: {}, ip, entity: "world", ...extra });
const flow = (src: Endpoint, dst: Endpoint, port: number, protocol: FlowSpec["protocol"] = "TCP"): FlowSpec => ({ src, dst, port, protocol });

// https://kubernetes.io/docs/concepts/services-networking/network-policies/ "test-network-policy"
const DOCS_EXAMPLE = pol(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: test-network-policy, namespace: default }
spec:
  podSelector: { matchLabels: { role: db } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - ipBlock: { cidr: 172.17.0.0/16, except: [172.17.1.0/24] }
        - namespaceSelector: { matchLabels: { project: myproject } }
        - podSelector: { matchLabels: { role: frontend } }
      ports: [{ protocol: TCP, port: 6379 }]
  egress:
    - to: [{ ipBlock: { cidr: 10.0.0.0/24 } }]
      ports: [{ protocol: TCP, port: 5978 }]
`);
const db = pod("default", { role: "db" });
const frontend = pod("default", { role: "frontend" });
const myproject = (labels: Record<string, string>) => pod("myproject-ns", labels, { namespaceLabels: { project: "myproject" } });

// The docs' "and" versus "or" of namespaceSelector and podSelector.
const AND = pol(`
kind: NetworkPolicy
metadata: { name: and, namespace: app }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { user: alice } }
          podSelector: { matchLabels: { role: client } }
`);
const OR = pol(`
kind: NetworkPolicy
metadata: { name: or, namespace: app }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { user: alice } }
        - podSelector: { matchLabels: { role: client } }
`);
const api = pod("app", { app: "api" });
const alice = (labels: Record<string, string>) => pod("alice-ns", labels, { namespaceLabels: { user: "alice" } });
const bob = (labels: Record<string, string>) => pod("bob-ns", labels, { namespaceLabels: { user: "bob" } });

const DENY_INGRESS = pol(`kind: NetworkPolicy\nmetadata: { name: default-deny-ingress, namespace: shop }\nspec: { podSelector: {}, policyTypes: [Ingress] }`);
const ALLOW_ALL_INGRESS = pol(`kind: NetworkPolicy\nmetadata: { name: allow-all-ingress, namespace: shop }\nspec: { podSelector: {}, ingress: [{}], policyTypes: [Ingress] }`);
const DENY_EGRESS = pol(`kind: NetworkPolicy\nmetadata: { name: default-deny-egress, namespace: shop }\nspec: { podSelector: {}, policyTypes: [Egress] }`);
const DENY_ALL = pol(`kind: NetworkPolicy\nmetadata: { name: default-deny-all, namespace: shop }\nspec: { podSelector: {}, policyTypes: [Ingress, Egress] }`);
const IMPLIED_INGRESS_ONLY = pol(`kind: NetworkPolicy\nmetadata: { name: only-ingress, namespace: shop }\nspec: { podSelector: { matchLabels: { app: a } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: b } } }] }] }`);
const IMPLIED_BOTH = pol(`kind: NetworkPolicy\nmetadata: { name: egress-rules, namespace: shop }\nspec: { podSelector: { matchLabels: { app: a } }, egress: [{ to: [{ podSelector: { matchLabels: { app: b } } }] }] }`);
const EMPTY_EGRESS_LIST = pol(`kind: NetworkPolicy\nmetadata: { name: empty-egress, namespace: shop }\nspec: { podSelector: { matchLabels: { app: a } }, ingress: [{}], egress: [] }`);
const END_PORT = pol(`kind: NetworkPolicy\nmetadata: { name: range, namespace: shop }\nspec: { podSelector: { matchLabels: { app: a } }, ingress: [{ ports: [{ protocol: TCP, port: 32000, endPort: 32768 }] }] }`);
const NAMED_PORT = pol(`kind: NetworkPolicy\nmetadata: { name: named, namespace: shop }\nspec: { podSelector: { matchLabels: { app: a } }, ingress: [{ ports: [{ port: http }] }] }`);
const EXPRESSIONS = pol(`kind: NetworkPolicy
metadata: { name: exprs, namespace: shop }
spec:
  podSelector: { matchExpressions: [{ key: tier, operator: In, values: [db, cache] }] }
  ingress:
    - from: [{ podSelector: { matchExpressions: [{ key: env, operator: NotIn, values: [dev] }, { key: team, operator: Exists }, { key: blocked, operator: DoesNotExist }] } }]`);
const BY_NAMESPACE_NAME = pol(`kind: NetworkPolicy\nmetadata: { name: from-monitoring, namespace: shop }\nspec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } } }] }] }`);
const ANY_NAMESPACE = pol(`kind: NetworkPolicy\nmetadata: { name: any-ns, namespace: shop }\nspec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }`);
const A = pod("shop", { app: "a" });
const B = pod("shop", { app: "b" });
const C = pod("shop", { app: "c" });

// Cilium: https://docs.cilium.io/en/stable/security/policy/language/ and …/deny/
const CNP_WEB_TO_API = pol(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web-to-api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
    - fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: ops, app: probe } }]
`);
const CNP_WORLD = pol(`kind: CiliumNetworkPolicy\nmetadata: { name: from-world, namespace: shop }\nspec: { endpointSelector: { matchLabels: { app: edge } }, ingress: [{ fromEntities: [world] }] }`);
const CNP_CLUSTER = pol(`kind: CiliumNetworkPolicy\nmetadata: { name: from-cluster, namespace: shop }\nspec: { endpointSelector: { matchLabels: { app: edge } }, ingress: [{ fromEntities: [cluster] }] }`);
const CNP_DENY = pol(`
kind: CiliumNetworkPolicy
metadata: { name: allow-all-deny-web-80, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress: [{ fromEntities: [all] }]
  ingressDeny:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
`);
const CNP_FQDN = pol(`
kind: CiliumNetworkPolicy
metadata: { name: to-partner, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: checkout } }
  egress:
    - toFQDNs: [{ matchName: api.partner.example.com }, { matchPattern: "*.cdn.example.net" }]
`);
const CNP_PORTS_ONLY = pol(`kind: CiliumNetworkPolicy\nmetadata: { name: egress-80, namespace: shop }\nspec: { endpointSelector: { matchLabels: { app: checkout } }, egress: [{ toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }] }`);
const CNP_EMPTY_RULE = pol(`kind: CiliumNetworkPolicy\nmetadata: { name: deny-in, namespace: shop }\nspec: { endpointSelector: { matchLabels: { app: api } }, ingress: [{}], egress: [] }`);
const CCNP_ALL = pol(`kind: CiliumClusterwideNetworkPolicy\nmetadata: { name: probe-everywhere }\nspec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: probe } }] }] }`);
const web = pod("shop", { app: "web" });
const apiShop = pod("shop", { app: "api" });
const edge = pod("shop", { app: "edge" });
const checkout = pod("shop", { app: "checkout" });

type Case = [string, Policy[], FlowSpec, boolean, ("egress" | "ingress" | null)?];
const CASES: Case[] = [
  // The docs' example (ns default, role=db).
  ["frontend → db:6379 (podSelector peer, same namespace)", DOCS_EXAMPLE, flow(frontend, db, 6379), true],
  ["frontend → db:6380 (port not listed)", DOCS_EXAMPLE, flow(frontend, db, 6380), false, "ingress"],
  ["frontend → db:6379/UDP (protocol not listed)", DOCS_EXAMPLE, flow(frontend, db, 6379, "UDP"), false, "ingress"],
  ["any pod of a project=myproject namespace → db:6379", DOCS_EXAMPLE, flow(myproject({ any: "thing" }), db, 6379), true],
  ["role=frontend in another namespace → db:6379 (podSelector alone is the policy's namespace)", DOCS_EXAMPLE, flow(pod("other", { role: "frontend" }), db, 6379), false, "ingress"],
  ["172.17.0.5 → db:6379 (ipBlock)", DOCS_EXAMPLE, flow(ext("172.17.0.5"), db, 6379), true],
  ["172.17.1.5 → db:6379 (in except)", DOCS_EXAMPLE, flow(ext("172.17.1.5"), db, 6379), false, "ingress"],
  ["8.8.8.8 → db:6379 (outside the block)", DOCS_EXAMPLE, flow(ext("8.8.8.8"), db, 6379), false, "ingress"],
  ["db → 10.0.0.7:5978 (egress ipBlock)", DOCS_EXAMPLE, flow(db, ext("10.0.0.7"), 5978), true],
  ["db → 10.0.0.7:5979 (egress port not listed)", DOCS_EXAMPLE, flow(db, ext("10.0.0.7"), 5979), false, "egress"],
  ["db → frontend:8080 (db's egress isolated, only the block allowed)", DOCS_EXAMPLE, flow(db, frontend, 8080), false, "egress"],
  ["cache → frontend (no policy selects either: not isolated)", DOCS_EXAMPLE, flow(pod("default", { role: "cache" }), frontend, 8080), true],
  // AND versus OR.
  ["AND: role=client in a user=alice namespace", AND, flow(alice({ role: "client" }), api, 443), true],
  ["AND: another role in a user=alice namespace", AND, flow(alice({ role: "other" }), api, 443), false, "ingress"],
  ["AND: role=client in a user=bob namespace", AND, flow(bob({ role: "client" }), api, 443), false, "ingress"],
  ["OR: any pod of a user=alice namespace", OR, flow(alice({ role: "other" }), api, 443), true],
  ["OR: role=client in the policy's own namespace", OR, flow(pod("app", { role: "client" }), api, 443), true],
  ["OR: role=client in a user=bob namespace (podSelector alone is the policy's namespace)", OR, flow(bob({ role: "client" }), api, 443), false, "ingress"],
  // Default policies.
  ["default-deny-ingress: any pod into the namespace", DENY_INGRESS, flow(B, A, 80), false, "ingress"],
  ["default-deny-ingress leaves egress alone", DENY_INGRESS, flow(A, ext("1.1.1.1"), 443), true],
  ["allow-all-ingress next to default-deny-ingress: the union allows", [...DENY_INGRESS, ...ALLOW_ALL_INGRESS], flow(B, A, 80), true],
  ["default-deny-egress: even to a pod of the same namespace", DENY_EGRESS, flow(A, B, 80), false, "egress"],
  ["default-deny-all: ingress denied", DENY_ALL, flow(pod("other", {}), A, 80), false, "ingress"],
  ["default-deny-all: egress denied", DENY_ALL, flow(A, ext("1.1.1.1"), 443), false, "egress"],
  ["no policyTypes, ingress rules only: egress is not isolated", IMPLIED_INGRESS_ONLY, flow(A, C, 80), true],
  ["no policyTypes, ingress rules only: b → a allowed", IMPLIED_INGRESS_ONLY, flow(B, A, 80), true],
  ["no policyTypes, ingress rules only: c → a denied", IMPLIED_INGRESS_ONLY, flow(C, A, 80), false, "ingress"],
  ["no policyTypes, egress rules: Ingress is implied too, and has no rules", IMPLIED_BOTH, flow(C, A, 80), false, "ingress"],
  ["no policyTypes, egress rules: a → b allowed", IMPLIED_BOTH, flow(A, B, 80), true],
  ["no policyTypes, egress rules: a → c denied", IMPLIED_BOTH, flow(A, C, 80), false, "egress"],
  ["no policyTypes, an empty egress list: no egress section", EMPTY_EGRESS_LIST, flow(A, C, 80), true],
  // Ports.
  ["endPort: inside the range", END_PORT, flow(B, A, 32500), true],
  ["endPort: the first port", END_PORT, flow(B, A, 32000), true],
  ["endPort: the last port", END_PORT, flow(B, A, 32768), true],
  ["endPort: one past it", END_PORT, flow(B, A, 32769), false, "ingress"],
  ["named port resolved from the destination's container ports", NAMED_PORT, flow(B, pod("shop", { app: "a" }, { namedPorts: { http: 8080 } }), 8080), true],
  ["named port not resolved to this number", NAMED_PORT, flow(B, pod("shop", { app: "a" }, { namedPorts: { http: 8080 } }), 9090), false, "ingress"],
  // Selectors.
  ["In: tier=cache is selected; a team pod without env=dev or blocked is admitted", EXPRESSIONS, flow(pod("shop", { team: "x", env: "prod" }), pod("shop", { tier: "cache" }), 80), true],
  ["NotIn: env=dev is not admitted", EXPRESSIONS, flow(pod("shop", { team: "x", env: "dev" }), pod("shop", { tier: "db" }), 80), false, "ingress"],
  ["Exists: no team label is not admitted", EXPRESSIONS, flow(pod("shop", { env: "prod" }), pod("shop", { tier: "db" }), 80), false, "ingress"],
  ["DoesNotExist: a blocked label is not admitted", EXPRESSIONS, flow(pod("shop", { team: "x", blocked: "yes" }), pod("shop", { tier: "db" }), 80), false, "ingress"],
  ["In: tier=web is not selected, so not isolated", EXPRESSIONS, flow(pod("shop", {}), pod("shop", { tier: "web" }), 80), true],
  ["kubernetes.io/metadata.name selects the monitoring namespace", BY_NAMESPACE_NAME, flow(pod("monitoring", { app: "prometheus" }), A, 9090), true],
  ["kubernetes.io/metadata.name: another namespace is not admitted", BY_NAMESPACE_NAME, flow(pod("pets", {}), A, 9090), false, "ingress"],
  ["namespaceSelector {}: a pod of any namespace", ANY_NAMESPACE, flow(pod("pets", {}), A, 80), true],
  ["namespaceSelector {}: not a peer outside the cluster", ANY_NAMESPACE, flow(ext("8.8.8.8"), A, 80), false, "ingress"],
  ["egress denied at the source though the destination admits", [...DENY_EGRESS, ...ALLOW_ALL_INGRESS], flow(A, B, 80), false, "egress"],
  // Cilium.
  ["CNP: web → api:80 from the same namespace", CNP_WEB_TO_API, flow(web, apiShop, 80), true],
  ["CNP: web → api:81 (port not listed)", CNP_WEB_TO_API, flow(web, apiShop, 81), false, "ingress"],
  ["CNP: app=web of another namespace (endpoint selectors stay in the policy's namespace)", CNP_WEB_TO_API, flow(pod("pets", { app: "web" }), apiShop, 80), false, "ingress"],
  ["CNP: a selector naming io.kubernetes.pod.namespace reaches that namespace", CNP_WEB_TO_API, flow(pod("ops", { app: "probe" }), apiShop, 9000), true],
  ["CNP: fromEntities world admits an address outside the cluster", CNP_WORLD, flow(ext("203.0.113.9"), edge, 443), true],
  ["CNP: fromEntities world does not admit a pod", CNP_WORLD, flow(web, edge, 443), false, "ingress"],
  ["CNP: fromEntities cluster admits a pod of any namespace", CNP_CLUSTER, flow(pod("pets", {}), edge, 443), true],
  ["CNP: fromEntities cluster admits the host", CNP_CLUSTER, flow({ namespace: null, labels: {}, entity: "host" }, edge, 443), true],
  ["CNP: fromEntities cluster does not admit the world", CNP_CLUSTER, flow(ext("203.0.113.9"), edge, 443), false, "ingress"],
  ["deny wins: web → api:80 denied despite an allow-all", CNP_DENY, flow(web, apiShop, 80), false, "ingress"],
  ["deny only where it says: web → api:81 allowed", CNP_DENY, flow(web, apiShop, 81), true],
  ["deny only whom it says: another pod → api:80 allowed", CNP_DENY, flow(pod("shop", { app: "other" }), apiShop, 80), true],
  ["toFQDNs matchName", CNP_FQDN, flow(checkout, ext("198.51.100.7", { dnsName: "api.partner.example.com." }), 443), true],
  ["toFQDNs: another name", CNP_FQDN, flow(checkout, ext("198.51.100.8", { dnsName: "evil.example.org" }), 443), false, "egress"],
  ["toFQDNs matchPattern *.cdn.example.net", CNP_FQDN, flow(checkout, ext("198.51.100.9", { dnsName: "img.cdn.example.net" }), 443), true],
  ["toPorts alone: any destination on port 80", CNP_PORTS_ONLY, flow(checkout, ext("203.0.113.1"), 80), true],
  ["toPorts alone: not port 443", CNP_PORTS_ONLY, flow(checkout, ext("203.0.113.1"), 443), false, "egress"],
  ["CNP ingress: [{}] is default deny", CNP_EMPTY_RULE, flow(web, apiShop, 80), false, "ingress"],
  ["CNP egress: [] does not isolate egress", CNP_EMPTY_RULE, flow(apiShop, web, 80), true],
  ["CCNP: an endpoint selector in a clusterwide policy reaches every namespace", CCNP_ALL, flow(pod("ops", { app: "probe" }), pod("pets", { app: "db" }), 5432), true],
  ["CCNP: a pod it does not name is denied (every pod is isolated)", CCNP_ALL, flow(pod("ops", { app: "other" }), pod("pets", { app: "db" }), 5432), false, "ingress"],
  ["NetworkPolicy and CiliumNetworkPolicy together: the union of their allows", [...DENY_INGRESS.map((p) => ({ ...p, selector: {} })), ...CNP_WEB_TO_API], flow(web, apiShop, 80), true],
];

describe("policy verdicts by the specifications", () => {
  it("has at least 40 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(40));
  it.each(CASES)("%s", (_what, policies, f, allowed, deniedAt = null) => {
    const v = evaluate(policies, f);
    expect(v.allowed).toBe(allowed);
    expect(v.deniedAt).toBe(deniedAt);
  });

  it("names what decides: the allowing rule, or the policies that isolate and admit none of it", () => {
    const ok = evaluate(DOCS_EXAMPLE, flow(frontend, db, 6379));
    expect(ok.ingress.allowedBy.map((r) => `${r.policy.namespace}/${r.policy.name}#${r.rule}`)).toEqual(["default/test-network-policy#0"]);
    const no = evaluate(DOCS_EXAMPLE, flow(pod("other", { role: "frontend" }), db, 6379));
    expect(no.ingress.selecting.map((p) => p.name)).toEqual(["test-network-policy"]);
    expect(no.ingress.allowedBy).toEqual([]);
    const denied = evaluate(CNP_DENY, flow(web, apiShop, 80));
    expect(denied.ingress.deniedBy.map((r) => r.policy.name)).toEqual(["allow-all-deny-web-80"]);
  });

  it("a named port the data cannot resolve is uncertain, and says so", () => {
    const v = evaluate(NAMED_PORT, flow(B, A, 8080));
    expect(v.allowed).toBe(false);
    expect(v.ingress.uncertain).toEqual(['the named port "http" (the data does not say which number it is)']);
  });

  it("CIDR arithmetic, IPv4 and IPv6", () => {
    expect(inCidr("10.0.0.255", "10.0.0.0/24")).toBe(true);
    expect(inCidr("10.0.1.0", "10.0.0.0/24")).toBe(false);
    expect(inCidr("10.1.2.3", "0.0.0.0/0")).toBe(true);
    expect(inCidr("fd00::1:17", "fd00::/16")).toBe(true);
    expect(inCidr("fe80::1", "fd00::/16")).toBe(false);
    expect(inCidr("10.0.0.1", "fd00::/16")).toBe(false);
  });

  it("a policy field it does not evaluate is an error naming the file and the policy, not ignored", () => {
    expect(() => pol(`kind: CiliumNetworkPolicy\nmetadata: { name: l7, namespace: shop }\nspec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], toServices: [{ k8sService: { serviceName: x } }] }] }`))
      .toThrow('--policies (inline): CiliumNetworkPolicy shop/l7: ingress[0].toServices is not evaluated by netrca');
    expect(() => pol(`kind: NetworkPolicy\nmetadata: { name: bad, namespace: shop }\nspec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: a, operator: Gt }] } }] }] }`))
      .toThrow(/NetworkPolicy shop\/bad: spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchExpressions\[0\]\.operator Gt is not In, NotIn, Exists or DoesNotExist/);
  });
});
