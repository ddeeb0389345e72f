import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { score, SYMPTOM_KINDS, titleOf, type FindingDraft } from "../analyze/index.js";
import { Report, thousands, visible, type Chart, type Evidence, type Finding, type Inventory, type Question } from "../model/index.js";
import { parseQuestion } from "../understand/index.js";
import { accessPredicates, hiddenPredicates, scopePredicates, windows, type Check, type Playbook, type Playbooks } from "../playbooks/index.js";
import { flowQuery, rowMatches, type FlowSource } from "../query/index.js";
import { barsChart, causeOf, heatmapChart, nextSteps, preloadCharts, rankDrafts, renderChart, stackedChart, summarize, timeseriesChart, type ChartSpec } from "../report/index.js";
import { runCheck, type CheckOutcome } from "./run-checks.js";
import { breakdownOf, checkWhere, looksBackFurther, timelineOf, type Extent, type Timeline } from "./timeline.js";
import { describeParties } from "./parties.js";
import { metricTimelineOf } from "./metric-timeline.js";
import { HELP } from "./help.js";
import type { MetricSource } from "../sources/prometheus/index.js";
import { allAllowed, namespaceAllowed, patternList } from "../model/access.js";

export interface InvestigateContext {
  source: FlowSource;
  playbooks: Playbooks;
  /** "Now"; without it, the end of the data (rounded up to the minute) or the clock. */
  now?: Date;
  /** IANA zone for clock times in questions (NETRCA_TZ). */
  tz?: string;
  /** Where chart PNGs go; no charts when absent. */
  outDir?: string;
  /** Prometheus, when configured: metric checks run beside (or, with noFlows, instead of) flow checks. */
  metrics?: MetricSource | null;
  /** No flow logs were given (metrics alone): `source` is an empty stand-in and flow checks are skipped. */
  noFlows?: boolean;
  /** The cluster's network policies (--policies): policy drops are read against them. */
  policies?: import("../policy/model.js").Policy[];
}

const MAX_FINDINGS = 10;
const TIMELINES = 3;
/** Findings judged without a baseline whose onset inside the data is looked for. */
const NEW_WITHIN = 5;
/** Minutes of data without the trouble before its onset that make it new. */
const QUIET_MINUTES = 15;
const SUSTAINED_MINUTES = 5;

/**
 * What a question asks, read against the names in the data, before any check runs: chat
 * surfaces acknowledge with it. `previous` is the question a thread follow-up builds on.
 */
export async function understand(text: string, ctx: InvestigateContext & { previous?: Question; access?: Access }, known?: Extent & { rows: number }): Promise<Question> {
  const extent = known ?? (await ctx.source.extent());
  const now = ctx.now ?? (extent.to ? ceilMinute(new Date(extent.to)) : new Date());
  // Without flow logs the names come from the metrics' labels, or are taken as written.
  let inventory = ctx.noFlows ? await ctx.metrics?.inventory().catch(() => null) : await ctx.source.inventory();
  const access = ctx.access && !allAllowed(ctx.access.namespaces) ? ctx.access : null;
  // A restricted channel's "did you mean …?" and name lookups see only its own namespaces.
  if (access && inventory) inventory = inventoryWithin(inventory, access.namespaces);
  const q = parseQuestion(text, { now, ...(ctx.tz && { tz: ctx.tz }), ...(inventory && { inventory }), ...(ctx.previous && { previous: ctx.previous }) });
  return access ? withAccess(q, access) : q;
}

/** Which namespaces the asking channel may see, and who to ask for more. */
export interface Access {
  namespaces: string[];
  /** Seen only as the other end of the channel's own flows (default kube-system). */
  shared?: string[];
  contact?: string;
}

