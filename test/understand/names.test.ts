import { describe, expect, it } from "vitest";
import { isK8sName } from "../../src/model/k8s-name.js";
import type { Scope } from "../../src/model/question.js";
import { parseQuestion } from "../../src/understand/index.js";
import { isNodeShaped, isPodShaped } from "../../src/understand/shapes.js";
import { NOW } from "./cases.js";

const scope = (q: string) => parseQuestion(q, { now: NOW }).scope;
const names = (s: Scope) => ({ namespace: s.namespace, workload: s.workload, pod: s.pod, node: s.node, peer: s.peer });
const only = (x: Partial<ReturnType<typeof names>>) => ({ namespace: null, workload: null, pod: null, node: null, peer: null, ...x });

describe("namespace forms", () => {
  it.each([
    "dns ns:shop", "dns namespace:shop", "dns namespace=shop", "dns ns=shop", "dns -n shop", "dns --namespace shop",
    "dns --namespace=shop", "dns in namespace shop", "dns namespace shop", "dns in ns shop", "dns in the shop namespace",
    "dns shop namespace", "dns errors in shop", "dns in Namespace SHOP", "dns namespace: shop", "dns ns/shop",
    "dns, namespace \"shop\"", "dns in ns shop?",
  ])("%s", (q) => {
    expect(names(scope(q))).toEqual(only({ namespace: "shop" }));
  });

  it("namespace/workload", () => {
    expect(names(scope("rca for shop/checkout"))).toEqual(only({ namespace: "shop", workload: "checkout" }));
    expect(names(scope("drops for shop/checkout-5d8c7b9f4-qx2lm"))).toEqual(only({ namespace: "shop", pod: "checkout-5d8c7b9f4-qx2lm" }));
  });

  it("a service DNS name gives workload and namespace", () => {
    expect(names(scope("investigate checkout.shop.svc.cluster.local"))).toEqual(only({ namespace: "shop", workload: "checkout" }));
  });

  it("a written namespace outranks a bare 'in x', which then names the workload", () => {
    expect(names(scope("errors in checkout in namespace shop"))).toEqual(only({ namespace: "shop", workload: "checkout" }));
  });

  it("notes the guess when a bare 'in x' is read as a namespace", () => {
    expect(parseQuestion("dns errors for cart in shop", { now: NOW }).notes).toContain("'shop' read as a namespace");
  });
});

describe("workload forms", () => {
  it.each([
    "drops for deployment orders", "drops for the orders deployment", "drops for workload orders", "drops for orders pods",
    "drops for orders", "drops from orders", "drops to orders", "latency of orders", "what's wrong with orders",
    "drops for deploy/orders", "drops for app=orders", "drops for svc orders", "drops for the orders service",
    "drops for orders?", "drops for orders's pods", "drops for orders, please", "is orders dropping packets?", "orders keeps dropping",
    "drops on the orders statefulset", "drops for ORDERS",
  ])("%s", (q) => {
    expect(names(scope(q))).toEqual(only({ workload: "orders" }));
  });

  it("keywords that name components can be workloads", () => {
    expect(scope("we get SERVFAIL from coredns").workload).toBe("coredns");
    expect(scope("errors from the kafka pods").workload).toBe("kafka");
  });

  it.each([
    "drops for the network", "drops in the last hour", "errors for pods", "dns errors for traffic", "what's wrong with the errors",
    "show drops for each namespace", "traffic from outside the cluster", "drops with reason policy denied", "drops for example",
    "how much traffic goes to the internet", "which pod gets the most traffic", "kafka messages dropped", "top-10 talkers",
    "latency to api.partner.example.com", "traffic for 10.0.0.1", "drops for 403", "errors over 5xx", "are there drops at all",
  ])("no name in '%s'", (q) => {
    expect(names(scope(q))).toEqual(only({}));
  });
});

