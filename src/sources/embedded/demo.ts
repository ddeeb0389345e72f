import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { FlowStore } from "./store.js";

/** Bump when the simulator's demo output changes, so stale caches are not reused. */
const DEMO_REVISION = 3;

export function demoStorePath(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "netrca", `demo-cluster-r${DEMO_REVISION}.duckdb`);
}

/**
 * The built-in demo cluster: simulated once, kept in a DuckDB file under the user's cache,
 * opened read-only so concurrent commands share it.
 */
export async function openDemoStore(): Promise<FlowStore> {
  const path = demoStorePath();
  if (!existsSync(path)) await buildDemo(path);
  const store = await FlowStore.open(path, { readOnly: true });
  store.demo = true;
  return store;
}

async function buildDemo(path: string): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  // Built beside the cache and renamed into place: a half-built file is never seen.
  const tmp = `${path}.${process.pid}.tmp`;
  const lines = `${tmp}.jsonl`;
  try {
    // The simulator loads only when the demo cache has to be (re)built.
    const { simulate, writeSimulation } = await import("./simulate/index.js");
    await writeSimulation(simulate("demo"), lines);
    const store = await FlowStore.open(tmp, { create: true });
    try {
      await store.ingest([lines]);
    } finally {
      store.close();
    }
    await rename(tmp, path);
  } finally {
    await rm(lines, { force: true });
    await rm(tmp, { force: true });
    await rm(`${tmp}.wal`, { force: true });
  }
}
