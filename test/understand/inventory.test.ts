import { describe, expect, it } from "vitest";
import type { Inventory } from "../../src/model/question.js";
import { parseQuestion } from "../../src/understand/index.js";
import { suggest } from "../../src/understand/inventory.js";
import { NOW } from "./cases.js";

const inventory: Inventory = {
  namespaces: ["search", "shop", "payments", "kube-system", "default"],
  workloads: [
    { namespace: "search", workload: "search" },
    { namespace: "shop", workload: "checkout" },
    { namespace: "shop", workload: "cart" },
    { namespace: "shop", workload: "frontend" },
    { namespace: "shop", workload: "check-in" },
    { namespace: "payments", workload: "payment" },
    { namespace: "kube-system", workload: "coredns" },
    { namespace: "shop", workload: "redis" },
    { namespace: "payments", workload: "redis" },
    { namespace: "shop", workload: "web-1" },
  ],
  pods: [
    { namespace: "shop", workload: "checkout", pod: "checkout-5d8c7b9f4-qx2lm" },
    { namespace: "payments", workload: "redis", pod: "redis-0" },
  ],
  nodes: ["aks-nodepool1-27013129-vmss000003"],
};
const parse = (q: string, inv: Inventory = inventory) => parseQuestion(q, { now: NOW, inventory: inv });

describe("names found in the inventory", () => {
  it("is search balanced? → traffic on workload search in namespace search", () => {
    const q = parse("is search balanced?", { namespaces: ["search"], workloads: [{ namespace: "search", workload: "search" }], pods: [], nodes: [] });
    expect(q.intent).toBe("traffic");
    expect(q.scope).toMatchObject({ workload: "search", namespace: "search", pod: null, node: null });
    expect(q.unknownNames).toEqual([]);
  });

  it("drops from shop to default: both ends are namespaces when the data has them as namespaces only", () => {
    const q = parse("drops from shop to default");
    expect(q.scope).toMatchObject({ namespace: "shop", workload: null, peer: { namespace: "default", workload: null, pod: null } });
    expect(q.unknownNames).toEqual([]);
    // A peer that is a workload stays one.
    expect(parse("drops from shop to checkout").scope.peer).toMatchObject({ namespace: "shop", workload: "checkout" });
  });

  it("a second namespace that no slot took is said, never dropped in silence", () => {
    for (const [q, a, b] of [["payments and shop dns errors", "payments", "shop"], ["drops in shop and payments", "shop", "payments"], ["any drops in default or shop?", "default", "shop"]] as const) {
      const r = parse(q);
      // Which one the answer takes may vary; the other is said.
      expect([a, b], q).toContain(r.scope.namespace);
      const [looked, other] = r.scope.namespace === a ? [a, b] : [b, a];
      expect(r.notes, q).toContain(`also mentioned namespace '${other}'; this answer looks at '${looked}' only: ask about '${other}' on its own`);
    }
    // Names that were used (subject, peer, a workload of the same name) are not "also mentioned".
    for (const q of ["drops from shop to default", "is search balanced?", "drops in the default namespace", "checkout in shop cant reach payment in payments"]) {
      expect(parse(q).notes.filter((n) => n.startsWith("also mentioned namespace")), q).toEqual([]);
    }
  });

  it("a bare 'in x' is a namespace only if the data has one; else the workload", () => {
    expect(parse("drops in checkout").scope).toMatchObject({ namespace: "shop", workload: "checkout" });
    expect(parse("drops in shop").scope).toMatchObject({ namespace: "shop", workload: null });
    expect(parse("drops in redis-0").scope).toMatchObject({ namespace: "payments", pod: "redis-0" });
    expect(parse("drops in shop").notes).toEqual([]);
  });

  it("fills the workload's namespace when it lives in exactly one", () => {
    expect(parse("dns errors for cart").scope).toMatchObject({ namespace: "shop", workload: "cart" });
    const q = parse("why is redis slow");
    expect(q.scope).toMatchObject({ namespace: null, workload: "redis" });
    expect(q.notes).toContain("'redis' runs in namespaces payments, shop: looking at all of them");
  });

  it("a guessed workload that is a namespace becomes the namespace", () => {
    expect(parse("rca for shop").scope).toMatchObject({ namespace: "shop", workload: null });
  });

  it("a pod fills its namespace, not its workload", () => {
    expect(parse("investigate checkout-5d8c7b9f4-qx2lm").scope).toMatchObject({ namespace: "shop", workload: null, pod: "checkout-5d8c7b9f4-qx2lm" });
  });

  it("a StatefulSet-shaped workload name is a workload when the data says so", () => {
    expect(parse("web-1 is dropping").scope).toMatchObject({ namespace: "shop", workload: "web-1", pod: null });
  });

  it("names said without a marker", () => {
    expect(parse("coredns servfail").scope).toMatchObject({ namespace: "kube-system", workload: "coredns" });
    expect(parse("checkout").intent).toBe("triage");
  });

  it("peers get their namespace from the data", () => {
    expect(parse("frontend can't reach payment").scope).toMatchObject({
      namespace: "shop", workload: "frontend", peer: { namespace: "payments", workload: "payment", pod: null },
    });
    expect(parse("frontend can't reach redis-0").scope.peer).toEqual({ namespace: "payments", workload: null, pod: "redis-0" });
  });
});

