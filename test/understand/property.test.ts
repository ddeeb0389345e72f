import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isK8sName } from "../../src/model/k8s-name.js";
import { QuestionSchema } from "../../src/model/question-schema.js";
import { parseQuestion } from "../../src/understand/index.js";
import { NOW } from "./cases.js";

// Any text at all gives a valid Question whose names are all Kubernetes names and whose
// window is a real, non-empty one that does not end after now.
const words = fc.constantFrom(
  "dns", "drops", "in", "ns:", "namespace", "-n", "for", "from", "to", "between", "and", "can't", "reach", "pod", "node",
  "last", "30m", "since", "14:10", "yesterday", "<@U1>", "<at>x</at>", "&amp;", "->", "../..", "foo_bar", "Shop", "shop/cart",
  "api-5d8c7b9f4-qx2lm", "rabbitmq-0", "aks-nodepool1-27013129-vmss000003", "?", ",", "the", "pods", "deployment", "$(x)", "é",
  "ns:a.b", "x.y.svc.cluster.local", "between 13:00 and", "16:00", "gets", "403",
);
const text = fc.oneof(fc.string({ maxLength: 80 }), fc.array(words, { maxLength: 14 }).map((w) => w.join(" ")));

describe("parseQuestion on arbitrary text", () => {
  it("always returns a valid question with valid names", () => {
    fc.assert(
      fc.property(text, fc.option(fc.constantFrom("Europe/Berlin", "America/New_York", "Asia/Kolkata", "bogus")), (t, tz) => {
        const q = parseQuestion(t, { now: NOW, ...(tz && { tz }) });
        expect(QuestionSchema.parse(q)).toEqual(q);
        const s = q.scope;
        for (const n of [s.namespace, s.workload, s.pod, s.node, s.peer?.namespace, s.peer?.workload, s.peer?.pod]) {
          if (n != null) expect(isK8sName(n), n).toBe(true);
        }
        for (const ns of [s.namespace, s.peer?.namespace]) if (ns != null) expect(ns).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        expect(Date.parse(s.from)).toBeLessThan(Date.parse(s.to));
        expect(Date.parse(s.to)).toBeLessThanOrEqual(NOW.getTime());
      }),
      { numRuns: 1500 },
    );
  });

  it("is deterministic", () => {
    fc.assert(fc.property(text, (t) => {
      expect(parseQuestion(t, { now: NOW })).toEqual(parseQuestion(t, { now: NOW }));
    }), { numRuns: 300 });
  });

  it("refuses an invalid now", () => {
    expect(() => parseQuestion("dns", { now: new Date("nope") })).toThrow(/valid Date/);
  });
});
