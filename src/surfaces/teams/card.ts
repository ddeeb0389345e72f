/**
 * The Report as Microsoft Teams Adaptive Cards (pure functions, no I/O).
 *
 * Limits (reference/chat-platforms.md §2.5): Teams renders Adaptive Cards up to schema 1.5
 * (which brought the `Table` element); a card posted through an incoming webhook or a
 * Workflow must stay under ~28 KB, so every card here does, whatever the Report holds, by
 * trimming rows, cells, findings and the KQL and saying what it trimmed. The chart is not in
 * the card: it travels beside it as an inline `image/png` attachment (base64 images do not
 * count towards Teams' message size; a data URI inside the card would).
 *
 * Formatting comes from element properties (weight, colour, container style, fontType),
 * never from Markdown. Every TextBlock is processed as Markdown by Teams, so all text is
 * escaped with backslashes (CommonMark's escapes, which Teams honours) wherever a character
 * could start a link, emphasis, code, HTML, an autolink, an entity or a block (heading,
 * list, quote): data can never make a link or bold text. Each TextBlock holds a single line
 * (Markdown would join lines), so code (commands, KQL) is one TextBlock per line.
 */
import type { Cell, Evidence, Finding, Report } from "../../model/index.js";
import { thousands } from "../../model/text.js";
import { INTENT_LABEL, SEVERITY_MARK, amount, clip, isoMinute, leadEvidence, peerName, policyFixTexts, scopeLabel, splitNext, understoodText, windowLabel } from "../labels.js";

export const CARD_MAX_BYTES = 28 * 1024;
export const CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

export type AdaptiveCard = {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  body: object[];
  actions?: object[];
  fallbackText: string;
  msteams?: object;
};

/** The id of the hidden Container that holds the KQL; the toggle action targets it. */
export const KQL_CONTAINER_ID = "kql";

/** Size of a card as Teams counts it for a webhook post: the UTF-8 bytes of its JSON. */
export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}

// ---------------------------------------------------------------------------------------
// Element shapes (declared here: only what these cards use, with schema 1.5 names)

type Spacing = "None" | "Small" | "Default" | "Medium" | "Large";
type ContainerStyle = "default" | "emphasis" | "attention" | "warning" | "good" | "accent";

interface TextBlock {
  type: "TextBlock";
  text: string;
  wrap: true;
  size?: "Small" | "Medium" | "Large";
  weight?: "Bolder";
  isSubtle?: true;
  fontType?: "Monospace";
  style?: "heading";
  spacing?: Spacing;
  separator?: true;
}
interface FactSet { type: "FactSet"; facts: { title: string; value: string }[]; spacing?: Spacing }
interface Container { type: "Container"; items: Element[]; id?: string; isVisible?: false; style?: ContainerStyle; spacing?: Spacing; separator?: true }
interface TableCell { type: "TableCell"; items: TextBlock[] }
interface TableRow { type: "TableRow"; cells: TableCell[]; style?: ContainerStyle }
interface TableColumn { width: number; horizontalCellContentAlignment?: "Right" }
interface Table { type: "Table"; columns: TableColumn[]; rows: TableRow[]; firstRowAsHeader: true; showGridLines: true; spacing?: Spacing }
type Element = TextBlock | FactSet | Container | Table;

interface TextOpts extends Omit<Partial<TextBlock>, "type" | "text" | "wrap"> {}

/** A TextBlock of escaped text (`raw` is one line of plain text, clipped to `max` first). */
const text = (raw: string, opts: TextOpts = {}, max = Infinity): TextBlock => ({ type: "TextBlock", text: escapeMarkdown(clip(oneLine(raw), max)), wrap: true, ...opts });
const small = (raw: string, opts: TextOpts = {}, max = Infinity) => text(raw, { size: "Small", isSubtle: true, spacing: "None", ...opts }, max);
/** One line of code: monospace, escaped, never re-flowed into prose. */
const code = (line: string, opts: TextOpts = {}): TextBlock => ({ type: "TextBlock", text: escapeMarkdown(line), wrap: true, fontType: "Monospace", spacing: "None", ...opts });

