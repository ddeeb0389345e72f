/**
 * Time inside a simulation is an integer number of nanoseconds since the window start
 * (a double holds integers exactly up to 2^53 ns, about 104 days). Only output turns it
 * into text, with the same rules protobuf's JSON encoding uses for a Timestamp.
 */

export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;
export const NS_PER_MIN = 60 * NS_PER_S;

export class Clock {
  readonly fromMs: number;
  readonly toMs: number;
  /** Window length in ns; flow times are in [0, durationNs). */
  readonly durationNs: number;
  private readonly baseSec: number;
  private readonly baseNs: number;
  private cachedSec = Number.NaN;
  private cachedPrefix = "";

  constructor(fromMs: number, toMs: number) {
    this.fromMs = fromMs;
    this.toMs = toMs;
    this.durationNs = (toMs - fromMs) * NS_PER_MS;
    this.baseSec = Math.floor(fromMs / 1000);
    this.baseNs = (fromMs - this.baseSec * 1000) * NS_PER_MS;
  }

  /** Offset (ns) -> RFC 3339, Z-normalised, 0/3/6/9 fraction digits (protojson Timestamp). */
  timestamp(offsetNs: number): string {
    const total = this.baseNs + offsetNs;
    const extraSec = Math.floor(total / NS_PER_S);
    const nanos = total - extraSec * NS_PER_S;
    const sec = this.baseSec + extraSec;
    if (sec !== this.cachedSec) {
      this.cachedSec = sec;
      this.cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 19);
    }
    return `${this.cachedPrefix}${fraction(nanos)}Z`;
  }

  /** Offset (ns) -> ISO time at millisecond precision, without ".000" when whole seconds. */
  iso(offsetNs: number): string {
    return isoMs(this.fromMs + Math.floor(offsetNs / NS_PER_MS));
  }
}

export function isoMs(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

function fraction(nanos: number): string {
  if (nanos === 0) return "";
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, "0")}`;
  if (nanos % 1_000 === 0) return `.${String(nanos / 1_000).padStart(6, "0")}`;
  return `.${String(nanos).padStart(9, "0")}`;
}