/** The question bounded by the channel's namespaces, or refused when it names another's. */
function withAccess(q: Question, access: Access): Question {
  const scope = { ...q.scope, allowed: access.namespaces, ...(access.shared?.length && { shared: access.shared }) };
  const who = access.contact ?? "whoever runs netrca";
  if (access.namespaces.length === 0) return { ...q, scope, denied: `This channel may not ask about any namespace: ${who} sets which namespaces each channel may see (access in netrca's configuration file).` };
  if (q.intent === "help") return { ...q, scope };
  const named = [q.scope.namespace, q.scope.peer?.namespace].filter((n): n is string => !!n);
  const outside = named.filter((n) => !namespaceAllowed(n, access.namespaces));
  if (outside.length) return { ...q, scope, denied: `This channel may ask about ${patternList(access.namespaces)}; not ${[...new Set(outside)].join(", ")}.` };
  // A node's health is every team's traffic on it.
  if (q.scope.node && !q.scope.namespace) return { ...q, scope, denied: `Questions about a node are answered only in channels that may see every namespace; this channel may ask about ${patternList(access.namespaces)}.` };
  return { ...q, scope };
}

function inventoryWithin(inv: Inventory, allowed: string[]): Inventory {
  const ok = (ns: string) => namespaceAllowed(ns, allowed);
  return { namespaces: inv.namespaces.filter(ok), workloads: inv.workloads.filter((w) => ok(w.namespace)), pods: inv.pods.filter((p) => ok(p.namespace)), nodes: [] };
}