function card(body: Element[], fallbackText: string, actions?: object[]): AdaptiveCard {
  const c: AdaptiveCard = { type: "AdaptiveCard", $schema: CARD_SCHEMA, version: "1.5", body, fallbackText: clip(oneLine(fallbackText), 1000) || "netrca", msteams: { width: "Full" } };
  if (actions?.length) c.actions = actions;
  return c;
}

// ---------------------------------------------------------------------------------------
// Escaping and clipping

/** ASCII punctuation: what CommonMark lets a backslash escape. */
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const ALWAYS = new Set(["[", "]", "*", "_", "`", "<", ">", "~"]);

/**
 * One line of plain text as TextBlock Markdown that shows exactly that text (CommonMark
 * backslash escapes) and can make no link, emphasis, code span, HTML, entity, autolink,
 * `{{DATE()}}` function or block (heading, list, quote, rule). Escapes only where a
 * character could matter, so plain words, names and most commands pass unchanged.
 * Leading whitespace is dropped (four spaces would open a code block); line breaks become spaces.
 */
export function escapeMarkdown(line: string): string {
  const s = line.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/^\s+/, "");
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const prev = s[i - 1];
    const next = s[i + 1];
    if (c === "\\") out += next === undefined || ASCII_PUNCT.test(next) ? "\\\\" : "\\";
    else if (ALWAYS.has(c)) out += "\\" + c;
    // "](" cannot meet once brackets are escaped; this also holds for a parser that ignores escapes.
    else if (c === "(" && prev === "]") out += "\\(";
    // An entity (&lt; &#91;) would be decoded.
    else if (c === "&" && /^&(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i.test(s.slice(i))) out += "\\&";
    // {{DATE(...)}} / {{TIME(...)}} are formatted by Adaptive Card hosts.
    else if (c === "{" && (next === "{" || prev === "{")) out += "\\{";
    // scheme://host and www.host would be auto-linked by a linkifying renderer.
    else if (c === ":" && s.startsWith("//", i + 1) && /[a-z]$/i.test(s.slice(0, i))) out += "\\:";
    else if (c === "." && /(^|[^a-z0-9])www$/i.test(s.slice(0, i))) out += "\\.";
    else out += c;
  }
  // Block syntax at the start of the line: ATX heading, bullet list, thematic break, ordered list.
  // (One line cannot be a setext heading or a table.)
  return out
    .replace(/^(#{1,6}|[+-])(?=\s|$)/, "\\$1")
    .replace(/^-(?=([ \t]*-){2,}[ \t]*$)/, "\\-")
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, "$1\\$2");
}


const oneLine = (s: string) => s.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").trim();

// ---------------------------------------------------------------------------------------
// Labels (the same words as the Slack reply)

/** Critical red, warning amber; info in a grey box (a "default" container has no padding, so its text would sit out of line with the boxes). */
const SEVERITY_STYLE: Record<Finding["severity"], ContainerStyle> = { critical: "attention", warning: "warning", info: "emphasis" };

const DEMO_NOTE = /built-in demo cluster|demo data/i;

/** The scope as facts: only the parts that are set, the window, the question, demo data. */
function scopeFacts(r: Report, demo: boolean): FactSet {
  const s = r.scope;
  const facts: [string, string | null][] = [
    ["Namespace", s.namespace],
    ["Workload", s.workload],
    ["Pod", s.pod],
    ["Node", s.node],
    ["Peer", peerName(s)],
    ["Window", windowLabel(s)],
    ["Question", r.question.trim() ? `“${clip(oneLine(r.question), QUESTION_MAX)}”` : null],
    ["Data", demo ? "demo cluster (simulated flows)" : null],
  ];
  return {
    type: "FactSet",
    facts: facts.filter((f): f is [string, string] => !!f[1]).map(([title, value]) => ({ title, value: escapeMarkdown(clip(oneLine(value), FACT_MAX)) })),
  };
}

