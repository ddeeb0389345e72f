import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTypoOf } from "../../src/understand/distance.js";
import { ENGLISH_NEAR_KEYWORDS } from "../../src/understand/english-near.js";
import { FUZZY_TARGETS, KEYWORDS, STOP_WORDS } from "../../src/understand/vocabulary.js";

// The list of English words the parser must not "correct" is generated from Debian's
// wamerican word list (apt-get install wamerican). Where that list is installed, recompute
// it and require every word in the committed copy; elsewhere (CI) the check is skipped.
const DICT = "/usr/share/dict/words";

describe.skipIf(!existsSync(DICT))("english-near.ts is up to date with the keywords", () => {
  it("holds every dictionary word one typo away from a keyword", () => {
    const words = readFileSync(DICT, "utf8").split("\n").filter((w) => /^[a-z]+$/.test(w));
    // Only keywords of about the same length can be one edit away.
    const byLength = new Map<number, string[]>();
    for (const k of FUZZY_TARGETS) byLength.set(k.length, [...(byLength.get(k.length) ?? []), k]);
    const targets = (n: number) => [n - 1, n, n + 1].flatMap((l) => byLength.get(l) ?? []);
    // One edit keeps the first or the second letter in place, or moves one of them by one.
    const maybe = (w: string, k: string) => w[0] === k[0] || w[1] === k[1] || w[0] === k[1] || w[1] === k[0];
    const near = words.filter((w) => !KEYWORDS.has(w) && !STOP_WORDS.has(w) && targets(w.length).some((k) => maybe(w, k) && isTypoOf(w, k)));
    expect(near.filter((w) => !ENGLISH_NEAR_KEYWORDS.has(w))).toEqual([]);
  });
});

describe("isTypoOf", () => {
  it("follows the rule: one edit for 4+ letters, one swap for 3", () => {
    expect(isTypoOf("latncy", "latency")).toBe(true);
    expect(isTypoOf("nxdomian", "nxdomain")).toBe(true);
    expect(isTypoOf("dsn", "dns")).toBe(true);
    expect(isTypoOf("dna", "dns")).toBe(false);
    expect(isTypoOf("dns", "dns")).toBe(false);
    expect(isTypoOf("lateny", "latency")).toBe(true);
    expect(isTypoOf("ltncy", "latency")).toBe(false);
  });
});
