import { describe, expect, it } from "vitest";
import { ANALYZERS, change, expandsResolvedName, score, since } from "../../src/analyze/index.js";
import type { Scope } from "../../src/model/index.js";

const minute = (m: number) => new Date(Date.UTC(2026, 10, 20, 13, 0) + m * 60_000).toISOString();
const scope: Scope = { namespace: null, workload: null, pod: null, node: null, peer: null, from: minute(60), to: minute(120) };

describe("since", () => {
  const series = (f: (m: number) => number) => Array.from({ length: 120 }, (_, m) => ({ t: minute(m), v: f(m) }));
  it("finds the minute a sustained rise began", () => {
    expect(since(series((m) => (m >= 91 ? 30 : 2 + (m % 3))), minute(60))).toBe(minute(91));
  });
  it("finds the same minute when the data starts inside the window (no window before)", () => {
    expect(since(series((m) => (m >= 91 ? 30 : 2 + (m % 3))), minute(0))).toBe(minute(91));
  });
  it("ignores a lone spike", () => {
    expect(since(series((m) => (m === 100 ? 50 : 3)), minute(60))).toBeNull();
  });
  it("says nothing when the trouble was already there before the window", () => {
    expect(since(series(() => 20), minute(60))).toBeNull();
  });
});

describe("search-path NXDOMAIN", () => {
  const resolved = new Set(["api.partner.example.com", "orders.pets"]);
  it("is an expansion of a name that resolves", () => {
    expect(expandsResolvedName("api.partner.example.com.shop.svc.cluster.local.", resolved)).toBe(true);
    expect(expandsResolvedName("orders.pets.shop.svc.cluster.local.", resolved)).toBe(true);
  });
  it("is not a name that never resolves", () => {
    expect(expandsResolvedName("payments-api.shop.svc.cluster.local.", resolved)).toBe(false);
    expect(expandsResolvedName("api.partner.example.com.", resolved)).toBe(false);
  });
});

describe("ranking", () => {
  it("new or increased beats steady; failure beats volume", () => {
    expect(change(50, 0)).toBe("new");
    expect(change(90, 30)).toBe("increased");
    expect(change(40, 30)).toBe("steady");
    expect(change(40, null)).toBe("unknown");
    expect(score("packet_drops", "critical", 50, 0)).toBeGreaterThan(score("packet_drops", "critical", 500, 400));
    expect(score("packet_drops", "warning", 50, 10)).toBeGreaterThan(score("traffic_imbalance", "warning", 50, 10));
    expect(score("dns_errors", "info", 1e6, 0)).toBeLessThan(score("dns_errors", "warning", 10, null));
  });
});

describe("changeVsBaseline", () => {
  const run = (current: object[], baseline: object[] | null) =>
    ANALYZERS.changeVsBaseline!.run({
      queries: { main: { current: current as never, baseline: baseline as never } },
      params: ANALYZERS.changeVsBaseline!.params.parse({ kind: "packet_drops", subject: { namespace: "dstNamespace", workload: "dstWorkload" }, peer: { namespace: "srcNamespace", workload: "srcWorkload" }, reason: "dropReason" }),
      scope,
    });
  const row = (dst: string, src: string, flows: number) => ({ dstNamespace: "shop", dstWorkload: dst, srcNamespace: "shop", srcWorkload: src, dropReason: "POLICY_DENIED", flows });

  it("rolls sources up into one finding per destination and reason, naming the main source and the count from each", () => {
    const [f, ...rest] = run([row("payments", "checkout", 40), row("payments", "cart", 15)], []);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ kind: "packet_drops", severity: "critical", value: 55, baseline: 0, reason: "POLICY_DENIED", subject: { namespace: "shop", workload: "payments" }, peer: { workload: "checkout" } });
    expect(f!.title).toBe("traffic to shop/payments dropped: POLICY_DENIED from shop/checkout (40) and shop/cart (15)");
    const [one] = run([row("payments", "checkout", 40)], []);
    expect(one!.title).toBe("traffic to shop/payments dropped: POLICY_DENIED from shop/checkout");
  });
  it("keeps steady drops as info, skips tiny ones, and cannot call anything new without a baseline", () => {
    expect(run([row("web", "x", 30)], [row("web", "x", 28)])[0]!.severity).toBe("info");
    expect(run([row("web", "x", 3)], [])).toEqual([]);
    expect(run([row("web", "x", 30)], null)[0]!.severity).toBe("warning");
  });
});

describe("httpErrors", () => {
  const row = (srcWorkload: string, dstWorkload: string, httpStatus: number, flows: number) =>
    ({ srcNamespace: "app", srcWorkload, srcReserved: null, dstNamespace: "app", dstWorkload, dstReserved: null, httpStatus, flows });
  const run = (current: object[], baseline: object[] | null) =>
    ANALYZERS.httpErrors!.run({ queries: { responses: { current: current as never, baseline: baseline as never } }, params: ANALYZERS.httpErrors!.params.parse({}), scope });

  it("a new 503 storm is not hidden by steady 404s, and each status counts only itself", () => {
    const before = [row("api", "gw", 200, 650), row("api", "gw", 404, 350)];
    const now = [row("api", "gw", 200, 527), row("api", "gw", 404, 350), row("api", "gw", 503, 123)];
    const drafts = run(now, before);
    const f503 = drafts.find((d) => d.reason === "503")!;
    expect(f503).toMatchObject({ severity: "critical", value: 123, baseline: 0 });
    expect(f503.facts!.errorPct).toBe(12.3);
    expect(drafts.find((d) => d.reason === "404")).toMatchObject({ severity: "info", value: 350, baseline: 350 });
  });

  it("one client failing against servers that answer others well is that client's finding", () => {
    const now = ["orders", "users", "stock"].flatMap((s) => [row(s, "gw", 503, 40), row(s, "gw", 200, 5), row(s, "admin", 200, 30)]);
    const [f, ...rest] = run(now, null);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ subject: { namespace: "app", workload: "gw" }, reason: "503", value: 120, severity: "critical" });
    expect(f!.facts!.side).toBe("client");
  });

  it("servers whose only client is the failing one: one finding, without blaming the client", () => {
    const now = ["orders", "users", "stock"].flatMap((s) => [row(s, "gw", 503, 40), row(s, "gw", 200, 5)]);
    const [f] = run(now, null);
    expect(f!.facts!.side).toBe("clientShared");
    expect(f!.title).toMatch(/^app\/gw gets 503 from 3 servers \(88\.9% of their responses\): app\/orders, app\/users, app\/stock$/);
  });
});

describe("names from the data", () => {
  it("show invisible and direction-changing characters instead of printing them raw", async () => {
    const { label } = await import("../../src/analyze/index.js");
    expect(label({ namespace: "shop\u200b", workload: "web\u202e" })).toBe("shop\\u200b/web\\u202e");
    expect(label({ namespace: "shop", workload: "web" })).toBe("shop/web");
  });
});
