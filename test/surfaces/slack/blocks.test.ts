import { beforeAll, describe, expect, it } from "vitest";
import { HELP } from "../../../src/investigate/help.js";
import { Report, type Cell, type Evidence } from "../../../src/model/index.js";
import { ackText, failureMessage, helpMessage, messageChars, queryMessages, reportMessage, splitCode, type SlackMessage } from "../../../src/surfaces/slack/blocks.js";
import { tempDir } from "../../support/tmp.js";
import { leadEvidence as lead, splitNext } from "../../../src/surfaces/labels.js";
import { reportOf } from "../../support/reports.js";

const dir = tempDir();

// ---------------------------------------------------------------------------------------
// Helpers: read a message the way Slack would

type AnyBlock = { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[]; rows?: { type: string; text: string }[][]; column_settings?: { align?: string }[] };

const blocksOf = (m: SlackMessage) => m.blocks as AnyBlock[];
const sections = (m: SlackMessage) => blocksOf(m).filter((b) => b.type === "section").map((b) => b.text!.text);
const contexts = (m: SlackMessage) => blocksOf(m).filter((b) => b.type === "context").flatMap((b) => b.elements!.map((e) => e.text));
const tablesIn = (m: SlackMessage) => (m.attachments ?? []).flatMap((a) => a.blocks as AnyBlock[]).filter((b) => b.type === "table");
/** Every mrkdwn string Slack parses in the message (raw_text table cells are not parsed). */
const mrkdwnTexts = (m: SlackMessage) => [m.text, ...sections(m), ...contexts(m)];
/** What Slack shows for escaped mrkdwn. */
const shown = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/[\u2060\u200b]/g, "");
const escaped = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const cellText = (c: Cell) => (c === null || c === "" ? "-" : String(c));

/** Everything Slack enforces (or is reported to enforce) on a message, with our margins. */
function expectWithinLimits(m: SlackMessage): void {
  const blocks = blocksOf(m);
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(m.text.length).toBeGreaterThan(0);
  for (const b of blocks) {
    if (b.type === "header") expect(b.text!.text.length).toBeLessThanOrEqual(150);
    if (b.type === "section") expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    if (b.type === "context") {
      expect(b.elements!.length).toBeLessThanOrEqual(10);
      for (const e of b.elements!) expect(e.text.length).toBeLessThanOrEqual(3000);
    }
    expect(b.type, "a table block only inside attachments").not.toBe("table");
  }
  const tables = tablesIn(m);
  expect(tables.length).toBeLessThanOrEqual(1);
  for (const t of tables) {
    expect(t.rows!.length).toBeLessThanOrEqual(100);
    for (const r of t.rows!) {
      expect(r.length).toBeLessThanOrEqual(20);
      for (const c of r) expect(c.text.length).toBeGreaterThan(0);
    }
    expect(t.column_settings!.length).toBeLessThanOrEqual(20);
    expect(t.rows!.flat().reduce((n, c) => n + c.text.length, 0)).toBeLessThanOrEqual(9000);
  }
  expect(messageChars(m)).toBeLessThan(12_000);
}

