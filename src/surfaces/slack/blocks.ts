/**
 * The Report as Slack Block Kit messages (pure functions, no I/O).
 *
 * Limits (reference/chat-platforms.md §1.5): 50 blocks per message, section text 3000 chars,
 * header 150, one native `table` per message and only inside `attachments`, ≤100 rows ×
 * ≤20 cells and ~10k chars over all cells, and `msg_blocks_too_long` at ~13k chars of text
 * in total. Every piece of user or data text that lands in mrkdwn is escaped (&, <, >), so
 * data can never produce a mention, a link or a broadcast.
 */
import type { Cell, Evidence, Finding, Report } from "../../model/index.js";
import { INTENT_LABEL, SEVERITY_MARK, amount, clip, isoMinute, leadEvidence, scopeLabel, splitNext, understoodText, windowLabel } from "../labels.js";

export interface SlackMessage {
  text: string;
  blocks: object[];
  attachments?: { blocks: object[] }[];
}

/** The limits this module keeps, a little under Slack's own. */
export const SLACK_LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  /** Code-block sections (fallback table, queries) stay under this, fences included. */
  codeSection: 2900,
  tableRows: 100,
  tableCells: 20,
  /** Summed over every cell of the table. */
  tableChars: 9000,
  /** Summed over every `text` in blocks and attachments (Slack refuses ~13k). */
  messageChars: 12000,
} as const;

// ---------------------------------------------------------------------------------------
// Block shapes (declared here, not taken from @slack/types)

interface PlainText { type: "plain_text"; text: string; emoji: boolean }
interface Mrkdwn { type: "mrkdwn"; text: string }
interface RawText { type: "raw_text"; text: string }
type HeaderBlock = { type: "header"; text: PlainText };
type SectionBlock = { type: "section"; text: Mrkdwn };
type ContextBlock = { type: "context"; elements: Mrkdwn[] };
type DividerBlock = { type: "divider" };
interface ColumnSetting { align: "left" | "right"; is_wrapped?: boolean }
type TableBlock = { type: "table"; column_settings: ColumnSetting[]; rows: RawText[][] };
type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | TableBlock;

const header = (text: string): HeaderBlock => ({ type: "header", text: { type: "plain_text", text: clip(text, SLACK_LIMITS.header), emoji: true } });
const section = (text: string): SectionBlock => ({ type: "section", text: { type: "mrkdwn", text } });
const context = (...texts: string[]): ContextBlock => ({ type: "context", elements: texts.slice(0, 10).map((text) => ({ type: "mrkdwn", text })) });
const divider: DividerBlock = { type: "divider" };

// ---------------------------------------------------------------------------------------
// Escaping and clipping

/** Slack's three control characters, and @channel/@here/@everyone defused (word joiner). */
export function escapeMrkdwn(s: string): string {
  return escapeCode(s).replace(/@(channel|here|everyone)\b/gi, "@\u2060$1");
}

/** Inside code, only &, <, > (Slack parses entities there too); the text is otherwise kept. */
function escapeCode(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}


/** Raw text escaped for mrkdwn, clipped (before escaping, so no entity is cut) to fit `max` once escaped. */
function esc(raw: string, max = Infinity): string {
  const full = escapeMrkdwn(raw);
  if (full.length <= max) return full;
  // The longest raw prefix whose escaped form fits.
  let lo = 0, hi = Math.min(raw.length, max);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (escapeMrkdwn(clip(raw, mid)).length <= max) lo = mid;
    else hi = mid - 1;
  }
  return escapeMrkdwn(clip(raw, Math.max(lo, 1)));
}

/** Code for a ``` block: escaped, and a ``` inside it broken with a zero-width space. */
function codeText(s: string): string {
  return escapeCode(s).replace(/```/g, "``\u200b`");
}

/** Characters of text a message carries: every `text` string in blocks and attachments. */
export function messageChars(m: SlackMessage): number {
  const walk = (v: unknown): number => {
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + walk(x), 0);
    if (v && typeof v === "object") {
      let n = 0;
      for (const [k, x] of Object.entries(v)) n += k === "text" && typeof x === "string" ? x.length : walk(x);
      return n;
    }
    return 0;
  };
  return walk(m.blocks) + walk(m.attachments ?? []);
}