/** The one entry point of every surface: a question (text, or as understood) in, Report out. */
export async function investigate(input: string | Question, ctx: InvestigateContext): Promise<Report> {
  if (ctx.outDir) preloadCharts();
  const extent = await ctx.source.extent();
  const question = typeof input === "string" ? await understand(input, ctx, extent) : input;
  const text = question.text;
  const notes = [...question.notes, ...question.unknownNames.map(didYouMean)];
  if (ctx.source.demo) notes.unshift("Answered from the built-in demo cluster (simulated data): pass --flows FILE or --store PATH for your own.");
  // Refused for the asking channel: nothing is looked up, not even the names.
  if (question.denied) return Report.parse({ question: text, intent: question.intent, scope: question.scope, summary: question.denied, findings: [], evidence: [], charts: [], notes: [] });
  if (question.intent === "help") return Report.parse({ question: text, intent: "help", scope: question.scope, summary: HELP, findings: [], evidence: [], charts: [], notes });
  // A name that cannot exist is never widened into a question about the whole cluster.
  if (question.invalidNames.length) return refusal(question, notes);

  const { baseline, current } = windows(question.scope);
  // A baseline only counts when the data covers (nearly all of) the window before.
  let hasBaseline = !!extent.from && Date.parse(extent.from) <= baseline.from.getTime() + (baseline.to.getTime() - baseline.from.getTime()) * 0.1;
  if (!hasBaseline && extent.rows > 0) {
    const at = (d: Date | string) => new Date(d).toISOString().slice(0, 16).replace("T", " ");
    notes.push(`No data for the window before (${at(baseline.from)} to ${at(baseline.to)} UTC): the data starts at ${at(extent.from!)} UTC, so findings are judged without a baseline.`);
  }

  // The metrics' own history decides their baseline; without flow logs it is the reply's too.
  const metricsBaseline = ctx.metrics ? await ctx.metrics.covers(baseline).catch(() => false) : false;
  if (ctx.noFlows) {
    hasBaseline = metricsBaseline;
    if (ctx.metrics && !metricsBaseline) notes.push("The metrics do not reach back over the window before: findings are judged without a baseline.");
  }
  const flowCheck = (id: string) => [...ctx.playbooks.values()].flatMap((b) => b.checks).find((c) => c.id === id && c.source === "flows");
  const run = (checks: Check[]) => Promise.all(checks.map((check) => runCheck(check, { source: ctx.noFlows ? null : ctx.source, scope: question.scope, hasBaseline: check.source === "metrics" ? metricsBaseline : hasBaseline, metrics: ctx.metrics ?? null, flowCheck })));
  // What was asked (and what scored close to it) first; triage includes playbooks that share a check, which runs once.
  const asked = playbooksFor(question, ctx.playbooks);
  // A check that answers figures the question asks for runs whatever the intent ("which nodes drop the most?").
  // Only for figures the asked playbooks cannot give: "latency between A and B" is HTTP latency, not DNS's too.
  const given = new Set(checksOf(asked).flatMap((c) => c.present.answers ?? []));
  const answering = [...ctx.playbooks.values()].flatMap((b) => b.checks).filter((c) => c.present.answers?.some((x) => question.asks.includes(x) && !given.has(x)));
  const askedChecks = [...new Map([...checksOf(asked), ...answering].map((c) => [c.id, c] as const)).values()];
  const askedIds = new Set(askedChecks.map((c) => c.id));
  let outcomes: CheckOutcome[] = await run(askedChecks);
  let ran = asked;
  // Nothing failing where the question pointed: look at the same scope with every other check
  // before saying all is well, so a live cause elsewhere is never hidden behind an all-clear.
  if (question.intent !== "triage" && !outcomes.some((o) => o.drafts.some((d) => d.severity === "critical"))) {
    const rest = [...ctx.playbooks.values()].filter((b) => b.intent !== "triage" && !asked.includes(b));
    const more = checksOf(rest).filter((c) => !askedIds.has(c.id));
    outcomes = [...outcomes, ...(await run(more))];
    ran = [...asked, ...rest];
  }
  for (const o of outcomes) for (const n of o.notes ?? []) if (!notes.includes(n)) notes.push(n);
  if (!allAllowed(question.scope.allowed)) {
    // Node-level checks (cluster-wide by design) are for channels that may see every namespace.
    const nodeLevel = outcomes.filter((o) => o.check.scope === "none");
    if (nodeLevel.length) {
      outcomes = outcomes.filter((o) => o.check.scope !== "none");
      notes.push("Node-level checks are left out: they are shown only in channels that may see every namespace.");
    }
    const shared = (question.scope.shared ?? []).filter((n) => !question.scope.allowed!.includes(n));
    notes.push(`This channel sees only flows of ${patternList(question.scope.allowed!)}${shared.length ? ` (with ${patternList(shared)} and` : " (and"} endpoints outside the cluster): flows with other namespaces are left out.`);
  }

  const timelines = new Map<FindingDraft, Timeline | null>();
  const timeline = async ({ draft, outcome }: { draft: FindingDraft; outcome: CheckOutcome }) => {
    // Flow findings' timelines come from flows, metric findings' from Prometheus range queries.
    if (!timelines.has(draft)) {
      timelines.set(draft, outcome.check.source === "flows" ? await timelineOf(ctx.source, question.scope, outcome.check, draft, extent)
        : ctx.metrics ? await metricTimelineOf(ctx.metrics, question.scope, outcome.check, draft).catch(() => null) : null);
    }
    return timelines.get(draft)!;
  };
  // The same fault seen in flow logs and in metrics is one finding, with both as evidence.
  const twins = new Map<FindingDraft, { draft: FindingDraft; outcome: CheckOutcome }>();
  const drafted = outcomes.flatMap((o) => o.drafts.map((draft) => ({ draft, outcome: o })));
  // One metric finding to one flow finding, never a worse metric finding into a milder one.
  const rankBand = { critical: 0, warning: 1, info: 2 } as const;
  const all = rankDrafts(drafted.filter((m) => {
    if (m.outcome.check.source !== "metrics") return true;
    const twin = drafted.find((f) => f.outcome.check.source === "flows" && !twins.has(f.draft) && sameFault(f.draft, m.draft) && rankBand[f.draft.severity] <= rankBand[m.draft.severity]);
    if (!twin) return true;
    twins.set(twin.draft, m);
    return false;
  }));
  // No window before to compare with, yet the data shows the trouble start inside the window
  // after a long quiet stretch: that is new, and as critical as if the window before said so.
  if (!hasBaseline) {
    await Promise.all(all.filter(({ draft }) => draft.severity === "warning" && draft.baseline === null && !SYMPTOM_KINDS.has(draft.kind)).slice(0, NEW_WITHIN).map(async (item) => {
      const t = await timeline(item);
      const quiet = t?.since && !t.sinceAtDataStart && extent.from ? (Date.parse(t.since) - Date.parse(extent.from)) / 60_000 : 0;
      if (quiet < QUIET_MINUTES) return;
      const d = item.draft;
      d.severity = "critical";
      d.score = score(d.kind, "critical", d.value, null);
      d.facts = { ...d.facts, quietBefore: Math.round(quiet) };
    }));
  }
  // A short window's window before can be inside the same incident ("last 20m", 25 minutes
  // in): the trouble then looks steady, and steady is no all-clear when the look-back shows it
  // begin after a quiet stretch. It is new, and the onset told is the real one.
  if (hasBaseline && looksBackFurther(current)) {
    // `all` is by score, so failures come before symptoms: only so many timelines are drawn.
    await Promise.all(all.filter(({ draft }) => draft.severity === "info" && draft.baseline !== null).slice(0, NEW_WITHIN).map(async (item) => {
      const t = await timeline(item);
      if (!t?.since || t.sinceAtDataStart || !t.lookedFrom) return;
      if ((Date.parse(t.since) - Date.parse(t.lookedFrom)) / 60_000 < QUIET_MINUTES) return;
      // A rise in the last minutes is not yet sustained: not enough to overrule "steady".
      if (current.to.getTime() - Date.parse(t.since) < SUSTAINED_MINUTES * 60_000) return;
      const d = item.draft;
      // A symptom that began (one pod taking most of the traffic) is anomalous, not failing.
      d.severity = SYMPTOM_KINDS.has(d.kind) ? "warning" : "critical";
      d.score = score(d.kind, d.severity, d.value, d.baseline);
    }));
  }
  // Worse first, failures before the symptoms they cause, then what was asked before what the
  // other checks found, then by score.
  const band = { critical: 0, warning: 1, info: 2 } as const;
  const ranked = all
    .map((r, i) => ({ r, i, key: [band[r.draft.severity], SYMPTOM_KINDS.has(r.draft.kind) ? 1 : 0, askedIds.has(r.outcome.check.id) ? 0 : 1] }))
    .sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]! || b.r.draft.score - a.r.draft.score || a.i - b.i)
    .map((x) => x.r)
    .slice(0, MAX_FINDINGS);
  // "since" is told only for active findings; steady ones have no start to find.
  await Promise.all(ranked.slice(0, TIMELINES).filter(({ draft }) => draft.severity !== "info").map(timeline));
  // Evidence of the checks behind the top findings first, then the rest.
  const order = [...new Set([...ranked.map((r) => r.outcome), ...outcomes])].filter((o) => o.evidence);
  const evidence: Evidence[] = order.map((o) => leadWith(o.evidence!, ranked.filter((r) => r.outcome === o && r.draft.severity !== "info").map((r) => r.draft)));
  const spansDays = question.scope.from.slice(0, 10) !== question.scope.to.slice(0, 10);
  const told = ranked.map(({ draft }, i) => {
    const t = timelines.get(draft);
    const since = t?.since ?? null;
    const facts = since && draft.severity !== "info"
      ? { ...draft.facts, since: spansDays ? `${since.slice(0, 10)} ${since.slice(11, 16)}` : since.slice(11, 16), ...(t?.sinceAtDataStart && { sinceDataStart: 1 }), ...(typeof t?.sinceShare === "number" && { sincePct: Math.round(t.sinceShare * 1000) / 10 }) }
      : draft.facts;
    const title = facts === draft.facts ? draft.title : titleOf({ ...draft, ...(facts && { facts }) });
    const cause = causeOf(ranked, i);
    const twin = twins.get(draft);
    const also = twin ? `; metrics agree (${twin.outcome.family ?? "metrics"}: ${thousands(Math.round(twin.draft.value))} ${twin.draft.unit})` : "";
    return { title: (cause === null ? title : `${title}, a symptom of finding ${cause + 1} (${causeWords(ranked[cause]!.draft)})`) + also, since: t?.sinceAtDataStart ? null : since };
  });
  const titles = new Map(ranked.map((r, i) => [r.draft, told[i]!.title]));
  // Parties (for the next steps), charts and the flow count need nothing of each other: at once.
  const [parties, charts, flowsInScope] = await Promise.all([
    // Only active findings get commands worth naming parties for.
    describeParties(ctx.source, current, ranked.filter((r) => r.draft.severity !== "info" && r.outcome.check.source === "flows").map((r) => ({ draft: r.draft, where: checkWhere(r.outcome.check, question.scope) }))),
    ctx.outDir ? chartsFor(ranked.filter((r) => r.outcome.check.source === "flows" || timelines.get(r.draft)), timelines, titles, question, ctx.source, ctx.outDir, extent) : [],
    // The flows in scope only matter when nothing was found ("no flows" is not "healthy") or when
    // the two named parties may not talk at all.
    (ranked.some((r) => r.draft.severity !== "info") && !question.scope.peer) ? 1
      // Without flow logs, "no data" is no metric row at all for the scope.
      // A scoped question counts only the checks that can be scoped (node-level ones cannot).
      : ctx.noFlows ? (outcomes.some((o) => o.check.source === "metrics" && (o.evidence?.rows.length ?? 0) > 0 && (o.check.scope !== "none" || !(question.scope.namespace || question.scope.workload || question.scope.pod))) ? 1 : 0)
      : countFlows(ctx.source, question),
  ]);
  const findings: Finding[] = ranked.map(({ draft, outcome }, i) => ({
    rank: i + 1, kind: draft.kind, severity: draft.severity,
    title: told[i]!.title,
    subject: draft.subject, peer: draft.peer, reason: draft.reason, query: draft.query ?? null,
    value: draft.value, unit: draft.unit, baseline: draft.baseline, since: told[i]!.since,
    next: nextSteps(draft, parties.get(draft)), evidence: [outcome, twins.get(draft)?.outcome].map((o) => (o ? order.indexOf(o) : -1)).filter((i) => i >= 0),
  }));
  // Policy drops against the cluster's policies: which policy decides, why, and a checked fix.
  if (ctx.policies && !ctx.noFlows) {
    await attachPolicies(findings, ctx.policies, ctx.source, current, question.scope);
    // Where the drops were asked about, policies that select no pod or admit no one seen.
    if (question.intent === "drops" || question.intent === "triage") {
      const { likelyMistakes } = await import("../policy/attribute.js");
      // Over every pod the channel may see in the window, not just the question's two parties.
      for (const n of await likelyMistakes({ source: ctx.source, window: current, scopeWhere: accessPredicates(question.scope), policies: ctx.policies })) if (!notes.includes(n)) notes.push(n);
    }
  }
  const answered = (b: Playbook) => outcomes.some((o) => o.evidence !== null && b.checks.some((c) => c.id === o.check.id));
  const figures = outcomes.filter((o) => o.figures && o.check.present.answers?.some((a) => question.asks.includes(a))).map((o) => ({ title: o.check.title, text: o.figures! }));
  const summary = summarize({
    scope: question.scope, findings, flowsInScope, dataFrom: extent.from, dataTo: extent.to, didYouMean: question.unknownNames.map(didYouMean),
    asked: question.intent === "triage" ? null : [question.intent, ...question.also].map((i) => INTENT_WORDS[i] ?? i).join(" or "),
    fromAsked: new Set(findings.filter((_, i) => askedIds.has(ranked[i]!.outcome.check.id)).map((f) => f.rank)),
    // Only playbooks a check of which had data to answer from count as checked.
    checked: ran.filter((b) => answered(b)).map((b) => INTENT_WORDS[b.intent] ?? b.intent), checks: outcomes.filter((o) => o.evidence !== null).length, hasBaseline, figures,
    askedUnchecked: question.intent !== "triage" && !asked.some(answered), ...(ctx.noFlows && { metricsOnly: true }),
  });
  // What the channel may not see can still be what hurts it: never an all-clear over it.
  const hidden = ctx.noFlows || allAllowed(question.scope.allowed) ? null : await hiddenTrouble(ctx.source, question);
  const warned = hidden && hidden.dropped > 0 && !findings.some((f) => f.severity !== "info")
    ? `Not an all-clear: ${thousands(hidden.dropped)} flows between ${patternList(question.scope.allowed!)} and namespaces this channel may not see were dropped in this window; they are left out here, so ask in a channel that may see both. ${summary}`
    : summary;
  if (hidden && hidden.flows > 0) notes.push(`${thousands(hidden.flows)} flows with namespaces this channel may not see were left out (${thousands(hidden.dropped)} of them dropped).`);
  return Report.parse({ question: text, intent: question.intent, scope: question.scope, summary: warned, findings, evidence, charts, notes });
}

