import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Report } from "../../../src/model/index.js";
import { simulate, writeSimulation } from "../../../src/sources/embedded/simulate/index.js";
import { main } from "../../../src/surfaces/cli/main.js";
import { tempDir } from "../../support/tmp.js";

const dir = tempDir();
const root = join(import.meta.dirname, "../../..");
const REAL = join(root, "test/fixtures/hubble-real.jsonl");

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n") });
  return { code, out, err };
}

let policyDrop: string;
beforeAll(async () => {
  policyDrop = join(dir, "policy-drop.jsonl");
  await writeSimulation(simulate("policy-drop"), policyDrop);
});

describe("netrca ingest", () => {
  it("prints the contract's JSON and keeps good lines next to bad ones (exit 0)", async () => {
    const file = join(dir, "mixed.jsonl");
    writeFileSync(file, readFileSync(REAL, "utf8") + "not json\n");
    const r = await run("ingest", file, "--store", join(dir, "a.duckdb"), "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ rows: 4, rejected: 1, skipped: 0, errors: [{ file, line: 5, message: expect.stringMatching(/^not valid JSON/) }], from: "2023-08-21T12:12:18.510Z", to: "2025-04-16T18:49:59.450Z" });
  });

  it("exits 2 with one sentence when every line is bad", async () => {
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, "nope\n{}\n");
    const r = await run("ingest", file, "--store", join(dir, "b.duckdb"));
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^netrca: no usable flow in the input: all 2 lines were rejected \(first: .*bad\.jsonl:1: not valid JSON/);
  });

  it("names a missing file and a missing --store", async () => {
    expect(await run("ingest", join(dir, "nope.jsonl"), "--store", join(dir, "c.duckdb"))).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read .*nope\.jsonl: no such file/) });
    expect((await run("ingest", REAL)).err).toMatch(/ingest needs --store PATH/);
  });
});

describe("netrca ask", () => {
  it("answers from --flows with a Report that validates and a PNG chart", async () => {
    const r = await run("ask", "--flows", policyDrop, "checkout can't talk to payments in shop", "--json", "--out", join(dir, "charts"));
    expect(r.code).toBe(0);
    const report = Report.parse(JSON.parse(r.out));
    expect(report.findings[0]).toMatchObject({ kind: "packet_drops", reason: "POLICY_DENIED", subject: { namespace: "shop", workload: "payments" } });
    expect(report.charts.length).toBeGreaterThan(0);
    for (const c of report.charts) expect(readFileSync(c.file).subarray(1, 4).toString()).toBe("PNG");
    expect(report.evidence.every((e) => e.rows.length <= 20 && e.query.kql && e.query.sql)).toBe(true);
  });

  it("prints readable text: what it understood, the answer, a table, the chart", async () => {
    const r = await run("ask", "--flows", policyDrop, "show packet drops in ns shop", "--out", join(dir, "charts2"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^understood: drops · ns shop · 2026-11-20 14:00–15:00 UTC/);
    expect(r.out).toMatch(/Most probable root cause .*traffic to shop\/payments dropped: POLICY_DENIED from shop\/checkout/s);
    expect(r.out).toMatch(/dstNamespace +dstWorkload +dstReserved +srcNamespace +srcWorkload +srcReserved +dropReason +flows/);
    expect(r.out).toMatch(/Charts\n .*\.png/);
  });

  it("says so when a name is not in the data, and offers the closest", async () => {
    const r = await run("ask", "--flows", policyDrop, "dns errors for chekout in shop", "--json");
    const report = Report.parse(JSON.parse(r.out));
    expect(report.notes.join(" ")).toMatch(/did you mean "checkout"/);
  });

  it("never calls a window without flows healthy", async () => {
    const r = await run("ask", "--flows", policyDrop, "dns errors in namespace shop", "--now", "2026-11-21T15:00:00Z", "--json");
    expect(JSON.parse(r.out).summary).toMatch(/^No flows for namespace shop.*not the same as healthy/);
  });

  it("refuses bad usage with exit 2 and one line", async () => {
    for (const argv of [["ask"], ["ask", "x", "--now", "yesterday-ish"], ["ask", "x", "--flows", join(dir, "missing.jsonl")], ["frobnicate"], ["simulate", "--scenario", "nope", "--out", "x"]]) {
      const r = await run(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err.trim().split("\n"), argv.join(" ")).toHaveLength(1);
    }
  });
});

describe("the installed command (bin/netrca.js, built code)", () => {
  const bin = join(root, "bin/netrca.js");
  it("parse answers one JSON line per stdin line", () => {
    const p = spawnSync(process.execPath, [bin, "parse", "--now", "2026-11-20T15:00:00Z"], { input: "dns errors in ns shop since 14:10\n\nhelp\n", encoding: "utf8" });
    expect(p.status).toBe(0);
    const lines = p.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ intent: "dns", scope: { namespace: "shop", from: "2026-11-20T14:10:00.000Z", to: "2026-11-20T15:00:00.000Z" } });
    expect(lines[2].intent).toBe("help");
  });

  it("output piped into a reader that closes early (head) ends quietly, no EPIPE stack", () => {
    // `head -n 1` exits after the first line; simulate's next lines meet a closed pipe.
    const p = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" simulate --scenario dns-missing-responses --metrics-out "${join(dir, "epipe.om")}" | head -n 1 >/dev/null; sleep 0.3`], { encoding: "utf8", timeout: 60_000 });
    expect(p.status).toBe(0);
    expect(p.stderr).not.toMatch(/EPIPE|Error/);
  });

  it("ask on an export exits on its own with the answer", () => {
    const p = spawnSync(process.execPath, [bin, "ask", "--flows", policyDrop, "what's wrong in namespace shop?", "--out", join(dir, "c3")], { encoding: "utf8", timeout: 60_000 });
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/POLICY_DENIED/);
  });
});

