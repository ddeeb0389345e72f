import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../model/index.js";
import { groundExplanation } from "./ground.js";
import { redactor } from "./redact.js";

export { groundExplanation, splitSentences, type Grounded } from "./ground.js";

/** Where the prompt template lives (the repository's prompts/, from src/ or dist/ alike). */
export const PROMPT_FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "prompts", "explain.md");

export interface LlmConfig {
  provider: "openai" | "azure";
  /** Model, or the Azure deployment name. */
  model: string;
  /** The whole call, retries included. */
  timeoutMs: number;
  apiKey?: string;
  /** OpenAI: OPENAI_BASE_URL (an OpenAI-compatible server); Azure: the resource endpoint. */
  baseURL?: string;
  /** NETRCA_LLM_REDACT=on: IPs and pod hashes leave as placeholders and are restored in the reply. */
  redact?: boolean;
}

export const NOT_CONFIGURED = "No explanation: no model is configured (set OPENAI_API_KEY, or AZURE_OPENAI_ENDPOINT with AZURE_OPENAI_API_KEY or an Entra identity).";

/** The model settings from the environment, or null when none is configured. */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LlmConfig | null {
  const model = env.NETRCA_LLM_MODEL || "gpt-4.1-mini";
  const timeoutMs = env.NETRCA_LLM_TIMEOUT_MS ? Number(env.NETRCA_LLM_TIMEOUT_MS) : 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error(`NETRCA_LLM_TIMEOUT_MS must be a whole number of milliseconds (100 or more), not ${env.NETRCA_LLM_TIMEOUT_MS}`);
  const r = (env.NETRCA_LLM_REDACT ?? "").trim().toLowerCase();
  if (r && !["on", "off", "true", "false", "1", "0", "yes", "no"].includes(r)) throw new Error(`NETRCA_LLM_REDACT must be on or off, not ${JSON.stringify(env.NETRCA_LLM_REDACT)}`);
  const redact = ["on", "true", "1", "yes"].includes(r) ? { redact: true } : {};
  if (env.AZURE_OPENAI_ENDPOINT) {
    if (!/^https?:\/\/\S+$/.test(env.AZURE_OPENAI_ENDPOINT)) throw new Error(`AZURE_OPENAI_ENDPOINT must be the resource's URL (https://NAME.openai.azure.com)`);
    return { provider: "azure", model, timeoutMs, baseURL: env.AZURE_OPENAI_ENDPOINT, ...(env.AZURE_OPENAI_API_KEY && { apiKey: env.AZURE_OPENAI_API_KEY }), ...redact };
  }
  if (env.OPENAI_API_KEY) return { provider: "openai", model, timeoutMs, apiKey: env.OPENAI_API_KEY, ...(env.OPENAI_BASE_URL && { baseURL: env.OPENAI_BASE_URL }), ...redact };
  return null;
}

/** The request's budget for the evidence rows, in characters (about 3k tokens). */
const EVIDENCE_BUDGET = 12_000;

/** The prompt's two parts from the template, the request filled with the Report as data. */
export function buildPrompt(report: Report, template = readFileSync(PROMPT_FILE, "utf8")): { instructions: string; input: string } {
  const body = template.replace(/^<!--[\s\S]*?-->\s*/, "");
  const [instructions, request] = body.split(/^---- request ----\s*$/m) as [string, string | undefined];
  if (request === undefined) throw new Error(`${PROMPT_FILE}: no "---- request ----" line between the instructions and the request`);
  const findings = report.findings.map((f) => ({ rank: f.rank, severity: f.severity, kind: f.kind, title: f.title, subject: f.subject, peer: f.peer, reason: f.reason, value: f.value, unit: f.unit, baseline: f.baseline, since: f.since, next: f.next.slice(0, 1) }));
  // Whole tables while they fit; then fewer rows; the data block's closing tag can never be spoofed.
  let evidence = "";
  for (const e of report.evidence) {
    const table = JSON.stringify({ title: e.title, columns: e.columns, rows: e.rows });
    if (evidence.length + table.length > EVIDENCE_BUDGET) {
      const rows = Math.max(0, Math.floor((EVIDENCE_BUDGET - evidence.length) / Math.max(1, table.length / Math.max(1, e.rows.length))) - 1);
      if (rows > 0) evidence += JSON.stringify({ title: e.title, columns: e.columns, rows: e.rows.slice(0, rows), more: e.rows.length - rows }) + "\n";
      break;
    }
    evidence += table + "\n";
  }
  const data = (s: string) => s.replace(/<\/?(data|question|scope|summary|findings|evidence)>/gi, (t) => t.replace("<", "‹").replace(">", "›"));
  const filled = request
    .replace("{{question}}", data(report.question))
    .replace("{{scope}}", data(JSON.stringify(report.scope)))
    .replace("{{summary}}", data(report.summary))
    .replace("{{findings}}", data(findings.map((f) => JSON.stringify(f)).join("\n")))
    .replace("{{evidence}}", data(evidence.trim()));
  return { instructions: instructions.trim(), input: filled.trim() };
}