/** Flows between the channel's pods and pods it may not see, in the question's scope: only counted. */
async function hiddenTrouble(source: FlowSource, q: Question): Promise<{ flows: number; dropped: number }> {
  const { allowed, shared, ...open } = q.scope;
  const where = [...scopePredicates(open, "either"), ...hiddenPredicates(q.scope)];
  const r = await source.query(flowQuery({ window: windows(q.scope).current, where, measures: [{ fn: "flows", as: "flows" }, { fn: "flowsWhere", where: [{ field: "verdict", op: "eq", value: "DROPPED" }], as: "dropped" }] }));
  return { flows: Number(r.rows[0]?.[0] ?? 0), dropped: Number(r.rows[0]?.[1] ?? 0) };
}

async function attachPolicies(findings: Finding[], policies: import("../policy/model.js").Policy[], source: FlowSource, window: { from: Date; to: Date }, scope: Question["scope"]): Promise<void> {
  const { attributePolicyDrops } = await import("../policy/attribute.js");
  const found = await attributePolicyDrops(findings, { source, window, scopeWhere: scopePredicates(scope, "either"), policies });
  for (const [f, a] of found) {
    f.policy = a;
    const deciding = a.deniedBy[0] ?? (a.policies[0] ? `${a.policies[0].namespace ? `${a.policies[0].namespace}/` : ""}${a.policies[0].name}` : null);
    if (!deciding) continue;
    const p = a.policies.find((x) => deciding.endsWith(`/${x.name}`) || deciding === x.name);
    const kind = p?.kind === "NetworkPolicy" || !p ? "networkpolicy" : p.kind === "CiliumNetworkPolicy" ? "ciliumnetworkpolicy" : "ciliumclusterwidenetworkpolicy";
    const [ns, name] = deciding.includes("/") ? deciding.split("/") : [null, deciding];
    f.title = `${f.title}; ${a.deniedBy.length ? "denied by" : a.direction === "ingress" ? "isolated at ingress by" : "isolated at egress by"} ${deciding}${a.policies.length > 1 && !a.deniedBy.length ? ` and ${a.policies.length - 1} more` : ""}`;
    // The policy is known: the generic "find the policy" step would only send them looking again.
    f.next = [`read the policy that decides it: kubectl ${ns ? `-n ${ns} ` : ""}get ${kind} ${name} -o yaml`, ...f.next.filter((n) => !n.startsWith("find the NetworkPolicy that denies it"))];
  }
}