describe("names that are not Kubernetes names never reach the scope", () => {
  it.each([
    "dns errors in foo_bar", "drops for ../../etc", "drops in ns:../../x", "dns for Checkout_Service", "drops for pod:Foo$bar",
    "drops in namespace=a..b", "drops for deployment -rf", "drops for ns:-shop", `drops for ${"a".repeat(254)}`,
    "drops in namespace shop;rm", "drops for 'a b'", "drops for $(whoami)", "drops in ns:%2e%2e", "drops for checkout_svc",
    "drops in ns:a.b", `drops in namespace ${"n".repeat(64)}`,
  ])("%s", (q) => {
    const s = scope(q);
    for (const n of [s.namespace, s.workload, s.pod, s.node, s.peer?.namespace, s.peer?.workload, s.peer?.pod]) {
      if (n !== null && n !== undefined) expect(isK8sName(n), n).toBe(true);
    }
    expect(s.workload === null || !/[_$/.;%']/.test(s.workload)).toBe(true);
    expect(s.namespace === null || /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(s.namespace), "namespaces are DNS-1123 labels").toBe(true);
  });

  it("strips trailing punctuation and a possessive", () => {
    expect(scope("why is checkout's dns failing?").workload).toBe("checkout");
    expect(scope("drops in kube-system.").namespace).toBe("kube-system");
  });
});

describe("pods and nodes by shape", () => {
  it.each([
    ["api-5d8c7b9f4-qx2lm", true], ["kapinger-bad-6659b89fd8-zjb9k", true], ["rabbitmq-0", true], ["mongodb-0", true],
    ["kafka-12", true], ["cilium-x7k2p", true], ["kube-proxy-9zq4d", true],
    ["api", false], ["payment-gateway", false], ["api-v2", false], ["top-10", false], ["api-5d8c7b9f4-qa2lm", false],
    ["aks-nodepool1-27013129-vmss000003", false], ["web-front", false],
  ])("pod shape %s: %s", (name, pod) => {
    expect(isPodShaped(name, (w) => w === "top")).toBe(pod);
  });

  it.each([
    ["aks-nodepool1-27013129-vmss000003", true], ["aks-userpool-12345678-vmss00000a", true], ["aks-nodepool1-27013129-0", true],
    ["ip-10-0-1-23.ec2.internal", true], ["gke-prod-default-pool-1a2b3c4d-xz12", true], ["rabbitmq-0", false], ["aks", false],
  ])("node shape %s: %s", (name, node) => {
    expect(isNodeShaped(name)).toBe(node);
  });

  it("a pod-shaped name sets pod only", () => {
    expect(names(scope("policy denied drops for kapinger-bad-6659b89fd8-zjb9k"))).toEqual(only({ pod: "kapinger-bad-6659b89fd8-zjb9k" }));
    expect(names(scope("errors for pod checkout"))).toEqual(only({ pod: "checkout" }));
    expect(names(scope("dns for pod:api-5d8c7b9f4-qx2lm"))).toEqual(only({ pod: "api-5d8c7b9f4-qx2lm" }));
    expect(names(scope("drops in rabbitmq-0"))).toEqual(only({ pod: "rabbitmq-0" }));
  });

  it("nodes by shape and by word", () => {
    expect(names(scope("drops on aks-nodepool1-27013129-vmss000003"))).toEqual(only({ node: "aks-nodepool1-27013129-vmss000003" }));
    expect(names(scope("health of node worker-big"))).toEqual(only({ node: "worker-big" }));
    expect(names(scope("health of node:worker-big"))).toEqual(only({ node: "worker-big" }));
    expect(names(scope("node network health"))).toEqual(only({}));
  });
});

describe("two parties", () => {
  const peer = (workload: string | null, pod: string | null = null, namespace: string | null = null) => ({ namespace, workload, pod });
  it.each([
    ["frontend can't talk to backend", "frontend", peer("backend")],
    ["frontend cannot reach backend", "frontend", peer("backend")],
    ["frontend is unable to connect to backend", "frontend", peer("backend")],
    ["frontend can not connect with the backend", "frontend", peer("backend")],
    ["why can't frontend reach backend?", "frontend", peer("backend")],
    ["frontend fails to reach backend", "frontend", peer("backend")],
    ["connection refused between frontend and backend", "frontend", peer("backend")],
    ["frontend -> backend drops", "frontend", peer("backend")],
    ["frontend->backend drops", "frontend", peer("backend")],
    ["backend <- frontend drops", "frontend", peer("backend")],
    ["frontend gets 403 from backend", "frontend", peer("backend")],
    ["frontend is getting 503s from the backend", "frontend", peer("backend")],
    ["traffic from frontend to backend", "frontend", peer("backend")],
    ["latency for frontend to backend", "frontend", peer("backend")],
    ["the frontend pods are getting connection refused from backend", "frontend", peer("backend")],
    ["frontend calls to backend time out", "frontend", peer("backend")],
    ["frontend can't reach redis-0", "frontend", peer(null, "redis-0")],
    ["checkout cannot resolve payment.shop.svc.cluster.local", "checkout", peer("payment", null, "shop")],
  ])("%s", (q, workload, p) => {
    expect(scope(q)).toMatchObject({ workload, peer: p });
  });

  it("a pod on the first side", () => {
    expect(scope("timeouts connecting to postgres-0 from orders-6d4f5b7c8-kx9zq")).toMatchObject({
      workload: null, pod: "orders-6d4f5b7c8-kx9zq", peer: peer(null, "postgres-0"),
    });
  });

  it("a second written namespace is the peer's", () => {
    expect(scope("drops from web to api between namespace shop and namespace cache")).toMatchObject({
      namespace: "shop", workload: "web", peer: peer("api", null, "cache"),
    });
  });

  it("'between' two times is not two parties", () => {
    expect(scope("drops between 13:00 and 14:00").peer).toBeNull();
  });

  it("the peer's namespace stays empty unless stated", () => {
    expect(scope("frontend can't talk to backend in namespace shop")).toMatchObject({ namespace: "shop", peer: peer("backend") });
  });
});

describe("more names than slots", () => {
  it("notes the ones it does not look at", () => {
    const q = parseQuestion("errors in namespace shop and namespace cache", { now: NOW });
    expect(q.scope.namespace).toBe("shop");
    expect(q.notes.join(" ")).toMatch(/also mentioned namespace 'cache'/);
  });
});
