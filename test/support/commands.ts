import type { Report } from "../../src/model/index.js";
import { splitNext } from "../../src/surfaces/labels.js";

/** hubble observe flags that take a value (https://docs.cilium.io/en/stable/observability/hubble/hubble-cli/). */
const VALUED = ["--to-pod", "--from-pod", "--to-ip", "--from-ip", "--to-label", "--from-label", "--namespace", "--to-namespace",
  "--from-namespace", "--node-name", "--port", "--protocol", "--http-status", "--tcp-flags", "--type", "--verdict", "--to-identity", "--from-identity"];

/**
 * Why a next step's command would not run as written, or null: an empty object name
 * (`deploy/`), an empty selector (`-l app=`), a flag with no value, a placeholder, a
 * "null" or "undefined" where a name belongs.
 */
export function brokenCommand(step: string): string | null {
  const { command } = splitNext(step);
  if (!command) return null;
  if (/(?:^|\s)(?:deploy|sts|ds|pod|rs|job|cronjob)\/(?=\s|$|&|;|\|)/.test(command)) return "an object with no name";
  if (/=(?=\s|$|&|;|\|)/.test(command)) return "a selector or flag with an empty value";
  if (/<[^>]*>/.test(command)) return "a placeholder";
  if (/\b(?:undefined|null|NaN)\b/.test(command)) return "undefined, null or NaN in place of a name";
  if (/\s-n\s*(?=-|&|;|\||$)/.test(command)) return "-n without a namespace";
  if (/\S\/(?=\s|$)/.test(command)) return "a name ending in '/'";
  if (/\s{2,}/.test(command)) return "an empty argument";
  // hubble observe has no --node flag (it is --node-name), and --namespace cannot go with --to-pod or --from-pod.
  if (/hubble observe/.test(command) && /\s--node\s/.test(command)) return "hubble observe has no --node flag";
  if (/hubble observe/.test(command) && /\s--namespace\s/.test(command) && /\s--(?:to|from)-pod\s/.test(command)) return "--namespace cannot be combined with --to-pod or --from-pod";
  for (const flag of VALUED) if (new RegExp(`${flag}(?=\\s+--|\\s*$|\\s*[&;|])`).test(command)) return `${flag} with no value`;
  return null;
}

/** Every next step of a report whose command would not run, with why. */
export function brokenSteps(r: Report): string[] {
  return r.findings.flatMap((f) => f.next.map((n) => [n, brokenCommand(n)] as const).filter(([, why]) => why).map(([n, why]) => `#${f.rank} ${why}: ${n}`));
}