// ---------------------------------------------------------------------------------------
// Labels


// ---------------------------------------------------------------------------------------
// The report message

const SUMMARY_MAX = 2500;
const EXPLANATION_MAX = 1500;
const TITLE_MAX = 400;
const NEXT_MAX = 300;
const QUESTION_MAX = 300;
const NOTE_MAX = 240;
const NOTES_SHOWN = 5;
const FINDINGS_SHOWN = 5;
const TABLE_ROWS = 20;
const FALLBACK_LINE = 120;
/** A table gets at least this much of the message before findings are dropped for it. */
const TABLE_RESERVE = 4000;

const DEMO_NOTE = /built-in demo cluster|demo data/i;

/** The report as one channel message: what an on-call engineer reads first. */
export function reportMessage(report: Report, opts: { tableAsBlock?: boolean; questionBy?: string } = {}): SlackMessage {
  const tableAsBlock = opts.tableAsBlock ?? true;
  const evidence = leadEvidence(report);
  const notes = report.notes.filter((n) => !DEMO_NOTE.test(n));
  const demo = report.notes.some((n) => DEMO_NOTE.test(n));
  const text = esc(oneLine(report.summary), 1000);

  // Fewer findings when the table would otherwise be squeezed below its reserve.
  let shown = Math.min(FINDINGS_SHOWN, report.findings.length);
  for (;;) {
    const m = build(shown);
    if (messageChars(m) <= SLACK_LIMITS.messageChars || shown <= 1) return m;
    shown--;
  }

  function build(nFindings: number): SlackMessage {
    const blocks: Block[] = [];
    blocks.push(header(`netrca · ${INTENT_LABEL[report.intent] ?? report.intent} · ${scopeLabel(report.scope)}`));

    const asked = `“${esc(oneLine(report.question), QUESTION_MAX)}”` + (opts.questionBy ? ` asked by ${userRef(opts.questionBy)}` : "");
    blocks.push(context(`🕑 ${esc(windowLabel(report.scope))}`, asked, ...(demo ? ["🧪 demo data (simulated cluster)"] : [])));

    blocks.push(section(esc(report.summary, SUMMARY_MAX)));
    // The model's words, marked as such: the findings below stay the answer.
    if (report.explanation) {
      blocks.push(context(`🤖 Written by the model ${esc(report.explanation.model, 60)} from these findings; its figures and names were checked against the evidence`));
      blocks.push(section(`>${esc(oneLine(report.explanation.text), EXPLANATION_MAX)}`));
    }

    if (nFindings > 0) {
      blocks.push(divider);
      for (const f of report.findings.slice(0, nFindings)) blocks.push(section(findingText(f)));
      const rest = report.findings.slice(nFindings);
      if (rest.length) {
        const dropped = nFindings < Math.min(FINDINGS_SHOWN, report.findings.length);
        const list = rest.slice(0, 5).map((f) => `${f.rank}. ${esc(oneLine(f.title), 80)}`).join(" · ");
        blocks.push(context(`${rest.length} more finding${rest.length > 1 ? "s" : ""}${dropped ? " (left out to fit one message)" : ""}: ${list}${rest.length > 5 ? " …" : ""}`));
      }
    }

    const foot: string[] = notes.slice(0, NOTES_SHOWN).map((n) => `ℹ️ ${esc(oneLine(n), NOTE_MAX)}`);
    if (notes.length > NOTES_SHOWN) foot.push(`… and ${notes.length - NOTES_SHOWN} more notes`);
    const langs = [report.evidence.some((e) => e.query.kql) && "KQL", report.evidence.some((e) => e.query.promql) && "PromQL"].filter(Boolean);
    if (langs.length) foot.push(`🔎 The ${langs.join(" and ")} behind the findings ${langs.length > 1 ? "are" : "is"} in the thread`);
    // A context block holds at most 10 elements.
    const footer = foot.length ? context(...foot.slice(0, 10)) : null;

    const attachments: { blocks: object[] }[] = [];
    blocks.push(divider);
    if (!evidence) {
      if (footer) blocks.push(footer);
    } else if (tableAsBlock) {
      if (footer) blocks.push(footer);
      const used = messageChars({ text: "", blocks }) + 200;
      const budget = Math.max(Math.min(SLACK_LIMITS.tableChars, SLACK_LIMITS.messageChars - used), nFindings <= 1 ? 500 : TABLE_RESERVE);
      const t = evidence.rows.length ? tableBlock(evidence, budget) : null;
      blocks.push(section(evidenceHeading(evidence, t?.shortened ?? [])));
      if (t) attachments.push({ blocks: [t.block] });
    } else {
      const code = evidence.rows.length ? codeTable(evidence, SLACK_LIMITS.codeSection - 7) : null;
      blocks.push(section(evidenceHeading(evidence, code?.shortened ?? [])));
      if (code) blocks.push(section("```\n" + code.text + "\n```"));
      if (footer) blocks.push(footer);
    }

    const m: SlackMessage = { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
    if (attachments.length) m.attachments = attachments;
    return m;
  }
}

/** A Slack user mention for a user id; anything else is shown as text. */
function userRef(id: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(id) ? `<@${id}>` : esc(id, 40);
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");

function findingText(f: Finding): string {
  const lines = [`${SEVERITY_MARK[f.severity]} *${esc(oneLine(f.title), TITLE_MAX)}*`];
  const since = f.since && isoMinute(f.since) ? ` · since ${isoMinute(f.since)!.slice(11, 16)} UTC` : "";
  lines.push(esc(`${amount(f)}${since}`, 300));
  // Which policy decides a policy drop, and why the flow matches none of it.
  for (const p of f.policy?.policies.slice(0, 2) ?? []) lines.push(esc(`Policy ${p.namespace ? `${p.namespace}/` : ""}${p.name} admits ${p.admits.replace(/^.*? and admits (ingress|egress) /, "")}; ${p.whyNot}`, 400));
  if (f.policy?.deniedBy.length) lines.push(esc(`Denied by the deny rule of ${f.policy.deniedBy.slice(0, 3).join(", ")}: a deny wins over any allow, so narrow or remove that rule`, 300));
  const next = f.severity !== "info" ? f.next[0] : undefined;
  if (next) lines.push(nextStep(oneLine(next)));
  return lines.join("\n");
}

/** "Next: `cmd`", or "Next: what to look at: `cmd`"; a long command or one with a backtick gets a code block. */
function nextStep(next: string): string {
  const { prose, command: cmd } = splitNext(next);
  if (cmd === null) return `Next: ${esc(next, NEXT_MAX)}`;
  const lead = `Next: ${prose ? `${esc(prose, 150)}: ` : ""}`;
  if (cmd.length > 150 || cmd.includes("`")) return `${lead}\n\`\`\`${codeText(clip(cmd, NEXT_MAX * 2))}\`\`\``;
  return `${lead}\`${codeText(cmd)}\``;
}

/** A cell as the table shows it: nothing (null or "") as "-". */
const cellText = (c: Cell): string => (c === null || c === "" ? "-" : String(c));

/** Columns whose every non-empty cell is a number. */
function numericColumns(e: Evidence): boolean[] {
  return e.columns.map((_, i) => {
    const cells = e.rows.map((r) => r[i] ?? null).filter((c) => c !== null);
    return cells.length > 0 && cells.every((c) => typeof c === "number");
  });
}

function evidenceHeading(e: Evidence, shortened: string[]): string {
  const n = e.rows.length;
  const rows = n === 0 ? "no rows" : `${n} row${n > 1 ? "s" : ""}`;
  return `📊 *Evidence: ${esc(oneLine(e.title), 200)}* (${rows}${shortened.length ? `; ${shortened.join(", ")}` : ""})`;
}

/** The native table: header row + up to 20 rows, ≤20 columns, cells cut so the total fits `budget`. */
function tableBlock(e: Evidence, budget: number): { block: TableBlock; shortened: string[] } {
  const shortened: string[] = [];
  const nCols = Math.min(e.columns.length, SLACK_LIMITS.tableCells);
  if (e.columns.length > nCols) shortened.push(`first ${nCols} of ${e.columns.length} columns`);
  let rows = e.rows.slice(0, Math.min(TABLE_ROWS, SLACK_LIMITS.tableRows - 1)).map((r) => Array.from({ length: nCols }, (_, i) => cellText(r[i] ?? null)));
  if (e.rows.length > rows.length) shortened.push(`first ${rows.length} of ${e.rows.length} rows`);
  const head = e.columns.slice(0, nCols);

  const total = (cap: number, rs: string[][]) => [head, ...rs].reduce((n, r) => n + r.reduce((m, c) => m + Math.min(c.length, cap), 0), 0);
  const longest = Math.max(1, ...[head, ...rows].flat().map((c) => c.length));
  let cap = longest;
  if (total(cap, rows) > budget) {
    // The largest per-cell cap that fits, but not below 12 chars: past that, drop rows instead.
    let lo = 12, hi = longest;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (total(mid, rows) <= budget) lo = mid;
      else hi = mid - 1;
    }
    cap = lo;
    const before = rows.length;
    while (rows.length > 1 && total(cap, rows) > budget) rows = rows.slice(0, -1);
    if (rows.length < before) shortened.push(`first ${rows.length} rows shown`);
    if (longest > cap) shortened.push(`long cells cut at ${cap} chars`);
  }
  const numeric = numericColumns(e).slice(0, nCols);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => (r[i] ?? "").length)));
  const block: TableBlock = {
    type: "table",
    column_settings: numeric.map((num, i) => (num ? { align: "right" } : (widths[i] ?? 0) > 40 ? { align: "left", is_wrapped: true } : { align: "left" })),
    rows: [head, ...rows].map((r) => r.map((c) => ({ type: "raw_text", text: clip(c, cap) }))),
  };
  return { block, shortened };
}