describe("names the data does not hold", () => {
  it("unknown workload: kept as written, with suggestions and a note", () => {
    const q = parse("dns errors for chekout");
    expect(q.scope.workload).toBe("chekout");
    expect(q.unknownNames).toEqual([{ field: "workload", name: "chekout", suggestions: ["checkout"] }]);
    expect(q.notes).toContain("no workload named 'chekout' in the data; did you mean checkout?");
  });

  it("unknown namespace", () => {
    const q = parse("drops in namespace shp");
    expect(q.scope.namespace).toBe("shp");
    expect(q.unknownNames).toEqual([{ field: "namespace", name: "shp", suggestions: ["shop"] }]);
  });

  it("a bare 'in x' found nowhere", () => {
    const q = parse("drops in shopp");
    expect(q.scope.namespace).toBe("shopp");
    expect(q.unknownNames[0]).toMatchObject({ field: "namespace", name: "shopp", suggestions: ["shop"] });
    expect(q.notes[0]).toMatch(/^no namespace or workload named 'shopp' in the data; did you mean shop/);
  });

  it("unknown pod, node and peer", () => {
    expect(parse("errors for pod redis-1").unknownNames).toEqual([{ field: "pod", name: "redis-1", suggestions: ["redis-0"] }]);
    expect(parse("drops on node aks-nodepool1-27013129-vmss000004").unknownNames).toEqual([
      { field: "node", name: "aks-nodepool1-27013129-vmss000004", suggestions: ["aks-nodepool1-27013129-vmss000003"] },
    ]);
    const q = parse("frontend can't reach paymnet");
    expect(q.unknownNames).toEqual([{ field: "peer", name: "paymnet", suggestions: ["payment"] }]);
    expect(q.scope.peer?.workload).toBe("paymnet");
  });

  it("a workload asked for in a namespace it does not run in", () => {
    const q = parse("dns errors for cart in namespace payments");
    expect(q.scope).toMatchObject({ namespace: "payments", workload: "cart" });
    expect(q.unknownNames[0]).toMatchObject({ field: "workload", name: "cart" });
    expect(q.notes).toContain("no workload named 'cart' in namespace 'payments' in the data (it runs in shop)");
  });

  it("with nothing close, no suggestion but still a note", () => {
    const q = parse("drops for zzzzzz-qqq");
    expect(q.unknownNames).toEqual([{ field: "workload", name: "zzzzzz-qqq", suggestions: [] }]);
    expect(q.notes).toContain("no workload named 'zzzzzz-qqq' in the data");
  });

  it("a name the data holds is not read as a typo of a keyword", () => {
    const q = parse("drops for dorps", { namespaces: ["x"], workloads: [{ namespace: "x", workload: "dorps" }], pods: [], nodes: [] });
    expect(q.scope.workload).toBe("dorps");
  });
});

describe("suggest", () => {
  it("closest first, then prefix and substring matches, at most 3", () => {
    expect(suggest("chekout", ["checkout", "cart", "checkout-v2", "check-in", "payment"])).toEqual(["checkout"]);
    expect(suggest("check", ["checkout", "cart", "check-in"])).toEqual(["check-in", "checkout"]);
    expect(suggest("redis", ["redis-3", "redis-0", "redis-1", "redis-2"])).toEqual(["redis-0", "redis-1", "redis-2"]);
    expect(suggest("frontend-v2", ["frontend", "web"])).toEqual(["frontend"]);
    expect(suggest("pay", ["payment", "payments-api", "web"])).toEqual(["payment", "payments-api"]);
    expect(suggest("x", ["checkout"])).toEqual([]);
  });
});

describe("a known name beats a guess", () => {
  const inv: Inventory = {
    namespaces: ["sales"], workloads: [{ namespace: "sales", workload: "order-api" }, { namespace: "sales", workload: "billing" }], pods: [], nodes: [],
  };
  it.each([
    ["orders are failing, 502s from order-api", "order-api"],
    ["customers are angry, billing keeps failing", "billing"],
    ["requests are slow, is billing ok?", "billing"],
  ])("%s → %s", (q, workload) => {
    const got = parse(q, inv);
    expect(got.scope).toMatchObject({ namespace: "sales", workload });
    expect(got.unknownNames).toEqual([]);
  });
});
