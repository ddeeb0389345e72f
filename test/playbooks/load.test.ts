import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ANALYZER_CATALOG } from "../../src/analyze/index.js";
import type { Scope } from "../../src/model/index.js";
import { loadPlaybooks, parsePlaybook, PLAYBOOK_DIR, PlaybookError, scopePredicates } from "../../src/playbooks/index.js";
import { compileKql, compileSql, flowQuery } from "../../src/query/index.js";
import { checkKql } from "../support/kusto.js";
import { tempDir } from "../support/tmp.js";

const dir = tempDir();
const books = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);

describe("shipped playbooks", () => {
  it("cover the five use cases and triage", () => {
    expect([...books.keys()].sort()).toEqual(["dns", "drops", "health", "l7", "traffic", "triage"]);
    expect(books.get("triage")!.include).toEqual(["dns", "drops", "traffic", "health", "l7"]);
  });

  const scopes: Scope[] = [
    { namespace: "shop", workload: "checkout", pod: null, node: null, peer: { namespace: null, workload: "payments", pod: null }, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
    { namespace: null, workload: null, pod: "rabbitmq-0", node: "aks-nodepool1-27013129-vmss000001", peer: null, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
    // peer only
    { namespace: null, workload: null, pod: null, node: null, peer: { namespace: "kube-system", workload: "coredns", pod: null }, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
    // node only
    { namespace: null, workload: null, pod: null, node: "aks-nodepool1-27013129-vmss000001", peer: null, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
    // pod with its namespace, and a peer pod
    { namespace: "pets", workload: null, pod: "rabbitmq-0", node: null, peer: { namespace: "pets", workload: null, pod: "order-service-7d9c8b6f5d-x2x4z" }, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
    // workload (no namespace) and a peer workload with its namespace
    { namespace: null, workload: "checkout", pod: null, node: null, peer: { namespace: "shop", workload: "payments", pod: null }, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
  ];
  for (const [intent, book] of books) {
    for (const check of book.checks) {
      it(`${intent}/${check.id}: every query's KQL type-checks against both tables, in every scope shape`, () => {
        for (const scope of scopes) {
          for (const template of Object.values(check.queries)) {
            const q = flowQuery({ ...template, where: [...scopePredicates(scope, check.scope), ...template.where, ...check.trouble], window: { from: new Date(scope.from), to: new Date(scope.to) } });
            expect(checkKql(compileKql(q))).toEqual([]);
            expect(compileSql(q).sql).toMatch(/^SELECT /);
          }
        }
      });
    }
  }
});

describe("a bad playbook is a start-up error that names the file and the field", () => {
  const good = `intent: dns
title: t
checks:
  - id: c
    title: c
    queries:
      main:
        measures: [{ fn: flows, as: flows }]
    analyze: { name: evidenceOnly }
`;
  const file = "playbooks/x.yaml";
  it("accepts the minimal playbook", () => {
    expect(parsePlaybook(good, file, ANALYZER_CATALOG).checks).toHaveLength(1);
  });
  it.each([
    [good.replace("evidenceOnly", "noSuchAnalyzer"), /^playbooks\/x\.yaml: checks\[0\] \(c\)\.analyze\.name: unknown analyzer "noSuchAnalyzer"/],
    [good.replace("{ name: evidenceOnly }", "{ name: changeVsBaseline, params: { kind: packet_drops } }"), /^playbooks\/x\.yaml: checks\[0\] \(c\)\.analyze\.params: subject: /],
    [good.replace("fn: flows", "fn: count"), /^playbooks\/x\.yaml: checks\.\[0\]|^playbooks\/x\.yaml: checks\[0\]\.queries\.main\.measures\[0\]/],
    [good.replace("measures:", "where: [{ field: Verdict, op: eq, value: DROPPED }]\n        measures:"), /^playbooks\/x\.yaml: checks\[0\]\.queries\.main\.where\[0\]/],
    [good.replace("intent: dns", "intent: dnss"), /^playbooks\/x\.yaml: intent: /],
    [good.replace("title: t", "title: [unclosed"), /^playbooks\/x\.yaml: not valid YAML: /],
  ])("%#", (text, error) => {
    expect(() => parsePlaybook(text, file, ANALYZER_CATALOG)).toThrow(PlaybookError);
    expect(() => parsePlaybook(text, file, ANALYZER_CATALOG)).toThrow(error);
  });
  it("refuses two playbooks for one intent, from the directory", () => {
    const d = join(dir, "books");
    mkdirSync(d);
    writeFileSync(join(d, "a.yaml"), good);
    writeFileSync(join(d, "b.yaml"), good);
    expect(() => loadPlaybooks(d, ANALYZER_CATALOG)).toThrow(/b\.yaml: intent dns is already defined/);
  });
});
