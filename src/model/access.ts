/**
 * Which namespaces a channel may ask about: patterns from the configuration file's `access`,
 * each a namespace name, a prefix glob ("shop-*"), or "*" for all. Pure, so the parser, the
 * compilers and the service read the same rule.
 */
import { isK8sName } from "./k8s-name.js";

/** A pattern as the file writes it, or why it cannot be one. */
export function patternProblem(p: string): string | null {
  if (p === "*") return null;
  const name = p.endsWith("*") ? p.slice(0, -1) : p;
  if (p.endsWith("*") ? !/^[a-z0-9][a-z0-9-]{0,61}$/.test(name) : !isK8sName(name)) return `${JSON.stringify(p)} is not a namespace name, a prefix ending in * ("shop-*") or "*"`;
  return null;
}

/** All namespaces: no restriction at all. */
export const allAllowed = (patterns: readonly string[] | undefined | null): boolean => !patterns || patterns.includes("*");

export function namespaceAllowed(ns: string, patterns: readonly string[] | undefined | null): boolean {
  if (allAllowed(patterns)) return true;
  return patterns!.some((p) => (p.endsWith("*") ? ns.startsWith(p.slice(0, -1)) : ns === p));
}

/** "shop, shop-*" as a reply says it. */
export const patternList = (patterns: readonly string[]): string => patterns.join(", ");
