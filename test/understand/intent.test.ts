import { describe, expect, it } from "vitest";
import { parseQuestion } from "../../src/understand/index.js";
import { correctTypo } from "../../src/understand/intent.js";
import { NOW } from "./cases.js";

const intent = (q: string) => parseQuestion(q, { now: NOW }).intent;

describe("mixed questions resolve to the specific playbook", () => {
  it.each([
    ["kafka messages dropped", "l7"],
    ["which nodes drop the most bytes?", "health"],
    ["drops on node aks-nodepool1-27013129-vmss000003", "drops"],
    ["which nodes have the most drops", "drops"],
    ["connection refused between web and redis", "drops"],
    ["is a network policy blocking traffic to the orders deployment?", "drops"],
    ["is a network policy blocking dns?", "drops"],
    ["dns latency for checkout", "dns"],
    ["slow dns", "dns"],
    ["root cause of the dns failures in shop", "dns"],
    ["investigate drops in shop", "drops"],
    ["what's wrong with dns in kube-system", "dns"],
    ["help me debug dns in shop", "dns"],
    ["tcp resets from the load balancer", "traffic"],
    ["connection reset by peer when checkout calls payment", "traffic"],
    ["tcp connections stuck in SYN_SENT", "health"],
    ["http requests dropped by checkout", "l7"],
    ["grpc timeouts to payment", "l7"],
    ["frontend calls to backend time out", "drops"],
    ["lookups timing out", "dns"],
    ["packet loss to redis", "drops"],
    ["is the network ok", "health"],
    ["why is checkout slow?", "l7"],
    ["503s from payment", "l7"],
    ["what changed in the last 10 minutes?", "triage"],
    ["is traffic to redis evenly spread?", "traffic"],
  ])("%s → %s", (q, want) => {
    expect(intent(q)).toBe(want);
  });
});

describe("any letter case", () => {
  it.each(["DNS ERRORS", "Dns Errors", "dns errors", "dNs eRRors"])("%s", (q) => {
    expect(intent(q)).toBe("dns");
  });
});

describe("typos", () => {
  it.each([
    ["dsn failures in ns web", "dns", "dsn", "dns"],
    ["nxdomian errors for cart", "dns", "nxdomian", "nxdomain"],
    ["servfial from coredns", "dns", "servfial", "servfail"],
    ["packt drops in shop", "drops", "packt", "packet"],
    ["dorps for checkout", "drops", "dorps", "drops"],
    ["helth of the cluster", "health", "helth", "health"],
    ["latncy on catalog", "l7", "latncy", "latency"],
    ["gprc errors", "l7", "gprc", "grpc"],
    ["kakfa lag", "l7", "kakfa", "kafka"],
    ["imbalence across pods", "traffic", "imbalence", "imbalance"],
    ["investiagte shop", "triage", "investiagte", "investigate"],
    ["hepl", "help", "hepl", "help"],
  ])("%s", (q, want, typed, read) => {
    const got = parseQuestion(q, { now: NOW });
    expect(got.intent).toBe(want);
    expect(got.notes).toContain(`read '${typed}' as '${read}'`);
  });

  it("3-letter keywords accept only a swap", () => {
    expect(correctTypo("dsn")).toBe("dns");
    expect(correctTypo("nds")).toBe("dns");
    expect(correctTypo("srt")).toBe("rst");
    expect(correctTypo("dn")).toBeNull();
    expect(correctTypo("dnss")).toBeNull();
    expect(correctTypo("dms")).toBeNull();
  });

  it("4+ letter keywords accept one edit", () => {
    expect(correctTypo("drps")).toBe("drops");
    expect(correctTypo("dropps")).toBe("drops");
    expect(correctTypo("droops")).toBeNull(); // an English word
    expect(correctTypo("resst")).toBe("reset");
    expect(correctTypo("dropsxx")).toBeNull();
  });

  it.each(["heath", "show", "slot", "drip", "crop", "held", "lead", "snow", "stale", "flaw", "bath", "note", "code", "police"])(
    "never corrects the English word '%s'",
    (word) => {
      expect(correctTypo(word)).toBeNull();
    },
  );

  it("never corrects a name the data holds", () => {
    expect(correctTypo("dorps", new Set(["dorps"]))).toBeNull();
  });
});

describe("fallbacks", () => {
  it.each([
    ["", "help"],
    ["   ", "help"],
    ["help", "help"],
    ["what can you do?", "help"],
    ["how do I use this?", "help"],
    ["asdf qwerty", "help"],
    ["<@U024BE7LH>", "help"],
  ])("'%s' → %s", (q, want) => {
    expect(intent(q)).toBe(want);
  });

  it("a named scope without a specific intent is triage", () => {
    expect(intent("pod api-5d8c7b9f4-qx2lm")).toBe("triage");
    expect(intent("namespace shop")).toBe("triage");
    expect(intent("help with checkout")).toBe("triage");
    expect(parseQuestion("namespace shop", { now: NOW }).notes).toContain("no specific check asked for: running all of them");
  });

  it("says when it did not understand", () => {
    expect(parseQuestion("asdf qwerty", { now: NOW }).notes).toContain("question not recognised: here is what netrca can do");
    expect(parseQuestion("help", { now: NOW }).notes).toEqual([]);
  });
});

describe("close intents run together", () => {
  it("a question that is as much about drops as about DNS runs both playbooks", async () => {
    const { parseQuestion } = await import("../../src/understand/index.js");
    const q = parseQuestion("dropped dns packets in shop", { now: new Date("2026-11-20T15:00:00Z") });
    expect([q.intent, ...q.also].sort()).toEqual(["dns", "drops"]);
    expect(parseQuestion("why is dns failing in shop", { now: new Date("2026-11-20T15:00:00Z") }).also).toEqual([]);
  });
});