export interface Explained {
  explanation: { text: string; model: string } | null;
  /** Why there is no explanation, or what was removed from it (one sentence). */
  note: string | null;
  usage?: { inputTokens: number; outputTokens: number };
}

/**
 * Ask the model to explain the Report, then keep only what the Report holds. Never throws:
 * a failure, a timeout or an ungrounded answer is a note, and the Report itself is untouched.
 */
export async function explainReport(report: Report, cfg: LlmConfig | null): Promise<Explained> {
  if (!cfg) return { explanation: null, note: NOT_CONFIGURED };
  const prompt = buildPrompt(report);
  const names = cfg.redact ? redactor() : null;
  const input = names ? names.redact(prompt.input) : prompt.input;
  const instructions = names?.count ? `${prompt.instructions}\n- IP_1, HASH_1 and the like stand for addresses and parts of pod names that are not sent: write them exactly as they are.` : prompt.instructions;
  const started = Date.now();
  try {
    const client = await clientOf(cfg);
    const response = await client.responses.create(
      { model: cfg.model, instructions, input, max_output_tokens: 600 },
      { timeout: cfg.timeoutMs, signal: AbortSignal.timeout(cfg.timeoutMs) },
    );
    const text = (names ? names.restore(response.output_text ?? "") : (response.output_text ?? "")).trim();
    const usage = response.usage ? { inputTokens: response.usage.input_tokens, outputTokens: response.usage.output_tokens } : undefined;
    if (!text) return { explanation: null, note: "No explanation: the model answered with no text.", ...(usage && { usage }) };
    const g = groundExplanation(text, report);
    return { explanation: g.text ? { text: g.text, model: cfg.model } : null, note: g.note, ...(usage && { usage }) };
  } catch (e) {
    return { explanation: null, note: failure(e, cfg, Date.now() - started) };
  }
}

async function clientOf(cfg: LlmConfig) {
  const { default: OpenAI } = await import("openai");
  // Retries are the SDK's, inside the one timeout the whole call has.
  const common = { timeout: cfg.timeoutMs, maxRetries: 1 };
  if (cfg.provider === "openai") return new OpenAI({ apiKey: cfg.apiKey!, ...(cfg.baseURL && { baseURL: cfg.baseURL }), ...common });
  const baseURL = `${cfg.baseURL!.replace(/\/+$/, "")}/openai/v1/`;
  if (cfg.apiKey) return new OpenAI({ apiKey: cfg.apiKey, baseURL, defaultHeaders: { "api-key": cfg.apiKey }, ...common });
  // No key: an Entra token for Azure OpenAI from whatever identity the machine has.
  const { DefaultAzureCredential, getBearerTokenProvider } = await import("@azure/identity");
  const token = getBearerTokenProvider(new DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default");
  return new OpenAI({ apiKey: token, baseURL, ...common });
}

/** One sentence, never the key or the prompt. */
function failure(e: unknown, cfg: LlmConfig, ms: number): string {
  const err = e as Error & { status?: number; name: string };
  // The SDK's error classes keep the generic name "Error": tell them by class.
  const kind = (e as object | null)?.constructor?.name ?? "";
  const where = cfg.provider === "azure" ? "Azure OpenAI" : "the model";
  if (kind === "APIConnectionTimeoutError" || kind === "APIUserAbortError" || err.name === "TimeoutError" || err.name === "AbortError" || ms >= cfg.timeoutMs) return `No explanation: ${where} did not answer within ${Math.round(cfg.timeoutMs / 100) / 10} s.`;
  if (err.status === 401 || err.status === 403) return `No explanation: ${where} refused the credentials (HTTP ${err.status}).`;
  if (err.status) return `No explanation: ${where} answered HTTP ${err.status}.`;
  if (kind === "APIConnectionError") return `No explanation: ${where} cannot be reached.`;
  return `No explanation: ${(err.message ?? String(e)).split("\n")[0]!.replace(/sk-[A-Za-z0-9_-]+/g, "sk-…")}.`;
}
