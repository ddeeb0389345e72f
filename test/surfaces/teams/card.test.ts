import fc from "fast-check";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { HELP } from "../../../src/investigate/help.js";
import { FindingKind, Report, type Cell, type Evidence } from "../../../src/model/index.js";
import {
  ackText, CARD_MAX_BYTES, cardBytes, escapeMarkdown, failureCard, helpCard, KQL_CONTAINER_ID, reportCard, type AdaptiveCard,
} from "../../../src/surfaces/teams/card.js";
import { tempDir } from "../../support/tmp.js";
import { leadEvidence as lead, splitNext } from "../../../src/surfaces/labels.js";
import { reportOf } from "../../support/reports.js";

// The adaptivecards library's `lib/` is ESM with extensionless imports that Node cannot load;
// its UMD bundle (the same file a browser loads) runs in Node and parses without a DOM.
const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js") as typeof import("adaptivecards");

const dir = tempDir();

// ---------------------------------------------------------------------------------------
// The check: what the Adaptive Cards library says about a card, as Teams (schema 1.5) would read it

/**
 * Keys Teams reads that the library does not model: `$schema`, the Teams-only `msteams`, and
 * `firstRowAsHeader`, the schema's (and Teams') name for what the library calls `firstRowAsHeaders`.
 */
const TEAMS_ONLY_KEYS: Record<string, string[]> = { AdaptiveCard: ["$schema", "msteams"], Table: ["firstRowAsHeader"] };
/** Keys holding children, which the library parses outside the property schema. */
const CHILD_KEYS: Record<string, string[]> = { AdaptiveCard: ["body", "actions"], Container: ["items"], Table: ["rows"], TableRow: ["cells"], TableCell: ["items"], ActionSet: ["actions"], ColumnSet: ["columns"], Column: ["items"] };

function schemaKeys(o: { getSchema(): { getCount(): number; getItemAt(i: number): { name: string } } }): string[] {
  const s = o.getSchema();
  return Array.from({ length: s.getCount() }, (_, i) => s.getItemAt(i).name);
}

/** Keys of `json` (and every object in it) that no part of the library reads: typos, inventions. */
function unknownKeys(json: unknown, where = "card"): string[] {
  if (Array.isArray(json)) return json.flatMap((x, i) => unknownKeys(x, `${where}[${i}]`));
  if (!json || typeof json !== "object") return [];
  const o = json as Record<string, unknown>;
  const type = typeof o.type === "string" ? o.type : undefined;
  const v15 = AC.Versions.v1_5;
  const instance =
    type === "AdaptiveCard" ? new AC.AdaptiveCard()
    : type ? AC.GlobalRegistry.elements.createInstance(type, v15) ?? AC.GlobalRegistry.actions.createInstance(type, v15)
    : where.endsWith("]") && /\.facts\[\d+\]$/.test(where) ? new AC.Fact()
    : /\.columns\[\d+\]$/.test(where) ? new AC.TableColumnDefinition()
    : undefined;
  if (!instance) return type ? [] /* reported by the parser as an unknown type */ : [`${where}: an object the library cannot place`];
  const known = new Set([...schemaKeys(instance), ...(TEAMS_ONLY_KEYS[type ?? ""] ?? []), ...(CHILD_KEYS[type ?? ""] ?? [])]);
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (!known.has(k)) out.push(`${where}: unknown property "${k}"${type ? ` on ${type}` : ""}`);
    if (v && typeof v === "object" && k !== "msteams") out.push(...unknownKeys(v, `${where}.${k}`));
  }
  return out;
}

/**
 * Every error and warning the library reports for `json`, parsed for schema 1.5 (Teams' max):
 * parse events (unknown element or action types, elements or properties newer than 1.5, bad
 * values), `validateProperties()` failures (duplicate ids, missing required properties,
 * unsupported card version), plus the keys it does not know at all.
 */
function problems(json: object): string[] {
  const card = new AC.AdaptiveCard();
  card.maxVersion = AC.Versions.v1_5;
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const out: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    out.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) out.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  if ((json as { version?: unknown }).version !== "1.5") out.push(`version ${String((json as { version?: unknown }).version)} is not 1.5`);
  return [...out, ...unknownKeys(json)];
}

// ---------------------------------------------------------------------------------------
// Reading a card the way a person would

type Json = Record<string, unknown> & { type?: string; text?: string; items?: Json[]; body?: Json[]; rows?: Json[]; cells?: Json[]; facts?: { title: string; value: string }[] };

/** Every object in the card, depth first. */
function walk(v: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(v)) v.forEach((x) => walk(x, out));
  else if (v && typeof v === "object") {
    out.push(v as Json);
    Object.values(v).forEach((x) => walk(x, out));
  }
  return out;
}