// ---------------------------------------------------------------------------------------
// The report card

const SUMMARY_MAX = 2000;
const TITLE_MAX = 300;
const NEXT_MAX = 300;
const COMMAND_MAX = 500;
const QUESTION_MAX = 300;
const FACT_MAX = 200;
const NOTE_MAX = 240;
const EVIDENCE_TITLE_MAX = 200;
const HEADER_MAX = 40;
const FINDINGS_SHOWN = 5;
const TABLE_ROWS = 20;
const TABLE_COLUMNS = 12;

/** How much of the Report a card shows; smaller budgets are tried until the card fits. */
interface Budget {
  summary: number;
  /** Characters of the model's explanation (0: left out). */
  explanation: number;
  findings: number;
  notes: number;
  rows: number;
  columns: number;
  /** Characters per table cell. */
  cell: number;
  /** The KQL is shown only if it has at most this many characters (a cut query is no use). */
  kql: number;
}

const FULL: Budget = { explanation: 1500, summary: SUMMARY_MAX, findings: FINDINGS_SHOWN, notes: 5, rows: TABLE_ROWS, columns: TABLE_COLUMNS, cell: 120, kql: 12_000 };

/** Cumulative cuts, in the order they are made: long cells first, then rows, findings, the KQL. */
const CUTS: Partial<Budget>[] = [
  { cell: 80 }, { cell: 60 }, { rows: 15 }, { cell: 40 }, { rows: 10 }, { kql: 8000 }, { findings: 4 }, { findings: 3 },
  { cell: 28 }, { notes: 2 }, { rows: 5 }, { kql: 4000 }, { findings: 2 }, { explanation: 600 }, { summary: 800 }, { cell: 16 }, { rows: 3 },
  { kql: 0 }, { findings: 1 }, { columns: 6 }, { summary: 300 }, { rows: 1 }, { cell: 10 }, { columns: 3 }, { notes: 0 }, { explanation: 0 },
];

/** What to give back after the cuts, in this order, each from the most to the least. */
const RELAX: [keyof Budget, number[]][] = [
  ["findings", [5, 4, 3, 2]],
  ["kql", [12_000, 8000, 4000]],
  ["rows", [20, 15, 10, 5, 3]],
  ["cell", [120, 80, 60, 40, 28, 16]],
  ["columns", [12, 6]],
  ["summary", [2000, 800]],
  ["explanation", [1500, 600]],
  ["notes", [5, 2]],
];

/**
 * The Report as an Adaptive Card 1.5 for Teams (JSON ≤ 28 KB). The chart is NOT inside the
 * card: it travels as an inline image/png attachment beside it (base64 images do not count
 * toward Teams' message size; a data URI in the card would break the 28 KB target).
 */
export function reportCard(report: Report, opts: { chartNote?: boolean } = {}): AdaptiveCard {
  const fits = (b: Budget) => {
    const c = buildReportCard(report, b, opts);
    return cardBytes(c) <= CARD_MAX_BYTES ? c : null;
  };
  let budget = FULL;
  let c = fits(budget);
  if (c) return c;
  for (const cut of CUTS) {
    budget = { ...budget, ...cut };
    c = fits(budget);
    if (c) break;
  }
  // Every text has a cap, so the smallest budget fits any Report (a few KB); never reached otherwise.
  if (!c) return buildReportCard(report, budget, opts);
  // The cuts go in a fixed order and may overshoot: give back what still fits, most useful first.
  for (const [key, values] of RELAX) {
    for (const v of values) {
      if (v <= budget[key]) break;
      const more = fits({ ...budget, [key]: v });
      if (more) {
        budget = { ...budget, [key]: v };
        c = more;
        break;
      }
    }
  }
  return c;
}

