// ChartSpec -> ECharts option. Pure data; no rendering here.
//
// Layout (900x420 CSS px, drawn at 2x): title and subtitle top-left, legend below them
// (rows planned here so the plot never overlaps it), unit as the y-axis name above the
// plot, UTC time labels under it. Colours: the culprit in red, everything else muted.

import type { ChartSpec } from "./types.js";
import {
  bucketIndex,
  compactNumber,
  textWidth,
  timeLabels,
  truncateEnd,
  truncateMiddle,
  withUnit,
} from "./text.js";

export const WIDTH = 900;
export const HEIGHT = 420;
export const FONT_FAMILY = "Arimo";

export const HIGHLIGHT = "#d62728";
/** Muted blues/greys for the series that are not the culprit. */
export const MUTED = ["#6b8bb0", "#a3b1bf", "#4f6f8f", "#8fa8c4", "#7d8a96", "#b9c6d3", "#5d7f9e", "#95a3b0"];
/** Distinct but calm colours when nothing is highlighted (stacked reasons, plain timeseries). */
/** No red in it: red means "the culprit" in these charts. */
export const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#86bcb6", "#d4a6c8"];
export const OTHER = "#b8b8b8";
/** Sequential palette for the heatmap (light -> dark red). */
export const HEAT = ["#fff7ec", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"];

const PAD = 16;
const TITLE_SIZE = 17;
const SUBTITLE_SIZE = 12;
const LEGEND_SIZE = 12;
const LEGEND_ICON_W = 18;
const LEGEND_GAP = 16;
const LEGEND_ROW = 20;
const AXIS_LABEL_SIZE = 11;
const TEXT = "#1f2328";
const SUBTLE = "#57606a";
const GRID_LINE = "#e8eaed";
/** Widest a legend entry or a category label may get before it is shortened. */
const MAX_NAME_PX = 210;

type Option = Record<string, unknown>;

interface Frame {
  option: Option;
  /** y of the first pixel available below title, subtitle and legend. */
  top: number;
}

function isOther(name: string): boolean {
  return /^other\b/i.test(name.trim());
}

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Values aligned to `n` buckets; missing or non-finite values become gaps ("-"). */
function aligned(values: readonly number[], n: number): (number | "-")[] {
  const out: (number | "-")[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out.push(finite(v) ? v : "-");
  }
  return out;
}

export function isEmpty(spec: ChartSpec): boolean {
  switch (spec.kind) {
    case "timeseries":
    case "stacked":
      return (
        spec.buckets.length === 0 ||
        !spec.series.some((s) => s.values.slice(0, spec.buckets.length).some(finite))
      );
    case "heatmap":
      return (
        spec.buckets.length === 0 ||
        spec.rows.length === 0 ||
        !spec.values.slice(0, spec.rows.length).some((r) => r.slice(0, spec.buckets.length).some(finite))
      );
    case "bars":
      return spec.categories.length === 0 || !spec.values.slice(0, spec.categories.length).some(finite);
  }
}

/** Base option: background, font, title/subtitle, and the y where content may start. */
function frame(spec: ChartSpec): Frame {
  const maxTitle = WIDTH - 2 * PAD;
  const title = truncateEnd(spec.title, maxTitle, TITLE_SIZE, true);
  const subtitle = spec.subtitle ? truncateEnd(spec.subtitle, maxTitle, SUBTITLE_SIZE) : "";
  const option: Option = {
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: FONT_FAMILY, color: TEXT },
    title: {
      left: PAD - 4,
      top: 10,
      text: title,
      subtext: subtitle,
      itemGap: 6,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: TITLE_SIZE, fontWeight: "bold", color: TEXT },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: SUBTITLE_SIZE, color: SUBTLE },
    },
  };
  // title box: padding 5 + 17 + gap 6 + 12 + padding 5
  const top = 10 + 5 + TITLE_SIZE + (subtitle ? 6 + SUBTITLE_SIZE + 4 : 0) + 6;
  return { option, top };
}

