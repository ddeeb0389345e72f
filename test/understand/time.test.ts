import { describe, expect, it } from "vitest";
import { parseQuestion } from "../../src/understand/index.js";
import { parseTimes } from "../../src/understand/time.js";
import { NOW, when } from "./cases.js";

const window = (q: string, tz?: string, now = NOW) => {
  const { scope, notes } = parseQuestion(q, { now, ...(tz && { tz }) });
  return { from: scope.from, to: scope.to, notes, scope };
};
const iso = (s: string) => new Date(s).toISOString();

describe("relative times count back from now", () => {
  it.each([
    ["dns errors", "-60m"],
    ["drops last 30m", "-30m"],
    ["drops last 30 minutes", "-30m"],
    ["drops in the past 2 hours", "-2h"],
    ["top talkers over the past 6 hours", "-6h"],
    ["drops for the last hour", "-60m"],
    ["drops in the last 15 minutes", "-15m"],
    ["health for the last 24h", "-24h"],
    ["health over the last 2 days", "-48h"],
    ["the past hour of drops", "-60m"],
    ["dns errors in the last half hour", "-30m"],
    ["drops over the past couple of hours", "-2h"],
    ["drops in the last 90 min", "-90m"],
    ["drops last 45 mins", "-45m"],
    ["dns errors since 2 hours ago", "-2h"],
    ["dns errors from an hour ago", "-60m"],
    ["drops since 30m", "-30m"],
    ["traffic last week", "-168h"],
    ["drops over the past three hours", "-3h"],
  ])("%s", (q, from) => {
    expect(window(q)).toMatchObject({ from: when(from, 0), to: NOW.toISOString() });
  });
});

describe("clock times are today's (UTC by default)", () => {
  it.each([
    ["we get SERVFAIL since 14:10", "14:10", undefined],
    ["drops since 9:30", "09:30", undefined],
    ["drops since 10:00", "10:00", undefined],
    ["drops since 2pm", "14:00", undefined],
    ["drops since 2 pm", "14:00", undefined],
    ["drops since 11 a.m.", "11:00", undefined],
    ["drops since 14h10", "14:10", undefined],
    ["drops since noon", "12:00", undefined],
    ["drops since midnight", "today", undefined],
    ["dns errors since 9 this morning", "09:00", undefined],
    ["drops starting at 08:15:30", undefined, "2026-11-20T08:15:30.000Z"],
    ["drops between 13:00 and 14:00", "13:00", "14:00"],
    ["drops from 13:00 to 14:00", "13:00", "14:00"],
    ["drops 13:00-14:00", "13:00", "14:00"],
    ["drops between 1pm and 2pm", "13:00", "14:00"],
    ["drops from 13:00 until 13:30", "13:00", "13:30"],
  ])("%s", (q, from, toOrExact) => {
    const got = window(q);
    if (from === undefined) expect(got.from).toBe(toOrExact);
    else expect(got).toMatchObject({ from: when(from, 0), to: toOrExact && /^\d/.test(toOrExact) ? when(toOrExact, 0) : NOW.toISOString() });
  });

  it("a clock time later than now means yesterday, and says so", () => {
    const got = window("dns errors since 16:00");
    expect(got.from).toBe("2026-11-19T16:00:00.000Z");
    expect(got.notes.join(" ")).toMatch(/later than now: read as yesterday/);
  });

  it("a range that lies ahead of now is yesterday's; one that runs past now ends now", () => {
    expect(window("drops between 16:00 and 17:00")).toMatchObject({ from: "2026-11-19T16:00:00.000Z", to: "2026-11-19T17:00:00.000Z" });
    expect(window("drops between 14:00 and 16:00")).toMatchObject({ from: "2026-11-20T14:00:00.000Z", to: NOW.toISOString() });
  });

  it("until / before a time: the hour before it", () => {
    expect(window("http errors until 14:00")).toMatchObject({ from: when("13:00", 0), to: when("14:00", 0) });
    expect(window("drops before 10:00")).toMatchObject({ from: when("09:00", 0), to: when("10:00", 0) });
  });

  it("at / around a time: half an hour either side", () => {
    expect(window("what happened at 14:10 in namespace shop")).toMatchObject({ from: iso("2026-11-20T13:40Z"), to: iso("2026-11-20T14:40Z") });
    expect(window("drops around 2:30pm")).toMatchObject({ from: iso("2026-11-20T14:00Z"), to: iso("2026-11-20T15:00Z") });
  });

  it("says which zone clock times were read in", () => {
    expect(window("drops since 14:10").notes).toContain("clock times read as UTC (NETRCA_TZ sets another zone)");
    expect(window("drops since 14:10", "Europe/Berlin").notes).toContain("clock times read as Europe/Berlin");
    expect(window("drops in the last hour").notes).toEqual([]);
  });
});

