import { describe, it, expect } from "vitest";
import { checkKql, kqlTokens } from "./kusto.js";

const VALID =
  "union isfuzzy=true ContainerNetworkLogs, RetinaNetworkFlowLogs" +
  " | where TimeGenerated >= datetime(2026-11-20T14:00:00Z) and TimeGenerated < datetime(2026-11-20T15:00:00Z)" +
  " | extend L7 = parse_json(Layer7), SrcWorkload = tostring(SourceWorkloads[0].name)" +
  ' | where Verdict == "DROPPED"' +
  " | summarize flows = sum(IngressFlowCount + EgressFlowCount + UnknownDirectionFlowCount)" +
  " by SourceNamespace, SrcWorkload, DropReason, bin(TimeGenerated, 5m)" +
  " | top 10 by flows desc";

describe("checkKql", () => {
  it("accepts a valid query over the real columns", { timeout: 30_000 }, () => {
    expect(checkKql(VALID)).toEqual([]);
    expect(checkKql("RetinaNetworkFlowLogs | where Reply and SourceIdentity > 0 | take 1")).toEqual([]);
  });

  it("reports an unknown column", () => {
    const errors = checkKql("ContainerNetworkLogs | where NoSuchColumn == 1");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("NoSuchColumn");
  });

  it("reports a syntax error", () => {
    expect(checkKql("ContainerNetworkLogs | where")).not.toEqual([]);
    expect(checkKql("ContainerNetworkLogs | summarize count() by")).not.toEqual([]);
  });

  it("reports type errors", () => {
    expect(checkKql("ContainerNetworkLogs | summarize sum(Verdict)").join()).toContain("summable");
    expect(checkKql('ContainerNetworkLogs | where TimeGenerated > "abc"').join()).toContain("datetime and string");
  });

  it("reports unknown tables and functions", () => {
    expect(checkKql("NoSuchTable | take 1").join()).toContain("NoSuchTable");
    expect(checkKql("ContainerNetworkLogs | extend x = no_such_fn(1)").join()).toContain("no_such_fn");
  });

  it("ignores warnings (unknown table inside isfuzzy union is only a warning)", () => {
    expect(checkKql("union isfuzzy=true ContainerNetworkLogs, NoSuchTable | take 1")).toEqual([]);
  });
});

describe("kqlTokens", () => {
  const q = (lit: string) => `ContainerNetworkLogs | where SourcePodName == ${lit} | take 1`;
  const kinds = (s: string) => kqlTokens(s).map((t) => t.kind);

  it("gives the same structure for different literal contents", () => {
    expect(kinds(q('"a"'))).toEqual(kinds(q('"something else"')));
    expect(kinds(q('"a"'))).toContain("StringLiteralToken");
  });

  it("keeps an escaped injection attempt as one string literal", () => {
    const lit = '"\\" or 1==1 | take 1 //"';
    expect(kinds(q(lit))).toEqual(kinds(q('"a"')));
    expect(kqlTokens(q(lit)).filter((t) => t.kind === "StringLiteralToken").map((t) => t.text)).toEqual([lit]);
    // unescaped, the same content breaks out of the literal
    expect(kinds(q('"" or 1==1 | take 1 //"'))).not.toEqual(kinds(q('"a"')));
  });
});

/** Candidate escaper: the smallest set the lexer requires (see rules in kusto.ts). */
function kqlString(value: string): string {
  return `"${value.replace(/[\\"\r\n]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\r": "\\r", "\n": "\\n" })[c]!)}"`;
}

/** Content value as Kusto decodes it (the bundle is already loaded by checkKql). */
function decoded(literal: string): string {
  const K = (globalThis as unknown as { Kusto: { Language: { KustoFacts: { GetStringLiteralValue(s: string): string } } } }).Kusto;
  return K.Language.KustoFacts.GetStringLiteralValue(literal);
}

describe("string-literal escaping", () => {
  const q = (lit: string) => `ContainerNetworkLogs | where SourcePodName == ${lit} | take 1`;
  const nasty = [
    'say "hi"', "it's", "back\\slash", "trailing\\", "\\\\", '\\"', "line\nbreak", "cr\r\nlf", "tab\there",
    "a | take 1", "x // comment", '" or 1==1 | take 1 //', "ünïcödé ÄÖÜ 日本", "nul\u0000char",
    "emoji 😀🚀", "ls\u2028ps\u2029", "\\u0041 \\x41 \\n", "", "${x}` ```",
  ];

  it.each(nasty)("%j is one error-free string literal that decodes back", (value) => {
    const lit = kqlString(value);
    expect(checkKql(q(lit))).toEqual([]);
    const tokens = kqlTokens(q(lit));
    expect(tokens.map((t) => t.kind)).toEqual(kqlTokens(q('"a"')).map((t) => t.kind));
    expect(tokens.filter((t) => t.kind === "StringLiteralToken").map((t) => t.text)).toEqual([lit]);
    expect(decoded(lit)).toBe(value);
  });

  it.each(["\\\\", '\\"', "\\'", "\\a\\b\\f\\n\\r\\t\\v", "\\u00e9", "\\U0001F600", "\\x41", "\\0", "\\101", "\t", "\u0000"])(
    "accepts %j inside double quotes",
    (body) => expect(checkKql(q(`"${body}"`))).toEqual([]),
  );

  it.each(["\\q", "\\/", "\\e", "\\8", "\\u12", "\\x4", "a\nb", "a\rb", "\\"])("rejects %j inside double quotes", (body) => {
    expect(checkKql(q(`"${body}"`))).not.toEqual([]);
  });

  it("verbatim @\"...\": backslash is literal, quote is doubled, no raw newline", () => {
    expect(checkKql(q('@"C:\\dir\\"'))).toEqual([]);
    expect(decoded('@"say ""hi"" \\n"')).toBe('say "hi" \\n');
    expect(checkKql(q('@"a\\"b"'))).not.toEqual([]);
    expect(checkKql(q('@"a\nb"'))).not.toEqual([]);
  });
});
