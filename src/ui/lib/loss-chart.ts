/**
 * SVG paths for loss curves: the live chart (x = fraction of training done)
 * and the small sparklines of stored runs. Pure geometry, no DOM.
 */

export interface LossPoint {
  /** 0..1: the fraction of training done. */
  x: number;
  loss: number;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Inner margin on every side. */
  pad?: number;
}

export interface LossPath {
  /** The `d` of a <path>, '' when there is nothing to draw. */
  d: string;
  /** The loss range on the y axis (low at the bottom). */
  min: number;
  max: number;
}

/** Stored losses (one per progress report) as points spread evenly over 0..1. */
export function lossSeries(losses: readonly number[]): LossPoint[] {
  const n = losses.length;
  return losses.map((loss, i) => ({ x: n === 1 ? 1 : i / (n - 1), loss }));
}

/**
 * At most `max` points: consecutive points are averaged in equal buckets
 * (the first and last points stay as they are).
 */
export function thinPoints(points: readonly LossPoint[], max: number): LossPoint[] {
  if (points.length <= max || max < 3) return points.slice();
  const out: LossPoint[] = [points[0]!];
  const inner = points.length - 2;
  const buckets = max - 2;
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    let sx = 0;
    let sl = 0;
    for (let i = lo; i < hi; i++) {
      sx += points[i]!.x;
      sl += points[i]!.loss;
    }
    const n = hi - lo;
    if (n > 0) out.push({ x: sx / n, loss: sl / n });
  }
  out.push(points[points.length - 1]!);
  return out;
}

const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * A polyline through the finite points. x spans 0..1 across the box (so a
 * curve grows to the right as training goes on); y spans the loss range, or
 * `range` when given (e.g. to share an axis). A flat curve sits mid-height.
 */
export function lossPath(
  points: readonly LossPoint[],
  box: ChartBox,
  range?: { min: number; max: number },
): LossPath {
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.loss));
  if (pts.length === 0) return { d: '', min: 0, max: 0 };
  let min = range?.min ?? Infinity;
  let max = range?.max ?? -Infinity;
  if (!range) {
    for (const p of pts) {
      if (p.loss < min) min = p.loss;
      if (p.loss > max) max = p.loss;
    }
  }
  const pad = box.pad ?? 0;
  const w = Math.max(0, box.width - 2 * pad);
  const h = Math.max(0, box.height - 2 * pad);
  const span = max - min;
  const y = (loss: number): number =>
    span > 0 ? pad + h - ((loss - min) / span) * h : pad + h / 2;
  const x = (f: number): number => pad + Math.min(1, Math.max(0, f)) * w;
  let d = '';
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    d += `${i === 0 ? 'M' : 'L'}${fmt(x(p.x))} ${fmt(y(p.loss))}`;
  }
  // A lone point draws as a short dash so it is visible.
  if (pts.length === 1) d += `h${fmt(Math.min(2, w))}`;
  return { d, min, max };
}

/** About `count` "nice" tick values within min..max (1, 2 or 5 × a power of ten apart). */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || count < 1) return [];
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The 1-2-5 step nearest to the raw step (in ratio).
  let step = mag;
  for (const m of [2, 5, 10]) {
    if (Math.abs(Math.log((m * mag) / raw)) < Math.abs(Math.log(step / raw))) step = m * mag;
  }
  const out: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * An axis range rounded out to nice ticks around min..max, with its ticks
 * (a flat or empty series gets a small range around its value).
 */
export function niceRange(
  min: number,
  max: number,
  count = 4,
): { min: number; max: number; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, ticks: [0, 1] };
  if (max <= min) {
    const d = Math.abs(min) * 0.05 || 0.5;
    return niceRange(min - d, min + d, count);
  }
  const t = niceTicks(min, max, count);
  const step = t.length > 1 ? t[1]! - t[0]! : max - min;
  const lo = Number((Math.floor(min / step + 1e-9) * step).toPrecision(12));
  const hi = Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12));
  return { min: lo, max: hi, ticks: niceTicks(lo, hi, count) };
}

/** The loss range of some points (finite values only), or null when there is none. */
export function lossRange(points: readonly LossPoint[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    if (!Number.isFinite(p.loss)) continue;
    if (p.loss < min) min = p.loss;
    if (p.loss > max) max = p.loss;
  }
  return min <= max ? { min, max } : null;
}