describe("days", () => {
  it.each([
    ["top dns queries today", "today", undefined],
    ["drops so far today", "today", undefined],
    ["network overview yesterday", "yesterday", "yesterday-end"],
    ["drops since yesterday", "yesterday", undefined],
    ["drops this morning", "today", "12:00"],
  ])("%s", (q, from, to) => {
    expect(window(q)).toMatchObject({ from: when(from, 0), to: to ? when(to, 0) : NOW.toISOString() });
  });

  it("last night: 18:00 yesterday to 06:00 today", () => {
    expect(window("drops last night")).toMatchObject({ from: iso("2026-11-19T18:00Z"), to: iso("2026-11-20T06:00Z") });
  });

  it("yesterday next to a clock time moves the clock to yesterday", () => {
    expect(window("drops between 10:00 and 11:00 yesterday")).toMatchObject({ from: iso("2026-11-19T10:00Z"), to: iso("2026-11-19T11:00Z") });
    expect(window("drops since 9am yesterday")).toMatchObject({ from: iso("2026-11-19T09:00Z"), to: NOW.toISOString() });
  });
});

describe("ISO timestamps", () => {
  it.each([
    ["drops since 2026-11-20T12:00:00Z", "2026-11-20T12:00:00.000Z", NOW.toISOString()],
    ["drops between 2026-11-20T10:00Z and 2026-11-20T11:30Z", "2026-11-20T10:00:00.000Z", "2026-11-20T11:30:00.000Z"],
    ["drops on 2026-11-19", "2026-11-19T00:00:00.000Z", "2026-11-20T00:00:00.000Z"],
    ["drops at 2026-11-20T14:00:00+01:00", "2026-11-20T12:30:00.000Z", "2026-11-20T13:30:00.000Z"],
    ["drops since 2026-11-19 08:00", "2026-11-19T08:00:00.000Z", NOW.toISOString()],
  ])("%s", (q, from, to) => {
    expect(window(q)).toMatchObject({ from, to });
  });
});

describe("NETRCA_TZ: clock times and days in the user's zone", () => {
  it("Europe/Berlin in November is UTC+1", () => {
    expect(window("since 14:10", "Europe/Berlin").from).toBe("2026-11-20T13:10:00.000Z");
    expect(window("dns today", "Europe/Berlin").from).toBe("2026-11-19T23:00:00.000Z");
    expect(window("dns yesterday", "Europe/Berlin")).toMatchObject({ from: "2026-11-18T23:00:00.000Z", to: "2026-11-19T23:00:00.000Z" });
    expect(window("drops between 13:00 and 14:00", "Europe/Berlin")).toMatchObject({ from: "2026-11-20T12:00:00.000Z", to: "2026-11-20T13:00:00.000Z" });
  });

  it("a zone-less ISO time is the user's; an explicit zone wins", () => {
    expect(window("drops since 2026-11-20 12:00", "Europe/Berlin").from).toBe("2026-11-20T11:00:00.000Z");
    expect(window("drops since 14:10 UTC", "Europe/Berlin").from).toBe("2026-11-20T14:10:00.000Z");
    expect(window("drops since 2026-11-20T12:00:00Z", "Europe/Berlin").from).toBe("2026-11-20T12:00:00.000Z");
  });

  it("America/New_York: a range later than local now is yesterday's", () => {
    // 15:00Z is 10:00 in New York: 13:00-14:00 local has not happened today.
    expect(window("drops between 13:00 and 14:00", "America/New_York")).toMatchObject({
      from: "2026-11-19T18:00:00.000Z",
      to: "2026-11-19T19:00:00.000Z",
    });
  });

  it("the day the clocks change (Berlin, 2026-03-29)", () => {
    const now = new Date("2026-03-29T12:00:00Z"); // 14:00 CEST
    expect(window("dns today", "Europe/Berlin", now).from).toBe("2026-03-28T23:00:00.000Z");
    expect(window("since 01:30", "Europe/Berlin", now).from).toBe("2026-03-29T00:30:00.000Z");
    expect(window("since 03:30", "Europe/Berlin", now).from).toBe("2026-03-29T01:30:00.000Z");
  });

  it("an unknown zone falls back to UTC and says so", () => {
    const got = window("since 14:10", "Mars/Olympus_Mons");
    expect(got.from).toBe("2026-11-20T14:10:00.000Z");
    expect(got.notes.join(" ")).toMatch(/unknown time zone 'Mars\/Olympus_Mons'/);
  });
});

describe("time phrases are cut out before names are read", () => {
  it.each([
    "drops in the last 15 minutes",
    "drops in the past hour",
    "drops for the last 2 days",
    "drops between 13:00 and 14:00",
    "drops from 13:00 to 14:00",
    "drops since 14:10",
    "drops in 2026-11-20T10:00Z",
    "drops over the last 30m",
  ])("%s names nothing", (q) => {
    const { scope } = window(q);
    expect([scope.namespace, scope.workload, scope.pod, scope.node, scope.peer]).toEqual([null, null, null, null, null]);
  });

  it("leaves a gap where the phrase was", () => {
    const t = parseTimes("dns errors for the last hour in shop", NOW);
    expect(t.text).toMatch(/^dns errors \S+ in shop$/);
    expect(t.stated).toBe(true);
  });

  it("numbers that are not times stay", () => {
    expect(window("http 403 errors on port 8080").from).toBe(when(undefined, NOW.getTime() - 3600_000));
    expect(parseTimes("http 403 errors on port 8080", NOW).stated).toBe(false);
  });
});