/** Number of rows a horizontal legend with these names needs inside `width`. */
function legendRows(names: readonly string[], width: number): number {
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const w = LEGEND_ICON_W + 5 + textWidth(name, LEGEND_SIZE) + LEGEND_GAP;
    if (x > 0 && x + w - LEGEND_GAP > width) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

function legend(names: readonly string[], top: number, icon?: string): { option: Option; height: number } {
  const width = WIDTH - 2 * PAD;
  const rows = legendRows(names, width);
  return {
    option: {
      type: "plain",
      orient: "horizontal",
      left: PAD - 5,
      top,
      width,
      itemWidth: LEGEND_ICON_W,
      itemHeight: 10,
      itemGap: LEGEND_GAP,
      padding: 0,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: LEGEND_SIZE, color: TEXT },
      ...(icon ? { icon } : {}),
      data: names.map((name) => ({ name })),
    },
    height: rows * LEGEND_ROW,
  };
}

function timeAxis(spec: { buckets: string[] }, boundaryGap: boolean): Option {
  return {
    type: "category",
    data: timeLabels(spec.buckets),
    boundaryGap,
    name: "UTC",
    nameLocation: "end",
    nameGap: 8,
    nameTextStyle: { fontSize: AXIS_LABEL_SIZE, color: SUBTLE },
    axisLine: { lineStyle: { color: "#8c959f" } },
    axisTick: { alignWithLabel: true, lineStyle: { color: "#8c959f" } },
    axisLabel: { fontSize: AXIS_LABEL_SIZE, color: SUBTLE, hideOverlap: true },
  };
}

function valueAxis(unit: string, extra: Option = {}): Option {
  return {
    type: "value",
    name: unit,
    nameLocation: "end",
    nameGap: 10,
    nameTextStyle: { fontSize: AXIS_LABEL_SIZE, color: SUBTLE, align: "left" },
    min: 0,
    axisLabel: { fontSize: AXIS_LABEL_SIZE, color: SUBTLE, formatter: (v: number) => compactNumber(v) },
    splitLine: { lineStyle: { color: GRID_LINE } },
    ...extra,
  };
}

function grid(top: number, right: number, bottom = 12, left = PAD): Option {
  return {
    left,
    right,
    top,
    bottom,
    outerBoundsMode: "same",
    outerBoundsContain: "all",
  };
}

/** Unique legend names: shortened, and de-duplicated if shortening made two equal. */
function displayNames(names: readonly string[], maxPx = MAX_NAME_PX, size = LEGEND_SIZE): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    let s = truncateMiddle(n === "" ? "(none)" : n, maxPx, size);
    const k = seen.get(s) ?? 0;
    seen.set(s, k + 1);
    if (k > 0) s = `${s} (${k + 1})`;
    return s;
  });
}

function noData(spec: ChartSpec): Option {
  const { option, top } = frame(spec);
  return {
    ...option,
    graphic: [
      {
        type: "rect",
        left: PAD,
        top: top + 8,
        shape: { width: WIDTH - 2 * PAD, height: HEIGHT - top - 8 - PAD, r: 6 },
        style: { fill: "#f6f8fa", stroke: "#d0d7de", lineWidth: 1 },
        silent: true,
      },
      {
        type: "text",
        left: "center",
        top: (top + HEIGHT) / 2 - 10,
        style: {
          text: "No data in this time window",
          fontFamily: FONT_FAMILY,
          fontSize: 18,
          fill: "#6e7781",
        },
        silent: true,
      },
    ],
  };
}

/**
 * The "since" line. Its label is written horizontally in the row above the plot (where the
 * unit sits at the far left): starting at the line, or ending at it near the right edge, and
 * pushed past the unit name when the line is close to the y axis.
 */
