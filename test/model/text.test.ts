import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { thousands } from "../../src/model/text.js";

describe("thousands", () => {
  it("writes what toLocaleString('en-US') writes", () => {
    for (const v of [0, 7, 999, 1000, 1234, 12345, 999999, 1000000, 1234567, -1, -1234, 0.5, 1234.5, 1234.5678, 0.0004, -0.0004, -0, 1.0005, 2.5e-7, 2 ** 53, 1e20, NaN, Infinity, -Infinity]) {
      expect(thousands(v), String(v)).toBe(v.toLocaleString("en-US"));
    }
  });

  it("agrees on any integer and any double", () => {
    fc.assert(fc.property(fc.integer({ min: -1e15, max: 1e15 }), (v) => thousands(v) === v.toLocaleString("en-US")), { numRuns: 2000 });
    fc.assert(fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (v) => thousands(v) === v.toLocaleString("en-US")), { numRuns: 2000 });
  });
});