/** The fallback: the table as aligned monospace text (escaped), at most `max` chars. */
function codeTable(e: Evidence, max: number): { text: string; shortened: string[] } {
  const shortened: string[] = [];
  const numeric = numericColumns(e);
  const head = e.columns;
  const rows = e.rows.slice(0, TABLE_ROWS).map((r) => head.map((_, i) => cellText(r[i] ?? null)));
  const widths = head.map((_, i) => Math.min(60, Math.max(...[head, ...rows].map((r) => (r[i] ?? "").length))));
  // Narrow the widest columns until a line fits a chat window.
  const lineWidth = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (lineWidth() > FALLBACK_LINE) {
    const w = Math.max(...widths);
    if (w <= 6) break;
    widths[widths.indexOf(w)] = w - 1;
  }
  if (head.some((h, i) => [h, ...rows.map((r) => r[i] ?? "")].some((c) => c.length > widths[i]!))) shortened.push("long cells cut");
  const line = (cells: string[]) =>
    codeText(cells.map((c, i) => {
      const w = widths[i]!;
      const t = c.length > w ? clip(c, w) : c;
      return numeric[i] ? t.padStart(w) : t.padEnd(w);
    }).join("  "));
  const out = [line(head), line(widths.map((w) => "-".repeat(w)))];
  let used = out.join("\n").length;
  let n = 0;
  for (const r of rows) {
    const l = line(r);
    const more = `\n… ${rows.length - n - 1} more rows`;
    if (used + 1 + l.length + (n + 1 < rows.length ? more.length : 0) > max) break;
    out.push(l);
    used += 1 + l.length;
    n++;
  }
  if (n < rows.length) {
    out.push(`… ${rows.length - n} more rows`);
    shortened.push(`first ${n} rows shown`);
  }
  return { text: out.join("\n"), shortened };
}

