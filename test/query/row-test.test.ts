import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowQuery, orderRows, rowTest, type Predicate } from "../../src/query/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation } from "../../src/sources/embedded/simulate/index.js";
import { tempDir } from "../support/tmp.js";

/** Filtering grouped rows in memory must give what the store gives with the filter in the query. */
describe("rowTest agrees with the compiled SQL on group keys", () => {
  let store: FlowStore;
  beforeAll(async () => {
    const file = join(tempDir(), "demo.jsonl");
    await writeSimulation(simulate("demo", { hours: 1 }), file);
    store = await FlowStore.open();
    await store.ingest([file]);
  });
  afterAll(() => store.close());

  const window = { from: new Date("2026-11-20T14:00:00Z"), to: new Date("2026-11-20T15:00:00Z") };
  const groupBy = ["dnsRcode", "httpStatus", "dstNamespace", "verdict"] as const;
  it.each<[string, Predicate]>([
    ["rcode is not NOERROR", { field: "dnsRcode", op: "neq", value: "NOERROR" }],
    ["status 400 and up", { field: "httpStatus", op: "gte", value: 400 }],
    ["status below 300", { field: "httpStatus", op: "lt", value: 300 }],
    ["namespace in a list", { field: "dstNamespace", op: "in", values: ["shop", "pets"] }],
    ["namespace not in a list", { field: "dstNamespace", op: "notIn", values: ["shop"] }],
    ["no namespace", { field: "dstNamespace", op: "isNull" }],
    ["dropped, or an error response", { any: [{ field: "verdict", op: "eq", value: "DROPPED" }, { field: "httpStatus", op: "gte", value: 500 }] }],
    ["not forwarded", { not: { field: "verdict", op: "eq", value: "FORWARDED" } }],
  ])("%s", async (_name, p) => {
    const all = await store.query(flowQuery({ window, groupBy: [...groupBy], measures: [{ fn: "flows", as: "flows" }] }));
    const filtered = flowQuery({ window, groupBy: [...groupBy], where: [p], measures: [{ fn: "flows", as: "flows" }] });
    const want = await store.query(filtered);
    const test = rowTest(p, all.columns)!;
    expect(test).not.toBeNull();
    expect(orderRows(all.columns, all.rows.filter(test), filtered)).toEqual(want.rows);
    expect(want.rows.length).toBeGreaterThan(0);
  });

  it("refuses a predicate on a field the rows do not have", () => {
    expect(rowTest({ field: "tcpFlags", op: "hasFlag", value: "RST" }, ["tcpFlags"])).toBeNull();
    expect(rowTest({ field: "node", op: "eq", value: "x" }, ["dnsRcode"])).toBeNull();
  });
});
