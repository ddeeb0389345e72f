/**
 * Escaping for KQL string literals, the one place user text becomes KQL text.
 * Kusto's lexer (proven by test/support/kusto.test.ts): inside "…" a backslash must start a
 * known escape and a raw CR or LF ends the literal; every other character is taken as is.
 */
const KQL_ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\r": "\\r", "\n": "\\n", "\t": "\\t" };

export function kqlString(value: string): string {
  return `"${value.replace(/[\\"\r\n\t]/g, (c) => KQL_ESCAPES[c]!)}"`;
}

/** KQL datetime literal; the instant is re-formatted, so no input text passes through. */
export function kqlDatetime(d: Date): string {
  return `datetime(${d.toISOString()})`;
}

/** A number literal; refuses NaN and infinities rather than emitting them. */
export function kqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return Number.isInteger(n) ? String(n) : n.toString().includes("e") ? n.toFixed(12) : String(n);
}
