/**
 * Chat markup → plain text. Slack and Teams deliver the message with their own markup
 * (mentions, channel links, HTML); none of it is part of the question, but a link's label is.
 */

import { GAP } from "./tokens.js";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      // A code point outside Unicode is garbage, not text: keep it as typed.
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[e.toLowerCase()] ?? whole;
  });
}

/** `clauses`: a mention becomes a clause break (for the parser), not a space (for display). */
export function stripMarkup(input: string, opts: { clauses?: boolean } = {}): string {
  const mention = opts.clauses ? ` ${GAP} ` : " ";
  let s = input;
  // Teams: <at>Bot name</at> is the bot's (or someone's) mention: drop it with its content.
  s = s.replace(/<at\b[^>]*>[\s\S]*?<\/at>/gi, " ");
  // Slack: user / channel / special mentions, then links (keep the label, else the URL). A
  // mention ends a clause: "in <#C1|war-room> why is x failing" does not read "in why".
  s = s.replace(/<[@#][A-Z0-9]+(?:\|[^>]*)?>/gi, mention);
  s = s.replace(/<!(?:here|channel|everyone|subteam\^[^>]*|date\^[^>]*)(?:\|[^>]*)?>/gi, mention);
  s = s.replace(/<((?:https?|mailto):[^>|\s]+)(?:\|([^>]*))?>/gi, (_m, url: string, label?: string) => ` ${label ?? url} `);
  // Stray HTML (Teams sends <p>, <div>, <br>, <span …>); only real tag shapes, so "a <- b" survives.
  s = s.replace(/<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>/gi, " ");
  // Entities after tags: Slack encodes & < > in text, and "&lt;b&gt;" typed by a user stays text.
  s = decodeEntities(s);
  // Typographic characters phones and Teams substitute.
  s = s
    .replace(/[\u2018\u2019\u02bc`´]/g, (c) => (c === "`" ? " " : "'"))
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, "")
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, " ");
  // Markdown emphasis and quotes; '_' only when it wraps a word, so SYN_SENT keeps it.
  s = s.replace(/[*~]+/g, " ").replace(/(^|\s)_+([^\s_][^\s]*?)_+(?=\s|$|[?,.!])/g, "$1$2");
  s = s.replace(/^\s*>+\s?/gm, " ");
  // The slash command and a leading bot name are addressing, not question.
  s = s.replace(/^\s*(?:\/netrca\b|@?netrca\b\s*[:,]?)/i, " ");
  return s.replace(/\s+/g, " ").trim().replace(new RegExp(`^(?:${GAP}\\s*)+|(?:\\s*${GAP})+$`, "g"), "").trim();
}
