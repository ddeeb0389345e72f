import { join } from "node:path";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import { investigate } from "../../src/investigate/index.js";
import type { Report } from "../../src/model/index.js";
import { loadPlaybooks, PLAYBOOK_DIR } from "../../src/playbooks/index.js";
import { FlowStore } from "../../src/sources/embedded/index.js";
import { simulate, writeSimulation, type ScenarioName } from "../../src/sources/embedded/simulate/index.js";

const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);

/** A real Report: a simulated scenario in a fresh store, asked one question. */
export async function reportOf(dir: string, scenario: ScenarioName, question: string, opts: { demo?: boolean; charts?: boolean } = {}): Promise<Report> {
  const file = join(dir, `${scenario}.jsonl`);
  await writeSimulation(simulate(scenario), file);
  const store = await FlowStore.open();
  try {
    await store.ingest([file]);
    if (opts.demo) store.demo = true;
    return await investigate(question, { source: store, playbooks, ...(opts.charts ? { outDir: join(dir, `charts-${scenario}`) } : {}) });
  } finally {
    store.close();
  }
}