function markerLine(label: string, idx: number, n: number, unit: string): Option {
  const size = 12;
  const plotW = WIDTH - PAD - 44 - 28; // canvas minus margins minus ~y-axis labels
  const x = n > 1 ? (idx / (n - 1)) * plotW : 0;
  const labelW = textWidth(label, size, true);
  const unitEnd = textWidth(unit, AXIS_LABEL_SIZE) + 10;
  let align: "left" | "right" = "left";
  let pad = 5;
  if (x + pad + labelW > plotW + 40) {
    align = "right";
  } else if (x < unitEnd + 6) {
    pad = unitEnd + 6 - x;
  }
  return {
    silent: true,
    symbol: ["none", "none"],
    animation: false,
    lineStyle: { color: HIGHLIGHT, type: "dashed", width: 1.5 },
    label: {
      show: true,
      position: "end",
      distance: 4,
      align,
      verticalAlign: "bottom",
      padding: align === "left" ? [0, 0, 0, pad] : [0, 5, 0, 0],
      formatter: label,
      fontFamily: FONT_FAMILY,
      fontSize: size,
      fontWeight: "bold",
      color: HIGHLIGHT,
    },
    data: [{ xAxis: idx }],
  };
}

function timeseries(spec: Extract<ChartSpec, { kind: "timeseries" }>): Option {
  const base = frame(spec);
  const n = spec.buckets.length;
  const names = displayNames(spec.series.map((s) => s.name));
  const anyHighlight = spec.series.some((s) => s.highlight);
  const leg = legend(names, base.top);
  // The grid grows down by itself to fit the unit (y-axis name) above the plot.
  const top = base.top + leg.height + 8;
  let muted = 0;
  const series = spec.series.map((s, i) => {
    const name = names[i] ?? s.name;
    const color = s.highlight
      ? HIGHLIGHT
      : isOther(s.name)
        ? OTHER
        : anyHighlight
          ? (MUTED[muted++ % MUTED.length] ?? OTHER)
          : (PALETTE[muted++ % PALETTE.length] ?? OTHER);
    return {
      type: "line",
      name,
      data: aligned(s.values, n),
      color,
      showSymbol: n <= 24,
      symbolSize: s.highlight ? 6 : 4,
      connectNulls: false,
      z: s.highlight ? 5 : 2,
      lineStyle: { width: s.highlight ? 3 : 1.75, color, type: isOther(s.name) ? "dashed" : "solid" },
      emphasis: { disabled: true },
    } as Option;
  });
  if (spec.marker && series.length > 0) {
    const idx = bucketIndex(spec.buckets, spec.marker.at);
    if (idx >= 0) {
      const host = series.find((_, i) => spec.series[i]?.highlight) ?? series[0];
      if (host) {
        host.markLine = markerLine(spec.marker.label, idx, n, spec.unit);
        if (idx < n - 1) {
          host.markArea = {
            silent: true,
            itemStyle: { color: "rgba(214, 39, 40, 0.06)" },
            data: [[{ xAxis: idx }, { xAxis: n - 1 }]],
          };
        }
      }
    }
  }
  return {
    ...base.option,
    legend: leg.option,
    grid: grid(top, 44),
    xAxis: timeAxis(spec, false),
    yAxis: valueAxis(spec.unit),
    series,
  };
}

function stacked(spec: Extract<ChartSpec, { kind: "stacked" }>): Option {
  const base = frame(spec);
  const n = spec.buckets.length;
  const names = displayNames(spec.series.map((s) => s.name));
  const leg = legend(names, base.top, "roundRect");
  // The grid grows down by itself to fit the unit (y-axis name) above the plot.
  const top = base.top + leg.height + 8;
  const asBars = n <= 60;
  let k = 0;
  const series = spec.series.map((s, i) => {
    const color = isOther(s.name) ? OTHER : (PALETTE[k++ % PALETTE.length] ?? OTHER);
    const common = {
      name: names[i] ?? s.name,
      stack: "total",
      data: aligned(s.values, n),
      color,
      emphasis: { disabled: true },
    };
    return asBars
      ? { ...common, type: "bar", barCategoryGap: "25%", itemStyle: { color } }
      : {
          ...common,
          type: "line",
          showSymbol: false,
          lineStyle: { width: 1, color },
          areaStyle: { color, opacity: 0.85 },
        };
  });
  return {
    ...base.option,
    legend: leg.option,
    grid: grid(top, 44),
    xAxis: timeAxis(spec, asBars),
    yAxis: valueAxis(spec.unit),
    series,
  };
}

