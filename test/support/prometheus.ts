/**
 * A real Prometheus (Debian's `prometheus` package) on 127.0.0.1, its TSDB made with promtool
 * from OpenMetrics text: started by a test, stopped after it. `.ci/run` installs the package.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const HAVE_ALERTMANAGER = spawnSync("sh", ["-c", "command -v prometheus-alertmanager"], { encoding: "utf8" }).status === 0;
export const HAVE_PROMETHEUS = spawnSync("sh", ["-c", "command -v prometheus && command -v promtool"], { encoding: "utf8" }).status === 0;

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Blocks from `openMetrics` in `dir`, then a Prometheus serving them (no scraping). */
export async function startPrometheus(dir: string, openMetrics: string): Promise<RunningPrometheus> {
  mkdirSync(dir, { recursive: true });
  const om = join(dir, "metrics.om");
  writeFileSync(om, openMetrics);
  const made = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", om, join(dir, "data")], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`promtool failed: ${made.stderr || made.stdout}`);
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn("prometheus", [
      `--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`,
      // The simulated days are in the past: keep them.
      "--storage.tsdb.retention.time=100y", "--log.level=warn",
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (c: Buffer) => (log += c.toString()));
    const url = `http://127.0.0.1:${port}`;
    if (await ready(url, child)) return { url, stop: () => stop(child) };
    await stop(child);
    if (attempt >= 2) throw new Error(`prometheus did not start: ${log.slice(-500)}`);
  }
}

async function ready(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

/**
 * A real process serving HTTP on 127.0.0.1 (Prometheus scraping and evaluating rules, or
 * Alertmanager): started with its own config and data folder, ready when `readyPath` answers.
 */
export async function startDaemon(cmd: string, args: string[], url: string, readyPath: string): Promise<RunningPrometheus> {
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) return { url, stop: () => stop(child) };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop(child);
  throw new Error(`${cmd} did not start: ${log.slice(-800)}`);
}
