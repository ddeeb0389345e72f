/**
 * Kubernetes object names as they may enter a scope or a query: DNS-1123 subdomains
 * (lower-case alphanumerics, '-' and '.', at most 253 characters, alphanumeric at both ends).
 * Namespaces are DNS-1123 labels, a stricter subset. Anything else is refused before it
 * reaches a compiler.
 */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A namespace name: a DNS-1123 label, at most 63 characters. */
export function isK8sNamespace(s: string): boolean {
  return s.length <= 63 && LABEL.test(s);
}

export function isK8sName(s: string): boolean {
  return s.length <= 253 && SUBDOMAIN.test(s);
}