function buildReportCard(report: Report, b: Budget, opts: { chartNote?: boolean }): AdaptiveCard {
  const demo = report.notes.some((n) => DEMO_NOTE.test(n));
  const notes = report.notes.filter((n) => !DEMO_NOTE.test(n));
  const body: Element[] = [];

  body.push(text(`netrca · ${INTENT_LABEL[report.intent] ?? report.intent} · ${scopeLabel(report.scope)}`, { size: "Large", weight: "Bolder", style: "heading" }, TITLE_MAX));
  body.push(scopeFacts(report, demo));
  body.push(text(report.summary.trim() || "No summary.", { spacing: "Medium" }, b.summary));
  // The model's words in a box of their own, marked as such: the findings below stay the answer.
  if (report.explanation && b.explanation > 0) {
    body.push({
      type: "Container", style: "emphasis", spacing: "Medium",
      items: [
        small(`🤖 Written by the model ${clip(report.explanation.model, 60)} from these findings; its figures and names were checked against the evidence`, { spacing: "None" }),
        text(report.explanation.text, { spacing: "Small" }, b.explanation),
      ],
    });
  }

  // Findings, most probable root cause first.
  const shown = report.findings.slice(0, b.findings);
  if (shown.length) {
    body.push(text(report.findings.length === 1 ? "Finding" : "Findings", { weight: "Bolder", spacing: "Medium", separator: true }));
    for (const f of shown) body.push(findingContainer(f));
  }
  const rest = report.findings.slice(shown.length);
  if (rest.length) {
    const dropped = shown.length < Math.min(FINDINGS_SHOWN, report.findings.length);
    const list = rest.slice(0, 5).map((f) => `${f.rank}. ${clip(oneLine(f.title), 80)}`).join(" · ");
    body.push(small(`${rest.length} more finding${rest.length > 1 ? "s" : ""}${dropped ? " (left out to fit the card)" : ""}: ${list}${rest.length > 5 ? " …" : ""}`, { spacing: "Small" }));
  }

  // The evidence behind the top finding, as a table.
  const ev = leadEvidence(report);
  let kql: Container | null = null;
  let kqlCut = false;
  if (ev) {
    const t = ev.rows.length ? evidenceTable(ev, b) : null;
    const n = ev.rows.length;
    const rows = n === 0 ? "no rows" : `${n} row${n > 1 ? "s" : ""}`;
    const said = t?.shortened.length ? `; ${t.shortened.join(", ")}` : "";
    body.push(text(`Evidence: ${clip(oneLine(ev.title), EVIDENCE_TITLE_MAX)} (${rows}${said})`, { weight: "Bolder", spacing: "Medium", separator: true }));
    if (t) body.push(t.table);
    const q = ev.query.kql ?? ev.query.promql;
    if (q) {
      if (q.length <= b.kql) kql = kqlContainer(ev);
      else kqlCut = true;
    }
  }

  // Footer: the chart beside the card, notes, what was left out.
  const foot: TextBlock[] = [];
  const charts = report.charts.slice(0, 3).map((c) => clip(oneLine(c.title), 120));
  if (opts.chartNote && charts.length) foot.push(small(`📈 Chart${charts.length > 1 ? "s" : ""} below: ${charts.join(" · ")}`));
  for (const n of notes.slice(0, b.notes)) foot.push(small(`ℹ️ ${n}`, {}, NOTE_MAX));
  if (notes.length > b.notes) foot.push(small(`… and ${notes.length - b.notes} more note${notes.length - b.notes > 1 ? "s" : ""}`));
  if (kqlCut) foot.push(small(`🔎 The ${ev!.query.kql ? "KQL" : "PromQL"} behind this table (${thousands((ev!.query.kql ?? ev!.query.promql)!.length)} characters) is too long for this card.`));
  if (foot.length) {
    foot[0] = { ...foot[0]!, spacing: "Medium" };
    body.push(...foot);
  }

  if (kql) body.push(kql);
  const portal = leadEvidence(report)?.query.portal;
  const actions = [
    ...(kql ? [{ type: "Action.ToggleVisibility", title: `Show / hide the ${leadEvidence(report)?.query.kql ? "KQL" : "PromQL"}`, targetElements: [KQL_CONTAINER_ID] }] : []),
    // Log Analytics answers: open the same query in the Azure portal's Logs blade.
    ...(portal ? [{ type: "Action.OpenUrl", title: "Open in the Azure portal", url: portal }] : []),
  ];
  return card(body, report.summary || `netrca · ${scopeLabel(report.scope)}`, actions.length ? actions : undefined);
}

