import { parseArgs, type ParseArgsConfig } from "node:util";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
// Only what every command needs loads here: each command imports its own stages when it runs,
// so `--help` and `parse` start without DuckDB, ECharts, Slack or Azure.
import type { IngestResult } from "../../sources/embedded/ingest/index.js";
import { SCENARIOS } from "../../sources/embedded/simulate/types.js";

const USAGE = `netrca: root-cause answers for Kubernetes container networking (ACNS, Retina, Cilium Hubble)

usage:
  netrca ask "QUESTION" [--flows FILE...] [--store PATH] [--workspace ID] [--prometheus URL] [--policies FILE...] [--explain] [--now ISO] [--json] [--out DIR]
                                                      answer a question (no data given: the demo cluster)
  netrca serve [--flows FILE...] [--store PATH] [--workspace ID] [--prometheus URL] [--config FILE] [--policies FILE...] [--now ISO]
                                                      HTTP on $PORT: GET /healthz, POST /slack/events, POST /api/messages
  netrca parse ["QUESTION"] [--now ISO] [--json]     intent and scope of a question (none: one per stdin line, JSONL out)
  netrca ingest FILE... --store PATH [--json]        load Hubble or Log Analytics exports into a store
  netrca simulate --scenario NAME --out FILE [--metrics-out FILE.om [--pod-metrics hubble|retina-advanced]] [--seed N] [--scale N]
                                                      write Hubble export lines (and OpenMetrics) of a demo scenario
  netrca policy check --policies FILE... --from NS/LABELS|IP|world --to NS/LABELS|IP|world --port PORT[/PROTO] [--dns NAME]
                                                      can A reach B? the verdict at egress and ingress, the deciding policies, a checked fix (exit 0 allowed, 1 denied)
  netrca help

scenarios: ${SCENARIOS.join(", ")}`;

/** Bad usage or unreadable input: exit 2 with one line on stderr. */
class UsageError extends Error {}

type Io = { out: (s: string) => void; err: (s: string) => void };
const stdio: Io = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") };