// ---------------------------------------------------------------------------------------
// Queries for the thread

/**
 * Pieces of `code`, each at most `max` chars once escaped, cut after a line break whenever a
 * line fits (else at the last space, else anywhere). `pieces.join("") === code`.
 */
export function splitCode(code: string, max: number): string[] {
  const size = (s: string) => codeText(s).length;
  const pieces: string[] = [];
  let cur = "";
  for (const line of code.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    if (size(cur + line) <= max) {
      cur += line;
      continue;
    }
    if (cur) pieces.push(cur);
    cur = "";
    let rest = line;
    while (size(rest) > max) {
      // The longest prefix that fits, cut after a space if there is one in its second half.
      let end = 0, width = 0;
      for (const ch of rest) {
        const w = size(ch);
        if (width + w > max) break;
        width += w;
        end += ch.length;
      }
      const space = rest.lastIndexOf(" ", end - 1);
      if (space >= end / 2) end = space + 1;
      pieces.push(rest.slice(0, end));
      rest = rest.slice(end);
    }
    cur = rest;
  }
  if (cur || pieces.length === 0) pieces.push(cur);
  return pieces;
}

const QUERY_KINDS = [
  ["kql", "KQL (Log Analytics)"],
  ["sql", "SQL (embedded store)"],
  ["promql", "PromQL (Prometheus)"],
] as const;

