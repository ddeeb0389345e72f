import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";

import { Resvg } from "@resvg/resvg-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  CHART_HEIGHT,
  CHART_WIDTH,
  chartPng,
  chartSvg,
  HIGHLIGHT,
  PNG_SCALE,
  renderChart,
  type ChartSpec,
} from "../../src/report/charts/index.js";

// ---- a small PNG decoder (8-bit RGB/RGBA, non-interlaced: what resvg writes) ----------------

interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel */
  rgba: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(png: Buffer): { width: number; height: number; bitDepth: number; colorType: number; interlace: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    bitDepth: png.readUInt8(24),
    colorType: png.readUInt8(25),
    interlace: png.readUInt8(28),
  };
}

function decodePng(png: Buffer): Image {
  const h = ihdr(png);
  expect(h.bitDepth).toBe(8);
  expect(h.interlace).toBe(0);
  const channels = h.colorType === 6 ? 4 : h.colorType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const idat: Buffer[] = [];
  let off = 8;
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString("latin1", off + 4, off + 8);
    if (type === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
    if (type === "IEND") break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = h.width * channels;
  const out = new Uint8Array(h.width * h.height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < h.height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const x = line[i] ?? 0;
      const a = i >= channels ? (cur[i - channels] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= channels ? (prev[i - channels] ?? 0) : 0;
      let v: number;
      switch (filter) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`bad PNG filter ${filter}`);
      }
      cur[i] = v & 0xff;
    }
    for (let px = 0; px < h.width; px++) {
      const o = (y * h.width + px) * 4;
      out[o] = cur[px * channels] ?? 0;
      out[o + 1] = cur[px * channels + 1] ?? 0;
      out[o + 2] = cur[px * channels + 2] ?? 0;
      out[o + 3] = channels === 4 ? (cur[px * channels + 3] ?? 0) : 255;
    }
    prev = cur;
  }
  return { width: h.width, height: h.height, rgba: out };
}

/** Pixels darker than mid-grey inside a rectangle given in chart (CSS) px. */
function darkPixels(img: Image, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0 * PNG_SCALE; y < y1 * PNG_SCALE; y++) {
    for (let x = x0 * PNG_SCALE; x < x1 * PNG_SCALE; x++) {
      const o = (y * img.width + x) * 4;
      if ((img.rgba[o] ?? 255) < 100 && (img.rgba[o + 1] ?? 255) < 100 && (img.rgba[o + 2] ?? 255) < 100) n++;
    }
  }
  return n;
}

function countPixels(img: Image, pred: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let o = 0; o < img.rgba.length; o += 4) {
    if (pred(img.rgba[o] ?? 0, img.rgba[o + 1] ?? 0, img.rgba[o + 2] ?? 0)) n++;
  }
  return n;
}

// ---- realistic specs ---------------------------------------------------------------------

const T0 = Date.parse("2026-11-20T14:00:00Z");
const minutes = (n: number, step = 1): string[] =>
  Array.from({ length: n }, (_, i) => new Date(T0 + i * step * 60_000).toISOString());
const buckets = minutes(60);

const timeseries: ChartSpec = {
  kind: "timeseries",
  title: "DNS SERVFAIL responses by client workload",
  subtitle: "shop · 14:00–15:00 UTC · api.partner.example.com. (A)",
  unit: "responses/min",
  buckets,
  series: [
    { name: "shop/checkout", highlight: true, values: buckets.map((_, i) => (i < 31 ? 1 : 28 + (i % 5))) },
    { name: "shop/cart", values: buckets.map((_, i) => 2 + (i % 3)) },
    { name: "shop/frontend", values: buckets.map((_, i) => 3 + (i % 2)) },
    { name: "other", values: buckets.map(() => 4) },
  ],
  marker: { at: "2026-11-20T14:31:00Z", label: "fault since 14:31" },
};