function heatmap(spec: Extract<ChartSpec, { kind: "heatmap" }>): Option {
  const base = frame(spec);
  const n = spec.buckets.length;
  const rows = displayNames(spec.rows, 190, AXIS_LABEL_SIZE);
  let max = 0;
  const data: [number, number, number | "-"][] = [];
  spec.rows.forEach((_, y) => {
    const vals = aligned(spec.values[y] ?? [], n);
    vals.forEach((v, x) => {
      if (v !== "-" && v > max) max = v;
      data.push([x, y, v]);
    });
  });
  const top = base.top + 10;
  const bottom = 12;
  const visualW = 96;
  return {
    ...base.option,
    grid: grid(top, PAD + visualW, bottom),
    xAxis: { ...timeAxis(spec, true), splitArea: { show: false } },
    yAxis: {
      type: "category",
      data: rows,
      inverse: true,
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { fontSize: AXIS_LABEL_SIZE, color: TEXT, interval: 0 },
    },
    visualMap: {
      type: "continuous",
      min: 0,
      max: max > 0 ? max : 1,
      calculable: false,
      orient: "vertical",
      right: PAD,
      top: top,
      itemWidth: 14,
      itemHeight: Math.max(60, HEIGHT - top - bottom - 70),
      text: [withUnit(max, spec.unit), "0"],
      textGap: 6,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: AXIS_LABEL_SIZE, color: SUBTLE },
      inRange: { color: HEAT },
    },
    series: [
      {
        type: "heatmap",
        name: spec.unit,
        data,
        progressive: 0,
        itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { disabled: true },
      },
    ],
  };
}

function bars(spec: Extract<ChartSpec, { kind: "bars" }>): Option {
  const base = frame(spec);
  const names = displayNames(spec.categories, 230, AXIS_LABEL_SIZE + 1);
  const hot = new Set(spec.highlight ?? []);
  const anyHot = hot.size > 0;
  const data = spec.categories.map((c, i) => {
    const v = spec.values[i];
    const color = hot.has(c) ? HIGHLIGHT : anyHot ? "#8fa8c4" : "#4e79a7";
    return {
      value: finite(v) ? v : "-",
      itemStyle: { color },
      label: { color: hot.has(c) ? HIGHLIGHT : TEXT, fontWeight: hot.has(c) ? "bold" : "normal" },
    };
  });
  const top = base.top + 10;
  return {
    ...base.option,
    grid: grid(top, 72, 12),
    xAxis: valueAxis(spec.unit === "%" ? "" : spec.unit, {
      ...(spec.unit === "%" && spec.values.every((v) => !finite(v) || v <= 100) ? { max: 100 } : {}),
      axisLabel: {
        fontSize: AXIS_LABEL_SIZE,
        color: SUBTLE,
        formatter: (v: number) => (spec.unit === "%" ? `${compactNumber(v)}%` : compactNumber(v)),
      },
      nameLocation: "end",
      nameGap: 8,
      nameTextStyle: { fontSize: AXIS_LABEL_SIZE, color: SUBTLE, align: "left", verticalAlign: "top", padding: [4, 0, 0, 0] },
    }),
    yAxis: {
      type: "category",
      data: names,
      inverse: true,
      axisLine: { lineStyle: { color: "#8c959f" } },
      axisTick: { show: false },
      axisLabel: { fontSize: AXIS_LABEL_SIZE + 1, color: TEXT, interval: 0 },
    },
    series: [
      {
        type: "bar",
        name: spec.unit,
        data,
        barMaxWidth: 34,
        barCategoryGap: "35%",
        emphasis: { disabled: true },
        label: {
          show: true,
          position: "right",
          fontFamily: FONT_FAMILY,
          fontSize: 12,
          formatter: (p: { value: unknown }) => (finite(p.value) ? withUnit(p.value, spec.unit) : ""),
        },
      },
    ],
  };
}

export function buildOption(spec: ChartSpec): Option {
  if (isEmpty(spec)) return noData(spec);
  switch (spec.kind) {
    case "timeseries":
      return timeseries(spec);
    case "stacked":
      return stacked(spec);
    case "heatmap":
      return heatmap(spec);
    case "bars":
      return bars(spec);
  }
}
