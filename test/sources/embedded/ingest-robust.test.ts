import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { FlowStore, InputError } from "../../../src/sources/embedded/index.js";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();
const REAL = join(import.meta.dirname, "../../fixtures/hubble-real.jsonl");
const realLines = readFileSync(REAL, "utf8").trim().split("\n");
let store: FlowStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});
const errorResponses = async (s: FlowStore) => Number((await s.run({ sql: `SELECT coalesce(sum(Flows), 0) FROM flows WHERE HttpStatus >= 400`, params: [] })).rows[0]![0]);

describe("ingest is idempotent", () => {
  it("the same export twice counts every flow once", async () => {
    const file = join(dir, "http-403.jsonl");
    await writeSimulation(simulate("http-403", { hours: 1 }), file);
    store = await FlowStore.open(join(dir, "twice.duckdb"), { create: true });
    const first = await store.ingest([file]);
    const errors = await errorResponses(store);
    expect(errors).toBeGreaterThan(0);
    const again = await store.ingest([file]);
    expect(again).toMatchObject({ rows: 0, skipped: first.rows, rejected: 0 });
    expect(await errorResponses(store)).toBe(errors);
    expect((await store.extent()).rows).toBe(first.rows);
  });

  it("flows without a UUID are told apart by their content", async () => {
    const file = join(dir, "no-uuid.jsonl");
    const line = JSON.parse(realLines[0]!) as { flow: Record<string, unknown> };
    delete line.flow.uuid;
    writeFileSync(file, [JSON.stringify(line), JSON.stringify(line), JSON.stringify({ ...line, flow: { ...line.flow, time: "2025-04-16T18:50:00Z" } })].join("\n"));
    store = await FlowStore.open();
    expect(await store.ingest([file])).toMatchObject({ rows: 2, skipped: 1 });
  });
});

describe("ingest never loses good lines", () => {
  it("a truncated gzip keeps the lines before the damage, and the next file is still read", async () => {
    const flows = join(dir, "many.jsonl");
    await writeSimulation(simulate("healthy", { hours: 1, scale: 0.2 }), flows);
    const whole = gzipSync(readFileSync(flows));
    const cut = join(dir, "cut.jsonl.gz");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const good = join(dir, "good.jsonl");
    writeFileSync(good, realLines.join("\n") + "\n");
    store = await FlowStore.open();
    const r = await store.ingest([cut, good]);
    expect(r.rows).toBeGreaterThan(realLines.length + 100);
    expect(r.errors.find((e) => e.file === cut)?.message).toMatch(/^the gzip stream is damaged after line \d+/);
    expect(r.errors.some((e) => e.file === good)).toBe(false);
    expect(Number((await store.run({ sql: `SELECT count(*) FROM flows WHERE NodeName = 'aks-nodepool1-27013129-vmss000000' AND SourcePodName LIKE 'kapinger-good-%'`, params: [] })).rows[0]![0])).toBeGreaterThan(0);
  });

  it("a missing file among several is an error of its own; the others are stored", async () => {
    const good = join(dir, "good2.jsonl");
    writeFileSync(good, realLines.join("\n") + "\n");
    store = await FlowStore.open();
    const r = await store.ingest([good, join(dir, "missing.jsonl")]);
    expect(r).toMatchObject({ rows: realLines.length, errors: [{ file: join(dir, "missing.jsonl"), line: 0, message: expect.stringMatching(/no such file/) }] });
  });

  it("a 50 MB line is refused as too long, its neighbours kept", async () => {
    const file = join(dir, "long.jsonl");
    const huge = JSON.stringify({ flow: { time: "2025-04-16T18:49:59Z", verdict: "FORWARDED", Summary: "x".repeat(50 * 1024 * 1024) } });
    writeFileSync(file, [realLines[0], huge, realLines[2]].join("\n"));
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r).toMatchObject({ rows: 2, rejected: 1, errors: [{ line: 2, message: expect.stringMatching(/^the line is 5\d\.\d MB long/) }] });
  });

  it("a JSON array of Hubble flows is read as flows, bare or wrapped", async () => {
    const wrapped = join(dir, "wrapped.json");
    writeFileSync(wrapped, JSON.stringify(realLines.map((l) => JSON.parse(l))));
    const bare = join(dir, "bare.json");
    writeFileSync(bare, JSON.stringify(realLines.map((l) => (JSON.parse(l) as { flow: unknown }).flow)));
    store = await FlowStore.open();
    expect(await store.ingest([wrapped])).toMatchObject({ rows: realLines.length, rejected: 0 });
    store.close();
    store = await FlowStore.open();
    expect(await store.ingest([bare])).toMatchObject({ rows: realLines.length, rejected: 0 });
  });

  it("an empty file is an error that names it", async () => {
    const file = join(dir, "empty.jsonl");
    writeFileSync(file, "");
    store = await FlowStore.open();
    await expect(store.ingest([file])).rejects.toThrow(new InputError(`${file} is empty: no flows in it`));
  });
});