const textBlocks = (v: unknown) => walk(v).filter((o) => o.type === "TextBlock") as (Json & { text: string })[];
/** Every string Teams runs through its Markdown: TextBlock texts and FactSet titles and values. */
const markdownTexts = (c: AdaptiveCard) => [...textBlocks(c).map((t) => t.text), ...walk(c).flatMap((o) => (o.type === "FactSet" ? o.facts!.flatMap((f) => [f.title, f.value]) : []))];

/** CommonMark's backslash escapes undone: what a reader sees for escaped text. */
const shown = (md: string) => md.replace(/\\([!-/:-@[-`{-~])/g, "$1");

/** Markdown text with each escaped character replaced by an inert one: what Markdown could still act on. */
const unescaped = (md: string) => md.replace(/\\[!-/:-@[-`{-~]/g, "\u0001");

/** Nothing left in `md` that CommonMark (or Teams' subset, or a linkifier) turns into a link, emphasis, code, HTML or a block. */
function expectInert(md: string): void {
  const rest = unescaped(md);
  expect(rest, md).not.toMatch(/[[\]*_`<>~]/);
  expect(rest, md).not.toMatch(/&(#\d+|#x[0-9a-f]+|[a-z]\w*);/i);
  expect(rest, md).not.toMatch(/[a-z][a-z0-9+.-]*:\/\//i);
  expect(rest, md).not.toMatch(/\bwww\./i);
  expect(rest, md).not.toMatch(/\{\{/);
  // Block syntax at the start: heading, bullet or ordered list, thematic break, code block.
  expect(md, md).not.toMatch(/^(#{1,6}|[+-]|\d{1,9}[.)])(\s|$)|^(-[ \t]*){3,}$|^\s/);
  expect(md, md).not.toMatch(/\n/);
}

const body = (c: AdaptiveCard) => c.body as Json[];
const tablesIn = (c: AdaptiveCard) => walk(c.body).filter((o) => o.type === "Table");
/** A Table's rows as the texts a reader sees. */
const tableTexts = (t: Json) => (t.rows as Json[]).map((r) => (r.cells as Json[]).map((cell) => shown((cell.items as Json[])[0]!.text!)));
const findingContainers = (c: AdaptiveCard) => body(c).filter((o) => o.type === "Container" && o.id === undefined);
const kqlContainer = (c: AdaptiveCard) => body(c).find((o) => o.id === KQL_CONTAINER_ID);
const cellText = (c: Cell) => (c === null || c === "" ? "-" : typeof c === "number" && !Number.isInteger(c) ? String(Math.round(c * 100) / 100) : String(c));

/** All a card must be: valid 1.5 with no library warning, within 28 KB, with fallback text and full width. */
function expectGoodCard(c: AdaptiveCard): void {
  expect(problems(c)).toEqual([]);
  expect(cardBytes(c)).toBeLessThanOrEqual(CARD_MAX_BYTES);
  expect(cardBytes(c)).toBe(Buffer.byteLength(JSON.stringify(c), "utf8"));
  expect(c).toMatchObject({ type: "AdaptiveCard", version: "1.5", msteams: { width: "Full" } });
  expect(c.fallbackText.length).toBeGreaterThan(0);
  for (const t of markdownTexts(c)) expectInert(t);
}

// ---------------------------------------------------------------------------------------
// Real reports from the engine


let pets: Report;
let demo: Report;
let dns: Report;
beforeAll(async () => {
  [pets, demo, dns] = await Promise.all([
    reportOf(dir, "tcp-reset-storm", "what's wrong in namespace pets?", { demo: true, charts: true }),
    reportOf(dir, "demo", "what's wrong in namespace pets?", { demo: true }),
    reportOf(dir, "dns-servfail", "we get SERVFAIL for checkout in shop"),
  ]);
});

const leadEvidence = (r: Report): Evidence => lead(r)!;

describe("the check itself", () => {
  it("fails a card with an unknown element type, a bad Table property, a 1.6 property or a typo", () => {
    const good = reportCard(Report.parse({ ...SMALL }));
    expect(problems(good)).toEqual([]);
    type Editable = Omit<AdaptiveCard, "body"> & { body: Json[] };
    const broken = (mutate: (c: Editable) => void) => {
      const c = JSON.parse(JSON.stringify(good)) as Editable;
      mutate(c);
      return problems(c);
    };
    expect(broken((c) => c.body.push({ type: "Bogus", text: "x" })).join("\n")).toMatch(/UnknownElementType/);
    expect(broken((c) => { (c.body.find((b) => b.type === "Table")!.columns as Json[])[0]!.width = "wide"; }).join("\n")).toMatch(/InvalidPropertyValue/);
    expect(broken((c) => { c.body.find((b) => b.type === "Table")!.gridLines = true; }).join("\n")).toMatch(/unknown property "gridLines" on Table/);
    expect(broken((c) => { c.body[0]!.wrapp = true; }).join("\n")).toMatch(/unknown property "wrapp" on TextBlock/);
    // Image.forceLoad is schema 1.6: Teams would not know it.
    expect(broken((c) => c.body.push({ type: "Image", url: "https://example.com/a.png", forceLoad: true })).join("\n")).toMatch(/UnsupportedProperty/);
    expect(broken((c) => { (c as { version: string }).version = "1.6"; }).join("\n")).toMatch(/UnsupportedCardVersion/);
    expect(broken((c) => { (c.body[0] as Json).id = "x"; (c.body[1] as Json).id = "x"; }).join("\n")).toMatch(/DuplicateId/);
    expect(broken((c) => { c.actions = [{ type: "Action.Nope", title: "x" }]; }).join("\n")).toMatch(/UnknownActionType/);
  });
});

describe("reportCard on real reports", () => {
  it("what's wrong in namespace pets: title, scope facts, summary, findings, the top finding's table, the KQL toggle", () => {
    const c = reportCard(pets, { chartNote: true });
    expectGoodCard(c);
    const [title, facts, summary] = body(c);
    expect(title).toMatchObject({ type: "TextBlock", text: "netrca · Triage · namespace pets", weight: "Bolder", wrap: true });
    expect(facts!.type).toBe("FactSet");
    expect(Object.fromEntries(facts!.facts!.map((f) => [f.title, shown(f.value)]))).toEqual({
      Namespace: "pets",
      Window: "2026-11-20 14:00–15:00 UTC",
      Question: "“what's wrong in namespace pets?”",
      Data: "demo cluster (simulated flows)",
    });
    expect(summary).toMatchObject({ type: "TextBlock", wrap: true });
    expect(shown(summary!.text!)).toBe(pets.summary);
    expect(c.fallbackText).toBe(pets.summary);

    // Findings: ≤ 5 containers coloured by severity, title, value line, next step with its command in monospace.
    const boxes = findingContainers(c);
    expect(boxes).toHaveLength(Math.min(5, pets.findings.length));
    boxes.forEach((box, i) => {
      const f = pets.findings[i]!;
      expect(box.style).toBe({ critical: "attention", warning: "warning", info: "emphasis" }[f.severity]);
      const texts = box.items!.map((t) => shown(t.text!));
      expect(texts[0]).toContain(f.title);
      expect(texts[1]).toMatch(/flows|responses/);
    });
    const top = pets.findings[0]!;
    expect(top.severity).toBe("critical");
    const command = boxes[0]!.items!.find((t) => t.fontType === "Monospace")!;
    expect(shown(command.text!)).toBe(splitNext(top.next[0]!).command);

    // The evidence of the top finding: header row = columns, then its rows.
    const ev = pets.evidence[top.evidence[0]!]!;
    const [table, ...more] = tablesIn(c);
    expect(more).toHaveLength(0);
    expect(table).toMatchObject({ firstRowAsHeader: true, showGridLines: true });
    expect(table!.columns).toHaveLength(ev.columns.length);
    const [head, ...rows] = tableTexts(table!);
    expect(head).toEqual(ev.columns);
    expect(rows).toEqual(ev.rows.map((r) => r.map(cellText)));
    // Counts are right-aligned.
    expect((table!.columns as Json[])[ev.columns.indexOf("flows")]).toMatchObject({ horizontalCellContentAlignment: "Right" });
    expect(textBlocks(c).map((t) => shown(t.text))).toContain(`Evidence: ${ev.title} (1 row)`);

    // The chart travels beside the card; the card says so.
    expect(JSON.stringify(c)).not.toContain("data:image");
    expect(pets.charts.length).toBeGreaterThan(0);
    const below = `📈 Chart${pets.charts.length > 1 ? "s" : ""} below: ${pets.charts.map((ch) => ch.title).join(" · ")}`;
    expect(textBlocks(c).map((t) => shown(t.text))).toContain(below);
    expect(textBlocks(reportCard(pets)).some((t) => t.text.includes("below"))).toBe(false);
    // Notes, small and subtle; the demo note only as a fact.
    const note = textBlocks(c).find((t) => t.text.startsWith("ℹ️"))!;
    expect(note).toMatchObject({ size: "Small", isSubtle: true });
    expect(JSON.stringify(c)).not.toContain("--flows");
  });

  it("the toggle shows a hidden container holding the exact KQL of the table, one monospace line each", () => {
    for (const r of [pets, demo, dns]) {
      const c = reportCard(r);
      expectGoodCard(c);
      const ev = leadEvidence(r);
      expect(ev.query.kql).toBeTruthy();
      const kql = kqlContainer(c)!;
      expect(kql).toMatchObject({ type: "Container", id: KQL_CONTAINER_ID, isVisible: false });
      expect(c.actions).toEqual([{ type: "Action.ToggleVisibility", title: "Show / hide the KQL", targetElements: [KQL_CONTAINER_ID] }]);
      const code = kql.items!.filter((t) => t.fontType === "Monospace");
      expect(code.every((t) => t.type === "TextBlock" && t.wrap === true)).toBe(true);
      // Exact, up to each line's leading indentation (four spaces would make a Markdown code block).
      expect(code.map((t) => shown(t.text!)).join("\n")).toBe(ev.query.kql!.split("\n").map((l) => l.trimStart()).join("\n"));
      expect(shown(kql.items![0]!.text!)).toContain(ev.title);
    }
  });

  it("the full demo report and the DNS report keep their tables and DNS names verbatim", () => {
    const c = reportCard(demo, { chartNote: true });
    expectGoodCard(c);
    expect(body(c)[0]!.text).toBe("netrca · Triage · namespace pets");
    const d = reportCard(dns);
    expectGoodCard(d);
    expect(body(d)[0]!.text).toBe("netrca · DNS · shop/checkout");
    expect(JSON.stringify(d)).not.toContain("demo cluster");
    const ev = leadEvidence(dns);
    const [head, ...rows] = tableTexts(tablesIn(d)[0]!);
    expect(head).toEqual(ev.columns);
    expect(rows).toEqual(ev.rows.map((r) => r.map(cellText)));
    expect(rows.flat()).toContain("api.partner.example.com.");
    // A next step with prose and a command: prose, then the command in monospace.
    const box = findingContainers(d)[0]!;
    const next = box.items!.findIndex((t) => shown(t.text!).startsWith("Next: "));
    expect(next).toBeGreaterThan(0);
    expect(box.items![next + 1]).toMatchObject({ fontType: "Monospace" });
    expect(shown(box.items![next + 1]!.text!)).toMatch(/^kubectl /);
  });
});

// ---------------------------------------------------------------------------------------
// Hand-made edge cases

const SCOPE = { namespace: "shop", workload: "checkout", pod: null, node: null, peer: null, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" };

function finding(rank: number, title: string, extra: Record<string, unknown> = {}) {
  return {
    rank, kind: "dns_errors", severity: rank === 1 ? "critical" : rank < 4 ? "warning" : "info", title,
    subject: { namespace: "shop", workload: "checkout" }, peer: null, reason: "SERVFAIL", value: 412, unit: "flows",
    baseline: 0, since: "2026-11-20T14:31:00Z", next: ["kubectl -n kube-system logs -l k8s-app=kube-dns --since=30m"], evidence: [0], ...extra,
  };
}

const SMALL = {
  question: "why is dns failing for checkout in shop?", intent: "dns", scope: SCOPE, summary: "checkout gets SERVFAIL.",
  findings: [finding(1, "checkout gets SERVFAIL for api.partner.example.com.")],
  evidence: [{ title: "DNS by name", columns: ["dnsQuery", "flows"], rows: [["api.partner.example.com.", 412]], query: { kql: "ContainerNetworkLogs\n| take 1" } }],
  charts: [], notes: [],
};

function huge(): Report {
  const long = (i: number) => `finding ${i} ` + "x".repeat(1990);
  const table = (t: number) => ({
    title: `table ${t} ` + "t".repeat(300),
    columns: Array.from({ length: 12 }, (_, c) => `column_${c}_` + "c".repeat(40)),
    rows: Array.from({ length: 20 }, (_, r) => Array.from({ length: 12 }, (_, c) => (c === 11 ? r * 1000 + c : `row ${r} cell ${c} ` + "v".repeat(200)))),
    query: { kql: Array.from({ length: 60 }, (_, l) => `| where Col_${l} == "${"k".repeat(80)}"`).join("\n"), sql: "SELECT 1\nFROM flows" },
  });
  return Report.parse({
    question: "q ".repeat(2000),
    intent: "triage",
    scope: { ...SCOPE, pod: "checkout-7d9f8b6c5d-x2x9z", node: "aks-nodepool1-27013129-vmss000001", peer: { namespace: "kube-system", workload: "coredns", pod: null } },
    summary: "s".repeat(5000),
    findings: Array.from({ length: 10 }, (_, i) => finding(i + 1, long(i + 1), { next: ["kubectl " + "n".repeat(2000)] })),
    evidence: Array.from({ length: 20 }, (_, t) => table(t)),
    charts: [{ title: "c".repeat(500), file: "/tmp/x.png" }],
    notes: Array.from({ length: 30 }, (_, i) => `note ${i} ` + "n".repeat(500)),
  });
}

describe("limits on a huge report", () => {
  const r = huge();

  it("stays under 28 KB, keeps the table's header and some rows, and says what it left out", () => {
    const c = reportCard(r, { chartNote: true });
    expectGoodCard(c);
    expect(cardBytes(c)).toBeLessThanOrEqual(28 * 1024);
    const [table, ...more] = tablesIn(c);
    expect(more).toHaveLength(0);
    const [head, ...rows] = tableTexts(table!);
    expect(head!.length).toBeGreaterThanOrEqual(3);
    expect(head!.every((h, i) => r.evidence[0]!.columns[i]!.startsWith(h.replace(/…$/, "")))).toBe(true);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(20);
    const said = textBlocks(c).map((t) => shown(t.text)).join("\n");
    expect(said).toMatch(/5 more findings: 6\. finding 6 x+…/);
    expect(said).toMatch(/more notes/);
    expect(said).toMatch(/rows|long cells cut|columns/);
    // Cut text ends in an ellipsis, never silently.
    expect(rows.flat().some((t) => t.endsWith("…"))).toBe(true);
    expect(shown(body(c)[2]!.text!).endsWith("…")).toBe(true);
    // The scope facts show everything that was set.
    expect(body(c)[1]!.facts!.map((f) => f.title)).toEqual(["Namespace", "Workload", "Pod", "Node", "Peer", "Window", "Question"]);
  });

  it("shows all it can when a report is merely large: 20 rows, 5 findings", () => {
    const big = Report.parse({
      ...r, summary: "A summary.", notes: [], question: "q",
      findings: r.findings.slice(0, 6).map((f) => ({ ...f, title: f.title.slice(0, 120), next: ["kubectl get pods -n shop"] })),
      evidence: [{ ...r.evidence[0]!, columns: ["query", "rcode", "flows"], rows: Array.from({ length: 20 }, (_, i) => [`name-${i}.example.com.`, "SERVFAIL", i]) }],
    });
    const c = reportCard(big);
    expectGoodCard(c);
    expect(findingContainers(c)).toHaveLength(5);
    const [head, ...rows] = tableTexts(tablesIn(c)[0]!);
    expect(head).toEqual(["query", "rcode", "flows"]);
    expect(rows).toHaveLength(20);
    expect(kqlContainer(c)).toBeDefined();
    expect(textBlocks(c).map((t) => shown(t.text))).toContain("1 more finding: 6. " + big.findings[5]!.title.slice(0, 79) + "…");
  });

  it("long cells of every table are cut, and every variant of the huge report fits", () => {
    for (const opts of [{}, { chartNote: true }]) {
      for (const n of [1, 2, 5, 10]) {
        const c = reportCard(Report.parse({ ...r, findings: r.findings.slice(0, n) }), opts);
        expectGoodCard(c);
      }
    }
  });

  it("a table wider than 12 columns keeps the first 12 and says so", () => {
    const wide = Report.parse({ ...SMALL, findings: [], evidence: [{ title: "wide", columns: Array.from({ length: 25 }, (_, i) => `c${i}`), rows: [Array.from({ length: 25 }, (_, i) => i)], query: {} }] });
    const c = reportCard(wide);
    expectGoodCard(c);
    expect(tableTexts(tablesIn(c)[0]!)[0]).toHaveLength(12);
    expect(textBlocks(c).map((t) => shown(t.text)).join("\n")).toContain("first 12 of 25 columns");
    // No KQL: no toggle.
    expect(c.actions).toBeUndefined();
    expect(kqlContainer(c)).toBeUndefined();
  });

  it("a KQL too long for the card is left out whole, with a note, not cut", () => {
    const kql = Array.from({ length: 400 }, (_, i) => `| extend c${i} = strcat("${"k".repeat(60)}")`).join("\n");
    const c = reportCard(Report.parse({ ...SMALL, evidence: [{ ...SMALL.evidence[0]!, query: { kql } }] }));
    expectGoodCard(c);
    expect(kqlContainer(c)).toBeUndefined();
    expect(c.actions).toBeUndefined();
    expect(textBlocks(c).map((t) => shown(t.text)).join("\n")).toMatch(/KQL behind this table \([\d,]+ characters\) is too long for this card/);
  });
});

describe("empty and thin reports", () => {
  it("an empty report (no findings, evidence, notes, summary) is still a valid card", () => {
    const c = reportCard(Report.parse({ question: "", intent: "health", scope: { ...SCOPE, namespace: null, workload: null }, summary: "", findings: [], evidence: [], charts: [], notes: [] }), { chartNote: true });
    expectGoodCard(c);
    expect(body(c)[0]!.text).toBe("netrca · Network health · whole cluster");
    expect(body(c)[1]!.facts!.map((f) => f.title)).toEqual(["Window"]);
    expect(tablesIn(c)).toHaveLength(0);
    expect(c.actions).toBeUndefined();
    expect(c.fallbackText).toBeTruthy();
  });

  it("no findings: the summary and the first table, whose empty result is said, not drawn", () => {
    const c = reportCard(Report.parse({ ...SMALL, summary: "No DNS errors in the window.", findings: [], evidence: [{ title: "DNS errors", columns: ["rcode", "flows"], rows: [], query: { kql: "ContainerNetworkLogs" } }] }));
    expectGoodCard(c);
    expect(findingContainers(c)).toHaveLength(0);
    expect(tablesIn(c)).toHaveLength(0);
    expect(textBlocks(c).map((t) => shown(t.text))).toContain("Evidence: DNS errors (no rows)");
    expect(kqlContainer(c)).toBeDefined();
  });

  it("a window across midnight and an unparseable one", () => {
    const c = reportCard(Report.parse({ ...SMALL, scope: { ...SCOPE, from: "2026-11-20T23:30:00Z", to: "2026-11-21T00:30:00Z" } }));
    expectGoodCard(c);
    expect(body(c)[1]!.facts!.find((f) => f.title === "Window")!.value).toBe("2026-11-20 23:30 – 2026-11-21 00:30 UTC");
    expectGoodCard(reportCard(Report.parse({ ...SMALL, scope: { ...SCOPE, from: "yesterday", to: "now" } })));
  });
});

// ---------------------------------------------------------------------------------------
// Hostile text

describe("data cannot make links or formatting", () => {
  const evil = "[click me](https://evil.example) **bold** __b__ *i* _i_ `code` <b>html</b> <https://x.example> &lt;b&gt; &#91; ~~s~~ www.evil.com {{DATE(2017-02-14T06:08:39Z, SHORT)}} \\*x\\* a\\b";
  const r = Report.parse({
    question: `why is dns failing? ${evil}`,
    intent: "dns",
    scope: SCOPE,
    summary: `# Heading ${evil}\nsecond line`,
    findings: [
      finding(1, `- list ${evil}`, { next: [`kubectl get pods -o jsonpath='{.items[*].metadata.name}' # ${evil}`] }),
      finding(2, `1. numbered ${evil}`, { next: [`look at ${evil}: kubectl get pods`] }),
      finding(3, `> quote ${evil}`, { next: [`look at ${evil}`] }),
    ],
    evidence: [{
      title: `DNS by name ${evil}`,
      columns: ["dnsQuery", `**col** ${evil}`],
      rows: [["[x](https://evil.example)", "**b**"], ["<at>Someone</at>", "_i_"], ["    indented", "+ plus"]],
      query: { kql: `ContainerNetworkLogs\n| where DnsQuery == "[x](https://evil.example)" and Msg has "**b**" and Path == @"C:\\dir\\*"\n    | take 10` },
    }],
    charts: [{ title: `chart ${evil}`, file: "/tmp/x.png" }],
    notes: [`Did you mean ${evil}?`, `=== ${evil}`],
  });

  it("every Markdown text in the card is inert, and shows the data as it is", () => {
    const c = reportCard(r, { chartNote: true });
    expectGoodCard(c);
    const texts = markdownTexts(c);
    expect(texts.some((t) => shown(t).includes(evil))).toBe(true);
    expect(shown(body(c)[2]!.text!)).toBe(`# Heading ${evil} second line`);
    // The next step's command is shown exactly.
    const cmd = findingContainers(c)[0]!.items!.find((t) => t.fontType === "Monospace")!;
    expect(shown(cmd.text!)).toBe(r.findings[0]!.next[0]);
    // Table cells and headers too.
    const [head, ...rows] = tableTexts(tablesIn(c)[0]!);
    expect(head).toEqual(["dnsQuery", `**col** ${evil}`.slice(0, 39) + "…"]);
    // (A cell's leading spaces are dropped: four would make a Markdown code block.)
    expect(rows).toEqual([["[x](https://evil.example)", "**b**"], ["<at>Someone</at>", "_i_"], ["indented", "+ plus"]]);
    // The KQL, exactly (backslashes included).
    const code = kqlContainer(c)!.items!.filter((t) => t.fontType === "Monospace").map((t) => shown(t.text!));
    expect(code.join("\n")).toBe(r.evidence[0]!.query.kql!.split("\n").map((l) => l.trimStart()).join("\n"));
    // fallbackText is plain text for notifications: the summary as it is, on one line.
    expect(c.fallbackText).toBe(`# Heading ${evil} second line`);
  });

  it("no Markdown link, emphasis or HTML survives escaping (unit)", () => {
    const cases = ["[a](b)", "![img](x)", "**b**", "__b__", "*i*", "_i_", "`c`", "<b>", "<https://x>", "~~s~~", "&amp;", "&#91;", "# h", "###", "- l", "+ l", "-", "---", "- - -", "1. n", "12) n", "3.", "> q", "https://x.example/a_b", "WWW.x.com", "{{TIME(2017-02-14T06:08:39Z)}}", "a\\*b", "trailing\\", "](x)", "    code"];
    for (const s of cases) {
      const md = escapeMarkdown(s);
      expectInert(md);
      expect(shown(md)).toBe(s.trimStart());
    }
    // Plain text, names and ordinary commands are left as they are.
    for (const s of ["pets/rabbitmq-0 resets TCP connections (186 flows)", "kubectl -n pets logs rabbitmq-0 --since=30m && echo ok", "api.partner.example.com.", "19.5% of responses, p95 63 ms", "--since=30m", "#1 finding", "=== x", "2026-11-20 14:00–15:00 UTC"]) {
      expect(escapeMarkdown(s)).toBe(s);
    }
  });

  it("help, failure and ack text are escaped too", () => {
    const h = helpCard(`Ask me ${evil}\n• DNS: "why is dns failing?"`);
    expectGoodCard(h);
    expect(textBlocks(h).map((t) => shown(t.text))).toContain(`Ask me ${evil}`);
    for (const reason of [`Log Analytics said ${evil}`, `line 1 ${evil}\n  line 2 <at>x</at>\n${"more\n".repeat(30)}`]) {
      const f = failureCard(`why ${evil}`, reason);
      expectGoodCard(f);
      expect(textBlocks(f).map((t) => shown(t.text)).join("\n")).toContain(`“why ${evil}”`);
    }
    const ack = ackText({ intent: `[x](https://evil.example) **b**`, scope: SCOPE });
    expectInert(ack);
    expect(shown(ack)).toBe("Looking at [x](https://evil.example) **b** in shop/checkout, 14:00–15:00 UTC…");
  });
});

describe("any report", () => {
  const piece = fc.constantFrom("[", "]", "(", ")", "*", "**", "_", "`", "<", ">", "<b>", "#", "# ", "- ", "+ ", "1. ", "---", "&lt;", "&#91;", "&", "\\", "{{", "}}", "www.", "https://", ":", " ", "    ", "\n", "~", "|", "!", "é", "🔴", "\u2028", "x", "pets/rabbitmq-0", "\"");
  const anyText = (max: number) => fc.oneof(fc.array(piece, { maxLength: max }).map((a) => a.join("")), fc.string({ maxLength: max }), fc.nat(max * 10).map((n) => "y".repeat(n)));
  const cell = fc.oneof(anyText(30), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null));
  const evidence = fc.record({
    title: anyText(40),
    columns: fc.array(anyText(10), { minLength: 1, maxLength: 15 }),
    rows: fc.array(fc.array(cell, { maxLength: 15 }), { maxLength: 20 }),
    query: fc.record({ kql: fc.option(fc.array(anyText(40), { maxLength: 80 }).map((l) => l.join("\n")), { nil: undefined }) }, { requiredKeys: [] }),
  });
  const aFinding = fc.record({
    rank: fc.integer({ min: 1, max: 20 }), kind: fc.constantFrom(...FindingKind.options), severity: fc.constantFrom("critical", "warning", "info"),
    title: anyText(60), subject: fc.constant({ namespace: "shop", workload: null }), peer: fc.constant(null), reason: fc.constant(null),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }), unit: fc.constantFrom("flows", "%", "ms", "responses"), baseline: fc.option(fc.integer(), { nil: null }),
    since: fc.option(fc.constantFrom("2026-11-20T14:31:00Z", "not a time"), { nil: null }), next: fc.array(anyText(60), { maxLength: 2 }), evidence: fc.array(fc.nat(25), { maxLength: 2 }),
  });
  const report = fc.record({
    question: anyText(60), intent: fc.constantFrom("dns", "drops", "traffic", "health", "l7", "triage", "help"),
    scope: fc.record({ namespace: fc.option(anyText(10), { nil: null }), workload: fc.option(anyText(10), { nil: null }), pod: fc.constant(null), node: fc.option(anyText(10), { nil: null }), peer: fc.constant(null), from: fc.constantFrom(SCOPE.from, "x"), to: fc.constant(SCOPE.to) }),
    summary: anyText(200), findings: fc.array(aFinding, { maxLength: 12 }), evidence: fc.array(evidence, { maxLength: 20 }),
    charts: fc.array(fc.record({ title: anyText(20), file: fc.constant("/tmp/c.png") }), { maxLength: 3 }), notes: fc.array(anyText(40), { maxLength: 12 }),
  }).map((r) => Report.parse(r));

  it("is a valid 1.5 card under 28 KB whose every Markdown text is inert", () => {
    fc.assert(fc.property(report, fc.boolean(), (r, chartNote) => expectGoodCard(reportCard(r, { chartNote }))), { numRuns: 60 });
  });

  it("help and failure cards too", () => {
    fc.assert(fc.property(anyText(300), anyText(300), (a, b) => {
      expectGoodCard(helpCard(a));
      expectGoodCard(failureCard(a, b));
      expectInert(ackText({ intent: a, scope: SCOPE }));
    }), { numRuns: 100 });
  });
});