function findingContainer(f: Finding): Container {
  const items: Element[] = [
    text(`${SEVERITY_MARK[f.severity]} ${f.title}`, { weight: "Bolder" }, TITLE_MAX),
    text(`${amount(f)}${f.since && isoMinute(f.since) ? ` · since ${isoMinute(f.since)!.slice(11, 16)} UTC` : ""}`, { isSubtle: true, spacing: "None" }),
  ];
  // Which policy decides a policy drop, and why the flow matches none of it.
  for (const p of f.policy?.policies.slice(0, 2) ?? []) {
    items.push(text(`Policy ${p.namespace ? `${p.namespace}/` : ""}${p.name} admits ${p.admits.replace(/^.*? and admits (ingress|egress) /, "")}; ${p.whyNot}`, { spacing: "Small" }, 400));
  }
  if (f.policy?.deniedBy.length) items.push(text(`Denied by the deny rule of ${f.policy.deniedBy.slice(0, 3).join(", ")}: a deny wins over any allow, so narrow or remove that rule`, { spacing: "Small" }, 300));
  const next = f.severity !== "info" ? f.next[0] : undefined;
  if (next) {
    const { prose, command } = splitNext(oneLine(next));
    items.push(text(`Next: ${clip(prose, NEXT_MAX)}${prose && command ? ":" : ""}`, { spacing: "Small" }));
    if (command) items.push(code(clip(command, COMMAND_MAX)));
  }
  return { type: "Container", style: SEVERITY_STYLE[f.severity], spacing: "Small", items };
}

/** A cell as the table shows it: nothing as "-", fractions to two decimals. */
function cellText(c: Cell): string {
  if (c === null || c === "") return "-";
  if (typeof c === "number" && !Number.isInteger(c)) return String(Math.round(c * 100) / 100);
  return String(c);
}

/** The evidence as a Table: header row = columns, ≤ budget rows and columns, cells cut to the budget. */
function evidenceTable(e: Evidence, b: Budget): { table: Table; shortened: string[] } {
  const shortened: string[] = [];
  const nCols = Math.min(e.columns.length, b.columns);
  if (e.columns.length > nCols) shortened.push(`first ${nCols} of ${e.columns.length} columns`);
  const rows = e.rows.slice(0, b.rows).map((r) => Array.from({ length: nCols }, (_, i) => cellText(r[i] ?? null)));
  if (e.rows.length > rows.length) shortened.push(`first ${rows.length} of ${e.rows.length} rows`);
  const head = e.columns.slice(0, nCols).map((h) => clip(h, HEADER_MAX));
  if (rows.some((r) => r.some((c) => c.length > b.cell))) shortened.push(`long cells cut at ${b.cell} characters`);

  const numeric = e.columns.slice(0, nCols).map((_, i) => {
    const cells = e.rows.map((r) => r[i] ?? null).filter((c) => c !== null);
    return cells.length > 0 && cells.every((c) => typeof c === "number");
  });
  // Wider columns for longer text (weights 1..4), so DNS names and pod names wrap less.
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min((r[i] ?? "").length, b.cell))));
  const columns: TableColumn[] = widths.map((w, i) => ({ width: Math.min(4, Math.max(1, Math.round(w / 12))), ...(numeric[i] ? { horizontalCellContentAlignment: "Right" as const } : {}) }));

  const cell = (s: string, header = false): TableCell => ({ type: "TableCell", items: [text(s, header ? { weight: "Bolder" } : {}, header ? HEADER_MAX : b.cell)] });
  const table: Table = {
    type: "Table",
    columns,
    rows: [{ type: "TableRow", style: "emphasis", cells: head.map((h) => cell(h, true)) }, ...rows.map((r) => ({ type: "TableRow" as const, cells: r.map((c) => cell(c)) }))],
    firstRowAsHeader: true,
    showGridLines: true,
    spacing: "Small",
  };
  return { table, shortened };
}