function causeWords(d: FindingDraft): string {
  if (d.kind === "http_errors") return `the ${d.reason} responses`;
  if (d.kind === "dns_errors") return `the ${d.reason} answers`;
  return "the unanswered lookups";
}

/** How the summary names a playbook. */
const INTENT_WORDS: Partial<Record<string, string>> = { dns: "DNS", drops: "packet drops", traffic: "traffic balance and TCP resets", health: "node health", l7: "L7 (HTTP, gRPC, Kafka)" };

function checksOf(books: Playbook[]): Check[] {
  return [...new Map(books.flatMap((b) => b.checks.map((c) => [c.id, c] as const))).values()];
}

function refusal(q: Question, notes: string[]): Report {
  const why = q.invalidNames.map((n) => `'${n.value}' is not a valid Kubernetes ${n.field} name (${n.why})`).join("; ");
  const summary = `Nothing was looked up: ${why}. Ask again with the name as Kubernetes spells it, for example ns:shop or shop/checkout.`;
  return Report.parse({ question: q.text, intent: q.intent, scope: q.scope, summary, findings: [], evidence: [], charts: [], notes });
}

/** Put the rows behind the check's active findings at the top of its table. */
function leadWith(e: Evidence, drafts: FindingDraft[]): Evidence {
  if (drafts.length === 0) return e;
  const hits = (row: Evidence["rows"][number]) => drafts.some((d) => rowMatches(e.columns, row, d.match));
  return { ...e, rows: [...e.rows.filter(hits), ...e.rows.filter((r) => !hits(r))] };
}

