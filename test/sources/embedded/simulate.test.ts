import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FindingKind } from "../../../src/model/finding-kind.js";
import {
  CLUSTER_NAME,
  NODE_NAMES,
  SCENARIOS,
  METRIC_ONLY_SCENARIOS,
  type HubbleFlow,
  type HubbleLine,
  type ScenarioName,
  type Simulation,
  flowMatchesAny,
  isScenarioName,
  simulate,
  writeSimulation,
} from "../../../src/sources/embedded/simulate/index.js";

/** RFC 3339 with 0/3/6/9 fraction digits -> ns since the epoch, exactly. */
function ns(time: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{3}|\d{6}|\d{9}))?Z$/.exec(time);
  if (!m) throw new Error(`not a protojson timestamp: ${time}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

function digest(sim: Simulation): string {
  const h = createHash("sha256");
  for (const line of sim.lines()) h.update(`${JSON.stringify(line)}\n`);
  return h.digest("hex");
}

function count(sim: Simulation, keep: (l: HubbleLine) => boolean = () => true): number {
  let n = 0;
  for (const l of sim.lines()) if (keep(l)) n++;
  return n;
}

const workload = (f: HubbleFlow, side: "source" | "destination") => f[side]?.workloads?.[0]?.name;
const afterSince = (sim: Simulation, i = 0) => {
  const since = ns(sim.truth[i]?.since ?? "");
  return (l: HubbleLine) => ns(l.time) >= since;
};

describe("simulate: scenarios and options", () => {
  it("knows exactly the fifteen scenario names", () => {
    expect([...SCENARIOS].sort()).toEqual(
      [
        "conntrack-node-drops", "demo", "dns-missing-responses", "dns-nxdomain", "dns-servfail", "dns-upstream-timeout", "healthy",
        "http-403", "http-5xx", "l7-policy-drop", "node-silent", "node-syn-sent", "policy-drop", "tcp-reset-storm", "traffic-imbalance",
      ].sort(),
    );
    expect(isScenarioName("dns-servfail")).toBe(true);
    expect(isScenarioName("dns-timeout")).toBe(false);
  });

  it("rejects unknown scenarios and bad options with a message naming the problem", () => {
    expect(() => simulate("nope" as ScenarioName)).toThrow(/unknown scenario "nope"/);
    expect(() => simulate("healthy", { end: "yesterday" })).toThrow(/end/);
    expect(() => simulate("healthy", { hours: 0 })).toThrow(/hours/);
    expect(() => simulate("healthy", { scale: -1 })).toThrow(/scale/);
  });

  it("defaults to a 2-hour window ending 2026-11-20T15:00:00Z", () => {
    const sim = simulate("healthy");
    expect(sim.from).toBe("2026-11-20T13:00:00Z");
    expect(sim.to).toBe("2026-11-20T15:00:00Z");
    expect(sim.truth).toEqual([]);
  });
});

describe("simulate: determinism", () => {
  it("gives byte-identical lines for the same scenario and options, and different ones for another seed", () => {
    const a = digest(simulate("demo", { hours: 1 }));
    expect(digest(simulate("demo", { hours: 1 }))).toBe(a);
    expect(digest(simulate("demo", { hours: 1, seed: 2 }))).not.toBe(a);
  });

  it("can iterate lines() again and gets the same flows", () => {
    const sim = simulate("policy-drop", { hours: 0.5 });
    const first = [...sim.lines()].slice(0, 50).map((l) => JSON.stringify(l));
    const again = [...sim.lines()].slice(0, 50).map((l) => JSON.stringify(l));
    expect(again).toEqual(first);
  });
});

describe("simulate: Hubble export format", () => {
  const sim = simulate("demo", { hours: 1 });
  const lines = [...sim.lines()];
  const from = ns(sim.from);
  const to = ns(sim.to);
  // Per-line checks collect offenders and assert once: one expect per line is slow.
  const offenders = (check: (l: HubbleLine) => boolean) => lines.filter((l) => !check(l)).slice(0, 3);

  it("writes the exporter envelope with flow.time inside [from, to), in time order", () => {
    let prev = 0n;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(
      offenders((l) => {
        const t = ns(l.flow.time);
        const ok = Object.keys(l).join() === "flow,node_name,time" && l.time === l.flow.time && t >= from && t < to && t >= prev && uuid.test(l.flow.uuid);
        prev = t;
        return ok;
      }),
    ).toEqual([]);
    expect(new Set(lines.map((l) => l.flow.uuid)).size).toBe(lines.length);
  });

  it("prefixes node names with the cluster, in the flow and the envelope", () => {
    const qualified = new Set(NODE_NAMES.map((n) => `${CLUSTER_NAME}/${n}`));
    expect(offenders((l) => qualified.has(l.node_name) && l.flow.node_name === l.node_name)).toEqual([]);
    expect(new Set(lines.map((l) => l.node_name)).size).toBe(3);
  });

  it("follows protojson: NOERROR has no rcode, latency_ns is a decimal string, only true TCP flags", () => {
    expect(
      offenders(({ flow }) => {
        const dns = flow.l7?.dns;
        if (dns?.rcode !== undefined && (dns.rcode <= 0 || dns.ips !== undefined)) return false;
        if (flow.l7?.latency_ns !== undefined && !/^\d+$/.test(flow.l7.latency_ns)) return false;
        return Object.values(flow.l4?.TCP?.flags ?? {}).every((v) => v === true);
      }),
    ).toEqual([]);
    const noerror = lines.filter((l) => l.flow.l7?.type === "RESPONSE" && l.flow.l7.dns && l.flow.l7.dns.rcode === undefined).length;
    expect(noerror).toBeGreaterThan(500);
    const text = lines.slice(0, 5000).map((l) => JSON.stringify(l)).join("\n");
    expect(text).not.toMatch(/"rcode":0|"sub_type":0|"reply":false|":null/);
  });

  it("shapes trace, drop and L7 flows the way Hubble's parsers fill them", () => {
    const traces = lines.filter((l) => l.flow.Type === "L3_L4" && l.flow.verdict === "FORWARDED");
    const drops = lines.filter((l) => l.flow.Type === "L3_L4" && l.flow.verdict === "DROPPED");
    expect(traces.length).toBeGreaterThan(1000);
    expect(drops.length).toBeGreaterThan(50);
    expect(
      offenders(({ flow: f }) => {
        if (f.Type === "L7") {
          return f.event_type.type === 129 && f.event_type.sub_type === undefined && f.is_reply === (f.l7?.type === "RESPONSE") && (!f.l7?.dns || f.l7.dns.query.endsWith("."));
        }
        if (f.verdict === "DROPPED") {
          return (
            f.event_type.type === 1 && f.event_type.sub_type === f.drop_reason && /^[A-Z_]+$/.test(f.drop_reason_desc ?? "") &&
            f.is_reply === undefined && JSON.stringify(f.l4?.TCP?.flags) === '{"SYN":true}' && f.Summary === "TCP Flags: SYN"
          );
        }
        return (
          f.event_type.type === 4 && (f.event_type.sub_type === undefined) === (f.trace_observation_point === "TO_ENDPOINT") &&
          typeof f.is_reply === "boolean" && /^(TCP Flags: [A-Z, ]+|UDP)$/.test(f.Summary ?? "")
        );
      }),
    ).toEqual([]);
    const synAck = traces.find((l) => l.flow.l4?.TCP?.flags?.SYN && l.flow.l4.TCP.flags.ACK)?.flow;
    expect(synAck).toMatchObject({ l4: { TCP: { flags: { SYN: true, ACK: true } } }, Summary: "TCP Flags: SYN, ACK", is_reply: true, reply: true, trace_reason: "REPLY" });
  });

  it("uses Hubble endpoints: pods with workloads and labels, world as identity 2 with no namespace", () => {
    const ipOf = new Map<string, string>();
    const bad: unknown[] = [];
    let world = 0;
    for (const { flow } of lines) {
      for (const side of ["source", "destination"] as const) {
        const ep = flow[side];
        const ip = (side === "source" ? flow.IP?.source : flow.IP?.destination) ?? "";
        if (ep?.pod_name) {
          const known = ipOf.get(ep.pod_name) ?? ip;
          ipOf.set(ep.pod_name, known);
          const ok =
            ep.cluster_name === CLUSTER_NAME && /^(Deployment|StatefulSet|DaemonSet)$/.test(ep.workloads?.[0]?.kind ?? "") &&
            (ep.labels ?? []).some((x) => x.startsWith("k8s:")) && known === ip && /^10\.244\.\d+\.\d+$/.test(ip);
          if (!ok) bad.push(ep);
        } else if (ep?.identity === 2) {
          world++;
          if (JSON.stringify(ep) !== '{"identity":2,"labels":["reserved:world"]}') bad.push(ep);
        }
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(ipOf.get("rabbitmq-0")).toBeDefined();
    expect([...ipOf.keys()].some((p) => /^checkout-[a-z0-9]{10}-[a-z0-9]{5}$/.test(p))).toBe(true);
    expect(world).toBeGreaterThan(0);
  });
});

describe("simulate: ground truth", () => {
  it("starts every fault 25-35 minutes before the end of the default window", () => {
    for (const name of SCENARIOS) {
      const sim = simulate(name);
      for (const t of sim.truth) {
        const minutesBefore = Number((ns(sim.to) - ns(t.since)) / 60_000_000_000n);
        expect(minutesBefore, `${name} ${t.kind}`).toBeGreaterThanOrEqual(25);
        expect(minutesBefore, `${name} ${t.kind}`).toBeLessThanOrEqual(35);
      }
    }
  });

  // A 1-hour window keeps the test fast; faults then start 25-27 minutes before the end.
  // Faults that only metrics show (a TCP state gauge, a silent node) have no symptom flows.
  it.each(SCENARIOS.filter((s) => !(METRIC_ONLY_SCENARIOS as readonly string[]).includes(s)))("%s: truth matches its flows (injected = symptom flows after since)", (name) => {
    const sim = simulate(name, { hours: 1 });
    if (name === "healthy") {
      expect(sim.truth).toEqual([]);
      return;
    }
    expect(sim.truth.length).toBeGreaterThan(0);
    const from = ns(sim.from);
    const to = ns(sim.to);
    const sinces = sim.truth.map((t) => ns(t.since));
    const after = sim.truth.map(() => 0);
    const before = sim.truth.map(() => 0);
    for (const l of sim.lines()) {
      sim.truth.forEach((t, i) => {
        if (!flowMatchesAny(l.flow, t.match)) return;
        if (ns(l.time) >= (sinces[i] ?? 0n)) after[i] = (after[i] ?? 0) + 1;
        else before[i] = (before[i] ?? 0) + 1;
      });
    }
    sim.truth.forEach((t, i) => {
      expect(FindingKind.safeParse(t.kind).success).toBe(true);
      const since = sinces[i] ?? 0n;
      expect(since > from && since < to).toBe(true);
      expect(t.injected).toBeGreaterThan(0);
      expect(after[i]).toBe(t.injected);
      // Symptoms are absent before the fault, except for traffic that is normal until then.
      if (t.kind !== "traffic_imbalance" && t.kind !== "dns_missing_responses") expect(before[i]).toBe(0);
      expect(t.description.length).toBeGreaterThan(20);
    });
  });

  it("names the party most responsible for each fault", () => {
    const pick = (name: ScenarioName) => simulate(name).truth[0];
    expect(pick("dns-nxdomain")).toMatchObject({ kind: "dns_errors", reason: "NXDOMAIN", subject: { namespace: "shop", workload: "checkout" }, peer: { namespace: "kube-system", workload: "coredns" }, query: "payments-api.shop.svc.cluster.local." });
    expect(pick("dns-servfail")).toMatchObject({ kind: "dns_errors", reason: "SERVFAIL", subject: { namespace: "shop", workload: "checkout" }, query: "api.partner.example.com." });
    expect(pick("dns-missing-responses")).toMatchObject({ kind: "dns_missing_responses", reason: null, subject: { namespace: "kube-system", workload: "coredns" } });
    expect(pick("dns-upstream-timeout")).toMatchObject({ kind: "dns_missing_responses", reason: null, subject: { namespace: "kube-system", workload: "coredns", pod: null, node: null }, peer: null, query: "api.partner.example.com." });
    expect(pick("policy-drop")).toMatchObject({ kind: "packet_drops", reason: "POLICY_DENIED", subject: { namespace: "shop", workload: "payments" }, peer: { namespace: "shop", workload: "checkout" } });
    expect(pick("conntrack-node-drops")).toMatchObject({ kind: "node_drops", reason: "CT_MAP_INSERTION_FAILED", subject: { namespace: null, workload: null, pod: null, node: "aks-nodepool1-27013129-vmss000001" } });
    expect(pick("traffic-imbalance")).toMatchObject({ kind: "traffic_imbalance", reason: null, subject: { namespace: "search", workload: "search" } });
    expect(pick("tcp-reset-storm")).toMatchObject({ kind: "tcp_resets", reason: "RST", subject: { namespace: "pets", workload: "rabbitmq", pod: "rabbitmq-0" } });
    expect(pick("http-5xx")).toMatchObject({ kind: "http_errors", reason: "503", subject: { namespace: "shop", workload: "payments" }, peer: { namespace: "shop", workload: "checkout" } });
    expect(pick("http-403")).toMatchObject({ kind: "http_errors", reason: "403", subject: { namespace: "pets", workload: "product-service" }, peer: { namespace: "pets", workload: "store-front" } });
    expect(pick("l7-policy-drop")).toMatchObject({ kind: "l7_drops", reason: "POLICY_DENIED", subject: { namespace: "pets", workload: "order-service" }, peer: { namespace: "pets", workload: "store-front" } });
    const demo = simulate("demo").truth;
    expect(demo.map((t) => `${t.kind}:${t.reason}:${t.subject.namespace}/${t.subject.workload}`).sort()).toEqual([
      "dns_errors:SERVFAIL:shop/checkout",
      "http_errors:403:pets/product-service",
      "packet_drops:POLICY_DENIED:default/kapinger-bad",
      "tcp_resets:RST:pets/rabbitmq",
    ]);
    expect(new Set(demo.map((t) => t.since)).size).toBe(demo.length);
  });
});

describe("simulate: the faults look like the real thing", () => {
  it("dns-servfail: SERVFAIL only for A; AAAA for the same name still answers NOERROR after since", () => {
    const sim = simulate("dns-servfail", { hours: 1 });
    const after = afterSince(sim);
    let servfail = 0;
    let aaaaOk = 0;
    for (const l of sim.lines()) {
      const dns = l.flow.l7?.dns;
      if (!dns || l.flow.l7?.type !== "RESPONSE") continue;
      if (dns.rcode === 2) {
        servfail++;
        expect(dns.qtypes).toEqual(["A"]);
        expect(dns.query).toBe("api.partner.example.com.");
        expect(after(l)).toBe(true);
      }
      if (after(l) && dns.query === "api.partner.example.com." && dns.qtypes?.[0] === "AAAA") {
        expect(dns.rcode).toBeUndefined();
        aaaaOk++;
      }
    }
    expect(servfail).toBe(sim.truth[0]?.injected);
    expect(aaaaOk).toBeGreaterThan(10);
  });

  it("healthy: search-path NXDOMAIN noise is present and steady (hour 1 vs hour 2 within 20%)", () => {
    const sim = simulate("healthy");
    let h1 = 0;
    let h2 = 0;
    const queries = new Set<string>();
    for (const l of sim.lines()) {
      const dns = l.flow.l7?.dns;
      if (dns?.rcode !== 3) continue;
      if (l.time < "2026-11-20T14:00:00Z") h1++;
      else h2++;
      queries.add(dns.query);
    }
    expect(h1).toBeGreaterThan(200);
    expect(h2 / h1).toBeGreaterThan(0.8);
    expect(h2 / h1).toBeLessThan(1.2);
    for (const q of ["api.partner.example.com.shop.svc.cluster.local.", "api.partner.example.com.svc.cluster.local.", "api.partner.example.com.cluster.local."]) {
      expect(queries).toContain(q);
    }
    expect(queries).not.toContain("api.partner.example.com.");
  });

  it("healthy: a steady trickle of benign policy drops from the internet, no other drops", () => {
    const sim = simulate("healthy");
    const reasons = new Map<string, number>();
    for (const { flow } of sim.lines()) {
      if (flow.verdict !== "DROPPED") continue;
      expect(flow.source?.identity).toBe(2);
      reasons.set(flow.drop_reason_desc ?? "", (reasons.get(flow.drop_reason_desc ?? "") ?? 0) + 1);
    }
    expect([...reasons.keys()].sort()).toEqual(["POLICY_DENIED", "POLICY_DENY"]);
    const total = [...reasons.values()].reduce((a, b) => a + b, 0);
    expect(total / 120).toBeGreaterThan(1); // per minute
    expect(total / 120).toBeLessThan(10);
  });

  it("healthy: a low normal HTTP error rate, and no flow that looks like any scenario's fault", () => {
    const signatures = SCENARIOS.flatMap((name) => simulate(name).truth)
      .filter((t) => t.kind !== "traffic_imbalance" && t.kind !== "dns_missing_responses")
      .map((t) => t.match);
    const codes = new Map<number, number>();
    let responses = 0;
    const lookalikes: HubbleFlow[] = [];
    for (const { flow } of simulate("healthy").lines()) {
      const code = flow.l7?.http?.code;
      if (code) {
        responses++;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      if (signatures.some((m) => flowMatchesAny(flow, m))) lookalikes.push(flow);
    }
    expect(lookalikes.slice(0, 3)).toEqual([]);
    const server = [...codes].filter(([c]) => c >= 500).reduce((a, [, n]) => a + n, 0);
    expect(server / responses).toBeGreaterThan(0.001);
    expect(server / responses).toBeLessThan(0.02);
    expect(codes.get(404) ?? 0).toBeGreaterThan(10);
  });

  it("spreads a Service's connections over its pods, until the imbalance fault skews them", () => {
    const share = (name: ScenarioName) => {
      const sim = simulate(name, { hours: 1 });
      const hot = sim.truth[0]?.subject.pod;
      const since = sim.truth[0] ? ns(sim.truth[0].since) : ns(sim.from);
      const per = new Map<string, number>();
      for (const { flow } of sim.lines()) {
        const f = flow.l4?.TCP?.flags;
        if (workload(flow, "source") !== "search-api" || !f?.SYN || f.ACK || ns(flow.time) < since) continue;
        const pod = flow.destination?.pod_name ?? "";
        per.set(pod, (per.get(pod) ?? 0) + 1);
      }
      const total = [...per.values()].reduce((a, b) => a + b, 0);
      return { per, total, hot };
    };
    const healthy = share("healthy");
    expect(healthy.per.size).toBe(4);
    for (const n of healthy.per.values()) expect(n / healthy.total).toBeGreaterThan(0.17);
    const skewed = share("traffic-imbalance");
    expect((skewed.per.get(skewed.hot ?? "") ?? 0) / skewed.total).toBeGreaterThan(0.6);
  });

  it("policy-drop: checkout's SYNs die at payments' ingress and no checkout->payments flow is forwarded after since", () => {
    const sim = simulate("policy-drop", { hours: 1 });
    const after = afterSince(sim);
    let forwardedAfter = 0;
    for (const l of sim.lines()) {
      const f = l.flow;
      if (workload(f, "source") !== "checkout" || workload(f, "destination") !== "payments") continue;
      if (f.verdict === "DROPPED") {
        expect(f).toMatchObject({ drop_reason: 133, drop_reason_desc: "POLICY_DENIED", traffic_direction: "INGRESS", l4: { TCP: { destination_port: 8080 } } });
        expect(f.ingress_denied_by).toBeUndefined();
      } else if (after(l)) forwardedAfter++;
    }
    expect(forwardedAfter).toBe(0);
  });

  it("dns-missing-responses: the silent CoreDNS pod gets queries but answers none; the other still answers", () => {
    const sim = simulate("dns-missing-responses", { hours: 1 });
    const after = afterSince(sim);
    const dead = sim.truth[0]?.subject.pod;
    const c = { deadQueries: 0, deadAnswers: 0, otherAnswers: 0 };
    for (const l of sim.lines()) {
      const f = l.flow;
      if (!f.l7?.dns || !after(l)) continue;
      if (f.destination?.pod_name === dead) c.deadQueries++;
      else if (f.source?.pod_name === dead) c.deadAnswers++;
      else if (f.l7.type === "RESPONSE") c.otherAnswers++;
    }
    expect(c.deadQueries).toBe(sim.truth[0]?.injected);
    expect(c.deadAnswers).toBe(0);
    expect(c.otherAnswers).toBeGreaterThan(100);
  });

  it("dns-upstream-timeout: no CoreDNS pod answers the one name, each forwards it unanswered; other names still resolve", () => {
    const sim = simulate("dns-upstream-timeout", { hours: 1 });
    const after = afterSince(sim);
    const name = "api.partner.example.com.";
    const azure = "168.63.129.16";
    const queried = new Set<string>();
    const answering = new Set<string>();
    const c = { requests: 0, answers: 0, otherAnswers: 0 };
    // Upstream queries by (CoreDNS pod, source port), removed when Azure DNS replies.
    const pending = new Map<string, { t: bigint }>();
    for (const l of sim.lines()) {
      const f = l.flow;
      if (f.l4?.UDP && f.IP?.destination === azure) pending.set(`${f.source?.pod_name}:${f.l4.UDP.source_port}`, { t: ns(l.time) });
      if (f.l4?.UDP && f.IP?.source === azure) pending.delete(`${f.destination?.pod_name}:${f.l4.UDP.destination_port}`);
      const dns = f.l7?.dns;
      if (!dns || !after(l)) continue;
      if (dns.query === name && f.l7?.type === "REQUEST") {
        c.requests++;
        queried.add(f.destination?.pod_name ?? "");
      } else if (dns.query === name) c.answers++;
      else if (f.l7?.type === "RESPONSE") {
        c.otherAnswers++;
        answering.add(f.source?.pod_name ?? "");
      }
    }
    const since = ns(sim.truth[0]?.since ?? "");
    const unanswered = [...pending.values()];
    expect(c.requests).toBe(sim.truth[0]?.injected);
    expect(c.answers).toBe(0);
    expect(queried.size).toBe(2);
    expect(answering).toEqual(queried);
    expect(c.otherAnswers).toBeGreaterThan(100);
    expect(unanswered.every((u) => u.t >= since)).toBe(true);
    expect(unanswered.length).toBe(sim.truth[0]?.injected);
  });

  it("conntrack-node-drops: drops only on the full node, across many of its pods", () => {
    const sim = simulate("conntrack-node-drops", { hours: 1 });
    const node = sim.truth[0]?.subject.node;
    const pods = new Set<string>();
    for (const { flow } of sim.lines()) {
      if (flow.drop_reason_desc !== "CT_MAP_INSERTION_FAILED") continue;
      expect(flow.node_name).toBe(`${CLUSTER_NAME}/${node}`);
      expect(flow.event_type).toEqual({ type: 1, sub_type: 155 });
      pods.add((flow.traffic_direction === "INGRESS" ? flow.destination : flow.source)?.pod_name ?? "");
    }
    expect(pods.size).toBeGreaterThanOrEqual(5);
  });

  it("tcp-reset-storm: rabbitmq-0 sends forwarded bare RSTs to order-service and makeline-service", () => {
    const sim = simulate("tcp-reset-storm", { hours: 1 });
    const clients = new Set<string>();
    for (const { flow } of sim.lines()) {
      if (flow.source?.pod_name !== "rabbitmq-0" || !flow.l4?.TCP?.flags?.RST) continue;
      expect(flow.verdict).toBe("FORWARDED");
      expect(flow.Summary).toBe("TCP Flags: RST");
      clients.add(workload(flow, "destination") ?? "");
    }
    expect([...clients].sort()).toEqual(["makeline-service", "order-service"]);
  });

  it("http-5xx: about 40% of payments' answers to checkout are 503 after since", () => {
    const sim = simulate("http-5xx", { hours: 1 });
    const after = afterSince(sim);
    let all = 0;
    let e503 = 0;
    for (const l of sim.lines()) {
      const http = l.flow.l7?.http;
      if (!after(l) || !http?.code || workload(l.flow, "source") !== "payments") continue;
      all++;
      if (http.code === 503) e503++;
    }
    expect(e503 / all).toBeGreaterThan(0.3);
    expect(e503 / all).toBeLessThan(0.6);
  });

  it("http-403: the 403 share grows over the fault", () => {
    const sim = simulate("http-403", { hours: 1 });
    const since = ns(sim.truth[0]?.since ?? "");
    const half = since + (ns(sim.to) - since) / 2n;
    const first = { all: 0, e: 0 };
    const second = { all: 0, e: 0 };
    for (const { flow } of sim.lines()) {
      const code = flow.l7?.http?.code;
      if (!code || workload(flow, "source") !== "product-service" || ns(flow.time) < since) continue;
      const bucket = ns(flow.time) < half ? first : second;
      bucket.all++;
      if (code === 403) bucket.e++;
    }
    expect(second.e / second.all).toBeGreaterThan(first.e / first.all);
  });

  it("l7-policy-drop: only POST /api/orders is dropped by the proxy, without a drop reason; other requests pass", () => {
    const sim = simulate("l7-policy-drop", { hours: 1 });
    const after = afterSince(sim);
    let passed = 0;
    for (const l of sim.lines()) {
      const f = l.flow;
      if (f.Type !== "L7" || workload(f, "destination") !== "order-service" || f.l7?.type !== "REQUEST" || !after(l)) continue;
      if (f.verdict === "DROPPED") {
        expect(f.l7.http).toMatchObject({ method: "POST", url: "http://order-service:3000/api/orders", protocol: "HTTP/1.1" });
        expect(f.drop_reason_desc).toBeUndefined();
      } else passed++;
    }
    expect(passed).toBeGreaterThan(5);
  });
});

describe("simulate: size", () => {
  it("has 25k-45k lines in the default window, and scale multiplies the volume", () => {
    const base = count(simulate("healthy"));
    expect(base).toBeGreaterThan(25_000);
    expect(base).toBeLessThan(45_000);
    const small = count(simulate("healthy", { hours: 0.5 }));
    const big = count(simulate("healthy", { hours: 0.5, scale: 10 }));
    expect(big / small).toBeGreaterThan(8.5);
    expect(big / small).toBeLessThan(11.5);
  });
});

describe("writeSimulation", () => {
  it("streams one JSON line per flow and returns the count", async () => {
    const dir = await mkdtemp(join(tmpdir(), "netrca-sim-"));
    try {
      const sim = simulate("tcp-reset-storm", { hours: 0.5 });
      const file = join(dir, "flows.jsonl");
      const n = await writeSimulation(sim, file);
      const text = await readFile(file, "utf8");
      const rows = text.split("\n");
      expect(rows.pop()).toBe("");
      expect(rows.length).toBe(n);
      expect(n).toBe(count(sim));
      expect(JSON.parse(rows[0] ?? "")).toEqual([...sim.lines()][0]);
      await expect(writeSimulation(sim, join(dir, "missing", "flows.jsonl"))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