/** No mrkdwn text may hold a "<" or ">" Slack would parse, other than the given mention. */
function expectNoMarkupFromData(m: SlackMessage, allowed: string[] = []): void {
  for (const t of mrkdwnTexts(m)) {
    let rest = t;
    for (const a of allowed) rest = rest.split(a).join("");
    expect(rest, t).not.toMatch(/[<>]/);
    expect(rest, t).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}

// ---------------------------------------------------------------------------------------
// Real reports from the engine


let pets: Report;
let dns: Report;
beforeAll(async () => {
  [pets, dns] = await Promise.all([
    reportOf(dir, "tcp-reset-storm", "what's wrong in namespace pets?", { demo: true }),
    reportOf(dir, "dns-servfail", "we get SERVFAIL for checkout in shop"),
  ]);
});

const leadEvidence = (r: Report): Evidence => lead(r)!;

describe("reportMessage on real reports", () => {
  it("what's wrong in namespace pets: header, who asked, demo data, summary, top finding, its table", () => {
    const m = reportMessage(pets, { questionBy: "U024BE7LH" });
    expectWithinLimits(m);
    const [head, ctx] = blocksOf(m);
    expect(head!.type).toBe("header");
    expect(head!.text!.text).toBe("netrca · Triage · namespace pets");
    expect(ctx!.type).toBe("context");
    const context = ctx!.elements!.map((e) => e.text).join(" | ");
    expect(context).toContain("2026-11-20 14:00–15:00 UTC");
    expect(context).toContain("what's wrong in namespace pets?");
    expect(context).toContain("asked by <@U024BE7LH>");
    expect(context).toContain("demo data");

    expect(sections(m)).toContain(escaped(pets.summary));
    expect(m.text).toBe(escaped(pets.summary));
    const top = pets.findings[0]!;
    expect(top.severity).toBe("critical");
    const topSection = sections(m).find((s) => s.includes(`*${top.title}*`));
    expect(topSection).toBeDefined();
    expect(topSection!.startsWith("🔴")).toBe(true);
    // Its first next step: the prose, then the command as code a user can copy.
    const step = splitNext(top.next[0]!);
    expect(step.command).toBeTruthy();
    expect(shown(topSection!)).toContain(`${step.prose}: \`${step.command}\``);

    const tables = tablesIn(m);
    expect(tables).toHaveLength(1);
    expect(m.attachments).toHaveLength(1);
    const ev = pets.evidence[top.evidence[0]!]!;
    const [headRow, ...rows] = tables[0]!.rows!;
    expect(headRow!.map((c) => c.text)).toEqual(ev.columns);
    expect(rows.map((r) => r.map((c) => c.text))).toEqual(ev.rows.map((r) => r.map(cellText)));
    expect(tables[0]!.rows!.flat().every((c) => c.type === "raw_text")).toBe(true);
    // Counts line up on the right.
    expect(tables[0]!.column_settings![ev.columns.indexOf("flows")]).toMatchObject({ align: "right" });
    expect(tables[0]!.column_settings![ev.columns.indexOf("srcPod")]).toMatchObject({ align: "left" });
    // The table's title sits right above it; the thread has the KQL.
    expect(sections(m).at(-1)).toContain(ev.title);
    expect(contexts(m)).toContain("🔎 The KQL behind the findings is in the thread");
    // The demo note is said once, briefly, not with its CLI options.
    expect(JSON.stringify(m.blocks)).not.toContain("--flows");
    // At most 5 findings, each with a severity mark.
    const marks = sections(m).filter((s) => /^(🔴|🟠|⚪) \*/.test(s));
    expect(marks).toHaveLength(Math.min(5, pets.findings.length));
  });

  it("the DNS report shows the DNS names of its evidence verbatim in the table", () => {
    const m = reportMessage(dns);
    expectWithinLimits(m);
    expect(blocksOf(m)[0]!.text!.text).toBe("netrca · DNS · shop/checkout");
    expect(contexts(m).join(" ")).not.toContain("demo data");
    const ev = leadEvidence(dns);
    const t = tablesIn(m)[0]!;
    expect(t.rows![0]!.map((c) => c.text)).toEqual(ev.columns);
    expect(t.rows!.slice(1).map((r) => r.map((c) => c.text))).toEqual(ev.rows.map((r) => r.map(cellText)));
    expect(t.rows!.flat().map((c) => c.text)).toContain("api.partner.example.com.");
    // A next step with prose and a command: the command is code.
    const top = dns.findings[0]!;
    const s = sections(m).find((x) => x.startsWith(`🔴 *${top.title}*`))!;
    expect(s).toMatch(/Next: .+: `kubectl /);
  });

  it("keeps every report of the engine within Slack's limits, with and without the table block", () => {
    for (const r of [pets, dns]) {
      expectWithinLimits(reportMessage(r));
      expectWithinLimits(reportMessage(r, { tableAsBlock: false }));
      for (const q of queryMessages(r)) expectWithinLimits(q);
    }
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

function huge(): Report {
  const long = (i: number) => `finding ${i} ` + "x".repeat(1990);
  const table = (t: number) => ({
    title: `table ${t} ` + "t".repeat(300),
    columns: Array.from({ length: 12 }, (_, c) => `column_${c}_` + "c".repeat(40)),
    rows: Array.from({ length: 20 }, (_, r) => Array.from({ length: 12 }, (_, c) => (c === 11 ? r * 1000 + c : `row ${r} cell ${c} ` + "v".repeat(200)))),
    query: { kql: Array.from({ length: 60 }, (_, l) => `| where Col${l} == "${"k".repeat(80)}"`).join("\n"), sql: "SELECT 1\nFROM flows" },
  });
  return Report.parse({
    question: "q ".repeat(2000),
    intent: "triage",
    scope: SCOPE,
    summary: "s".repeat(5000),
    findings: Array.from({ length: 10 }, (_, i) => finding(i + 1, long(i + 1), { next: ["kubectl " + "n".repeat(2000)] })),
    evidence: Array.from({ length: 20 }, (_, t) => table(t)),
    charts: [],
    notes: Array.from({ length: 30 }, (_, i) => `note ${i} ` + "n".repeat(500)),
  });
}

describe("limits on a huge report", () => {
  const r = huge();

  it("stays under every limit and says what it left out", () => {
    const m = reportMessage(r, { questionBy: "U1" });
    expectWithinLimits(m);
    const table = tablesIn(m)[0]!;
    expect(table.rows![0]!.length).toBe(12);
    expect(table.rows!.length).toBeGreaterThan(1);
    const said = [...sections(m), ...contexts(m)].join("\n");
    expect(said).toMatch(/more findings/);
    expect(said).toMatch(/more notes/);
    expect(said).toMatch(/long cells cut|rows shown/);
    // Cut text ends in an ellipsis, never silently.
    expect(table.rows!.flat().some((c) => c.text.endsWith("…"))).toBe(true);
    // The numeric column is still right-aligned.
    expect(table.column_settings![11]).toMatchObject({ align: "right" });
  });

  it("stays under every limit with the code-block table", () => {
    const m = reportMessage(r, { tableAsBlock: false });
    expectWithinLimits(m);
    expect(m.attachments).toBeUndefined();
    const code = sections(m).find((s) => s.startsWith("```"))!;
    expect(code.length).toBeLessThanOrEqual(2900);
  });

  it("gives each table its own thread message(s), each section under 2,900 chars", () => {
    const qs = queryMessages(r);
    expect(new Set(qs.map((q) => q.text)).size).toBe(20);
    for (const q of qs) {
      expectWithinLimits(q);
      for (const s of sections(q)) expect(s.length).toBeLessThanOrEqual(2900);
    }
  });

  it("a table with more than 20 columns keeps the first 20 and says so", () => {
    const wide = Report.parse({ ...r, findings: [], evidence: [{ title: "wide", columns: Array.from({ length: 25 }, (_, i) => `c${i}`), rows: [Array.from({ length: 25 }, (_, i) => i)], query: {} }] });
    const m = reportMessage(wide);
    expectWithinLimits(m);
    expect(tablesIn(m)[0]!.rows![0]).toHaveLength(20);
    expect(sections(m).at(-1)).toContain("first 20 of 25 columns");
  });
});

describe("data cannot make mentions, links or broadcasts", () => {
  const evil = "<@U123> <!channel> <!here|here> <https://evil.example|click me> a & b > c";
  const r = Report.parse({
    question: `why is dns failing? ${evil}`,
    intent: "dns",
    scope: SCOPE,
    summary: `Most probable root cause: ${evil}. @channel look`,
    findings: [finding(1, `checkout gets SERVFAIL for ${evil}`, { next: ["kubectl get pods && echo '<@U123>' > /tmp/x"] }), finding(2, `<!everyone> ${evil}`, { next: [`look at ${evil}`] })],
    evidence: [{
      title: `DNS by name ${evil}`,
      columns: ["dnsQuery", "flows"],
      rows: [["<@U123>.example.com.", 3], ["<!channel>", 2], ["a&b<c>", 1]],
      query: { kql: `ContainerNetworkLogs\n| where DnsQuery == "<!channel>" and x > 1 and y < 2 && z`, sql: "SELECT '<@U123>' AS a" },
    }],
    charts: [],
    notes: [`Did you mean ${evil}?`],
  });

  it("escapes &, < and > in every mrkdwn text; the only mention is the asker's", () => {
    for (const tableAsBlock of [true, false]) {
      const m = reportMessage(r, { tableAsBlock, questionBy: "U999ASKER" });
      expectWithinLimits(m);
      expectNoMarkupFromData(m, ["<@U999ASKER>"]);
      const all = mrkdwnTexts(m).join("\n");
      expect(all).toContain("&lt;@U123&gt;");
      expect(all).toContain("&lt;!channel&gt;");
      expect(all).toContain("a &amp; b &gt; c");
      // A bare @channel in data is defused too (in case link_names is ever turned on).
      expect(all).not.toMatch(/@channel\b/i);
      expect(shown(all)).toContain("@channel look");
    }
  });

  it("table cells are raw text, shown as they are", () => {
    const m = reportMessage(r);
    expect(tablesIn(m)[0]!.rows!.slice(1).map((row) => row[0]!.text)).toEqual(["<@U123>.example.com.", "<!channel>", "a&b<c>"]);
  });

  it("an asker id that is not a user id is shown as text", () => {
    const m = reportMessage(r, { questionBy: "<!channel>" });
    expectNoMarkupFromData(m);
  });

  it("queries, help, failures and acks are escaped too", () => {
    for (const q of queryMessages(r)) expectNoMarkupFromData(q);
    expectNoMarkupFromData(helpMessage(`Ask me ${evil}`));
    expectNoMarkupFromData(failureMessage(`why ${evil}`, `Log Analytics said ${evil}`));
    expectNoMarkupFromData(failureMessage("why", `line 1 ${evil}\nline 2 <!here>`));
    const ack = ackText({ intent: `<!channel>`, scope: SCOPE });
    expect(ack).not.toMatch(/[<>]/);
  });
});

describe("the code-block table (tableAsBlock: false)", () => {
  it("replaces the table block with aligned monospace columns", () => {
    const m = reportMessage(dns, { tableAsBlock: false });
    expectWithinLimits(m);
    expect(m.attachments).toBeUndefined();
    const ev = leadEvidence(dns);
    const code = sections(m).find((s) => s.startsWith("```"))!;
    expect(code.length).toBeLessThanOrEqual(2900);
    const lines = shown(code).replace(/^```\n|\n```$/g, "").split("\n");
    expect(lines).toHaveLength(2 + ev.rows.length);
    // Aligned: every line as wide as the header, each column starting where its header does.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    const starts = ev.columns.map((c) => lines[0]!.indexOf(c));
    expect(starts.every((s, i) => i === 0 || s > starts[i - 1]!)).toBe(true);
    expect(lines[1]).toMatch(/^[- ]+$/);
    for (const [i, row] of ev.rows.entries()) {
      const line = lines[i + 2]!;
      expect(line).toContain(String(row[ev.columns.indexOf("dnsQuery")]));
      // Counts are right-aligned: the number ends where the "flows" header ends.
      const flows = String(row[ev.columns.indexOf("flows")]);
      const end = starts[ev.columns.indexOf("flows")]! + "flows".length;
      expect(line.slice(end - flows.length, end)).toBe(flows);
    }
  });

  it("escapes data inside the code block and keeps columns aligned as shown", () => {
    const r = Report.parse({
      question: "q", intent: "dns", scope: SCOPE, summary: "s", findings: [], charts: [], notes: [],
      evidence: [{ title: "t", columns: ["dnsQuery", "flows"], rows: [["a&b<c>.example.", 10], ["x.example.", 2000], [null, 3]], query: {} }],
    });
    const code = sections(reportMessage(r, { tableAsBlock: false })).find((s) => s.startsWith("```"))!;
    expect(code).toContain("a&amp;b&lt;c&gt;.example.");
    const lines = shown(code).replace(/^```\n|\n```$/g, "").split("\n");
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines.at(-1)).toMatch(/^- +3$/);
  });

  it("cuts rows to fit 2,900 chars and says how many are left out", () => {
    const r = Report.parse({
      question: "q", intent: "dns", scope: SCOPE, summary: "s", findings: [], charts: [], notes: [],
      evidence: [{ title: "t", columns: ["a", "b", "c"], rows: Array.from({ length: 20 }, (_, i) => ["<".repeat(40), "&".repeat(40), i]), query: {} }],
    });
    const m = reportMessage(r, { tableAsBlock: false });
    expectWithinLimits(m);
    const code = sections(m).find((s) => s.startsWith("```"))!;
    expect(code.length).toBeLessThanOrEqual(2900);
    expect(shown(code)).toMatch(/… \d+ more rows/);
  });
});

describe("queryMessages", () => {
  /** The code of the sections of one kind ("KQL"/"SQL"), per table, as a user would copy it. */
  function codeOf(msgs: SlackMessage[], kind: string): Map<string, string> {
    const out = new Map<string, string[]>();
    for (const m of msgs) {
      for (const s of sections(m)) {
        const match = /^\*(.+)\* — ([A-Za-z]+) [^\n]*:\n```\n([\s\S]*)\n```$/.exec(s);
        expect(match, s.slice(0, 200)).not.toBeNull();
        if (match![2] !== kind) continue;
        const title = shown(match![1]!);
        out.set(title, [...(out.get(title) ?? []), shown(match![3]!)]);
      }
    }
    return new Map([...out].map(([t, parts]) => [t, parts.join("\n")]));
  }

  it("carries every table's KQL and SQL exactly, one message per table", () => {
    for (const r of [pets, dns]) {
      const msgs = queryMessages(r);
      expect(msgs).toHaveLength(r.evidence.filter((e) => e.query.kql || e.query.sql).length);
      const kql = codeOf(msgs, "KQL");
      const sql = codeOf(msgs, "SQL");
      for (const e of r.evidence) {
        if (e.query.kql) expect(kql.get(e.title)).toBe(e.query.kql);
        if (e.query.sql) expect(sql.get(e.title)).toBe(e.query.sql);
      }
      // KQL first: it is what a user pastes into Log Analytics.
      expect(sections(msgs[0]!)[0]).toMatch(/^\*.+\* — KQL \(Log Analytics\):\n```/);
    }
  });

  it("splits a long query at line ends, under 2,900 chars per section, and joins back exactly", () => {
    const kql = Array.from({ length: 120 }, (_, i) => `| extend c${i} = iff(x < ${i} and y > ${i}, "a&b", "c")`).join("\n");
    const r = Report.parse({ question: "q", intent: "dns", scope: SCOPE, summary: "s", findings: [], charts: [], notes: [], evidence: [{ title: "Long", columns: ["a"], rows: [], query: { kql } }] });
    const msgs = queryMessages(r);
    const secs = msgs.flatMap(sections);
    expect(secs.length).toBeGreaterThan(2);
    for (const s of secs) expect(s.length).toBeLessThanOrEqual(2900);
    for (const m of msgs) expectWithinLimits(m);
    expect(codeOf(msgs, "KQL").get("Long")).toBe(kql);
    expect(secs[1]).toMatch(/part 2\/\d+/);
  });

  it("cuts a line only when it alone is too long, and never loses a character", () => {
    const code = "short line\n" + "word ".repeat(1500) + "\nlast";
    const pieces = splitCode(code, 1000);
    expect(pieces.join("")).toBe(code);
    expect(pieces[0]).toBe("short line\n");
    for (const p of pieces) expect(escaped(p).length).toBeLessThanOrEqual(1000);
    const nospace = "<".repeat(3000);
    const p2 = splitCode(nospace, 1000);
    expect(p2.join("")).toBe(nospace);
    for (const p of p2) expect(escaped(p).length).toBeLessThanOrEqual(1000);
  });

  it("skips tables without a query", () => {
    const r = Report.parse({ question: "q", intent: "dns", scope: SCOPE, summary: "s", findings: [], charts: [], notes: [], evidence: [{ title: "none", columns: ["a"], rows: [], query: {} }] });
    expect(queryMessages(r)).toEqual([]);
  });
});

describe("ackText", () => {
  const at = { from: "2026-11-20T14:00:00Z", to: "2026-11-20T15:00:00Z" };
  const none = { namespace: null, workload: null, pod: null, node: null, peer: null };
  it.each([
    ["dns", { ...none, namespace: "shop", workload: "checkout" }, "Looking at DNS in shop/checkout, 14:00–15:00 UTC…"],
    ["health", none, "Looking at network health across the whole cluster, 14:00–15:00 UTC…"],
    ["drops", { ...none, namespace: "shop", pod: "checkout-7d9f8b6c5-x2x4k" }, "Looking at packet drops for pod shop/checkout-7d9f8b6c5-x2x4k, 14:00–15:00 UTC…"],
    ["drops", { ...none, namespace: "shop", workload: "frontend", peer: { namespace: "shop", workload: "backend", pod: null } }, "Looking at packet drops between shop/frontend and shop/backend, 14:00–15:00 UTC…"],
    ["l7", { ...none, namespace: "pets" }, "Looking at HTTP, gRPC and Kafka errors in namespace pets, 14:00–15:00 UTC…"],
    ["health", { ...none, node: "aks-nodepool1-27013129-vmss000001" }, "Looking at network health on node aks-nodepool1-27013129-vmss000001, 14:00–15:00 UTC…"],
    ["triage", { ...none, namespace: "pets" }, "Looking at everything in namespace pets, 14:00–15:00 UTC…"],
  ])("%s %j", (intent, scope, expected) => {
    expect(ackText({ intent, scope: { ...scope, ...at } })).toBe(expected);
  });

  it("names both days when the window crosses midnight", () => {
    expect(ackText({ intent: "dns", scope: { ...none, namespace: "shop", from: "2026-11-19T23:30:00Z", to: "2026-11-20T00:30:00Z" } })).toBe(
      "Looking at DNS in namespace shop, 2026-11-19 23:30 – 2026-11-20 00:30 UTC…",
    );
  });

  it("is what the parser understood from a real question", () => {
    expect(ackText(dns)).toBe("Looking at DNS in shop/checkout, 14:00–15:00 UTC…");
  });
});

describe("help and failure messages", () => {
  it("help: the examples as code, within limits", () => {
    const m = helpMessage(HELP);
    expectWithinLimits(m);
    const all = sections(m).join("\n");
    expect(all).toContain("`why is dns failing for checkout in namespace shop?`");
    expect(shown(all)).toContain("what's wrong in namespace shop?");
    expect(m.text.length).toBeGreaterThan(10);
  });

  it("failure: says the question and what failed, and that nothing was judged", () => {
    const m = failureMessage("why is dns failing in shop?", "Log Analytics did not answer (503 Service Unavailable)");
    expectWithinLimits(m);
    expect(sections(m)[0]).toContain("why is dns failing in shop?");
    expect(sections(m)[0]).toContain("503 Service Unavailable");
    expect(m.text).toContain("503");
    expect(contexts(m).join(" ")).toMatch(/not a healthy verdict/);
    const long = failureMessage("q".repeat(5000), "r".repeat(10_000));
    expectWithinLimits(long);
  });
});

describe("reports without findings or evidence", () => {
  it("no findings: the first evidence table is shown", () => {
    const r = Report.parse({ ...dns, findings: [] });
    const m = reportMessage(r);
    expectWithinLimits(m);
    expect(tablesIn(m)[0]!.rows![0]!.map((c) => c.text)).toEqual(r.evidence[0]!.columns);
  });

  it("no evidence, or an empty table: no attachment, and the message still reads", () => {
    const bare = Report.parse({ question: "q", intent: "help", scope: SCOPE, summary: HELP, findings: [], evidence: [], charts: [], notes: [] });
    const m = reportMessage(bare);
    expectWithinLimits(m);
    expect(m.attachments).toBeUndefined();
    const empty = Report.parse({ ...bare, intent: "dns", summary: "No flows", evidence: [{ title: "DNS", columns: ["a"], rows: [], query: { kql: "T" } }] });
    const m2 = reportMessage(empty);
    expect(m2.attachments).toBeUndefined();
    expect(sections(m2).at(-1)).toContain("no rows");
  });
});