// ---------------------------------------------------------------------------------------
// Help, failure, ack

describe("help, failure and ack", () => {
  it("the help card: a title and one line per line of help", () => {
    const c = helpCard(HELP);
    expectGoodCard(c);
    expect(body(c)[0]!.text).toBe("netrca · what I can answer");
    const texts = textBlocks(c).map((t) => shown(t.text));
    for (const line of HELP.split("\n")) expect(texts).toContain(line);
    expect(c.fallbackText).toBe(HELP.split("\n")[0]);
    expectGoodCard(helpCard(""));
  });

  it("the failure card says what failed and that nothing was judged", () => {
    const c = failureCard("why is dns failing in shop?", "Log Analytics returned 503 Service Unavailable");
    expectGoodCard(c);
    const box = body(c)[0]!;
    expect(box).toMatchObject({ type: "Container", style: "attention" });
    const texts = textBlocks(c).map((t) => shown(t.text));
    expect(texts).toContain("⚠️ Couldn't answer");
    expect(texts).toContain("“why is dns failing in shop?”");
    expect(texts).toContain("Log Analytics returned 503 Service Unavailable");
    expect(texts.at(-1)).toMatch(/not a healthy verdict/);
    expect(c.fallbackText).toBe("Couldn't answer “why is dns failing in shop?”: Log Analytics returned 503 Service Unavailable");
    // A multi-line reason (a stack, a parser error) as monospace lines, at most 20, saying how many more.
    const m = failureCard("q", Array.from({ length: 25 }, (_, i) => `at line ${i}`).join("\n"));
    expectGoodCard(m);
    expect(textBlocks(m).filter((t) => t.fontType === "Monospace")).toHaveLength(20);
    expect(textBlocks(m).map((t) => shown(t.text))).toContain("… 5 more lines");
    expectGoodCard(failureCard("", ""));
    expectGoodCard(failureCard("q".repeat(10_000), "r".repeat(100_000)));
  });

  it("the ack says what was understood, in one line", () => {
    expect(ackText({ intent: "dns", scope: SCOPE })).toBe("Looking at DNS in shop/checkout, 14:00–15:00 UTC…");
    expect(ackText({ intent: "triage", scope: { ...SCOPE, namespace: "pets", workload: null } })).toBe("Looking at everything in namespace pets, 14:00–15:00 UTC…");
    expect(ackText({ intent: "drops", scope: { ...SCOPE, peer: { namespace: "shop", workload: "payments", pod: null } } })).toBe("Looking at packet drops between shop/checkout and shop/payments, 14:00–15:00 UTC…");
    expect(ackText({ intent: "health", scope: { ...SCOPE, namespace: null, workload: null } })).toBe("Looking at network health across the whole cluster, 14:00–15:00 UTC…");
  });
});

describe("a Log Analytics answer", () => {
  it("adds an Open in the Azure portal action and stays a valid 1.5 card", () => {
    const portal = "https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/resourceId/%2Fsubscriptions%2Fs/source/LogsBlade.AnalyticsShareLinkToQuery/q/H4sIAAAAAAAAA0s%3D";
    const r = Report.parse({
      question: "show packet drops in namespace shop", intent: "drops",
      scope: { namespace: "shop", workload: null, pod: null, node: null, peer: null, from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" },
      summary: "No active fault.", findings: [], charts: [], notes: [],
      evidence: [{ title: "Dropped flows", columns: ["flows"], rows: [[3]], query: { kql: "ContainerNetworkLogs | take 1", portal } }],
    });
    const c = reportCard(r);
    expectGoodCard(c);
    expect(c.actions).toContainEqual({ type: "Action.OpenUrl", title: "Open in the Azure portal", url: portal });
  });
});
