/**
 * Test helper: parse + semantically analyse KQL with Microsoft's own Kusto.Language
 * (`@kusto/language-service-next`, a Bridge.NET build) against the Log Analytics schema.
 *
 * KQL string-literal rules, as implemented by the lexer (TokenParser.ScanStringLiteral /
 * ScanStringEscape) and proven in kusto.test.ts:
 * - "..." and '...': a backslash MUST start one of these escapes, otherwise the literal ends
 *   there and the rest is re-lexed as code (errors KS001/KS002): \\ \" \' \a \b \f \n \r \t \v,
 *   \uXXXX (exactly 4 hex), \UXXXXXXXX (8 hex), \xHH (2 hex), \O \OO \OOO (octal 0-7).
 *   Anything else (\q \/ \e \8, \u12) is an error. \' is valid inside "..." and \" inside '...'.
 * - A raw CR or LF ends the literal (error); they must be written \r / \n. Every other raw
 *   character is accepted verbatim: TAB, NUL, U+2028, emoji (surrogate pairs), `|`, `//`.
 * - @"..." / @'...' (verbatim): no escapes at all, backslash is literal, the quote is doubled
 *   ("" -> "), still no raw CR/LF. An h / H prefix (h"...") only marks the literal obfuscated.
 * - ```...``` / ~~~...~~~ (multi-line): no escapes, raw newlines allowed, ends at the next fence.
 * Minimal safe double-quoted escaper: \ -> \\, " -> \", LF -> \n, CR -> \r.
 */
import { createRequire } from "node:module";
import { LOG_ANALYTICS_COLUMNS, LOG_ANALYTICS_TABLES } from "../../src/model/flow-columns.js";

/* Minimal shapes of the Bridge.NET globals we use (the shipped .d.ts is a global script). */
interface Diagnostic { Severity: string; Code: string; Message: string; Start: number; Length: number }
interface LexicalToken { Kind: number; Text: string }
interface KustoLanguage {
  Symbols: {
    ScalarTypes: { GetSymbol(name: string): unknown };
    ColumnSymbol: new (name: string, type: unknown, description: null, originalColumns: null, source: null, examples: null) => unknown;
    TableSymbol: { $ctor4: new (name: string, columns: unknown[]) => unknown };
    DatabaseSymbol: { ctor: new (name: string, members: unknown[]) => unknown };
  };
  GlobalState: { Default: { WithDatabase(db: unknown): unknown } };
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): unknown } };
  Parsing: { TokenParser: { ParseTokens(text: string): LexicalToken[] } };
  Syntax: { SyntaxKind: unknown };
  DiagnosticSeverity: { Error: string };
}
interface Loaded {
  K: KustoLanguage;
  globals: unknown;
  toArray<T>(list: unknown): T[];
  kindName(kind: number): string;
}

let loaded: Loaded | undefined;

/** Loads the bundle once: bridge.js defines globalThis.Bridge/System, the second file Kusto. */
function load(): Loaded {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.js");
  const g = globalThis as unknown as {
    Kusto: { Language: KustoLanguage };
    Bridge: { toArray(list: unknown): unknown[] };
    System: { Enum: { toString(enumType: unknown, value: number): string } };
  };
  const K = g.Kusto.Language;
  const S = K.Symbols;
  const columns = () =>
    LOG_ANALYTICS_COLUMNS.map(
      (c) => new S.ColumnSymbol(c.name, S.ScalarTypes.GetSymbol(c.kusto), null, null, null, null),
    );
  const tables = LOG_ANALYTICS_TABLES.map((name) => new S.TableSymbol.$ctor4(name, columns()));
  // WithDatabase makes it the default database: tables resolve by bare name.
  const globals = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor("LogAnalytics", tables));
  loaded = {
    K,
    globals,
    toArray: <T>(list: unknown) => g.Bridge.toArray(list) as T[],
    kindName: (kind) => g.System.Enum.toString(K.Syntax.SyntaxKind, kind),
  };
  return loaded;
}

/** Error diagnostics (syntax + semantic) for `query`; [] when valid. Warnings are ignored. */
export function checkKql(query: string): string[] {
  const { K, globals, toArray } = load();
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  return toArray<Diagnostic>(code.GetDiagnostics())
    .filter((d) => d.Severity === K.DiagnosticSeverity.Error)
    .map((d) => `${d.Code} at ${d.Start}+${d.Length} ${JSON.stringify(query.slice(d.Start, d.Start + d.Length))}: ${d.Message}`);
}

/** Lexical tokens from Kusto's lexer (trivia/comments dropped, end-of-text token omitted). */
export function kqlTokens(query: string): { kind: string; text: string }[] {
  const { K, kindName } = load();
  return K.Parsing.TokenParser.ParseTokens(query)
    .map((t) => ({ kind: kindName(t.Kind), text: t.Text }))
    .filter((t) => t.kind !== "EndOfTextToken");
}