/** Runs one command line; returns the exit code (0 answered, 2 bad usage or input, 1 internal). */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "ask": return await ask(rest, io);
      case "serve": return await serve(rest, io);
      case "parse": return await parse(rest, io);
      case "ingest": return await ingest(rest, io);
      case "simulate": return await simulateCommand(rest, io);
      case "policy": return await policyCommand(rest, io);
      case undefined: case "help": case "--help": case "-h":
        io.out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}" (try: netrca help)`);
    }
  } catch (e) {
    // InputError (unreadable or unusable input) is matched by name: importing its class would load the store.
    if (e instanceof UsageError || (e instanceof Error && e.name === "InputError")) {
      io.err(`netrca: ${e.message}`);
      return 2;
    }
    // Log Analytics failures (no access, throttled, window too long) are one sentence, no stack.
    if (e instanceof Error && e.name === "LogAnalyticsError") {
      io.err(`netrca: ${e.message}`);
      return 1;
    }
    io.err(`netrca: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return 1;
  }
}

function args<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]!);
  }
}

async function ask(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = args(argv, {
    flows: { type: "string", multiple: true },
    store: { type: "string" },
    workspace: { type: "string" },
    prometheus: { type: "string" },
    now: { type: "string" },
    json: { type: "boolean" },
    explain: { type: "boolean" },
    policies: { type: "string", multiple: true },
    out: { type: "string" },
  }, true);
  const text = positionals.join(" ").trim();
  if (!text) throw new UsageError('ask needs a question, e.g. netrca ask "why is dns failing in namespace shop?"');
  const now = nowOption(values.now);
  if (values.out) await folderOption("--out", values.out);
  // Policies are read (and checked) before any work: a mistake in them is one line naming it.
  const policies = values.policies?.length ? await policiesOption(values.policies) : undefined;
  // The chart worker loads ECharts on the other core while this one loads the rest.
  (await import("../../report/index.js")).preloadCharts();
  const { investigate } = await import("../../investigate/index.js");
  const { loadPlaybooks, PLAYBOOK_DIR } = await import("../../playbooks/index.js");
  const { ANALYZER_CATALOG } = await import("../../analyze/index.js");
  const { openSource } = await import("../../sources/index.js");
  const playbooks = loadPlaybooks(PLAYBOOK_DIR, ANALYZER_CATALOG);
  const storePath = values.store ?? process.env.NETRCA_STORE;
  const logAnalytics = await logAnalyticsOption(values.workspace);
  const metrics = await prometheusOption(values.prometheus);
  const { source, ingest, noFlows } = await openSource({ ...(values.flows && { flows: values.flows }), ...(storePath && { store: storePath }), ...(logAnalytics && { logAnalytics }), metricsOnly: !!metrics });
  try {
    if (ingest?.rejected || ingest?.errors.length) {
      io.err(`netrca: kept ${ingest.rows} rows, rejected ${ingest.rejected} lines:`);
      for (const e of ingest.errors) io.err(e.line ? `  ${e.file}:${e.line}: ${e.message}` : `  ${e.file}: ${e.message}`);
    }
    const tz = process.env.NETRCA_TZ;
    const outDir = resolve(values.out ?? (await chartFolder()));
    let report = await investigate(text, { source, playbooks, outDir, ...(now && { now }), ...(tz && { tz }), ...(metrics && { metrics }), ...(noFlows && { noFlows }), ...(policies && { policies }) });
    if (values.explain) {
      // Never changes the answer and never fails the command: at worst a note says why there is none.
      const { explainReport } = await import("../../explain/index.js");
      let cfg;
      try {
        cfg = await llmSettings();
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const x = await explainReport(report, cfg);
      report = { ...report, explanation: x.explanation, notes: [...report.notes, ...(x.note ? [x.note] : [])] };
      if (x.usage) io.err(`netrca: the explanation used ${x.usage.inputTokens} input and ${x.usage.outputTokens} output tokens`);
    }
    const { renderText } = await import("./render.js");
    io.out(values.json ? JSON.stringify(report, null, 2) : renderText(report));
    return 0;
  } finally {
    source.close();
  }
}

/** --policies FILE…: read and checked; a mistake is one line naming the file and the policy. */
async function policiesOption(files: string[]) {
  const { loadPolicies, PolicyError } = await import("../../policy/model.js");
  try {
    return await loadPolicies(files);
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(e.message);
    throw e;
  }
}

/** The model for explanations from the environment (null: none); a bad setting is a ConfigError naming it. */
async function llmSettings() {
  const { llmConfigFromEnv } = await import("../../explain/index.js");
  const { ConfigError } = await import("../../config/index.js");
  try {
    return llmConfigFromEnv();
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

async function serve(argv: string[], io: Io): Promise<number> {
  const { values } = args(argv, { flows: { type: "string", multiple: true }, store: { type: "string" }, workspace: { type: "string" }, prometheus: { type: "string" }, now: { type: "string" }, config: { type: "string" }, policies: { type: "string", multiple: true } });
  const policies = values.policies?.length ? await policiesOption(values.policies) : undefined;
  const { loadConfig, ConfigError } = await import("../../config/index.js");
  let config;
  let explain;
  try {
    config = loadConfig({ ...process.env, ...(values.workspace && { LOG_ANALYTICS_WORKSPACE_ID: values.workspace }), ...(values.prometheus && { PROMETHEUS_URL: values.prometheus }), ...(values.config && { NETRCA_CONFIG: values.config }) });
    // The file is checked before the port opens: a mistake in it is one line naming the field.
    const file = config.configFile ? await (await import("../../config/file.js")).loadConfigFile(config.configFile) : null;
    const always = config.explain ?? file?.explain ?? false;
    explain = { always, llm: await llmSettings() };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const now = nowOption(values.now);
  const { startService } = await import("../service.js");
  const service = await startService({
    config, now, ...(values.flows && { flows: values.flows }), ...((values.store ?? config.store) && { store: values.store ?? config.store }),
    explain, ...(policies && { policies }),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.name === "SharedStateError" || e.name === "KubeError") throw new UsageError(e.message);
    if (e.code === "EADDRINUSE") throw new UsageError(`port ${config.port} is in use: stop what listens there or set PORT to another`);
    if (e.code === "EACCES" && e.syscall === "listen") throw new UsageError(`port ${config.port} needs privileges: set PORT to 1024 or above`);
    if (e.code === "EADDRNOTAVAIL") throw new UsageError(`HOST ${config.host} is not an address of this machine`);
    throw e;
  });
  // Every line on stderr from here on is a JSON event (pino): the first says where it listens.
  service.logger.info(`listening on ${service.address}:${service.port} (GET /healthz, GET /readyz, GET /metrics, POST /api/messages${config.slack && !config.slack.appToken ? ", POST /slack/events" : ""}${config.alerts ? ", POST /alerts/alertmanager, POST /alerts/azure-monitor" : ""})${config.alerts ? "" : "; alert webhooks off (set NETRCA_ALERT_TOKEN)"}${config.slack?.appToken ? "; Slack over Socket Mode" : ""}${config.slack ? "" : "; Slack not configured"}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await service.stop();
  return 0;
}

/** Prometheus from --prometheus or PROMETHEUS_URL (with PROMETHEUS_TOKEN, or a user and password); none without a URL. */
async function prometheusOption(flag: string | undefined) {
  const url = flag ?? process.env.PROMETHEUS_URL;
  if (!url) return null;
  const { MetricSource } = await import("../../sources/prometheus/index.js");
  const env = process.env;
  const timeout = env.PROMETHEUS_TIMEOUT_MS === undefined ? undefined : Number(env.PROMETHEUS_TIMEOUT_MS);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 100)) throw new UsageError(`PROMETHEUS_TIMEOUT_MS must be a whole number of milliseconds (100 or more), not ${env.PROMETHEUS_TIMEOUT_MS}`);
  try {
    return MetricSource.open({
      url, ...(env.PROMETHEUS_TOKEN && { token: env.PROMETHEUS_TOKEN }),
      ...(env.PROMETHEUS_USERNAME && { username: env.PROMETHEUS_USERNAME, password: env.PROMETHEUS_PASSWORD ?? "" }),
      ...(timeout !== undefined && { timeoutMs: timeout }),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Log Analytics settings from the environment, with --workspace winning; none without an id. */
async function logAnalyticsOption(workspace: string | undefined) {
  const { loadLogAnalyticsConfig, ConfigError } = await import("../../config/index.js");
  try {
    return loadLogAnalyticsConfig(process.env, workspace);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message.replace(/^LOG_ANALYTICS_WORKSPACE_ID:/, workspace ? "--workspace:" : "LOG_ANALYTICS_WORKSPACE_ID:"));
    throw e;
  }
}

/** A folder to write into: it may not exist yet, but it must not be a file. */
async function folderOption(flag: string, path: string): Promise<void> {
  const { access, constants, mkdir, stat } = await import("node:fs/promises");
  const info = await stat(path).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`${flag} ${path} is a file, not a folder for the charts`);
  // Made (and checked writable) before any work, so a folder it cannot write is one line, not a stack.
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag} ${path} cannot be written${code === "EACCES" || code === "EPERM" ? ": permission denied" : code === "EROFS" ? ": the file system is read-only" : code === "ENOTDIR" || code === "EEXIST" ? ": part of the path is a file" : ` (${code ?? (e as Error).message})`}`);
  }
}

/**
 * Where `ask` writes charts when --out is not given: a new folder under the system temp
 * directory. Folders older than a day are removed, so they do not pile up.
 */
async function chartFolder(): Promise<string> {
  const { readdir, rm, stat } = await import("node:fs/promises");
  const base = await (await import("../scratch.js")).scratchBase();
  const day = Date.now() - 24 * 3_600_000;
  for (const name of await readdir(base).catch(() => [] as string[])) {
    if (!name.startsWith("charts-")) continue;
    const info = await stat(join(base, name)).catch(() => null);
    if (info?.isDirectory() && info.mtimeMs < day) await rm(join(base, name), { recursive: true, force: true }).catch(() => undefined);
  }
  return join(base, `charts-${process.pid}-${Date.now()}`);
}

function nowOption(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  // Times a flow log can hold: a year with four digits, after the epoch.
  if (Number.isNaN(t) || t < 0 || t >= Date.UTC(10000, 0, 1)) throw new UsageError(`--now must be an ISO time such as 2026-11-20T15:00:00Z, got "${raw}"`);
  return new Date(t);
}

async function parse(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = args(argv, { now: { type: "string" }, json: { type: "boolean" } }, true);
  const now = nowOption(values.now) ?? new Date();
  const tz = process.env.NETRCA_TZ;
  const { parseQuestion } = await import("../../understand/index.js");
  const show = (text: string) => {
    const q = parseQuestion(text, { now, ...(tz && { tz }) });
    io.out(values.json || positionals.length === 0 ? JSON.stringify(q) : describeQuestion(q));
  };
  if (positionals.length > 0) {
    show(positionals.join(" "));
    return 0;
  }
  // One question a line on stdin, one JSON answer a line: blank lines answer too, so the
  // output lines up with the input.
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) show(line);
  return 0;
}

function describeQuestion(q: import("../../model/index.js").Question): string {
  const s = q.scope;
  const parts = (["namespace", "workload", "pod", "node"] as const).filter((k) => s[k]).map((k) => `${k}=${s[k]}`);
  if (s.peer) parts.push(`peer=${[s.peer.namespace, s.peer.workload ?? s.peer.pod].filter(Boolean).join("/")}`);
  return [`intent: ${q.intent}`, `scope: ${parts.join(" ") || "(whole cluster)"}`, `window: ${s.from} to ${s.to}`, ...q.notes.map((n) => `note: ${n}`)].join("\n");
}

async function ingest(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = args(argv, { store: { type: "string" }, json: { type: "boolean" } }, true);
  const storePath = values.store ?? process.env.NETRCA_STORE;
  if (!storePath) throw new UsageError("ingest needs --store PATH (or NETRCA_STORE) to keep the flows in");
  if (positionals.length === 0) throw new UsageError("ingest needs at least one FILE (a Hubble export or a Log Analytics export)");
  const { FlowStore } = await import("../../sources/embedded/index.js");
  const store = await FlowStore.open(storePath, { create: true });
  let result: IngestResult;
  try {
    result = await store.ingest(positionals);
  } finally {
    store.close();
  }
  if (values.json) io.out(JSON.stringify(result));
  else printIngest(result, positionals.length, storePath, io);
  if (result.rows === 0 && result.skipped === 0 && result.rejected > 0) {
    const first = result.errors[0]!;
    io.err(`netrca: no usable flow in the input: all ${result.rejected} lines were rejected (first: ${first.file}:${first.line}: ${first.message})`);
    return 2;
  }
  // A file that could not be read at all is a mistake to fix, even when the others were stored.
  const unread = result.errors.filter((e) => e.line === 0);
  if (unread.length) {
    io.err(`netrca: ${unread.length} of ${positionals.length} files could not be read (${unread[0]!.message}); the flows of the others are stored`);
    return 2;
  }
  return 0;
}

function printIngest(r: IngestResult, files: number, store: string, io: Io): void {
  io.out(`ingested ${r.rows} flow rows from ${files} file${files === 1 ? "" : "s"} into ${store}` + (r.from ? `, ${r.from} to ${r.to}` : ""));
  if (r.skipped) io.out(`skipped ${r.skipped} flow${r.skipped === 1 ? "" : "s"} the store already held (or that came twice): each flow is stored once`);
  const unread = r.errors.filter((e) => e.line === 0);
  for (const e of unread) io.out(`could not read ${e.file}: ${e.message}`);
  const lines = r.errors.filter((e) => e.line > 0);
  if (r.rejected) {
    io.out(`rejected ${r.rejected} line${r.rejected === 1 ? "" : "s"}${r.rejected > lines.length ? ` (first ${lines.length} shown)` : ""}:`);
    for (const e of lines) io.out(`  ${e.file}:${e.line}: ${e.message}`);
  }
}

async function simulateCommand(argv: string[], io: Io): Promise<number> {
  const { values } = args(argv, {
    scenario: { type: "string" },
    out: { type: "string" },
    "metrics-out": { type: "string" },
    "pod-metrics": { type: "string" },
    seed: { type: "string" },
    scale: { type: "string" },
  });
  const name = values.scenario;
  if (!name) throw new UsageError(`simulate needs --scenario NAME (one of: ${SCENARIOS.join(", ")})`);
  const { isScenarioName, simulate, writeSimulation, writeSimulationMetrics } = await import("../../sources/embedded/simulate/index.js");
  if (!isScenarioName(name)) throw new UsageError(`unknown scenario "${name}" (one of: ${SCENARIOS.join(", ")})`);
  const metricsOut = values["metrics-out"];
  if (!values.out && !metricsOut) throw new UsageError("simulate needs --out FILE (flows) or --metrics-out FILE.om (metrics), or both");
  const pods = values["pod-metrics"] ?? "hubble";
  if (pods !== "hubble" && pods !== "retina-advanced") throw new UsageError(`simulate --pod-metrics is hubble or retina-advanced, not "${pods}"`);
  if (values["pod-metrics"] && !metricsOut) throw new UsageError("simulate --pod-metrics needs --metrics-out FILE.om");
  const { stat } = await import("node:fs/promises");
  for (const [flag, path, ext] of [["--out", values.out, "jsonl"], ["--metrics-out", metricsOut, "om"]] as const) {
    if (path && (await stat(path).catch(() => null))?.isDirectory()) throw new UsageError(`simulate ${flag} ${path} is a folder: give a file name, e.g. ${join(path, `${name}.${ext}`)}`);
  }
  const seed = numberOption("--seed", values.seed, { integer: true, min: 0 });
  const scale = numberOption("--scale", values.scale, { integer: false, min: 0.01 });
  const sim = simulate(name, { ...(seed !== undefined && { seed }), ...(scale !== undefined && { scale }) });
  if (values.out) {
    const lines = await writeSimulation(sim, values.out);
    io.out(`wrote ${lines} Hubble flow lines of scenario ${name} (${sim.from} to ${sim.to}) to ${values.out}`);
  }
  if (metricsOut) {
    const samples = await writeSimulationMetrics(sim, metricsOut, { pods });
    io.out(`wrote ${samples} OpenMetrics samples (Retina and ${pods === "hubble" ? "Hubble" : "Retina advanced"} metrics) of scenario ${name} to ${metricsOut}: load them with promtool tsdb create-blocks-from openmetrics ${metricsOut} DIR`);
  }
  for (const t of sim.truth) io.out(`  injected: ${t.description}`);
  return 0;
}

function numberOption(flag: string, raw: string | undefined, o: { integer: boolean; min: number }): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < o.min || (o.integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${o.integer ? "a whole number" : "a number"} >= ${o.min}, got "${raw}"`);
  }
  return n;
}

