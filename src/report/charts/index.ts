// Chart images for chat replies: ECharts server-side SVG -> @resvg/resvg-js PNG.
//
// Text is drawn with Arimo (shipped in @expo-google-fonts/arimo, SIL OFL 1.1), loaded
// explicitly: resvg draws no text at all with a font it has not loaded, and system fonts
// are never consulted, so output is the same on every machine.

import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";

import { renderAsync, Resvg, type ResvgRenderOptions } from "@resvg/resvg-js";
// ECharts as its one-file CommonJS build: a third of the time to load of its ES modules
// (65 ms against 190 ms here), and it holds every chart type and component we draw.
import type * as ECharts from "echarts/core";

import { buildOption, FONT_FAMILY, HEIGHT, WIDTH } from "./options.js";
import type { ChartSpec } from "./types.js";

export type { ChartKind, ChartSpec } from "./types.js";
export { HIGHLIGHT } from "./options.js";

/** PNG pixel width: the 900 px wide chart drawn at 2x for sharp text on high-DPI screens. */
export const PNG_SCALE = 2;
export const CHART_WIDTH = WIDTH;
export const CHART_HEIGHT = HEIGHT;

const require = createRequire(import.meta.url);
const { init } = require("echarts") as typeof ECharts;

let fontFiles: string[] | undefined;
/** Absolute paths of the bundled TTFs (regular, bold). */
export function chartFontFiles(): string[] {
  fontFiles ??= [
    require.resolve("@expo-google-fonts/arimo/400Regular/Arimo_400Regular.ttf"),
    require.resolve("@expo-google-fonts/arimo/700Bold/Arimo_700Bold.ttf"),
  ];
  return fontFiles;
}

/**
 * Makes equal charts give equal SVG: drops zrender's CSS hover rules and their class names
 * (they do nothing in an image) and renames the per-instance id prefix of clip paths and
 * gradients ("zr7-c0") to "zr0-". User text is always entity-escaped (no raw `"` or `<`),
 * so these patterns only match zrender's own markup.
 */
function normalizeSvg(svg: string): string {
  return svg
    .replace(/ class="zr\d+-cls-\d+"/g, "")
    .replace(/<style\s*>[\s\S]*?<\/style>\s*/g, "")
    .replace(/="(url\(#|#)?zr\d+-/g, '="$1zr0-');
}

/** The chart as an SVG document (900x420, white background, text as <text> in Arimo). */
export function chartSvg(spec: ChartSpec): string {
  const chart = init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption(buildOption(spec));
    return normalizeSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/** Rasterises an SVG from chartSvg() to PNG at PNG_SCALE, with the bundled font. */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, resvgOptions()).render().asPng();
}

function resvgOptions(): ResvgRenderOptions {
  return {
    fitTo: { mode: "width", value: WIDTH * PNG_SCALE },
    background: "#ffffff",
    font: {
      fontFiles: chartFontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    logLevel: "off",
  };
}

/** The chart as PNG bytes (1800x840). */
export function chartPng(spec: ChartSpec): Buffer {
  return svgToPng(chartSvg(spec));
}

/** Renders the chart and writes it as a PNG to `file` (parent folders are created); `ms` is render + write time. */
export async function renderChart(
  spec: ChartSpec,
  file: string,
): Promise<{ file: string; ms: number; bytes: number }> {
  const t0 = performance.now();
  // Rasterise on libuv's thread pool so a busy chat server keeps answering meanwhile.
  const image = await renderAsync(chartSvg(spec), resvgOptions());
  const png = image.asPng();
  const abs = resolve(file);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, png);
  const ms = performance.now() - t0;
  return { file: abs, ms: Math.round(ms * 10) / 10, bytes: png.length };
}
