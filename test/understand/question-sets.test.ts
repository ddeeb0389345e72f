import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { QuestionSchema } from "../../src/model/question-schema.js";
import { parseQuestion } from "../../src/understand/index.js";
import { expected, NOW, readCases, type Case } from "./cases.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The visible set (../shared/questions/visible.jsonl), copied in so a bare clone runs it too.
const visible = readCases(here("../fixtures/questions-visible.jsonl"));
// Our own set: other phrasings of the same kinds of question (typos, markup, every
// namespace form, pods, nodes, peers, every time form).
const more = readCases(here("../fixtures/questions-more.jsonl"));
// Written by someone other than the parser's author, the way stressed people type in an
// incident channel: slang, markup, misspelt keywords, HTTP methods, ns/name peers.
const stressed = readCases(here("../fixtures/questions-stressed.jsonl"));

const sets: [string, Case[]][] = [
  ["test/fixtures/questions-visible.jsonl (shared/questions/visible.jsonl)", visible],
  ["test/fixtures/questions-more.jsonl", more],
  ["test/fixtures/questions-stressed.jsonl", stressed],
];
describe.each(sets)("%s", (_name, cases) => {
  it.each(cases.map((c) => [c.q, c] as const))("%s", (_q, c) => {
    const got = parseQuestion(c.q, { now: NOW });
    expect(QuestionSchema.parse(got)).toEqual(got);
    expect({ intent: got.intent, scope: got.scope }).toEqual(expected(c));
    expect(got.unknownNames).toEqual([]);
  });
});

describe("our own set", () => {
  it("has 60+ questions covering every intent 8+ times", () => {
    expect(more.length).toBeGreaterThanOrEqual(60);
    const counts = new Map<string, number>();
    for (const c of more) counts.set(c.intent, (counts.get(c.intent) ?? 0) + 1);
    for (const intent of ["dns", "drops", "traffic", "health", "l7", "triage", "help"]) {
      expect(counts.get(intent) ?? 0, intent).toBeGreaterThanOrEqual(8);
    }
  });

  it("does not repeat a visible question", () => {
    const seen = new Set(visible.map((c) => c.q.toLowerCase()));
    expect([...more, ...stressed].filter((c) => seen.has(c.q.toLowerCase()))).toEqual([]);
  });

  it("has 150+ stressed questions, every intent among them", () => {
    expect(stressed.length).toBeGreaterThanOrEqual(150);
    expect(new Set(stressed.map((c) => c.intent)).size).toBe(7);
  });
});
