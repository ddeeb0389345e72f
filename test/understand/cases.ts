/**
 * Question-set cases (shared/questions/README.md format) and their expected parse.
 * Time notation, relative to a pinned now (2026-11-20T15:00:00Z, UTC):
 *   absent from = now − 1 h, absent to = now; "-30m" / "-2h" = now minus that;
 *   "14:10" = that clock time on now's date; "today" = 00:00 of now's date;
 *   "yesterday" = 00:00 the day before; "yesterday-end" = 00:00 of now's date.
 */
import { readFileSync } from "node:fs";
import type { Question } from "../../src/model/question.js";

export const NOW = new Date("2026-11-20T15:00:00Z");
const DAY0 = Date.parse("2026-11-20T00:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;

export interface Case {
  q: string;
  intent: Question["intent"];
  scope: {
    namespace?: string;
    workload?: string;
    pod?: string;
    node?: string;
    peer?: { namespace?: string; workload?: string; pod?: string };
    from?: string;
    to?: string;
  };
}

export function readCases(file: string): Case[] {
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Case);
}

export function when(spec: string | undefined, dflt: number): string {
  if (spec === undefined) return new Date(dflt).toISOString();
  if (spec === "today" || spec === "yesterday-end") return new Date(DAY0).toISOString();
  if (spec === "yesterday") return new Date(DAY0 - 24 * HOUR).toISOString();
  let m = /^-(\d+)([mh])$/.exec(spec);
  if (m) return new Date(NOW.getTime() - Number(m[1]) * (m[2] === "m" ? MIN : HOUR)).toISOString();
  m = /^(\d\d):(\d\d)$/.exec(spec);
  if (m) return new Date(DAY0 + Number(m[1]) * HOUR + Number(m[2]) * MIN).toISOString();
  throw new Error(`bad time spec ${spec}`);
}

/** The parse a case expects: every key it leaves out is null. */
export function expected(c: Case): Pick<Question, "intent" | "scope"> {
  const s = c.scope;
  return {
    intent: c.intent,
    scope: {
      namespace: s.namespace ?? null,
      workload: s.workload ?? null,
      pod: s.pod ?? null,
      node: s.node ?? null,
      peer: s.peer ? { namespace: s.peer.namespace ?? null, workload: s.peer.workload ?? null, pod: s.peer.pod ?? null } : null,
      from: when(s.from, NOW.getTime() - HOUR),
      to: when(s.to, NOW.getTime()),
    },
  };
}
