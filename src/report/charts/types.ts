/** What a chart shows; the caller passes at most ~8 series (top ones plus "other"). */
export type ChartSpec =
  | {
      kind: "timeseries";
      title: string;
      subtitle?: string;
      unit: string;
      /** Bucket start times, ISO 8601 (shown as UTC HH:mm). */
      buckets: string[];
      series: { name: string; values: number[]; highlight?: boolean }[];
      /** Vertical line with a label, e.g. { at: "2026-11-20T14:31:00Z", label: "fault since 14:31" }. */
      marker?: { at: string; label: string };
    }
  | {
      /** Stacked bars over time (areas when there are more than 60 buckets), e.g. drops by reason. */
      kind: "stacked";
      title: string;
      subtitle?: string;
      unit: string;
      buckets: string[];
      series: { name: string; values: number[] }[];
    }
  | {
      kind: "heatmap";
      title: string;
      subtitle?: string;
      unit: string;
      buckets: string[];
      /** Row labels, e.g. the top pods. */
      rows: string[];
      /** rows x buckets */
      values: number[][];
    }
  | {
      /** Horizontal bars, e.g. share of traffic per pod; `highlight` names categories to draw in red. */
      kind: "bars";
      title: string;
      subtitle?: string;
      unit: string;
      categories: string[];
      values: number[];
      highlight?: string[];
    };

export type ChartKind = ChartSpec["kind"];