/** The asked playbook (triage: those it includes), and any that scored close to it. */
function playbooksFor(q: Question, books: Playbooks): Playbook[] {
  const out: Playbook[] = [];
  for (const intent of [q.intent, ...q.also]) {
    const book = books.get(intent as Playbook["intent"]);
    if (!book) continue;
    for (const b of book.include ? book.include.map((i) => books.get(i)!).filter(Boolean) : [book]) if (!out.includes(b)) out.push(b);
  }
  return out;
}

function didYouMean(u: Question["unknownNames"][number]): string {
  return `No ${u.field} named "${u.name}" in the data` + (u.suggestions.length ? `; did you mean ${u.suggestions.map((s) => `"${visible(s)}"`).join(" or ")}?` : ".");
}

function ceilMinute(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / 60_000) * 60_000);
}

/** Flow and metric findings of one fault: the same kind, reason and subject (a metric names a workload, not always a pod). */
function sameFault(a: FindingDraft, b: FindingDraft): boolean {
  const same = (x: string | null | undefined, y: string | null | undefined) => (x ?? null) === (y ?? null);
  const either = (x: string | null | undefined, y: string | null | undefined) => !x || !y || x === y;
  return a.kind === b.kind && sameReason(a.reason, b.reason) && same(a.query, b.query) && !!a.facts?.noise === !!b.facts?.noise
    && same(a.subject.namespace, b.subject.namespace) && same(a.subject.workload, b.subject.workload) && same(a.subject.node, b.subject.node)
    && either(a.subject.pod, b.subject.pod) && either(a.peer?.namespace, b.peer?.namespace) && either(a.peer?.workload, b.peer?.workload);
}

