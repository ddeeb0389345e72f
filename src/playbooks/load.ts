import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// js-yaml: a tenth of the time of the `yaml` package to load and parse these (6 ms against 60).
import { load as parseYaml } from "js-yaml";
import { z } from "zod";
import type { AnalyzerCatalog, Intent } from "../model/index.js";
import { Playbook } from "./schema.js";

/** A playbook that cannot be used: start-up fails with the file and the field. */
export class PlaybookError extends Error {
  override name = "PlaybookError";
}

export type Playbooks = Map<Intent, Playbook>;

/**
 * Load every playbooks/*.yaml, validate each with the schema and the analyzers' own
 * parameter schemas. A new playbook needs no registration code.
 */
export function loadPlaybooks(dir: string, analyzers: AnalyzerCatalog): Playbooks {
  const books: Playbooks = new Map();
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const f of files) {
    const file = join(dir, f);
    const book = parsePlaybook(readFileSync(file, "utf8"), file, analyzers);
    if (books.has(book.intent)) throw new PlaybookError(`${file}: intent ${book.intent} is already defined by another playbook`);
    books.set(book.intent, book);
  }
  const checks = new Map<string, { intent: string; json: string }>();
  for (const book of books.values()) {
    for (const i of book.include ?? []) if (!books.has(i)) throw new PlaybookError(`${book.intent} playbook: include names ${i}, which has no playbook`);
    // A check id names one check: triage runs a check shared by two playbooks once.
    for (const c of book.checks) {
      const seen = checks.get(c.id), json = JSON.stringify(c);
      if (seen && seen.json !== json) throw new PlaybookError(`${book.intent} playbook: check ${c.id} differs from the ${seen.intent} playbook's check of that id; give one a new id`);
      checks.set(c.id, { intent: book.intent, json });
    }
  }
  for (const book of books.values()) {
    for (const c of book.checks) {
      const twin = c.present.sameAs;
      if (twin && checks.get(twin) === undefined) throw new PlaybookError(`${book.intent} playbook: check ${c.id}: present.sameAs names ${twin}, which is no check`);
      if (twin && JSON.parse(checks.get(twin)!.json).source !== "flows") throw new PlaybookError(`${book.intent} playbook: check ${c.id}: present.sameAs names ${twin}, which is not a flow check`);
    }
  }
  return books;
}

export function parsePlaybook(text: string, file: string, analyzers: AnalyzerCatalog): Playbook {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new PlaybookError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const r = Playbook.safeParse(raw);
  if (!r.success) throw new PlaybookError(`${file}: ${firstIssue(r.error)}`);
  const book = r.data;
  book.checks.forEach((check, i) => {
    const analyzer = analyzers[check.analyze.name];
    const at = `checks[${i}] (${check.id}).analyze`;
    if (!analyzer) throw new PlaybookError(`${file}: ${at}.name: unknown analyzer "${check.analyze.name}" (known: ${Object.keys(analyzers).join(", ")})`);
    const p = analyzer.params.safeParse(check.analyze.params);
    if (!p.success) throw new PlaybookError(`${file}: ${at}.params: ${firstIssue(p.error)}`);
    check.analyze.params = p.data as Record<string, unknown>;
  });
  return book;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return `${path || "(top level)"}: ${issue.message}${more}`;
}

/** The playbooks shipped with netrca (repo root /playbooks, from src/ and from dist/ alike). */
export const PLAYBOOK_DIR = fileURLToPath(new URL("../../playbooks", import.meta.url));
