import { describe, expect, it } from "vitest";
import { parseQuestion } from "../../src/understand/index.js";
import type { Inventory } from "../../src/model/index.js";

const now = new Date("2026-11-20T15:00:00Z");
const inventory: Inventory = {
  namespaces: ["shop", "kube-system"],
  workloads: [{ namespace: "shop", workload: "checkout" }, { namespace: "shop", workload: "payments" }, { namespace: "kube-system", workload: "coredns" }],
  pods: [{ namespace: "shop", workload: "checkout", pod: "checkout-7d9c8b6f5d-x2k4q" }],
  nodes: [],
};

describe("a follow-up in a thread keeps what it does not change", () => {
  const first = parseQuestion("why is dns failing for checkout in namespace shop since 14:10?", { now, inventory });
  it("a new window keeps intent and names", () => {
    const q = parseQuestion("and over the last 6 hours?", { now, inventory, previous: first });
    expect(q.intent).toBe("dns");
    expect(q.scope).toMatchObject({ namespace: "shop", workload: "checkout", from: "2026-11-20T09:00:00.000Z", to: "2026-11-20T15:00:00.000Z" });
  });
  it("a new workload keeps the namespace, intent and window", () => {
    const q = parseQuestion("what about payments?", { now, inventory, previous: first });
    expect(q.intent).toBe("dns");
    expect(q.scope).toMatchObject({ namespace: "shop", workload: "payments", pod: null, from: "2026-11-20T14:10:00.000Z" });
  });
  it("a new intent keeps the scope", () => {
    const q = parseQuestion("any packet drops?", { now, inventory, previous: first });
    expect(q.intent).toBe("drops");
    expect(q.scope).toMatchObject({ namespace: "shop", workload: "checkout", from: "2026-11-20T14:10:00.000Z" });
  });
  it("a new namespace drops the old workload", () => {
    const q = parseQuestion("and in kube-system?", { now, inventory, previous: first });
    expect(q.scope).toMatchObject({ namespace: "kube-system", workload: null });
  });
});

describe("asking for the model's explanation", () => {
  const first = parseQuestion("why is dns failing for checkout in namespace shop since 14:10?", { now, inventory });
  it("a question that begins with explain asks for it, and is otherwise the same question", () => {
    const q = parseQuestion("explain why dns is failing for checkout in namespace shop since 14:10", { now, inventory });
    expect(q.explain).toBe(true);
    expect(q.intent).toBe("dns");
    expect(q.scope).toEqual(first.scope);
    expect(first.explain).toBe(false);
    expect(parseQuestion("Please explain the 5xx in shop", { now, inventory }).explain).toBe(true);
  });
  it.each(["why?", "Why", "why is that?", "how come?", "explain that", "what caused it?"])("%s in the thread explains the thread's question", (t) => {
    const q = parseQuestion(t, { now, inventory, previous: first });
    expect(q.explain).toBe(true);
    expect(q.intent).toBe("dns");
    expect(q.scope).toEqual(first.scope);
  });
  it("a why-question of its own, or why? with no thread, is not a request for the model", () => {
    expect(parseQuestion("why is dns failing in shop?", { now, inventory, previous: first }).explain).toBe(false);
    expect(parseQuestion("why?", { now, inventory }).explain).toBe(false);
    expect(parseQuestion("and over the last 6 hours?", { now, inventory, previous: first }).explain).toBe(false);
  });
});