/**
 * Reasons that name one fault in different sources: Retina's conntrack insertion failure shows
 * in its flow logs as UNKNOWN_CONNECTION_TRACKING_STATE and in Cilium's and Hubble's as
 * CT_MAP_INSERTION_FAILED.
 */
const SAME_REASONS = [new Set(["CT_MAP_INSERTION_FAILED", "UNKNOWN_CONNECTION_TRACKING_STATE"])];
function sameReason(a: string | null, b: string | null): boolean {
  return (a ?? null) === (b ?? null) || (!!a && !!b && SAME_REASONS.some((s) => s.has(a) && s.has(b)));
}

async function countFlows(source: FlowSource, q: Question): Promise<number> {
  const r = await source.query(flowQuery({ window: windows(q.scope).current, where: scopePredicates(q.scope, "either"), measures: [{ fn: "flows", as: "flows" }] }));
  return Number(r.rows[0]?.[0] ?? 0);
}

/** A chart for the top finding, and one for the next active finding from another check. */
async function chartsFor(
  ranked: { draft: FindingDraft; outcome: CheckOutcome }[],
  timelines: Map<FindingDraft, Timeline | null>,
  titles: Map<FindingDraft, string>,
  q: Question,
  source: FlowSource,
  outDir: string,
  extent: Extent,
): Promise<Chart[]> {
  const picked = ranked.filter((r, i) => i === 0 || (r.draft.severity !== "info" && r.outcome !== ranked[0]!.outcome)).slice(0, 2);
  // Specs (each may query its breakdown) and then images, each set at once: the worker draws
  // one chart while the other rasterises.
  const specs = await Promise.all(picked.map(async ({ draft, outcome }) => {
    const spec = await chartSpec(draft, titles.get(draft) ?? draft.title, outcome.check, timelines.get(draft) ?? (await timelineOf(source, q.scope, outcome.check, draft, extent)), q, source);
    return spec && { spec, check: outcome.check.id };
  }));
  const drawn = specs.filter((s) => s !== null);
  if (drawn.length) await mkdir(outDir, { recursive: true });
  return Promise.all(drawn.map(async ({ spec, check }, i) => {
    const file = join(outDir, `${i + 1}-${check}.png`);
    await renderChart(spec, file);
    return { title: spec.title, file };
  }));
}

async function chartSpec(d: FindingDraft, title: string, check: Check, t: Timeline | null, q: Question, source: FlowSource): Promise<ChartSpec | null> {
  const plan = check.present.chart ?? { kind: "timeseries" as const };
  switch (plan.kind) {
    case "bars":
      return barsChart(d) ?? (t ? timeseriesChart(d, title, t) : null);
    case "stacked":
      return stackedChart(check.title, await breakdownOf(source, q.scope, check, plan.by, plan.top));
    case "heatmap":
      return heatmapChart(check.title, await breakdownOf(source, q.scope, check, plan.by, plan.top));
    case "timeseries":
      return t ? timeseriesChart(d, title, t) : null;
  }
}