/** `netrca policy check`: the verdict of the policies on one flow, before anyone deploys. */
async function policyCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "check") throw new UsageError(`netrca policy has one command: check (not ${sub === undefined ? "nothing" : `"${sub}"`})`);
  const { values } = args(rest, { policies: { type: "string", multiple: true }, from: { type: "string" }, to: { type: "string" }, port: { type: "string" }, dns: { type: "string" } });
  if (!values.policies?.length) throw new UsageError("policy check needs --policies FILE (what kubectl get networkpolicies,ciliumnetworkpolicies -A -o yaml prints)");
  if (!values.from || !values.to) throw new UsageError("policy check needs --from and --to (NS/LABEL=VALUE[,…], an IP address, or world)");
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(values.port ?? "");
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UsageError(`--port must be a port number with an optional protocol, e.g. 8080/TCP or 53/UDP, not "${values.port ?? ""}"`);
  const { loadPolicies, PolicyError } = await import("../../policy/model.js");
  const { evaluate } = await import("../../policy/evaluate.js");
  const { describePolicy, fixFor, labelWords, policyId, whyNot } = await import("../../policy/explain.js");
  let policies;
  try {
    policies = await loadPolicies(values.policies);
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(e.message);
    throw e;
  }
  const flow = { src: endpointOption("--from", values.from), dst: { ...endpointOption("--to", values.to), ...(values.dns && { dnsName: values.dns }) }, port: Number(m[1]), protocol: (m[2] ?? "TCP").toUpperCase() as "TCP" | "UDP" | "SCTP" };
  const v = evaluate(policies, flow);
  const name = (e: typeof flow.src) => (e.namespace === null ? e.ip ?? e.entity ?? "world" : `${e.namespace} (${labelWords(e.labels)})`);
  for (const dir of ["egress", "ingress"] as const) {
    const side = v[dir];
    const at = dir === "egress" ? flow.src : flow.dst;
    if (!side.applies) {
      io.out(`${dir} at ${name(at)}: not a pod, no policy applies`);
      continue;
    }
    if (!side.isolated) io.out(`${dir} at ${name(at)}: allowed (no policy selects it for ${dir})`);
    else if (side.deniedBy.length) io.out(`${dir} at ${name(at)}: DENIED by the deny rule of ${[...new Set(side.deniedBy.map((r) => policyId(r.policy)))].join(", ")}`);
    else if (side.allowedBy.length) io.out(`${dir} at ${name(at)}: allowed by ${[...new Set(side.allowedBy.map((r) => `${policyId(r.policy)} (${dir} rule ${r.rule + 1})`))].join(", ")}`);
    else {
      io.out(`${dir} at ${name(at)}: DENIED: isolated by ${side.selecting.length > 1 ? `${side.selecting.length} policies that admit` : "1 policy that admits"} none of it`);
      for (const p of side.selecting) io.out(`  ${describePolicy(p, dir)}\n    why not: ${whyNot(p, flow, dir)}`);
    }
    for (const u of side.uncertain) io.out(`  uncertain: ${u}`);
  }
  io.out(v.allowed ? "verdict: ALLOWED" : `verdict: DENIED at ${v.deniedAt}`);
  if (!v.allowed) {
    const fix = fixFor(policies, flow, v);
    if (fix) io.out(`\nthe smallest policy that admits it (checked: with it added, the flow is allowed):\n${fix.yaml.trimEnd()}`);
    else if (v[v.deniedAt!].deniedBy.length) io.out("\nno policy can be added to admit it: a deny rule wins over any allow; narrow or remove that rule.");
  }
  return v.allowed ? 0 : 1;
}

