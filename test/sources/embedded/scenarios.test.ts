import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flowQuery, type Predicate } from "../../../src/query/index.js";
import { FlowStore } from "../../../src/sources/embedded/index.js";
import { flowMatchesAny, METRIC_ONLY_SCENARIOS, SCENARIOS, simulate, writeSimulation, type FlowMatch, type HubbleFlow, type Simulation } from "../../../src/sources/embedded/simulate/index.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();

/** A simulator FlowMatch as IR predicates: the store must find the same flows. */
function predicatesOf(m: FlowMatch): Predicate[] {
  const p: Predicate[] = [];
  const eq = (field: Parameters<typeof flowQuery>[0]["groupBy"] extends (infer F)[] | undefined ? F : never, value: string | number | undefined) => {
    if (value !== undefined) p.push({ field, op: "eq", value } as Predicate);
  };
  eq("verdict", m.verdict);
  eq("dropReason", m.dropReason);
  eq("flowType", m.type);
  eq("l7Type", m.l7Type);
  eq("dnsQuery", m.dnsQuery);
  if (m.dnsRcode) p.push({ field: "dnsRcode", op: "eq", value: m.dnsRcode }, { field: "l7Type", op: "eq", value: "RESPONSE" });
  eq("dnsQtypes", m.dnsQtype);
  eq("httpStatus", m.httpCode);
  eq("httpMethod", m.httpMethod);
  if (m.tcpFlag) p.push({ field: "tcpFlags", op: "hasFlag", value: m.tcpFlag });
  eq("srcNamespace", m.sourceNamespace);
  eq("srcWorkload", m.sourceWorkload);
  eq("srcPod", m.sourcePod);
  eq("dstNamespace", m.destinationNamespace);
  eq("dstWorkload", m.destinationWorkload);
  eq("dstPod", m.destinationPod);
  eq("node", m.node);
  return p;
}

describe.each(SCENARIOS.filter((s) => !(METRIC_ONLY_SCENARIOS as readonly string[]).includes(s)).map((s) => [s]))("scenario %s in the embedded store", (name) => {
  let sim: Simulation;
  let store: FlowStore;
  let flows: HubbleFlow[];
  beforeAll(async () => {
    sim = simulate(name);
    const file = join(dir, `${name}.jsonl`);
    await writeSimulation(sim, file);
    flows = [...sim.lines()].map((l) => l.flow);
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r).toMatchObject({ rows: flows.length, rejected: 0 });
  });
  afterAll(() => store.close());

  const window = () => ({ from: new Date(sim.from), to: new Date(sim.to) });

  it("the fault's flows counted by an IR query equal the injected count", async () => {
    for (const t of sim.truth) {
      const q = flowQuery({
        window: window(),
        where: [{ field: "time", op: "gte", value: t.since }, { any: t.match.map((m) => ({ all: predicatesOf(m) })) }],
        measures: [{ fn: "flows", as: "flows" }],
      });
      const r = await store.query(q);
      expect(r.rows, t.description).toEqual([[t.injected]]);
      // And counted straight from the generated lines, without the store.
      const direct = flows.filter((f) => f.time >= t.since && flowMatchesAny(f, t.match)).length;
      expect(direct).toBe(t.injected);
    }
  });

  it("flows by verdict and drop reason equal a direct count of the lines", async () => {
    const r = await store.query(flowQuery({ window: window(), groupBy: ["verdict", "dropReason"], measures: [{ fn: "flows", as: "flows" }], orderBy: { by: "verdict", desc: false } }));
    const direct = new Map<string, number>();
    for (const f of flows) {
      const k = JSON.stringify([f.verdict, f.drop_reason_desc ?? null]);
      direct.set(k, (direct.get(k) ?? 0) + 1);
    }
    const got = new Map(r.rows.map((row) => [JSON.stringify([row[0], row[1]]), row[2]]));
    expect(got).toEqual(direct);
  });

  it("DNS responses by rcode equal a direct count (a missing rcode is NOERROR)", async () => {
    const r = await store.query(flowQuery({
      window: window(),
      where: [{ field: "l7Protocol", op: "eq", value: "dns" }, { field: "l7Type", op: "eq", value: "RESPONSE" }],
      groupBy: ["dnsRcode"],
      measures: [{ fn: "flows", as: "flows" }],
    }));
    const names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];
    const direct = new Map<string, number>();
    for (const f of flows) if (f.l7?.type === "RESPONSE" && f.l7.dns) {
      const k = names[f.l7.dns.rcode ?? 0]!;
      direct.set(k, (direct.get(k) ?? 0) + 1);
    }
    expect(new Map(r.rows.map((row) => [row[0], row[1]]))).toEqual(direct);
  });
});