/** The KQL (and SQL) behind each evidence table, for the report's thread: one message per table, split under the limits. */
export function queryMessages(report: Report): SlackMessage[] {
  const out: SlackMessage[] = [];
  for (const e of report.evidence) {
    const title = esc(oneLine(e.title), 200);
    const sections: string[] = [];
    for (const [key, label] of QUERY_KINDS) {
      const code = e.query[key];
      if (!code) continue;
      const first = `*${title}* — ${label}:`;
      const budget = SLACK_LIMITS.codeSection - first.length - 30;
      const pieces = splitCode(code, budget);
      pieces.forEach((p, i) => {
        const lead = i === 0 ? first : `*${title}* — ${label}, part ${i + 1}/${pieces.length}:`;
        sections.push(`${lead}\n\`\`\`\n${codeText(p.endsWith("\n") ? p.slice(0, -1) : p)}\n\`\`\``);
      });
    }
    // Log Analytics answers carry a link that opens the same query in the portal's Logs blade.
    if (e.query.portal) sections.push(`<${e.query.portal.replace(/&/g, "&amp;").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/\|/g, "%7C")}|Open “${title}” in the Azure portal>`);
    if (!sections.length) continue;
    // One message per table, more when the sections would pass the message's limits.
    let blocks: SectionBlock[] = [];
    let chars = 0;
    const flush = () => {
      if (blocks.length) out.push({ text: `Queries behind “${esc(oneLine(e.title), 200)}”`, blocks });
      blocks = [];
      chars = 0;
    };
    for (const s of sections) {
      if (blocks.length && (chars + s.length > SLACK_LIMITS.messageChars - 500 || blocks.length >= SLACK_LIMITS.blocks)) flush();
      blocks.push(section(s));
      chars += s.length;
    }
    flush();
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Ack, help, failure

/** The immediate ack: what was understood, e.g. "Looking at DNS in shop/checkout, 14:00–15:00 UTC…". */
export function ackText(q: { intent: string; scope: Report["scope"]; explain?: boolean }, waiting = 0): string {
  const queue = waiting > 0 ? ` (queued behind ${waiting} other question${waiting === 1 ? "" : "s"})` : "";
  return esc(clip(understoodText(q), 300) + queue);
}

/** Usage help with examples, as a message. Quoted examples become inline code. */
export function helpMessage(helpText: string): SlackMessage {
  const lines = helpText.split("\n").map((l) => esc(l, 1000).replace(/"([^"`\n]{1,200})"/g, "`$1`"));
  const blocks: Block[] = [header("netrca · what I can answer")];
  let cur = "";
  for (const l of lines) {
    if (cur && cur.length + 1 + l.length > SLACK_LIMITS.section - 100) {
      blocks.push(section(cur));
      cur = "";
    }
    cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) blocks.push(section(cur));
  blocks.push(context("Mention me with a question, or use the slash command; replies come in a thread with the queries behind every table."));
  return { text: clip(escapeMrkdwn(oneLine(helpText.split("\n")[0] ?? "")), 500), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** A reply that says what failed (backend down, bad data), in the channel. */
export function failureMessage(question: string, reason: string): SlackMessage {
  const q = esc(oneLine(question), QUESTION_MAX);
  const r = reason.includes("\n") ? "```\n" + clip(codeText(reason), 2000) + "\n```" : esc(reason, 2000);
  return {
    text: `Couldn't answer “${q}”: ${esc(oneLine(reason), 500)}`,
    blocks: [
      section(`⚠️ *Couldn't answer* “${q}”\n${r}`),
      context("Nothing was judged, so this is not a healthy verdict. Try again in a minute, or ask `help`."),
    ],
  };
}