const stacked: ChartSpec = {
  kind: "stacked",
  title: "Dropped flows by reason",
  subtitle: "destination shop/orders",
  unit: "flows/min",
  buckets: minutes(30, 2),
  series: [
    { name: "POLICY_DENIED", values: Array.from({ length: 30 }, (_, i) => (i < 15 ? 2 : 40)) },
    { name: "CT_MAP_INSERTION_FAILED", values: Array.from({ length: 30 }, () => 6) },
    { name: "other", values: Array.from({ length: 30 }, () => 3) },
  ],
};

const pods = ["rabbitmq-0", "rabbitmq-1", "rabbitmq-2", "orders-worker-6c9d7f5b8-kx2lp", "notifier-5f7b9c8d6-abcde"];
const heatmap: ChartSpec = {
  kind: "heatmap",
  title: "TCP resets by pod",
  subtitle: "messaging · RST flows per 5 min",
  unit: "RST",
  buckets: minutes(12, 5),
  rows: pods,
  values: pods.map((_, r) => Array.from({ length: 12 }, (_, c) => (r === 0 && c >= 4 ? 180 : 5))),
};

const bars: ChartSpec = {
  kind: "bars",
  title: "Share of inbound traffic per search pod",
  subtitle: "search/search-api · expected ~25% each",
  unit: "%",
  categories: ["search-api-6f8d9c7b5-x2x9k", "search-api-6f8d9c7b5-m4n7p", "search-api-6f8d9c7b5-q8r1t", "search-api-6f8d9c7b5-z5w3v"],
  values: [70, 10, 10, 10],
  highlight: ["search-api-6f8d9c7b5-x2x9k"],
};

const all: Record<ChartSpec["kind"], ChartSpec> = { timeseries, stacked, heatmap, bars };

// ---- tests -------------------------------------------------------------------------------

describe("chart PNGs", () => {
  const pngs = new Map<string, Buffer>();
  beforeAll(() => {
    for (const [kind, spec] of Object.entries(all)) pngs.set(kind, chartPng(spec));
  });

  it.each(Object.keys(all))("%s renders a valid PNG at 2x the configured size", (kind) => {
    const png = pngs.get(kind)!;
    const h = ihdr(png);
    expect(h.width).toBe(CHART_WIDTH * PNG_SCALE);
    expect(h.height).toBe(CHART_HEIGHT * PNG_SCALE);
    expect(png.toString("latin1", png.length - 8, png.length - 4)).toBe("IEND");
    const img = decodePng(png);
    // white background, opaque
    expect(Array.from(img.rgba.subarray(0, 4))).toEqual([255, 255, 255, 255]);
  });

  it("really draws text: the title area is dark with a title and blank without", () => {
    const withTitle = decodePng(pngs.get("timeseries")!);
    const without = decodePng(chartPng({ ...timeseries, title: "" }));
    // The title sits at the top left, above the subtitle.
    const a = darkPixels(withTitle, 10, 12, 450, 34);
    const b = darkPixels(without, 10, 12, 450, 34);
    expect(a).toBeGreaterThan(2000);
    expect(b).toBeLessThan(a / 20);
  });

  it("draws the culprit in the highlight colour and the marker line", () => {
    const img = decodePng(pngs.get("timeseries")!);
    const [hr, hg, hb] = [0xd6, 0x27, 0x28];
    const red = (r: number, g: number, b: number): boolean =>
      Math.abs(r - hr) < 12 && Math.abs(g - hg) < 12 && Math.abs(b - hb) < 12;
    expect(countPixels(img, red)).toBeGreaterThan(3000);
    const plain = decodePng(chartPng({ ...timeseries, marker: undefined, series: timeseries.series.map((s) => ({ ...s, highlight: false })) }));
    expect(countPixels(plain, red)).toBe(0);
  });

  it("heatmap colours the hot pod's cells dark and leaves quiet cells light", () => {
    const img = decodePng(pngs.get("heatmap")!);
    const darkRed = (r: number, g: number, b: number): boolean => r > 100 && g < 60 && b < 60;
    expect(countPixels(img, darkRed)).toBeGreaterThan(20_000);
  });

  it("is deterministic", () => {
    for (const spec of Object.values(all)) {
      expect(chartSvg(spec)).toBe(chartSvg(spec));
    }
    expect(chartPng(bars).equals(pngs.get("bars")!)).toBe(true);
  });
});

