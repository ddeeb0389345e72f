import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compilePromql, compileSelector, promqlString, re2Literal } from "../../../src/query/promql.js";
import { normalRcode, normalReason } from "../../../src/sources/prometheus/index.js";
import { readLabels, SIGNALS } from "../../../src/sources/prometheus/families.js";
import { sharedFile } from "../../support/shared.js";

/** Reads a PromQL double-quoted literal starting at s[i]; returns its value and the index after it. */
function readString(s: string, i: number): { value: string; end: number } {
  expect(s[i]).toBe('"');
  let value = "";
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '"') return { value, end: j + 1 };
    if (c === "\\") {
      const n = s[++j]!;
      value += n === "n" ? "\n" : n === "r" ? "\r" : n === "t" ? "\t" : n;
    } else {
      expect(c === "\n" || c === "\r").toBe(false);
      value += c;
    }
  }
  throw new Error(`unterminated string in ${s}`);
}

/** The selector's matchers as [label, op, value], read the way Prometheus' lexer reads them. */
function matchersOf(selector: string): [string, string, string][] {
  const open = selector.indexOf("{");
  const out: [string, string, string][] = [];
  let i = open + 1;
  while (selector[i] !== "}") {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)/.exec(selector.slice(i))!;
    expect(m, selector.slice(i)).not.toBeNull();
    i += m[0].length;
    const { value, end } = readString(selector, i);
    out.push([m[1]!, m[2]!, value]);
    i = end;
    if (selector[i] === ",") i++;
  }
  expect(selector.slice(i)).toBe("}");
  return out;
}

const nasty = fc.constantFrom('"', "\\", '\\"', "\n", "\r\n", "\t", "}", "{", '"}[5m]) or vector(1) #', ".*", "a|b", "(", "$", "😀", "\u2028");
const anyText = fc.oneof(fc.string(), fc.string({ unit: "binary" }), nasty, fc.array(nasty).map((a) => a.join("")));

