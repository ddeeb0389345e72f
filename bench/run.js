#!/usr/bin/env node
// netrca benchmarks: prints figures, asserts nothing (targets are in DESIGN.md).
// Runs the compiled code in dist/ (npm run bench builds first). Scratch files go to $TMPDIR.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => join(root, "dist", p);
const { simulate, writeSimulation } = await import(dist("sources/embedded/simulate/index.js"));
const { FlowStore } = await import(dist("sources/embedded/index.js"));
const { investigate } = await import(dist("investigate/index.js"));
const { loadPlaybooks, PLAYBOOK_DIR } = await import(dist("playbooks/index.js"));
const { ANALYZER_CATALOG } = await import(dist("analyze/index.js"));
const { chartPng } = await import(dist("report/charts/index.js"));

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const work = mkdtempSync(join(tmpdir(), "netrca-bench-"));
const mb = (bytes) => (bytes / 1e6).toFixed(0);
const ms = (x) => x.toFixed(0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function exportOf(scale, name = "demo") {
  const file = join(work, `${name}-x${scale}.jsonl`);
  const lines = await writeSimulation(simulate(name, { scale }), file);
  return { file, lines, bytes: statSync(file).size };
}

/** Ingest in a fresh process so its peak RSS is its own. */
function ingestInChild(file) {
  const store = join(work, `ingest-${Date.now()}.duckdb`);
  const out = execFileSync(process.execPath, [join(root, "bench", "ingest-child.js"), file, store], { encoding: "utf8" });
  rmSync(store, { force: true });
  return JSON.parse(out);
}

/** A whole `node bin/netrca.js …` process, in ms. */
function cli(args) {
  const t0 = performance.now();
  execFileSync(process.execPath, [join(root, "bin", "netrca.js"), ...args], { stdio: "ignore" });
  return performance.now() - t0;
}

try {
  if (want("start")) {
    console.log("== start-up (whole process, median of 7) ==");
    const node0 = median(Array.from({ length: 7 }, () => { const t0 = performance.now(); execFileSync(process.execPath, ["-e", "0"]); return performance.now() - t0; }));
    console.log(`node -e 0           ${ms(node0)} ms`);
    console.log(`netrca --help       ${ms(median(Array.from({ length: 7 }, () => cli(["--help"]))))} ms (target 150)`);
    console.log(`netrca parse "…"    ${ms(median(Array.from({ length: 7 }, () => cli(["parse", "dns in shop"]))))} ms (target 150)`);
    const ex = await exportOf(8);
    const store = join(work, "start.duckdb");
    cli(["ingest", ex.file, "--store", store]);
    const one = median(Array.from({ length: 5 }, () => cli(["ask", "why is dns failing for checkout in namespace shop?", "--store", store, "--out", join(work, "start-charts")])));
    const all = median(Array.from({ length: 5 }, () => cli(["ask", "what's wrong in the cluster?", "--store", store, "--out", join(work, "start-charts")])));
    console.log(`ask on a stored ${ex.lines}-line export: one playbook ${ms(one)} ms (target 600), triage ${ms(all)} ms (target 1000), charts included`);
    rmSync(ex.file);
    rmSync(store, { force: true });
  }

  if (want("ingest")) {
    console.log("== ingest (Hubble export lines, streaming into DuckDB) ==");
    for (const scale of [3, 10, 27]) {
      const ex = await exportOf(scale);
      // This machine's speed varies run to run: the median of three fresh processes.
      const runs = [0, 1, 2].map(() => ingestInChild(ex.file));
      const r = runs.sort((a, b) => a.ms - b.ms)[1];
      const yardOf = (mode) => median([0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [join(root, "bench", "read-json-child.js"), ex.file, mode], { encoding: "utf8", cwd: root })).ms));
      const text = yardOf("text"), stored = yardOf("store");
      console.log(`${ex.lines} lines (${mb(ex.bytes)} MB): median ${ms(r.ms)} ms to a durable store, ${Math.round(ex.lines / (r.ms / 1000))} lines/s, ${mb(ex.bytes / (r.ms / 1000))} MB/s (runs ${runs.map((x) => ms(x.ms)).join(", ")} ms), peak RSS ${mb(Math.max(...runs.map((x) => x.maxRss)))} MB`);
      console.log(`   DuckDB read_json into a store file ${ms(stored)} ms: ingest ${(r.ms / stored).toFixed(2)}x (target 1.25x); read_json as JSON text in memory ${ms(text)} ms: ${(r.ms / text).toFixed(2)}x`);
      rmSync(ex.file);
    }
    // One bad line sends a file down the exact, line-numbered path: its speed, for honesty.
    const ex = await exportOf(3);
    execFileSync("sh", ["-c", `echo '{broken' >> ${ex.file}`]);
    const r = ingestInChild(ex.file);
    console.log(`with one bad line (exact path): ${ex.lines} lines in ${ms(r.ms)} ms, ${Math.round(ex.lines / (r.ms / 1000))} lines/s, peak RSS ${mb(r.maxRss)} MB`);
    rmSync(ex.file);
  }

  if (want("ask")) {
    console.log("\n== ask on a stored ~1M-flow store ==");
    const ex = await exportOf(27);
    const path = join(work, "bench.duckdb");
    const store = await FlowStore.open(path, { create: true });
    await store.ingest([ex.file]);
    rmSync(ex.file);
    console.log(`store: ${(await store.extent()).rows} flows`);
    const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
    const questions = {
      dns: "why is dns failing for checkout in namespace shop?",
      drops: "show packet drops in namespace default",
      traffic: "lots of TCP resets from rabbitmq-0 in namespace pets",
      health: "how is the cluster network doing?",
      l7: "http 403 errors in namespace pets",
      triage: "what's wrong in the cluster?",
      // Points at drops, which find nothing: every other check runs on the same scope.
      fallback: "idk why checkout is timing out",
    };
    for (const [name, q] of Object.entries(questions)) {
      const times = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        await investigate(q, { source: store, playbooks });
        times.push(performance.now() - t0);
      }
      console.log(`${name.padEnd(8)} p50 ${ms(median(times))} ms (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}) — "${q}"`);
    }
    const t0 = performance.now();
    const rep = await investigate(questions.triage, { source: store, playbooks, outDir: join(work, "charts") });
    console.log(`triage with charts: ${ms(performance.now() - t0)} ms, ${rep.charts.length} charts`);
    store.close();
  }

  if (want("cold")) {
    console.log("\n== a ~35k-line export from cold: netrca ask --flows FILE (new process, ingest + answer) ==");
    const ex = await exportOf(1, "demo");
    const times = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [join(root, "bin", "netrca.js"), "ask", "--flows", ex.file, "what's wrong in namespace pets?", "--out", join(work, "cold")], { stdio: "ignore" });
      times.push(performance.now() - t0);
    }
    console.log(`${ex.lines} lines (${mb(ex.bytes)} MB): p50 ${ms(median(times))} ms (runs: ${times.map(ms).join(", ")})`);
  }

  if (want("charts")) {
    console.log("\n== chart PNG render (warm, mean of 20) ==");
    // As netrca draws them for a one-hour question: 120 one-minute points for lines,
    // 24 five-minute buckets for stacked bars and heatmaps (binFor(scope, 60) gives 5m).
    const buckets = Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2026, 10, 20, 13, i)).toISOString());
    const coarse = buckets.filter((_, i) => i % 5 === 0);
    const wave = (k) => buckets.map((_, i) => Math.round(10 + 5 * Math.sin(i / 7 + k) + (k === 0 && i > 90 ? 40 : 0)));
    const specs = {
      timeseries: { kind: "timeseries", title: "shop/checkout gets SERVFAIL", unit: "flows", buckets, series: [0, 1].map((k) => ({ name: `s${k}`, values: wave(k), highlight: k === 0 })), marker: { at: buckets[91], label: "since 14:31" } },
      stacked: { kind: "stacked", title: "Drops by reason", unit: "flows", buckets: coarse, series: [0, 1, 2, 3].map((k) => ({ name: `reason${k}`, values: wave(k).filter((_, i) => i % 5 === 0) })) },
      heatmap: { kind: "heatmap", title: "RST by pod", unit: "flows", buckets: coarse, rows: ["a", "b", "c", "d", "e", "f", "g", "h"], values: [0, 1, 2, 3, 4, 5, 6, 7].map((k) => wave(k).filter((_, i) => i % 5 === 0)) },
      bars: { kind: "bars", title: "Share by pod", unit: "%", categories: ["p1", "p2", "p3", "p4"], values: [70, 10, 10, 10], highlight: ["p1"] },
    };
    for (const [kind, spec] of Object.entries(specs)) {
      chartPng(spec);
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) chartPng(spec);
      console.log(`${kind.padEnd(10)} ${ms((performance.now() - t0) / 20)} ms per PNG`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