describe("chart SVG", () => {
  it("contains the title, subtitle, series names, unit and the marker label", () => {
    const svg = chartSvg(timeseries);
    for (const text of [
      "DNS SERVFAIL responses by client workload",
      "shop/checkout",
      "shop/cart",
      "shop/frontend",
      "other",
      "responses/min",
      "fault since 14:31",
      "UTC",
    ]) {
      expect(svg).toContain(`>${text}<`);
    }
    expect(svg).toContain("api.partner.example.com.");
    expect(svg).toContain("font-family:Arimo");
  });

  it("labels the time axis in UTC HH:mm whatever offset the buckets carry", () => {
    const svg = chartSvg({
      ...timeseries,
      buckets: timeseries.buckets.map((b) => new Date(Date.parse(b)).toISOString().replace("Z", "+00:00")),
      marker: undefined,
    });
    expect(svg).toContain(">14:00<");
    const shifted = chartSvg({
      kind: "stacked",
      title: "t",
      unit: "flows",
      buckets: ["2026-11-20T15:30:00+01:00", "2026-11-20T15:31:00+01:00"],
      series: [{ name: "a", values: [1, 2] }],
    });
    expect(shifted).toContain(">14:30<");
    expect(shifted).toContain(">14:31<");
    const overMidnight = chartSvg({
      kind: "stacked",
      title: "t",
      unit: "flows",
      buckets: ["2026-11-20T23:30:00Z", "2026-11-21T00:30:00Z"],
      series: [{ name: "a", values: [1, 2] }],
    });
    expect(overMidnight).toContain(">11-20 23:30<");
    expect(overMidnight).toContain(">11-21 00:30<");
  });

  it("uses the highlight colour for the highlighted series and bar only", () => {
    expect(HIGHLIGHT).toBe("#d62728");
    expect(chartSvg({ ...timeseries, marker: undefined })).toContain(`stroke="${HIGHLIGHT}"`);
    expect(chartSvg(bars)).toContain(`fill="${HIGHLIGHT}"`);
    expect(chartSvg({ ...bars, highlight: [] })).not.toContain(HIGHLIGHT);
    const plain = chartSvg({ ...timeseries, marker: undefined, series: timeseries.series.map((s) => ({ ...s, highlight: false })) });
    expect(plain).not.toContain(HIGHLIGHT);
    // stacked charts have no culprit: red is not used for a reason
    expect(chartSvg(stacked)).not.toContain(HIGHLIGHT);
  });

  it("shortens long pod names with an ellipsis, keeping the start and the unique suffix", () => {
    const long = "very-long-deployment-name-for-analytics-ingest-5d8f7c9b6-q7r2s";
    const svg = chartSvg({ ...heatmap, rows: [long, "rabbitmq-0"], values: [[1, 2], [3, 4]], buckets: minutes(2) });
    expect(svg).not.toContain(long);
    expect(svg).toMatch(/>very-long-[^<]*…[^<]*q7r2s</);
    const legend = chartSvg({ ...timeseries, series: [{ name: long, values: [1, 2, 3] }], buckets: minutes(3), marker: undefined });
    expect(legend).toMatch(/>very-long-[^<]*…[^<]*q7r2s</);
  });

  it("escapes <, &, quotes in titles and names so the SVG stays well-formed", () => {
    const evil = `a < b & "c" 'd' </text><script>alert(1)</script>`;
    const specs: ChartSpec[] = [
      { ...timeseries, title: evil, subtitle: evil, series: [{ name: `<b>&amp;"q"`, values: [1, 2], highlight: true }], buckets: minutes(2), marker: { at: buckets[1]!, label: `<since> & "now"` } },
      { ...stacked, title: evil, series: [{ name: `x<y`, values: [1] }], buckets: minutes(1) },
      { ...heatmap, title: evil, rows: [`pod<1>&"`], values: [[3]], buckets: minutes(1) },
      { ...bars, title: evil, categories: [`<b>&amp;"q"`], values: [1], highlight: [`<b>&amp;"q"`] },
    ];
    for (const spec of specs) {
      const svg = chartSvg(spec);
      expect(svg).not.toContain("<script");
      expect(svg).not.toContain("</text><");
      expect(svg).toContain("a &lt; b &amp; &quot;c&quot;");
      // resvg's XML parser accepts it
      expect(() => new Resvg(svg, { font: { loadSystemFonts: false } })).not.toThrow();
    }
    const ts = chartSvg(specs[0]!);
    expect(ts).toContain("&lt;b&gt;&amp;amp;&quot;q&quot;");
    expect(ts).toContain("&lt;since&gt; &amp; &quot;now&quot;");
  });
});

