/**
 * NETRCA_LLM_REDACT=on: IP addresses and the generated part of pod names (the ReplicaSet and
 * pod hashes) leave for the model as placeholders, and come back in its reply. The same value
 * gets the same placeholder in a request. Placeholders hold "_" and capitals, which no
 * Kubernetes name or IP has, so restoring can never touch a real name.
 */
export interface Redactor {
  redact(text: string): string;
  restore(text: string): string;
  /** How many distinct values were replaced. */
  readonly count: number;
}

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b/g;
// Full IPv6 (five groups or more: never a clock time) or any form with "::".
const IPV6 = /(?<![\w:.])(?:(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?|::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?)(?![\w:])/gi;
// The alphabet Kubernetes draws pod and ReplicaSet hashes from (no vowels, no 0, 1, 3).
const H = "[bcdfghjklmnpqrstvwxz2456789]";
const POD = new RegExp(String.raw`\b([a-z0-9](?:[-a-z0-9]*?[a-z0-9])?)-((?:${H}{6,10}-)?${H}{5})\b`, "g");

export function redactor(): Redactor {
  const forward = new Map<string, string>();
  const back = new Map<string, string>();
  const counts = { IP: 0, HASH: 0 };
  const placeholder = (value: string, kind: keyof typeof counts) => {
    let p = forward.get(value);
    if (!p) {
      p = `${kind}_${++counts[kind]}`;
      forward.set(value, p);
      back.set(p, value);
    }
    return p;
  };
  return {
    // One pass in reading order, so placeholders are numbered as the text reads.
    redact: (text) => {
      const hits: { at: number; end: number; put: string }[] = [];
      for (const m of text.matchAll(IPV6)) if (m[0].length > 2) hits.push({ at: m.index, end: m.index + m[0].length, put: "" });
      for (const m of text.matchAll(IPV4)) hits.push({ at: m.index, end: m.index + m[0].length, put: "" });
      for (const m of text.matchAll(POD)) hits.push({ at: m.index + m[1]!.length + 1, end: m.index + m[0].length, put: "HASH" });
      hits.sort((a, b) => a.at - b.at);
      let out = "";
      let pos = 0;
      for (const h of hits) {
        if (h.at < pos) continue; // inside an earlier match
        const value = text.slice(h.at, h.end);
        out += text.slice(pos, h.at) + (h.put ? placeholder(value, "HASH") : placeholder(value, "IP"));
        pos = h.end;
      }
      return out + text.slice(pos);
    },
    restore: (text) => text.replace(/\b(?:IP|HASH)_\d+\b/g, (p) => back.get(p) ?? p),
    get count() {
      return forward.size;
    },
  };
}