describe("every row is checked against the field types", () => {
  const flow = JSON.parse(realLines[0]!) as { flow: Record<string, any> };
  const variant = (f: (x: Record<string, any>) => void) => {
    const c = structuredClone(flow);
    delete c.flow.uuid;
    f(c.flow);
    return JSON.stringify(c);
  };
  it.each([
    ["verdict 42", variant((f) => (f.verdict = 42)), /^flow\.verdict is not a verdict: 42/],
    ["pod_name a list", variant((f) => (f.source.pod_name = ["x"])), /^flow\.source\.pod_name must be text, not a list/],
    ["flags a string", variant((f) => (f.l4 = { TCP: { source_port: 1, destination_port: 2, flags: "RST" } })), /^flow\.l4\.TCP\.flags must be an object/],
    ["workloads an object", variant((f) => (f.destination.workloads = { name: "x" })), /^flow\.destination\.workloads must be a list/],
    ["identity text", variant((f) => (f.source.identity = "abc")), /^flow\.source\.identity must be a whole number/],
    ["an empty flow", JSON.stringify({ flow: { time: "2025-04-16T18:49:59Z" } }), /^the flow holds nothing/],
  ])("%s is refused by line and field", async (_name, bad, message) => {
    const file = join(dir, `types-${_name.replace(/\W+/g, "-")}.jsonl`);
    writeFileSync(file, [realLines[1], bad, realLines[2]].join("\n"));
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r).toMatchObject({ rows: 2, rejected: 1 });
    expect(r.errors[0]).toMatchObject({ file, line: 2 });
    expect(r.errors[0]!.message).toMatch(message);
  });
});

describe("a store path is a store", () => {
  it("a .jsonl passed as the store is refused and left byte-identical", async () => {
    const file = join(dir, "flows-as-store.jsonl");
    writeFileSync(file, realLines.join("\n"));
    const before = readFileSync(file);
    await expect(FlowStore.open(file, { create: true })).rejects.toThrow(/is not a netrca store \(a DuckDB file\)/);
    await expect(FlowStore.open(file)).rejects.toThrow(InputError);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
  it("a folder, a missing store to ask, and a DuckDB file without flows are refused", async () => {
    await expect(FlowStore.open(dir, { create: true })).rejects.toThrow(/is a folder/);
    await expect(FlowStore.open(join(dir, "nope.duckdb"))).rejects.toThrow(/^no store at .*nope\.duckdb: make one with netrca ingest/);
    const other = join(dir, "other.duckdb");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(other);
    const c = await db.connect();
    await c.run("CREATE TABLE t (x INT)");
    c.closeSync();
    db.closeSync();
    await expect(FlowStore.open(other)).rejects.toThrow(/not a netrca store \(it has no flows table\)/);
  });
});

describe("types that look right once converted", () => {
  it("a number where a name belongs is refused; an empty name is a missing one", async () => {
    const flow = JSON.parse(realLines[0]!) as { flow: Record<string, any> };
    const seven = structuredClone(flow);
    seven.flow.source.namespace = 7;
    delete seven.flow.uuid;
    const empty = structuredClone(flow);
    empty.flow.destination.namespace = "";
    empty.flow.destination.pod_name = "";
    delete empty.flow.uuid;
    const file = join(dir, "seven.jsonl");
    writeFileSync(file, [JSON.stringify(seven), JSON.stringify(empty)].join("\n"));
    store = await FlowStore.open();
    const r = await store.ingest([file]);
    expect(r).toMatchObject({ rows: 1, rejected: 1, errors: [{ line: 1, message: "flow.source.namespace must be text, not a number" }] });
  });
});
