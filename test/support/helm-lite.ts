/**
 * A small renderer of the Go-template subset deploy/helm/netrca uses (helm itself is not
 * packaged here): `{{ .Values.a.b }}`, `.Release.Name`, `.Chart.*`, `| quote`, `toYaml X |
 * indent N`, `if`/`else`/`end`, `range $k, $v := X`, and the `{{-`/`-}}` trims. Anything else
 * throws, so a template that needs more cannot pass unnoticed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";

type Scope = { root: Record<string, unknown>; vars: Record<string, unknown> };

export function renderChart(chartDir: string, overrides: Record<string, unknown> = {}, release = "netrca"): { file: string; text: string; docs: Record<string, unknown>[] }[] {
  const chart = yaml.load(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
  const values = merge(yaml.load(readFileSync(join(chartDir, "values.yaml"), "utf8")) as Record<string, unknown>, overrides);
  const root = { Values: values, Release: { Name: release, Namespace: "netrca" }, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion } };
  return readdirSync(join(chartDir, "templates")).filter((f) => f.endsWith(".yaml")).sort().map((file) => {
    const text = render(readFileSync(join(chartDir, "templates", file), "utf8"), { root, vars: {} });
    return { file, text, docs: yaml.loadAll(text).filter((d): d is Record<string, unknown> => !!d) };
  });
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" ? merge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  return out;
}

interface Node { kind: "text" | "expr" | "if" | "range"; text?: string; expr?: string; then?: Node[]; else?: Node[]; body?: Node[]; key?: string; value?: string }

function render(src: string, scope: Scope): string {
  const tokens = tokenize(src);
  let i = 0;
  const parse = (stop: string[]): [Node[], string] => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const t = tokens[i++]!;
      if (t.kind === "text") { nodes.push({ kind: "text", text: t.text }); continue; }
      const e = t.text;
      if (stop.includes(e.split(/\s+/)[0]!)) return [nodes, e];
      if (e.startsWith("if ")) {
        const [then, end] = parse(["else", "end"]);
        const [els] = end === "else" ? parse(["end"]) : [[]];
        nodes.push({ kind: "if", expr: e.slice(3).trim(), then, else: els });
      } else if (e.startsWith("range ")) {
        const m = /^range \$(\w+), \$(\w+) := (.+)$/.exec(e);
        if (!m) throw new Error(`helm-lite: unsupported range: ${e}`);
        const [body] = parse(["end"]);
        nodes.push({ kind: "range", key: m[1]!, value: m[2]!, expr: m[3]!.trim(), body });
      } else nodes.push({ kind: "expr", expr: e });
    }
    return [nodes, ""];
  };
  const [nodes] = parse([]);
  return emit(nodes, scope);
}

function tokenize(src: string): { kind: "text" | "action"; text: string }[] {
  const out: { kind: "text" | "action"; text: string }[] = [];
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (const m of src.matchAll(re)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (m[1]) text = text.replace(/\s+$/, "");
    out.push({ kind: "text", text });
    out.push({ kind: "action", text: m[2]! });
    trimNext = !!m[3];
    last = m.index! + m[0].length;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, "");
  out.push({ kind: "text", text: tail });
  return out;
}

function emit(nodes: Node[], scope: Scope): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "expr") out += String(evaluate(n.expr!, scope) ?? "");
    else if (n.kind === "if") out += emit(truthy(evaluate(n.expr!, scope)) ? n.then! : n.else!, scope);
    else {
      const m = evaluate(n.expr!, scope);
      for (const [k, v] of Object.entries((m ?? {}) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) out += emit(n.body!, { ...scope, vars: { ...scope.vars, [n.key!]: k, [n.value!]: v } });
    }
  }
  return out;
}

const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === "" || v === 0 || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0));

function evaluate(expr: string, scope: Scope): unknown {
  const [head, ...pipes] = expr.split("|").map((s) => s.trim());
  let v: unknown;
  const toYaml = /^toYaml (.+)$/.exec(head!);
  if (toYaml) v = yaml.dump(value(toYaml[1]!, scope), { lineWidth: -1 }).trimEnd();
  else v = value(head!, scope);
  for (const p of pipes) {
    const indent = /^indent (\d+)$/.exec(p);
    if (p === "quote") v = JSON.stringify(String(v ?? ""));
    else if (indent) v = String(v).split("\n").map((l) => " ".repeat(Number(indent[1])) + l).join("\n");
    else throw new Error(`helm-lite: unsupported pipe: ${p}`);
  }
  return v;
}

function value(path: string, scope: Scope): unknown {
  if (/^".*"$/.test(path)) return JSON.parse(path);
  if (path.startsWith("$")) return scope.vars[path.slice(1)];
  if (!path.startsWith(".")) throw new Error(`helm-lite: unsupported expression: ${path}`);
  return path.slice(1).split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), scope.root);
}
