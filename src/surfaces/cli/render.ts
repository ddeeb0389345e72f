import type { Cell, Report } from "../../model/index.js";
import { unitFor, windowLabel } from "../../report/index.js";

const MAX_TABLES = 3;

/** The Report as terminal text: what was understood, the answer, the evidence, where the charts are. */
export function renderText(r: Report): string {
  const s = r.scope;
  const scope = [s.namespace && `ns ${s.namespace}`, s.workload && `workload ${s.workload}`, s.pod && `pod ${s.pod}`, s.node && `node ${s.node}`, s.peer && `peer ${[s.peer.namespace, s.peer.workload ?? s.peer.pod].filter(Boolean).join("/")}`]
    .filter(Boolean)
    .join(", ");
  const out: string[] = [];
  out.push(`understood: ${r.intent} · ${scope || "whole cluster"} · ${windowLabel(s)}`);
  out.push("", wrap(r.summary, 100));
  if (r.explanation) out.push("", `Explanation (written by ${r.explanation.model}; its figures and names checked against the evidence):`, wrap(r.explanation.text, 100).split("\n").map((l) => `  ${l}`).join("\n"));
  if (r.findings.length) {
    out.push("", "Findings");
    for (const f of r.findings) {
      out.push(`${String(f.rank).padStart(3)}. ${f.severity.toUpperCase().padEnd(8)} ${f.title}`);
      out.push(`      ${f.kind} · ${f.value} ${unitFor(f.value, f.unit)}${f.baseline !== null ? ` (window before: ${f.baseline})` : ""}`);
      if (f.policy) {
        for (const p of f.policy.policies) out.push(`      policy: ${p.admits}`, `        why not: ${p.whyNot}`);
        if (f.policy.deniedBy.length) out.push(`      denied by the deny rule of ${f.policy.deniedBy.join(", ")} (a deny wins over any allow)`);
        for (const u of f.policy.uncertain) out.push(`      uncertain: ${u}`);
        if (f.policy.fix) {
          out.push(`      the smallest policy that admits it (checked: with it added, this flow is allowed${f.policy.fixAlsoChanges ? `; it would also change the verdict of ${f.policy.fixAlsoChanges} other flow${f.policy.fixAlsoChanges > 1 ? "s" : ""} seen in the window` : " and no other flow seen in the window changes"}):`);
          for (const l of f.policy.fix.trimEnd().split("\n")) out.push(`        ${l}`);
        }
      }
      if (f.severity !== "info") for (const n of f.next) out.push(`      → ${n}`);
    }
  }
  const shown = [...new Set(r.findings.filter((f) => f.severity !== "info").flatMap((f) => f.evidence))].slice(0, MAX_TABLES);
  const tables = shown.length ? shown : r.evidence.length ? [0] : [];
  for (const i of tables) {
    const e = r.evidence[i];
    if (!e) continue;
    out.push("", `Evidence: ${e.title}`);
    out.push(e.rows.length ? table(e.columns, e.rows) : "  (no rows)");
    if (e.query.kql) out.push("  KQL (Log Analytics):", ...e.query.kql.split("\n").map((l) => `    ${l}`));
    // One query a line (a table of several signals has one per column), each indented.
    if (e.query.promql) out.push("  PromQL (Prometheus):", ...e.query.promql.split("\n").map((l) => `    ${l}`));
    if (e.query.portal) out.push(`  Open in the Azure portal: ${e.query.portal}`);
  }
  if (r.evidence.length > tables.length) out.push("", `(${r.evidence.length - tables.length} more evidence tables and every query: --json)`);
  if (r.charts.length) out.push("", "Charts", ...r.charts.map((c) => `  ${c.title}: ${c.file}`));
  if (r.notes.length) out.push("", "Notes", ...r.notes.map((n) => `  - ${n}`));
  return out.join("\n");
}

function table(columns: string[], rows: Cell[][]): string {
  const text = (c: Cell) => (c === null ? "-" : String(c));
  const widths = columns.map((c, i) => Math.min(Math.max(c.length, ...rows.map((r) => text(r[i] ?? null).length)), 60));
  const line = (cells: string[]) => "  " + cells.map((c, i) => (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + "…" : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(r.map(text)))].join("\n");
}

function wrap(text: string, width: number): string {
  return text.split("\n").map((para) => {
    const lines: string[] = [];
    let line = "";
    for (const word of para.split(" ")) {
      if (line && line.length + word.length + 1 > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    return [...lines, line].join("\n");
  }).join("\n");
}