/** NS/LABEL=VALUE[,…] (a pod by its labels), an IP address, or world. */
function endpointOption(flag: string, raw: string): { namespace: string | null; labels: Record<string, string>; ip?: string; entity?: string } {
  if (raw === "world") return { namespace: null, labels: {}, entity: "world" };
  if (/^[0-9.]+$/.test(raw) || raw.includes(":")) return { namespace: null, labels: {}, ip: raw, entity: "world" };
  const slash = raw.indexOf("/");
  const ns = slash > 0 ? raw.slice(0, slash) : "";
  const rest = slash > 0 ? raw.slice(slash + 1) : "";
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) throw new UsageError(`${flag} ${raw}: give NAMESPACE/LABEL=VALUE[,…] (shop/app=checkout), an IP address, or world`);
  if (!rest.includes("=")) throw new UsageError(`${flag} ${raw}: policies select pods by labels: give them, e.g. ${ns}/app=${rest || "checkout"}`);
  const labels: Record<string, string> = {};
  for (const kv of rest.split(",")) {
    const [k, v, extra] = kv.split("=");
    if (!k || v === undefined || extra !== undefined || !/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) throw new UsageError(`${flag} ${raw}: "${kv}" is not LABEL=VALUE`);
    labels[k] = v;
  }
  return { namespace: ns, labels };
}
