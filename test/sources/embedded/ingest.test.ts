import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { FlowStore } from "../../../src/sources/embedded/index.js";
import { tempDir } from "../../support/tmp.js";

const REAL = join(import.meta.dirname, "../../fixtures/hubble-real.jsonl");
const realLines = readFileSync(REAL, "utf8").trim().split("\n");
const dir = tempDir();

let store: FlowStore | undefined;
afterEach(() => store?.close());

async function rows(s: FlowStore, sql: string): Promise<Record<string, unknown>[]> {
  const r = await s.run({ sql, params: [] });
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
}

describe("Hubble export ingest", () => {
  it("maps the four real lines the way Azure's agent does", async () => {
    store = await FlowStore.open();
    const result = await store.ingest([REAL]);
    expect(result).toMatchObject({ rows: 4, rejected: 0, errors: [], from: "2023-08-21T12:12:18.510Z", to: "2025-04-16T18:49:59.450Z" });
    const got = await rows(
      store,
      `SELECT SourcePodName, SourceWorkload, DestinationPodName, DestinationWorkload, NodeName, Verdict, DropReason, TcpFlags, Reply, Flows, DestinationPort
       FROM flows ORDER BY TimeGenerated`,
    );
    expect(got).toEqual([
      { SourcePodName: "xwing", SourceWorkload: "xwing", DestinationPodName: "deathstar-7848d6c4d5-th9v2", DestinationWorkload: "deathstar",
        NodeName: "kind-worker", Verdict: "DROPPED", DropReason: "POLICY_DENIED", TcpFlags: "SYN", Reply: null, Flows: 1, DestinationPort: 80 },
      { SourcePodName: "kapinger-good-64cbf459c4-q4tr9", SourceWorkload: "kapinger-good", DestinationPodName: "kapinger-bad-6b5b787dc9-ds4j4", DestinationWorkload: "kapinger-bad",
        NodeName: "aks-nodepool1-27013129-vmss000000", Verdict: "FORWARDED", DropReason: null, TcpFlags: "PSH,ACK", Reply: true, Flows: 1, DestinationPort: 60778 },
      { SourcePodName: "kapinger-good-64cbf459c4-q4tr9", SourceWorkload: "kapinger-good", DestinationPodName: "kapinger-bad-6b5b787dc9-ds4j4", DestinationWorkload: "kapinger-bad",
        NodeName: "aks-nodepool1-27013129-vmss000000", Verdict: "FORWARDED", DropReason: null, TcpFlags: "FIN,ACK", Reply: true, Flows: 1, DestinationPort: 60778 },
      { SourcePodName: "kapinger-bad-6b5b787dc9-ds4j4", SourceWorkload: "kapinger-bad", DestinationPodName: "kapinger-good-64cbf459c4-q4tr9", DestinationWorkload: "kapinger-good",
        NodeName: "aks-nodepool1-27013129-vmss000000", Verdict: "FORWARDED", DropReason: null, TcpFlags: "FIN,ACK", Reply: false, Flows: 1, DestinationPort: 8080 },
    ]);
  });

  it("keeps every good line and names each bad one by line number", async () => {
    const file = join(dir, "mixed.jsonl");
    const lines = [
      realLines[0], // 1
      '{"flow": {"time": "2025-04-16T18:50:00Z", "verdict": "FORWARDED"', // 2: truncated
      "", // 3: blank, skipped
      realLines[1], // 4
      '{"not_a_flow": 1}', // 5
      '{"flow": {"verdict": "DROPPED"}}', // 6: no time
      '{"flow": {"time": "yesterday", "verdict": "DROPPED"}}', // 7
      "[1, 2]", // 8
      realLines[3], // 9
    ];
    writeFileSync(file, lines.join("\n") + "\n");
    store = await FlowStore.open();
    const result = await store.ingest([file]);
    expect(result.rows).toBe(3);
    expect(result.rejected).toBe(5);
    expect(result.errors.map((e) => [e.file, e.line])).toEqual([[file, 2], [file, 5], [file, 6], [file, 7], [file, 8]]);
    expect(result.errors[0]!.message).toMatch(/^not valid JSON: /);
    expect(result.errors[1]!.message).toBe('no "flow" object in the line');
    expect(result.errors[2]!.message).toBe("flow.time is missing");
    expect(result.errors[3]!.message).toBe("flow.time is not an RFC 3339 time: yesterday");
    expect((await rows(store, "SELECT count(*) AS n FROM flows"))[0]!.n).toBe(3);
  });

  it("reads gzip exports, on the fast path and the exact path alike", async () => {
    const good = join(dir, "good.jsonl.gz");
    writeFileSync(good, gzipSync(realLines.join("\n") + "\n"));
    const bad = join(dir, "bad.jsonl.gz");
    writeFileSync(bad, gzipSync([realLines[0], "oops", realLines[2]].join("\n")));
    store = await FlowStore.open();
    expect(await store.ingest([good])).toMatchObject({ rows: 4, rejected: 0 });
    // The same two flows again: refused as already stored, the broken line reported.
    expect(await store.ingest([bad])).toMatchObject({ rows: 0, skipped: 2, rejected: 1, errors: [{ file: bad, line: 2 }] });
    store.close();
    store = await FlowStore.open();
    expect(await store.ingest([bad])).toMatchObject({ rows: 2, skipped: 0, rejected: 1, errors: [{ file: bad, line: 2 }] });
  });

  it("shows only the first 20 problems but counts them all", async () => {
    const file = join(dir, "many-bad.jsonl");
    writeFileSync(file, [realLines[0], ...Array.from({ length: 30 }, (_, i) => `garbage ${i}`)].join("\n"));
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r.rows).toBe(1);
    expect(r.rejected).toBe(30);
    expect(r.errors).toHaveLength(20);
    expect(r.errors.at(-1)!.line).toBe(21);
  });

  it("normalises DNS rcodes: numbers and names to names, absent on a response means NOERROR", async () => {
    const flow = (t: string, l7: object) =>
      JSON.stringify({ flow: { time: t, verdict: "FORWARDED", Type: "L7", l7, l4: { UDP: { source_port: 53, destination_port: 40000 } }, source: { namespace: "kube-system", pod_name: "coredns-5d78c9869d-xk7p2" }, destination: { namespace: "shop", pod_name: "checkout-7d9c8b6f5d-x2k4q" } } });
    const file = join(dir, "dns.jsonl");
    writeFileSync(file, [
      flow("2026-11-20T14:00:00Z", { type: "RESPONSE", dns: { query: "a.example.", rcode: 3, qtypes: ["A"] } }),
      flow("2026-11-20T14:00:01Z", { type: "RESPONSE", dns: { query: "b.example.", qtypes: ["AAAA"] } }),
      flow("2026-11-20T14:00:02Z", { type: "RESPONSE", dns: { query: "c.example.", rcode: "SERVFAIL", qtypes: ["A"] } }),
      flow("2026-11-20T14:00:03Z", { type: "REQUEST", dns: { query: "d.example.", qtypes: ["A", "AAAA"] } }),
      flow("2026-11-20T14:00:04Z", { type: "RESPONSE", latency_ns: "2500000", dns: { query: "e.example.", rcode: 5 } }),
    ].join("\n"));
    store = await FlowStore.open();
    await store.ingest([file]);
    expect(await rows(store, "SELECT DnsQuery, DnsRcode, DnsQtypes, L7Type, SourceWorkload, DestinationWorkload, LatencyMs FROM flows ORDER BY TimeGenerated")).toEqual([
      { DnsQuery: "a.example.", DnsRcode: "NXDOMAIN", DnsQtypes: "A", L7Type: "RESPONSE", SourceWorkload: "coredns", DestinationWorkload: "checkout", LatencyMs: null },
      { DnsQuery: "b.example.", DnsRcode: "NOERROR", DnsQtypes: "AAAA", L7Type: "RESPONSE", SourceWorkload: "coredns", DestinationWorkload: "checkout", LatencyMs: null },
      { DnsQuery: "c.example.", DnsRcode: "SERVFAIL", DnsQtypes: "A", L7Type: "RESPONSE", SourceWorkload: "coredns", DestinationWorkload: "checkout", LatencyMs: null },
      { DnsQuery: "d.example.", DnsRcode: null, DnsQtypes: "A,AAAA", L7Type: "REQUEST", SourceWorkload: "coredns", DestinationWorkload: "checkout", LatencyMs: null },
      { DnsQuery: "e.example.", DnsRcode: "REFUSED", DnsQtypes: null, L7Type: "RESPONSE", SourceWorkload: "coredns", DestinationWorkload: "checkout", LatencyMs: 2.5 },
    ]);
  });

  it("keeps a file-backed store across opens", async () => {
    const path = join(dir, "kept.duckdb");
    store = await FlowStore.open(path, { create: true });
    await store.ingest([REAL]);
    store.close();
    store = await FlowStore.open(path);
    expect(await store.extent()).toEqual({ rows: 4, from: "2023-08-21T12:12:18.510Z", to: "2025-04-16T18:49:59.450Z" });
  });
});