describe("every user mistake is one line and exit 2, never a stack", () => {
  const oneLine = (r: { code: number; err: string }) => {
    expect(r.code, r.err).toBe(2);
    expect(r.err.trim().split("\n"), r.err).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at |Error:|SELECT|FROM flows/);
    expect(r.err).toMatch(/^netrca: /);
  };
  it("--out naming a file", async () => {
    const file = join(dir, "not-a-folder.txt");
    writeFileSync(file, "x");
    oneLine(await run("ask", "dns?", "--flows", policyDrop, "--out", file));
    expect(readFileSync(file, "utf8")).toBe("x");
  });
  it("--out inside a file (a folder that cannot be made)", async () => {
    const file = join(dir, "plain.txt");
    writeFileSync(file, "x");
    const r = await run("ask", "dns?", "--flows", policyDrop, "--out", join(file, "charts"));
    oneLine(r);
    expect(r.err).toMatch(/--out .*plain\.txt\/charts cannot be written: part of the path is a file/);
  });
  it.each(["99999-01-01", "1969-12-31T00:00:00Z", "yesterday", "2026-13-01"])("--now %s", async (now) => {
    oneLine(await run("ask", "dns?", "--flows", policyDrop, "--now", now));
  });
  it("--store naming a folder, an export, or nothing (for ask)", async () => {
    oneLine(await run("ask", "dns?", "--store", dir));
    oneLine(await run("ingest", REAL, "--store", dir));
    const jsonl = join(dir, "as-store.jsonl");
    writeFileSync(jsonl, readFileSync(REAL));
    oneLine(await run("ingest", REAL, "--store", jsonl));
    oneLine(await run("ask", "dns?", "--store", jsonl));
    expect(readFileSync(jsonl).equals(readFileSync(REAL))).toBe(true);
    const r = await run("ask", "dns?", "--store", join(dir, "never-made.duckdb"));
    oneLine(r);
    expect(r.err).toMatch(/no store at .*never-made\.duckdb: make one with netrca ingest/);
  });
  it("an empty input file", async () => {
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    oneLine(await run("ask", "dns?", "--flows", empty));
    oneLine(await run("ingest", empty, "--store", join(dir, "e.duckdb")));
  });
  it("ingest of a good and a missing file stores the good one, says so, and exits 2; the rerun stores nothing twice", async () => {
    const store = join(dir, "partial.duckdb");
    const r = await run("ingest", REAL, join(dir, "missing.jsonl"), "--store", store);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^ingested 4 flow rows from 2 files/);
    expect(r.out).toMatch(/could not read .*missing\.jsonl: cannot read .*: no such file/);
    expect(r.err.trim()).toMatch(/^netrca: 1 of 2 files could not be read .*; the flows of the others are stored$/);
    const again = await run("ingest", REAL, "--store", store, "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ rows: 0, skipped: 4 });
  });
  it("simulate --out naming a folder", async () => {
    oneLine(await run("simulate", "--scenario", "demo", "--out", dir));
  });
  it("serve on a port in use", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    const before = process.env.PORT;
    process.env.PORT = String(port);
    try {
      const r = await run("serve", "--flows", policyDrop);
      oneLine(r);
      expect(r.err).toContain(`port ${port} is in use`);
    } finally {
      if (before === undefined) delete process.env.PORT;
      else process.env.PORT = before;
      blocker.close();
    }
  });
});