describe("PromQL from the metric query IR", () => {
  it("compiles sum by, the function, the range and topk", () => {
    expect(compilePromql({ metric: "networkobservability_drop_count", matchers: [{ label: "reason", op: "in", values: ["CONNTRACK_ADD_DROP", "IPTABLE_RULE_DROP"] }], fn: "increase", rangeSeconds: 3600, by: ["instance", "reason"] }))
      .toBe('sum by (instance, reason) (increase(networkobservability_drop_count{reason=~"CONNTRACK_ADD_DROP|IPTABLE_RULE_DROP"}[3600s]))');
    expect(compilePromql({ metric: "networkobservability_tcp_state", matchers: [], fn: "avg_over_time", rangeSeconds: 600, by: ["instance"], top: 5 }))
      .toBe("topk(5, avg by (instance) (avg_over_time(networkobservability_tcp_state[600s])))");
  });

  it("no value can change a query's structure: every matcher reads back as exactly its value", () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom("eq", "neq"), (value, op) => {
        const sel = compileSelector("hubble_drop_total", [{ label: "source", op: op as "eq", values: [value] }]);
        expect(matchersOf(sel)).toEqual([["source", op === "eq" ? "=" : "!=", value]]);
      }),
      { numRuns: 400 },
    );
  });

  it("regex alternatives match only themselves", () => {
    fc.assert(
      fc.property(fc.array(anyText.filter((s) => !s.includes("\u0000")), { minLength: 2, maxLength: 4 }), (values) => {
        const sel = compileSelector("m", [{ label: "reason", op: "in", values }]);
        const [[, op, regex]] = matchersOf(sel) as [[string, string, string]];
        expect(op).toBe("=~");
        // JS regex syntax agrees with RE2 on these escapes; anchored as Prometheus anchors.
        const re = new RegExp(`^(?:${regex})$`, "su");
        for (const v of values) expect(re.test(v)).toBe(true);
        expect(re.test(`${values[0]}x`) && !values.includes(`${values[0]}x`)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses names that are not metric or label names", () => {
    expect(() => compilePromql({ metric: "up) or vector(1", matchers: [], fn: "increase", rangeSeconds: 60, by: [] })).toThrow();
    expect(() => compileSelector("m", [{ label: "a=b", op: "eq", values: ["x"] }])).toThrow();
    expect(promqlString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(re2Literal("a.b*c")).toBe("a\\.b\\*c");
  });
});

/** Lines of a text-format scrape as [metric, labels, value]. */
function scrape(text: string): [string, Record<string, string>, number][] {
  const out: [string, Record<string, string>, number][] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith("#")) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1");
    out.push([m[1]!, labels, Number(m[3])]);
  }
  return out;
}

const realization = (metric: string, signal?: keyof typeof SIGNALS) => (signal ? SIGNALS[signal] : Object.values(SIGNALS).flat()).find((r) => r.metric === metric)!;

describe("real scrapes read as flow fields", () => {
  const ciliumagentdropexcerpt = sharedFile("samples/real/datadog-integrations-core--cilium-agent-drop-excerpt.prom");
  it.skipIf(!ciliumagentdropexcerpt)("Cilium's human-readable reasons and directions (datadog-integrations-core excerpt)", () => {
    const file = ciliumagentdropexcerpt!;
    const rows = scrape(readFileSync(file, "utf8")).filter(([m]) => m === "cilium_drop_count_total");
    expect(rows).toHaveLength(1);
    expect(readLabels(realization("cilium_drop_count_total"), { ...rows[0]![1], instance: "node-a" })).toEqual({ node: "node-a", dropReason: "UNSUPPORTED_L3_PROTOCOL", direction: "EGRESS" });
  });

  const agentmetricsexcerpt = sharedFile("samples/real/retina-docs--agent-metrics-excerpt.prom");
  it.skipIf(!agentmetricsexcerpt)("Retina's untyped counts without _total, its reasons and lower-case directions (retina docs excerpt)", () => {
    const file = agentmetricsexcerpt!;
    const rows = scrape(readFileSync(file, "utf8"));
    const drop = rows.find(([m]) => m === "networkobservability_drop_count")!;
    expect(drop[2]).toBe(12);
    expect(readLabels(realization("networkobservability_drop_count"), drop[1])).toEqual({ node: null, dropReason: "POLICY_DENIED", direction: "UNKNOWN" });
    const fwd = rows.filter(([m]) => m === "networkobservability_forward_count").map(([, l, v]) => [readLabels(realization("networkobservability_forward_count"), l).direction, v]);
    expect(fwd).toEqual([["EGRESS", 126462], ["INGRESS", 156793]]);
    // Bytes beside packets, read the same way.
    const bytes = rows.find(([m]) => m === "networkobservability_drop_bytes")!;
    expect([readLabels(realization("networkobservability_drop_bytes", "dropBytes"), bytes[1]), bytes[2]]).toEqual([{ node: null, dropReason: "POLICY_DENIED", direction: "UNKNOWN" }, 480]);
    expect(rows.filter(([m]) => m === "networkobservability_forward_bytes").map(([, , v]) => v)).toEqual([128357355, 395206960]);
  });

  it("Retina advanced remote context: both sides from their three labels, an unresolved side unnamed", () => {
    // Label names as Retina's code writes them (pkg/module/metrics/types.go), not as its docs do.
    const r = realization("networkobservability_adv_drop_count", "podDrops");
    expect(readLabels(r, { instance: "aks-1", reason: "IPTABLE_RULE_DROP", direction: "INGRESS", source_namespace: "shop", source_podname: "frontend-7d9c-abcde", source_workload_name: "frontend", destination_namespace: "shop", destination_podname: "payments-7c9f8b6d5-k2x4z", destination_workload_name: "unknown" })).toEqual({
      node: "aks-1", dropReason: "POLICY_DENIED", direction: "INGRESS",
      srcNamespace: "shop", srcPod: "frontend-7d9c-abcde", srcWorkload: "frontend",
      // No workload label: the pod's name tells it, as for flows.
      dstNamespace: "shop", dstPod: "payments-7c9f8b6d5-k2x4z", dstWorkload: "payments",
    });
    expect(readLabels(r, { reason: "CONNTRACK_ADD_DROP", source_namespace: "unknown", source_podname: "unknown", destination_namespace: "pets", destination_podname: "rabbitmq-0" })).toMatchObject({
      dropReason: "CT_MAP_INSERTION_FAILED", srcNamespace: null, srcPod: null, srcWorkload: null, dstNamespace: "pets", dstPod: "rabbitmq-0",
    });
    // A DNS request's server is its destination; a response's, its source.
    expect(readLabels(realization("networkobservability_adv_dns_request_count", "dnsRequests"), { destination_namespace: "kube-system", destination_podname: "coredns-76b9877f49-2p4fc", query: "x.", query_type: "A" })).toMatchObject({ dnsServerNamespace: "kube-system", dnsServerWorkload: "coredns", dnsServerPod: "coredns-76b9877f49-2p4fc" });
    expect(readLabels(realization("networkobservability_adv_dns_response_count", "dnsResponses"), { source_namespace: "kube-system", source_podname: "coredns-76b9877f49-2p4fc", return_code: "SERVFAIL" })).toMatchObject({ dnsServerPod: "coredns-76b9877f49-2p4fc", dnsRcode: "SERVFAIL" });
  });

  const hubblemetricsaks = sharedFile("samples/real/azure-container-networking--hubble-metrics-aks.prom");
  it.skipIf(!hubblemetricsaks)("Hubble's namespace/pod context labels, DNS rcode strings and flags (ACNS on AKS)", () => {
    const file = hubblemetricsaks!;
    const rows = new Map(scrape(readFileSync(file, "utf8")).map(([m, l]) => [m, l]));
    expect(readLabels(realization("hubble_drop_total", "podDrops"), rows.get("hubble_drop_total")!)).toMatchObject({
      dropReason: "POLICY_DENIED", srcNamespace: "kube-system", srcPod: "ama-metrics-node-99c95", srcWorkload: "ama-metrics-node",
      dstNamespace: "kube-system", dstPod: "coredns-76b9877f49-2p4fc", dstWorkload: "coredns",
    });
    // A response's destination is the client that asked; its source the DNS server.
    expect(readLabels(realization("hubble_dns_responses_total"), rows.get("hubble_dns_responses_total")!)).toMatchObject({
      dstNamespace: "kube-system", dstPod: "agnhost-a", srcPod: "coredns-7", dnsRcode: "NXDOMAIN", dnsQuery: "google.com.cluster.local.", dnsQtypes: "A",
    });
    expect(readLabels(realization("hubble_tcp_flags_total"), rows.get("hubble_tcp_flags_total")!)).toMatchObject({
      srcNamespace: "kube-system", srcWorkload: "metrics-server", dstNamespace: null, tcpFlag: "RST",
    });
  });

  it("one vocabulary for reasons and rcodes", () => {
    expect(["CONNTRACK_ADD_DROP", "CT_MAP_INSERTION_FAILED", "CT: Map insertion failed"].map(normalReason)).toEqual(Array(3).fill("CT_MAP_INSERTION_FAILED"));
    expect(["IPTABLE_RULE_DROP", "Policy denied", "POLICY_DENIED"].map(normalReason)).toEqual(Array(3).fill("POLICY_DENIED"));
    expect(normalReason("Service backend not found")).toBe("SERVICE_BACKEND_NOT_FOUND");
    expect(["Server Failure", "Non-Existent Domain", "Query Refused", "No Error"].map(normalRcode)).toEqual(["SERVFAIL", "NXDOMAIN", "REFUSED", "NOERROR"]);
    expect(normalRcode("")).toBeNull();
  });
});