describe("Log Analytics export ingest", () => {
  const laRow = (over: Record<string, unknown> = {}) => ({
    TimeGenerated: "2026-11-20T14:31:00Z",
    Verdict: "FORWARDED",
    SourceNamespace: "shop",
    SourcePodName: "checkout-7d9c8b6f5d-x2k4q",
    SourceWorkloads: [{ name: "checkout", kind: "Deployment" }],
    DestinationNamespace: "kube-system",
    DestinationPodName: "coredns-5d78c9869d-xk7p2",
    DestinationWorkloads: '[{"name":"coredns","kind":"Deployment"}]',
    NodeName: "aks-prod/aks-nodepool1-27013129-vmss000001",
    Layer4: { UDP: { source_port: 40000, destination_port: 53 } },
    Layer7: { type: "RESPONSE", dns: { query: "api.partner.example.com.", rcode: "SERVFAIL" } },
    Reply: true,
    IngressFlowCount: 3,
    EgressFlowCount: 4,
    UnknownDirectionFlowCount: 0,
    ...over,
  });

  it("loads a JSON array export, reading dynamic columns as objects or JSON text, and counts flows not rows", async () => {
    const file = join(dir, "la.json");
    writeFileSync(file, JSON.stringify([laRow(), laRow({ TimeGenerated: "2026-11-20T14:32:00Z", Verdict: "DROPPED", DropReason: "POLICY_DENIED", IngressFlowCount: 10, EgressFlowCount: 0 })]));
    store = await FlowStore.open();
    expect(await store.ingest([file])).toMatchObject({ rows: 2, rejected: 0, from: "2026-11-20T14:31:00.000Z", to: "2026-11-20T14:32:00.000Z" });
    expect(await rows(store, "SELECT SourceWorkload, DestinationWorkload, NodeName, DnsRcode, DestinationPort, Flows, DropReason FROM flows ORDER BY TimeGenerated")).toEqual([
      { SourceWorkload: "checkout", DestinationWorkload: "coredns", NodeName: "aks-nodepool1-27013129-vmss000001", DnsRcode: "SERVFAIL", DestinationPort: 53, Flows: 7, DropReason: null },
      { SourceWorkload: "checkout", DestinationWorkload: "coredns", NodeName: "aks-nodepool1-27013129-vmss000001", DnsRcode: "SERVFAIL", DestinationPort: 53, Flows: 10, DropReason: "POLICY_DENIED" },
    ]);
  });

  it("loads JSON lines exports and names the bad rows", async () => {
    const file = join(dir, "la.jsonl");
    writeFileSync(file, [JSON.stringify(laRow()), JSON.stringify(laRow({ TimeGenerated: "not a time" })), "{oops", JSON.stringify(laRow({ Layer7: { type: "RESPONSE", dns: { rcode: 3 } } }))].join("\n"));
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r).toMatchObject({ rows: 2, rejected: 2 });
    expect(r.errors).toEqual([
      { file, line: 2, message: "TimeGenerated is not a time: not a time" },
      { file, line: 3, message: expect.stringMatching(/^not valid JSON/) },
    ]);
    expect((await rows(store, "SELECT DnsRcode FROM flows ORDER BY TimeGenerated, DnsRcode")).map((r) => r.DnsRcode)).toEqual(["NXDOMAIN", "SERVFAIL"]);
  });

  it("loads the portal's CSV export (TimeGenerated [UTC], US times, JSON in cells)", async () => {
    const file = join(dir, "la.csv");
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(file, [
      "TenantId,TimeGenerated [UTC],Verdict,DropReason,SourceNamespace,SourcePodName,DestinationNamespace,DestinationPodName,NodeName,Layer4,IngressFlowCount,EgressFlowCount,UnknownDirectionFlowCount",
      `t1,"11/20/2026, 2:31:02.123 PM",DROPPED,POLICY_DENIED,shop,checkout-7d9c8b6f5d-x2k4q,shop,payments-6c8d7b9f4c-qwz7p,aks-nodepool1-27013129-vmss000000,${q('{"TCP":{"source_port":41000,"destination_port":8080,"flags":{"SYN":true}}}')},5,0,0`,
      `t1,not-a-time,DROPPED,POLICY_DENIED,shop,x,shop,y,n,,1,0,0`,
      `t1,2026-11-20T14:40:00Z,FORWARDED,,shop,checkout-7d9c8b6f5d-x2k4q,pets,rabbitmq-0,aks-nodepool1-27013129-vmss000002,,,,`,
    ].join("\n"));
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r).toMatchObject({ rows: 2, rejected: 1, errors: [{ file, line: 3, message: "TimeGenerated is not a time: not-a-time" }] });
    expect(await rows(store, "SELECT TimeGenerated, DestinationWorkload, TcpFlags, DestinationPort, Flows FROM flows ORDER BY TimeGenerated")).toEqual([
      { TimeGenerated: "2026-11-20T14:31:02.123Z", DestinationWorkload: "payments", TcpFlags: "SYN", DestinationPort: 8080, Flows: 5 },
      // No counters in the row: it still stands for one flow.
      { TimeGenerated: "2026-11-20T14:40:00.000Z", DestinationWorkload: "rabbitmq", TcpFlags: null, DestinationPort: null, Flows: 1 },
    ]);
  });
});
