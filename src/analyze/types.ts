import type { z } from "zod";
import type { Cell, FindingKind, Scope, Severity } from "../model/index.js";
import type { Predicate } from "../query/index.js";

export type Row = Record<string, Cell>;

/** One named query of a check, run over the question's window and the window before it. */
export interface QueryRows {
  current: Row[];
  /** null when the data does not reach back before the window: there is no baseline. */
  baseline: Row[] | null;
}

export interface AnalyzerInput<P> {
  queries: Record<string, QueryRows>;
  params: P;
  scope: Scope;
}

export interface Party {
  namespace: string | null;
  workload: string | null;
  pod?: string | null;
  node?: string | null;
  /** Cilium's reserved identity of an endpoint that is not a pod ("world", "host", "remote-node"…). */
  reserved?: string | null;
}

/** What an analyzer concludes; the report ranks drafts and turns them into Findings. */
export interface FindingDraft {
  kind: FindingKind;
  severity: Severity;
  title: string;
  subject: Party;
  peer: Party | null;
  reason: string | null;
  query?: string | null;
  value: number;
  unit: string;
  baseline: number | null;
  /** Predicates that pick this finding's own flows, for its timeline and "since". */
  match: Predicate[];
  /**
   * How to draw its timeline when "its flows against the check's other trouble" does not fit:
   * named series (each a set of predicates), and which one shows the trouble; null for none.
   */
  timeline?: {
    series: { name: string; where: Predicate[] }[];
    trouble: "first" | "firstMinusSecond" | "share";
    /** A share measured from the onset on: first of second (errors of responses), or what second leaves of first (unanswered of requests). */
    ratio?: "firstOfSecond" | "missingOfFirst";
  } | null;
  /** Other parties whose trouble this finding takes in (the servers of a failing client). */
  covers?: Party[];
  /** Higher is more probably the root cause (see score.ts). */
  score: number;
  /** Extra facts for the summary (ratios, shares, counts). */
  facts?: Record<string, string | number>;
  bars?: { title: string; unit: string; categories: string[]; values: number[]; highlight: string[] };
}

/** One analyzer: a name, its parameter schema, and a pure function from rows to findings. */
export interface Analyzer<S extends z.ZodType = z.ZodType> {
  name: string;
  params: S;
  /** False when it never looks at the window before, which then is not queried. */
  usesBaseline?: boolean;
  run(input: AnalyzerInput<z.output<S>>): FindingDraft[];
  /**
   * The figures a question asked for ("top talkers", "is traffic balanced", "latency between
   * A and B"), in a few words for the summary, whether or not anything is wrong.
   */
  figures?(input: AnalyzerInput<z.output<S>>): string | null;
}
