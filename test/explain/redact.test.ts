import { describe, expect, it } from "vitest";
import { redactor } from "../../src/explain/redact.js";

describe("redacting IPs and pod hashes for the model", () => {
  it("replaces addresses and generated pod-name parts, and restores them exactly", () => {
    const r = redactor();
    const text = "checkout-7d9f8b6c5-x2k4j (10.244.1.17) → kube-proxy-xk2lz at fd00:10:244::1:17; checkout-7d9f8b6c5-x2k4j again from 10.244.1.17";
    const out = r.redact(text);
    expect(out).toBe("checkout-HASH_1 (IP_1) → kube-proxy-HASH_2 at IP_2; checkout-HASH_1 again from IP_1");
    expect(r.count).toBe(4);
    expect(r.restore(out)).toBe(text);
  });

  it("leaves alone what is not an address or a hash: times, DNS names, versions, StatefulSet pods, words", () => {
    const r = redactor();
    const text = "since 14:31:00 (2026-11-20T14:31:00.000Z), api.partner.example.com. v1.2.3.4 payments-0 coredns web-front p95 1694.7 ms HTTP 503";
    expect(r.redact(text)).toBe(text);
    expect(r.count).toBe(0);
  });

  it("restores only its own placeholders: a reply's other capitals stay", () => {
    const r = redactor();
    r.redact("10.0.0.1");
    expect(r.restore("IP_1 and IP_9 and HTTP_1")).toBe("10.0.0.1 and IP_9 and HTTP_1");
  });
});
