/** simulate(): a scenario's flows and ground truth; writeSimulation(): JSONL to a file. */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { z } from "zod";
import { buildStreams, type BuildContext } from "./background.js";
import { Clock, isoMs } from "./clock.js";
import { theCluster } from "./cluster.js";
import { countInjected, merge } from "./engine.js";
import { faultStreams } from "./faults.js";
import type { HubbleLine } from "./hubble-types.js";
import { Rng } from "./random.js";
import { SCENARIO_SETUPS } from "./scenarios.js";
import { SCENARIOS, type GroundTruth, type ScenarioName, type SimulateOptions, type Simulation } from "./types.js";

export const DEFAULT_END = "2026-11-20T15:00:00Z";

const Options = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    end: z.iso.datetime({ offset: true }).default(DEFAULT_END),
    hours: z.number().positive().max(24 * 31).default(2),
    scale: z.number().positive().max(1000).default(1),
  })
  .strict();

export function isScenarioName(s: string): s is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(s);
}

export function simulate(name: ScenarioName, opts: SimulateOptions = {}): Simulation {
  if (!isScenarioName(name)) throw new Error(`unknown scenario "${String(name)}"; known: ${SCENARIOS.join(", ")}`);
  const parsed = Options.safeParse(opts);
  if (!parsed.success) throw new Error(`invalid simulate options: ${z.prettifyError(parsed.error)}`);
  const { seed, end, hours, scale } = parsed.data;

  const toMs = Date.parse(end);
  const fromMs = toMs - Math.round(hours * 3_600_000);
  const clock = new Clock(fromMs, toMs);
  const cluster = theCluster();
  const sinceAt = (minutesBeforeEnd: number): number => {
    // Faults start late in the window, but never before 55% of a short window has passed.
    const ms = Math.min(minutesBeforeEnd * 60_000, (toMs - fromMs) * 0.45);
    const sinceMs = Math.max(fromMs, Math.floor((toMs - ms) / 1000) * 1000);
    return (sinceMs - fromMs) * 1_000_000;
  };
  const { plan, truths } = SCENARIO_SETUPS[name](cluster, sinceAt, clock.durationNs);
  const ctx: BuildContext = { cluster, clock, seed, scale, plan };
  const streams = () => [...buildStreams(ctx), ...faultStreams(ctx)];

  const counts = countInjected(streams(), clock.durationNs, truths.length);
  const truth: GroundTruth[] = truths.map(({ sinceNs, ...t }, i) => ({
    kind: t.kind,
    reason: t.reason,
    subject: t.subject,
    peer: t.peer,
    ...(t.query !== undefined ? { query: t.query } : {}),
    since: clock.iso(sinceNs),
    injected: counts[i] ?? 0,
    match: t.match,
    description: t.description,
  }));

  // A silent node's agent reports nothing from its onset on.
  const silent = plan.nodeSilent ? { qualified: plan.nodeSilent.node.qualified, since: plan.nodeSilent.since } : null;
  const iterable: Iterable<HubbleLine> = {
    *[Symbol.iterator]() {
      // Per scenario: two scenarios loaded into one store are different flows, not copies.
      const ids = new Rng(seed, `uuid:${name}`);
      for (const item of merge(streams(), clock.durationNs)) {
        if (silent && item.t >= silent.since && item.flow.node_name === silent.qualified) continue;
        const time = clock.timestamp(item.t);
        item.flow.time = time;
        item.flow.uuid = ids.uuid();
        yield { flow: item.flow, node_name: item.flow.node_name, time };
      }
    },
  };
  const metricFaults = {
    ...(plan.synSent && { synSent: { node: plan.synSent.node.name, since: clock.iso(plan.synSent.since), level: plan.synSent.level } }),
    ...(plan.nodeSilent && { silent: { node: plan.nodeSilent.node.name, since: clock.iso(plan.nodeSilent.since) } }),
  };
  return { scenario: name, from: isoMs(fromMs), to: isoMs(toMs), truth, lines: () => iterable, nodes: cluster.nodes.map((n) => n.name), metricFaults };
}

/** Writes one JSON line per flow, honouring backpressure; resolves to the line count. */
export async function writeSimulation(sim: Simulation, file: string): Promise<number> {
  const out = createWriteStream(file, { encoding: "utf8" });
  let failure: unknown = null;
  out.on("error", (err) => {
    failure ??= err;
  });
  let count = 0;
  let chunk = "";
  try {
    for (const line of sim.lines()) {
      chunk += `${JSON.stringify(line)}\n`;
      count++;
      if (chunk.length >= 1 << 16) {
        if (failure) throw failure;
        const ok = out.write(chunk);
        chunk = "";
        if (!ok) await once(out, "drain");
      }
    }
    if (failure) throw failure;
    out.end(chunk);
    await finished(out);
  } catch (err) {
    out.destroy();
    throw failure ?? err;
  }
  return count;
}
