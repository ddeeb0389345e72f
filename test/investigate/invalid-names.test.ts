import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";

const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);

describe("a written name that cannot be a Kubernetes name is refused, never widened to the cluster", () => {
  let store: FlowStore;
  beforeAll(async () => {
    store = await FlowStore.open();
  });
  afterAll(() => store.close());

  it.each([
    ["drops in namespace café", "namespace", "café"],
    ["errors in ns:$(rm -rf ~)", "namespace", "$(rm"],
    ["dns for deployment Checkout_Service", "workload", "checkout_service"],
    ["drops in namespace shop;rm", "namespace", "shop;rm"],
    ["what's wrong in namespace=foo_bar?", "namespace", "foo_bar"],
  ])("%s", async (q, field, value) => {
    const r = await investigate(q, { source: store, playbooks, now: new Date("2026-11-20T15:00:00Z") });
    expect(r.summary).toMatch(new RegExp(`^Nothing was looked up: '${value.replace(/[$()]/g, "\\$&")}' is not a valid Kubernetes ${field} name \\(`));
    expect(r.findings).toEqual([]);
    expect(r.evidence).toEqual([]);
    expect([r.scope.namespace, r.scope.workload]).toEqual([null, null]);
    expect(r.notes.join(" ")).toContain(`'${value}' is not a valid ${field} name`);
  });

  it("a valid name next to punctuation is still read", async () => {
    const r = await investigate("drops in namespace shop?", { source: store, playbooks, now: new Date("2026-11-20T15:00:00Z") });
    expect(r.scope.namespace).toBe("shop");
    expect(r.summary).toMatch(/^No flows for namespace shop/);
  });
});