describe("no data", () => {
  const empties: ChartSpec[] = [
    { kind: "timeseries", title: "DNS errors", unit: "responses/min", buckets: [], series: [] },
    { kind: "timeseries", title: "DNS errors", unit: "responses/min", buckets, series: [{ name: "a", values: [] }] },
    { kind: "timeseries", title: "DNS errors", unit: "responses/min", buckets: minutes(3), series: [{ name: "a", values: [NaN, NaN, NaN] }], marker: { at: buckets[1]!, label: "since" } },
    { kind: "stacked", title: "Drops", unit: "flows", buckets: minutes(3), series: [] },
    { kind: "heatmap", title: "Resets", unit: "RST", buckets: minutes(3), rows: [], values: [] },
    { kind: "heatmap", title: "Resets", unit: "RST", buckets: [], rows: ["a"], values: [[]] },
    { kind: "bars", title: "Share", unit: "%", categories: [], values: [] },
  ];

  it.each(empties.map((s, i) => [i, s.kind, s] as const))("#%i %s renders a 'no data' chart instead of throwing", (_i, _k, spec) => {
    const svg = chartSvg(spec);
    expect(svg).toContain(">No data in this time window<");
    expect(svg).toContain(`>${spec.title}<`);
    const h = ihdr(chartPng(spec));
    expect(h.width).toBe(CHART_WIDTH * PNG_SCALE);
  });

  it("all-zero data is data, not 'no data'", () => {
    const svg = chartSvg({ ...stacked, series: [{ name: "POLICY_DENIED", values: stacked.buckets.map(() => 0) }] });
    expect(svg).not.toContain("No data");
  });

  it("tolerates series shorter or longer than the buckets and non-finite values", () => {
    const svg = chartSvg({
      ...timeseries,
      buckets: minutes(5),
      series: [
        { name: "short", values: [1, 2], highlight: true },
        { name: "long", values: [1, 2, 3, 4, 5, 6, 7, 8] },
        { name: "gaps", values: [1, NaN, Infinity, 4, 5] },
      ],
      marker: { at: "2026-11-20T13:00:00Z", label: "before the window" },
    });
    expect(svg).toContain(">short<");
    expect(svg).not.toContain("No data");
  });
});

describe("renderChart", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "netrca-charts-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the PNG (creating folders) and reports its size and render time", async () => {
    const out = await renderChart(bars, join(dir, "sub", "bars.png"));
    expect(out.file).toBe(join(dir, "sub", "bars.png"));
    const bytes = await readFile(out.file);
    expect(out.bytes).toBe(bytes.length);
    expect(out.ms).toBeGreaterThan(0);
    expect(ihdr(bytes).width).toBe(CHART_WIDTH * PNG_SCALE);
    // the async path draws the same image as chartPng
    expect(bytes.equals(chartPng(bars))).toBe(true);
  });
});
