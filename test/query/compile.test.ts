import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileKql, compileSql, FIELD_NAMES, flowQuery, kqlString, type FieldName, type FlowQueryInput } from "../../src/query/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { checkKql, kqlTokens } from "../support/kusto.js";

const window = { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") };
const flows = [{ fn: "flows" as const, as: "flows" }];

/** Representative checks: the shapes playbooks use, each field grouped and filtered. */
const QUERIES: Record<string, FlowQueryInput> = {
  dnsErrorsByQuery: {
    window,
    where: [{ field: "l7Protocol", op: "eq", value: "dns" }, { field: "l7Type", op: "eq", value: "RESPONSE" }, { field: "dnsRcode", op: "neq", value: "NOERROR" }],
    groupBy: ["dstNamespace", "dstWorkload", "dnsRcode", "dnsQuery", "dnsQtypes"],
    measures: flows,
    top: 20,
  },
  dropsOverTime: {
    window,
    where: [{ field: "verdict", op: "eq", value: "DROPPED" }, { any: [{ field: "srcNamespace", op: "eq", value: "shop" }, { field: "dstNamespace", op: "eq", value: "shop" }] }],
    groupBy: ["dropReason", "dstWorkload"],
    bin: "5m",
    measures: flows,
  },
  resetsByPod: {
    window,
    where: [{ field: "tcpFlags", op: "hasFlag", value: "RST" }, { field: "protocol", op: "eq", value: "TCP" }],
    groupBy: ["srcPod", "srcWorkload", "tcpFlags", "node"],
    measures: [...flows, { fn: "distinct", field: "dstPod", as: "peers" }],
    orderBy: { by: "flows", desc: true },
    top: 10,
  },
  httpErrorRatio: {
    window,
    where: [{ field: "l7Protocol", op: "eq", value: "http" }, { field: "isReply", op: "eq", value: true }],
    groupBy: ["dstWorkload", "httpMethod"],
    measures: [
      { fn: "flows", as: "responses" },
      { fn: "flowsWhere", where: [{ field: "httpStatus", op: "gte", value: 500 }], as: "errors" },
      { fn: "p95", field: "latencyMs", as: "p95Ms" },
      { fn: "p50", field: "latencyMs", as: "p50Ms" },
      { fn: "max", field: "httpStatus", as: "maxStatus" },
    ],
  },
  everything: {
    window,
    where: [
      { field: "srcPort", op: "lt", value: 32768 },
      { field: "dstPort", op: "in", values: [53, 8080] },
      { all: [{ field: "httpUrl", op: "startsWith", value: "http://" }, { field: "httpMethod", op: "neq", value: "TRACE" }] },
      { field: "dnsQuery", op: "contains", value: "example" },
      { field: "srcIp", op: "notIn", values: ["10.0.0.1"] },
      { not: { field: "dropReason", op: "isNull" } },
      { field: "time", op: "gte", value: "2026-11-20T14:10:00Z" },
      { field: "srcIdentity", op: "neq", value: 2 },
      { field: "kafkaTopic", op: "notNull" },
    ],
    groupBy: FIELD_NAMES.filter((f) => f !== "time"),
    measures: [...flows, { fn: "avg", field: "latencyMs", as: "avgMs" }, { fn: "sum", field: "kafkaErrorCode", as: "kafkaErrors" }, { fn: "p99", field: "latencyMs", as: "p99Ms" }, { fn: "min", field: "time", as: "firstSeen" }],
    top: 5,
  },
};

describe("KQL compiler", () => {
  for (const [name, input] of Object.entries(QUERIES)) {
    it(`${name}: the Kusto language service finds no error against both tables`, () => {
      const kql = compileKql(flowQuery(input));
      expect(kql).toMatch(/^union isfuzzy=true ContainerNetworkLogs, RetinaNetworkFlowLogs\n/);
      expect(checkKql(kql)).toEqual([]);
    });
  }

  it("measures flows from the three counters, never count()", () => {
    const kql = compileKql(flowQuery(QUERIES.dnsErrorsByQuery!));
    expect(kql).toContain("flows = sum(IngressFlowCount + EgressFlowCount + UnknownDirectionFlowCount)");
    expect(kql).not.toMatch(/count\(\)/);
  });

  it("reads dynamic columns the way Microsoft's queries do and accepts rcode as a number or a name", () => {
    const kql = compileKql(flowQuery(QUERIES.resetsByPod!));
    expect(kql).toContain("tostring(SourceWorkloads[0].name)");
    const dns = compileKql(flowQuery(QUERIES.dnsErrorsByQuery!));
    expect(dns).toContain("L7 = parse_json(Layer7)");
    expect(dns).toContain('tostring(L7.dns.rcode) == "3", "NXDOMAIN"');
    expect(dns).toContain("toupper(tostring(L7.dns.rcode))");
  });
});

describe("SQL compiler on the embedded store", () => {
  let store: FlowStore;
  beforeAll(async () => {
    store = await FlowStore.open();
  });
  afterAll(() => store.close());

  for (const [name, input] of Object.entries(QUERIES)) {
    it(`${name}: DuckDB accepts it and returns the query's columns`, async () => {
      const q = flowQuery(input);
      const r = await store.query(q);
      expect(r.rows).toEqual([]);
      expect(r.columns).toEqual([...(q.bin ? ["bucket"] : []), ...q.groupBy, ...q.measures.map((m) => m.as)]);
    });
  }

  it("binds every value: no literal from the query appears in the SQL", () => {
    const c = compileSql(flowQuery(QUERIES.everything!));
    expect(c.sql).not.toMatch(/'(example|http:\/\/|10\.0\.0\.1)'/);
    expect(c.params).toEqual(expect.arrayContaining(["example", "http://", "10.0.0.1", 53, 8080]));
    expect(c.text).toContain("contains(DnsQuery, 'example')");
  });
});

describe("validation", () => {
  it("refuses a Kubernetes name that is not DNS-1123, naming the field", () => {
    expect(() => flowQuery({ window, where: [{ field: "srcNamespace", op: "eq", value: "Shop; drop table" }], measures: flows })).toThrow(/srcNamespace: "Shop; drop table" is not a valid Kubernetes name/);
  });
  it("refuses values outside a closed enum and unknown fields", () => {
    expect(() => flowQuery({ window, where: [{ field: "verdict", op: "eq", value: "DROPPED\" or 1==1" }], measures: flows })).toThrow(/verdict/);
    expect(() => flowQuery({ window, where: [{ field: "Verdict" as FieldName, op: "eq", value: "DROPPED" }], measures: flows })).toThrow(/invalid FlowQuery/);
    expect(() => flowQuery({ window, where: [{ field: "tcpFlags", op: "hasFlag", value: "RST), evil(" }], measures: flows })).toThrow(/tcpFlags/);
  });
  it("refuses an empty or inverted window and unknown order columns", () => {
    expect(() => flowQuery({ window: { from: window.to, to: window.from }, measures: flows })).toThrow(/window.from must be before window.to/);
    expect(() => flowQuery({ window, measures: flows, orderBy: { by: "nope", desc: true } })).toThrow(/orderBy nope is not an output column/);
  });
});

describe("no scope value changes the structure of the SQL or the KQL", () => {
  const nasty = fc.constantFrom('"', "'", "\\", '\\"', "\n", "\r\n", "\t", "\u0000", "\u2028", "😀", "x\" or 1==1 | take 1 //", "'; DROP TABLE flows; --", "$1", "@\"", "```", "\\u0041");
  const anyText = fc.oneof(fc.string(), fc.string({ unit: "binary" }), nasty, fc.array(nasty).map((a) => a.join("")));

  const textQuery = (value: string): FlowQueryInput => ({
    window,
    where: [{ field: "dnsQuery", op: "eq", value }, { field: "httpUrl", op: "startsWith", value }, { field: "dropReason", op: "in", values: [value, "POLICY_DENIED"] }],
    groupBy: ["dnsQuery"],
    measures: [...flows, { fn: "flowsWhere", where: [{ field: "kafkaTopic", op: "contains", value }], as: "topicFlows" }],
    top: 10,
  });
  const shape = (kql: string) => kqlTokens(kql).map((t) => t.kind);
  const template = textQuery("x");
  const templateSql = compileSql(flowQuery(template)).sql;
  const templateKql = shape(compileKql(flowQuery(template)));

  it("free-text values: SQL text unchanged (values bound), KQL token kinds unchanged (one string literal each)", () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const q = flowQuery(textQuery(value));
        const sql = compileSql(q);
        expect(sql.sql).toBe(templateSql);
        expect(sql.params.filter((p) => p === value).length).toBeGreaterThanOrEqual(4);
        const kql = compileKql(q);
        expect(shape(kql)).toEqual(templateKql);
        expect(kql).toContain(kqlString(value));
      }),
      { numRuns: 300 },
    );
  });

  it("name values: anything not DNS-1123 is refused; what passes cannot alter either query", () => {
    const nameQuery = (value: string): FlowQueryInput => ({
      window,
      where: [{ any: [{ field: "srcNamespace", op: "eq", value }, { field: "dstWorkload", op: "eq", value }, { field: "node", op: "in", values: [value] }] }],
      groupBy: ["srcPod"],
      measures: flows,
    });
    const baseSql = compileSql(flowQuery(nameQuery("shop"))).sql;
    const baseKql = shape(compileKql(flowQuery(nameQuery("shop"))));
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?$/)), (value) => {
        let q;
        try {
          q = flowQuery(nameQuery(value));
        } catch (e) {
          expect(String(e)).toMatch(/is not a valid Kubernetes name/);
          return;
        }
        expect(value).toMatch(/^[a-z0-9.-]+$/);
        expect(compileSql(q).sql).toBe(baseSql);
        expect(shape(compileKql(q))).toEqual(baseKql);
      }),
      { numRuns: 300 },
    );
  });
});