/** The hidden container with the table's KQL (or, for a metric check, its PromQL), one monospace TextBlock per line. */
function kqlContainer(e: Evidence): Container {
  const promql = !e.query.kql;
  const lines = (e.query.kql ?? e.query.promql!).split("\n");
  return {
    type: "Container",
    id: KQL_CONTAINER_ID,
    isVisible: false,
    spacing: "Medium",
    separator: true,
    items: [small(promql ? `PromQL behind “${clip(oneLine(e.title), EVIDENCE_TITLE_MAX)}”, to paste into Prometheus or Grafana:` : `KQL behind “${clip(oneLine(e.title), EVIDENCE_TITLE_MAX)}”, to paste into Log Analytics:`, { spacing: "Small" }), ...lines.map((l) => code(l, { size: "Small" }))],
  };
}

/**
 * A policy drop's checked fix as a message of its own, after the card: a Markdown code block
 * keeps the YAML's indentation, so what is copied applies (a card's TextBlocks would not).
 */
export const fixMessages = (report: Report): string[] => policyFixTexts(report, 20_000, "yaml");

// ---------------------------------------------------------------------------------------
// Ack, help, failure

/**
 * What was understood, as a short plain-text reply line (like Slack's ack):
 * "Looking at DNS in shop/checkout, 14:00–15:00 UTC…". Teams shows a message's text as
 * Markdown, so it is escaped like card text.
 */
export function ackText(q: { intent: string; scope: Report["scope"] }): string {
  return escapeMarkdown(clip(oneLine(understoodText(q)), 300));
}

/** Usage help with examples, one TextBlock per line of `helpText`. */
export function helpCard(helpText: string): AdaptiveCard {
  const lines = helpText.split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 60);
  const body: Element[] = [text("netrca · what I can answer", { size: "Large", weight: "Bolder", style: "heading" })];
  lines.forEach((l, i) => body.push(text(l, { spacing: i === 0 ? "Medium" : "Small" }, 1000)));
  body.push(small("Mention me with a question in a channel, or message me directly. I reply with the findings, the evidence table, a chart and the KQL behind it.", { spacing: "Medium" }));
  return card(body, lines[0] ?? "netrca: ask me about DNS, drops, traffic, network health or L7 errors");
}

/** A reply that says what failed (backend down, bad data). */
export function failureCard(question: string, reason: string): AdaptiveCard {
  const reasonLines = reason.split("\n").filter((l) => l.trim());
  const multi = reasonLines.length > 1;
  const shownLines = reasonLines.slice(0, 20);
  const body: Element[] = [
    {
      type: "Container",
      style: "attention",
      items: [
        text("⚠️ Couldn't answer", { size: "Medium", weight: "Bolder", style: "heading" }),
        text(`“${clip(oneLine(question), QUESTION_MAX)}”`, { spacing: "Small" }),
        ...(multi ? shownLines.map((l) => code(clip(l, 300), { size: "Small" })) : [text(reason || "unknown error", { spacing: "Small" }, 2000)]),
        ...(reasonLines.length > shownLines.length ? [small(`… ${reasonLines.length - shownLines.length} more lines`)] : []),
      ],
    },
    small("Nothing was judged, so this is not a healthy verdict. Try again in a minute, or ask help.", { spacing: "Medium" }),
  ];
  return card(body, `Couldn't answer “${clip(oneLine(question), QUESTION_MAX)}”: ${clip(oneLine(reason), 500)}`);
}
