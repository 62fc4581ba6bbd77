import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/core/random.ts';
import {
  buildGrid,
  drawSquares,
  fitView,
  GENRE_PALETTE,
  genreColours,
  groupByCode,
  mapBounds,
  mixColour,
  nearestPoint,
  OTHER_COLOUR,
  packColour,
  panBy,
  parseColour,
  toData,
  toScreen,
  zoomAt,
} from '../../../src/ui/lib/movie-map.ts';

function randomPoints(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < xy.length; i++) xy[i] = rng.next() * 20 - 10;
  return xy;
}

function bruteNearest(xy: Float32Array, x: number, y: number, r: number): number {
  let best = -1;
  let bestD = r * r;
  for (let i = 0; i < xy.length / 2; i++) {
    const d = (xy[2 * i]! - x) ** 2 + (xy[2 * i + 1]! - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

describe('movie map geometry', () => {
  it('fits the points centred in the box, inside the padding', () => {
    const xy = new Float32Array([-1, 0, 3, 2, NaN, 5]);
    const b = mapBounds(xy);
    expect(b).toEqual({ minX: -1, maxX: 3, minY: 0, maxY: 2 });
    const v = fitView(b, 400, 300, 10);
    // Width limits: 380 px for 4 units.
    expect(v.scale).toBeCloseTo(95);
    const [x0, y0] = toScreen(v, -1, 0);
    const [x1, y1] = toScreen(v, 3, 2);
    expect(x0).toBeCloseTo(10);
    expect(x1).toBeCloseTo(390);
    expect((y0 + y1) / 2).toBeCloseTo(150);
    expect(mapBounds(new Float32Array(0))).toEqual({ minX: 0, maxX: 1, minY: 0, maxY: 1 });
    // A single point (no extent) still gets a finite view.
    expect(Number.isFinite(fitView(mapBounds(new Float32Array([2, 2])), 100, 100).scale)).toBe(
      true,
    );
  });

  it('zooms about the pointer, clamps the scale, and pans; toData inverts toScreen', () => {
    const v = { scale: 10, tx: 5, ty: -3 };
    const [dx, dy] = toData(v, 120, 80);
    const z = zoomAt(v, 3, 120, 80);
    expect(z.scale).toBe(30);
    const [sx, sy] = toScreen(z, dx, dy);
    expect(sx).toBeCloseTo(120);
    expect(sy).toBeCloseTo(80);
    expect(zoomAt(v, 100, 0, 0, 1, 50).scale).toBe(50);
    expect(zoomAt(v, 0.001, 0, 0, 2, 50).scale).toBe(2);
    expect(panBy(v, 7, -2)).toEqual({ scale: 10, tx: 12, ty: -5 });
  });

  it('finds the same nearest point as a full scan, for 20k random points', () => {
    const xy = randomPoints(20_000, 7);
    const grid = buildGrid(xy);
    const rng = new Random(3);
    for (let q = 0; q < 300; q++) {
      const x = rng.next() * 24 - 12;
      const y = rng.next() * 24 - 12;
      const r = 0.02 + rng.next() * 0.5;
      expect(nearestPoint(grid, x, y, r)).toBe(bruteNearest(xy, x, y, r));
    }
  });

  it('hit-tests within the radius only and respects a filter', () => {
    const xy = new Float32Array([0, 0, 1, 0, 5, 5]);
    const g = buildGrid(xy, 1);
    expect(nearestPoint(g, 0.9, 0.1, 0.5)).toBe(1);
    expect(nearestPoint(g, 3, 3, 0.5)).toBe(-1);
    expect(nearestPoint(g, 0.9, 0.1, 2, (i) => i !== 1)).toBe(0);
    // Points on the far edge of the bounds land in the last cell.
    expect(nearestPoint(g, 5, 5, 0.1)).toBe(2);
  });

  it('gives the most common genres distinct palette colours and leaves "no genres" grey', () => {
    const counts = new Map([
      ['Drama', 100],
      ['Comedy', 80],
      ['(no genres listed)', 500],
      ['Action', 80],
    ]);
    const c = genreColours(counts);
    expect(c.get('Drama')).toBe(GENRE_PALETTE[0]);
    // Ties by name: Action before Comedy.
    expect(c.get('Action')).toBe(GENRE_PALETTE[1]);
    expect(c.get('Comedy')).toBe(GENRE_PALETTE[2]);
    expect(c.get('(no genres listed)')).toBe(OTHER_COLOUR);
    const many = new Map(
      Array.from({ length: 25 }, (_, i) => [`g${i}`, 100 - i] as [string, number]),
    );
    const mc = genreColours(many);
    expect(new Set([...mc.values()].slice(0, GENRE_PALETTE.length)).size).toBe(
      GENRE_PALETTE.length,
    );
    expect(mc.get('g24')).toBe(OTHER_COLOUR);
    expect(new Set(GENRE_PALETTE).has(OTHER_COLOUR)).toBe(false);
  });

  it('groups points by code for drawing, each group in point order', () => {
    const g = groupByCode(new Uint16Array([2, 0, 2, 1, 0]), 3);
    expect([...g.start]).toEqual([0, 2, 3, 5]);
    expect([...g.order]).toEqual([1, 4, 3, 0, 2]);
  });

  it('parses, mixes and packs colours as ImageData pixels', () => {
    expect(parseColour('#4e79a7')).toEqual([0x4e, 0x79, 0xa7]);
    expect(parseColour('#fff')).toEqual([255, 255, 255]);
    expect(parseColour('rgb(28, 35, 39)')).toEqual([28, 35, 39]);
    expect(parseColour('rgba(1, 2, 3, 0.5)')).toEqual([1, 2, 3]);
    expect(parseColour('rgb(1 2 3 / 50%)')).toEqual([1, 2, 3]);
    expect(parseColour('papayawhip')).toBeNull();
    expect(mixColour([200, 100, 0], [0, 0, 100], 0.5)).toEqual([100, 50, 50]);
    // Little-endian RGBA bytes: r first.
    const px = new Uint32Array([packColour([1, 2, 3])]);
    expect([...new Uint8Array(px.buffer)]).toEqual([1, 2, 3, 255]);
  });

  it('draws squares at the view position in device pixels, clipped to the raster', () => {
    const r = { data: new Uint32Array(10 * 6), width: 10, height: 6 };
    // Data (1, 1) and (4.5, 0) with scale 1, offset (0.5, 1), at dpr 2.
    const xy = new Float32Array([1, 1, 4.5, 0, NaN, 0]);
    drawSquares(r, xy, [0, 1, 2], 0, 3, { scale: 1, tx: 0.5, ty: 1 }, 2, 2, 7);
    const on = (x: number, y: number) => r.data[y * 10 + x] === 7;
    // Point 0 centres at device (3, 4): a 2×2 square over x 2..3, y 3..4.
    expect([on(2, 3), on(3, 3), on(2, 4), on(3, 4)]).toEqual([true, true, true, true]);
    expect(on(4, 4) || on(1, 3) || on(2, 5)).toBe(false);
    // Point 1 centres at device (10, 2): only its left column is inside.
    expect([on(9, 1), on(9, 2)]).toEqual([true, true]);
    expect(r.data.filter((v) => v === 7).length).toBe(6);
    // Only the given slice of the order is drawn.
    const r2 = { data: new Uint32Array(100), width: 10, height: 10 };
    drawSquares(r2, xy, [1, 0], 1, 2, { scale: 1, tx: 0, ty: 0 }, 1, 1, 9);
    expect([...r2.data.keys()].filter((i) => r2.data[i] === 9)).toEqual([11]);
  });
});
