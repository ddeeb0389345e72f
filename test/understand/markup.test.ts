import { describe, expect, it } from "vitest";
import { parseQuestion } from "../../src/understand/index.js";
import { stripMarkup } from "../../src/understand/markup.js";
import { NOW } from "./cases.js";

describe("stripMarkup", () => {
  it.each([
    ["<@U024BE7LH> why is dns failing", "why is dns failing"],
    ["<@U024BE7LH|alice> hi", "hi"],
    ["<#C123ABC|general> drops", "drops"],
    ["<!here> drops in shop", "drops in shop"],
    ["see <https://grafana.example.com/d/abc|the dashboard> for checkout", "see the dashboard for checkout"],
    ["see <https://grafana.example.com/d/abc>", "see https://grafana.example.com/d/abc"],
    ["/netrca dns ns:shop", "dns ns:shop"],
    ["netrca: drops in shop", "drops in shop"],
    ["<at>netrca</at> drops in namespace payments", "drops in namespace payments"],
    ["<at>NetRCA Bot</at>&nbsp;help", "help"],
    ["<p>drops&nbsp;in&nbsp;ns&nbsp;shop</p><br/>", "drops in ns shop"],
    ["<div><span style=\"x\">dns</span> errors</div>", "dns errors"],
    ["web -&gt; api timeouts", "web -> api timeouts"],
    ["drops for web &amp; api", "drops for web & api"],
    ["it&#39;s &#x2F;broken", "it's /broken"],
    ["why can’t “frontend” reach backend", "why can't \"frontend\" reach backend"],
    ["*drops* for `checkout`", "drops for checkout"],
    ["_drops_ in SYN_SENT", "drops in SYN_SENT"],
    ["> quoted drops", "quoted drops"],
    ["a <- b", "a <- b"],
    ["zero\u200bwidth\u00a0space", "zerowidth space"],
  ])("%s", (input, out) => {
    expect(stripMarkup(input)).toBe(out);
  });
});

describe("markup never reaches the parse", () => {
  it("Slack mention, channel and link label", () => {
    const q = parseQuestion("<@U024BE7LH> <#C123ABC|general> drops for <https://x.example/checkout|checkout>", { now: NOW });
    expect(q).toMatchObject({ intent: "drops", scope: { workload: "checkout" }, text: "drops for checkout" });
  });

  it("Teams mention and HTML", () => {
    const q = parseQuestion("<at>netrca</at>&nbsp;<p>why is dns failing in namespace <b>shop</b>?</p>", { now: NOW });
    expect(q).toMatchObject({ intent: "dns", scope: { namespace: "shop" } });
  });

  it("Slack's escaped arrow is a relation", () => {
    const q = parseQuestion("web -&gt; api timeouts", { now: NOW });
    expect(q.scope).toMatchObject({ workload: "web", peer: { workload: "api" } });
  });

  it("text keeps the user's case but loses the markup", () => {
    expect(parseQuestion("<@U1> Why is DNS failing?", { now: NOW }).text).toBe("Why is DNS failing?");
  });
});
