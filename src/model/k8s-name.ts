import { z } from "zod";

/**
 * Kubernetes object names as they may enter a scope or a query: DNS-1123 subdomains
 * (lower-case alphanumerics, '-' and '.', at most 253 characters, alphanumeric at both ends).
 * Namespaces are DNS-1123 labels, a stricter subset. Anything else is refused before it
 * reaches a compiler.
 */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const K8sNamespace = z
  .string()
  .max(63)
  .regex(LABEL, "not a Kubernetes namespace name (DNS-1123 label: lower-case letters, digits and '-')")
  .brand<"K8sName">();

export function isK8sName(s: string): boolean {
  return s.length <= 253 && SUBDOMAIN.test(s);
}
