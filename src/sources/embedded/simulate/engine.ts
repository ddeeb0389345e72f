/**
 * Streams and the time-ordered merge. A stream is an independent generator of traffic
 * (one service edge, one client's DNS lookups, one fault) with its own Rng; it produces the
 * events that start before a given time. The engine advances all streams bucket by bucket,
 * sorts what they produced and emits everything that can no longer be preceded, so memory
 * holds one bucket of flows, never the whole run.
 */
import type { HubbleFlow } from "./hubble-types.js";
import type { Rng } from "./random.js";
import { NS_PER_MIN, NS_PER_S } from "./clock.js";

/**
 * Receives one flow at time `t` (ns offset). `truth` is the index of the ground-truth
 * fault the flow is a symptom of, if any: that is what `GroundTruth.injected` counts.
 */
export type Emit = (t: number, flow: HubbleFlow, truth?: number) => void;

export interface Stream {
  /** True if the stream can emit flows that carry a `truth` index. */
  readonly faulty: boolean;
  /** Generate every event that starts before `until` (events may emit flows after it). */
  run(until: number, out: Emit): void;
}

export interface Item {
  t: number;
  flow: HubbleFlow;
  truth: number;
}

const BUCKET_NS = 10 * NS_PER_S;

/** All flows of all streams in [0, durationNs), in time order (ties keep production order). */
export function* merge(streams: readonly Stream[], durationNs: number): Generator<Item> {
  let buffer: Item[] = [];
  // Times are whole nanoseconds; flooring here guards the output format against a stray fraction.
  const push: Emit = (t, flow, truth = -1) => {
    buffer.push({ t: Math.floor(t), flow, truth });
  };
  for (let start = 0; start < durationNs; start += BUCKET_NS) {
    const end = Math.min(start + BUCKET_NS, durationNs);
    for (const s of streams) s.run(end, push);
    buffer.sort((a, b) => a.t - b.t); // stable: equal times keep their order
    let i = 0;
    while (i < buffer.length && (buffer[i] as Item).t < end) yield buffer[i++] as Item;
    buffer = buffer.slice(i);
  }
  // Whatever is left falls at or after the window end and is not part of the data.
}

/**
 * Counts the flows each fault contributes, by running only the streams that can carry
 * faults. Streams own their Rng, so this replays exactly what the full run emits.
 */
export function countInjected(streams: readonly Stream[], durationNs: number, truths: number): number[] {
  const counts = new Array<number>(truths).fill(0);
  const out: Emit = (t, _flow, truth = -1) => {
    if (truth >= 0 && Math.floor(t) < durationNs) counts[truth] = (counts[truth] ?? 0) + 1;
  };
  for (const s of streams) if (s.faulty) s.run(durationNs, out);
  return counts;
}

/** Events per minute as a function of time (ns offset). */
export type Rate = (t: number) => number;

/**
 * A Poisson process with a time-varying rate, by thinning: candidates arrive at `maxPerMin`
 * and each is kept with probability rate(t)/maxPerMin. Events are handled in time order.
 * With `regular`, candidates come at jittered even intervals (a renewal process).
 */
export function poissonStream(opts: {
  rng: Rng;
  faulty: boolean;
  start: number;
  stop: number;
  maxPerMin: number;
  rate: Rate;
  /** Near-periodic arrivals (cache refreshes, timers) instead of memoryless ones. */
  regular?: boolean;
  onEvent: (t: number, out: Emit) => void;
}): Stream {
  const { rng, start, stop, maxPerMin, rate, onEvent } = opts;
  const meanGap = maxPerMin > 0 ? NS_PER_MIN / maxPerMin : Number.POSITIVE_INFINITY;
  const gap = opts.regular ? () => meanGap * (0.6 + 0.8 * rng.next()) : () => rng.exp(meanGap);
  let next = start + Math.floor(gap());
  return {
    faulty: opts.faulty,
    run(until, out) {
      const limit = Math.min(until, stop);
      while (next < limit) {
        const t = next;
        next = t + 1 + Math.floor(gap());
        if (rng.next() * maxPerMin < rate(t)) onEvent(t, out);
      }
    },
  };
}

/**
 * Mild, smooth jitter around 1 (two slow sine waves with seeded periods and phases):
 * traffic breathes a little but stays steady over an hour.
 */
export function wobble(rng: Rng, amplitude = 0.08): Rate {
  const p1 = (11 + rng.next() * 9) * NS_PER_MIN;
  const p2 = (3 + rng.next() * 4) * NS_PER_MIN;
  const f1 = rng.next() * 2 * Math.PI;
  const f2 = rng.next() * 2 * Math.PI;
  return (t) => 1 + amplitude * Math.sin((2 * Math.PI * t) / p1 + f1) + (amplitude / 2) * Math.sin((2 * Math.PI * t) / p2 + f2);
}

/** Upper bound of a wobble's value, for thinning. */
export function wobbleMax(amplitude = 0.08): number {
  return 1 + 1.5 * amplitude;
}
