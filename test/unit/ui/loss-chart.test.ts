import { describe, expect, it } from 'vitest';
import {
  lossPath,
  lossRange,
  lossSeries,
  niceRange,
  niceTicks,
  thinPoints,
  type LossPoint,
} from '../../../src/ui/lib/loss-chart.ts';

/** The (x, y) pairs of an "M x y L x y …" path. */
function coords(d: string): [number, number][] {
  return [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('loss chart geometry', () => {
  it('maps x = share of training across the box and the lowest loss to the bottom', () => {
    const pts: LossPoint[] = [
      { x: 0, loss: 4 },
      { x: 0.5, loss: 2 },
      { x: 1, loss: 3 },
    ];
    const p = lossPath(pts, { width: 110, height: 60, pad: 5 });
    expect(p.min).toBe(2);
    expect(p.max).toBe(4);
    expect(coords(p.d)).toEqual([
      [5, 5],
      [55, 55],
      [105, 30],
    ]);
  });

  it('grows to the right as training goes on: a partial run stops where training is', () => {
    const p = lossPath(
      [
        { x: 0, loss: 1 },
        { x: 0.25, loss: 0.5 },
      ],
      { width: 100, height: 10 },
    );
    expect(Math.max(...coords(p.d).map((c) => c[0]))).toBe(25);
  });

  it('uses a given range, skips non-finite points, and centres a flat curve', () => {
    const shared = lossPath([{ x: 1, loss: 1 }], { width: 10, height: 10 }, { min: 0, max: 2 });
    expect(coords(shared.d)).toEqual([[10, 5]]);
    expect(shared.d).toMatch(/h/); // a lone point is drawn as a short dash
    const flat = lossPath(
      [
        { x: 0, loss: 3 },
        { x: 0.5, loss: NaN },
        { x: 1, loss: 3 },
      ],
      { width: 10, height: 20 },
    );
    expect(coords(flat.d)).toEqual([
      [0, 10],
      [10, 10],
    ]);
    expect(lossPath([], { width: 10, height: 10 }).d).toBe('');
  });

  it('spreads stored losses evenly over 0..1', () => {
    expect(lossSeries([3, 2, 1]).map((p) => p.x)).toEqual([0, 0.5, 1]);
    expect(lossSeries([5])).toEqual([{ x: 1, loss: 5 }]);
    expect(lossSeries([])).toEqual([]);
  });

  it('thins long series to at most max points, keeping both ends and the mean level', () => {
    const pts = Array.from({ length: 1001 }, (_, i) => ({ x: i / 1000, loss: i % 2 }));
    const t = thinPoints(pts, 50);
    expect(t.length).toBeLessThanOrEqual(50);
    expect(t[0]).toEqual(pts[0]);
    expect(t[t.length - 1]).toEqual(pts[1000]);
    for (const p of t.slice(1, -1)) expect(p.loss).toBeCloseTo(0.5, 1);
    for (let i = 1; i < t.length; i++) expect(t[i]!.x).toBeGreaterThan(t[i - 1]!.x);
    expect(thinPoints(pts.slice(0, 10), 50)).toHaveLength(10);
  });

  it('finds nice ticks and a rounded-out range', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(2.13, 2.87, 4)).toEqual([2.2, 2.4, 2.6, 2.8]);
    const r = niceRange(2.13, 2.87, 4);
    expect(r.min).toBe(2);
    expect(r.max).toBe(3);
    expect(r.ticks[0]).toBe(2);
    expect(r.ticks[r.ticks.length - 1]).toBe(3);
    const flat = niceRange(3, 3);
    expect(flat.min).toBeLessThan(3);
    expect(flat.max).toBeGreaterThan(3);
    expect(lossRange([{ x: 0, loss: NaN }])).toBeNull();
    expect(
      lossRange([
        { x: 0, loss: 2 },
        { x: 1, loss: -1 },
      ]),
    ).toEqual({ min: -1, max: 2 });
  });
});
