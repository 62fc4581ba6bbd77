/**
 * The taste views' arithmetic: genre counts and averages worked out by hand,
 * a timeline whose runs cover every rating once and follow a planted change
 * of taste, and a map position that lands among the movies the taste vector
 * is nearest to.
 */
import { describe, expect, it } from 'vitest';
import {
  genreTaste,
  mapPosition,
  meanDirection,
  tasteTimeline,
  type TasteEntry,
} from '../../../src/core/recommend/taste.ts';

const e = (rating: number, at: number, ...genres: string[]): TasteEntry => ({ rating, at, genres });

describe('genreTaste', () => {
  it('counts rated and liked movies per genre with the average, most liked first', () => {
    const t = genreTaste([
      e(5, 1, 'Drama', 'Romance'),
      e(4, 2, 'Drama'),
      e(2, 3, 'Comedy', 'Romance'),
      e(3.5, 4, 'Comedy'),
      e(1, 5, 'Horror'),
    ]);
    expect(t).toEqual([
      { genre: 'Drama', rated: 2, liked: 2, average: 4.5 },
      { genre: 'Comedy', rated: 2, liked: 1, average: 2.75 },
      { genre: 'Romance', rated: 2, liked: 1, average: 3.5 },
      { genre: 'Horror', rated: 1, liked: 0, average: 1 },
    ]);
    expect(genreTaste([])).toEqual([]);
  });
});

describe('tasteTimeline', () => {
  // Ten ratings: the first five liked Westerns, the last five liked Sci-Fi, one disliked Drama in between.
  const entries = [
    ...Array.from({ length: 5 }, (_, i) => e(4.5, 100 + i, 'Western')),
    e(1, 105, 'Drama'),
    ...Array.from({ length: 5 }, (_, i) => e(5, 200 + i, 'Sci-Fi')),
  ];

  it('cuts the ratings in time order into runs that cover each rating once', () => {
    const shuffled = [...entries].reverse();
    const t = tasteTimeline(shuffled, 3);
    expect(t.slices.map((s) => s.rated)).toEqual([3, 4, 4]);
    expect(t.slices.reduce((n, s) => n + s.rated, 0)).toBe(entries.length);
    for (let i = 1; i < t.slices.length; i++)
      expect(t.slices[i]!.from).toBeGreaterThanOrEqual(t.slices[i - 1]!.to);
    expect(t.slices[0]!.from).toBe(100);
    expect(t.slices.at(-1)!.to).toBe(204);
  });

  it('follows a change of taste: Westerns early, Sci-Fi late; disliked movies count nowhere', () => {
    const t = tasteTimeline(entries, 2);
    const w = t.genres.indexOf('Western');
    const s = t.genres.indexOf('Sci-Fi');
    expect(w).toBeGreaterThanOrEqual(0);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(t.genres).not.toContain('Drama');
    expect(t.slices[0]!.liked[w]).toBe(5);
    expect(t.slices[0]!.liked[s]).toBe(0);
    expect(t.slices[1]!.liked[s]).toBe(5);
    expect(t.slices[1]!.liked[w]).toBe(0);
  });

  it('puts genres beyond the top ones in "other", and has no more runs than ratings', () => {
    const t = tasteTimeline([e(5, 1, 'A'), e(5, 2, 'A'), e(5, 3, 'B'), e(5, 4, 'C', 'A')], 10, 2);
    expect(t.genres).toEqual(['A', 'B']);
    expect(t.slices).toHaveLength(4);
    expect(t.slices[3]!.liked).toEqual([1, 0, 1]);
    expect(tasteTimeline([], 6).slices).toEqual([]);
  });
});

describe('meanDirection and mapPosition', () => {
  // Four unit vectors at the compass points; map positions far apart.
  const vectors = Float32Array.from([1, 0, 0, 1, -1, 0, 0, -1]);
  const map = Float32Array.from([10, 0, 0, 10, -10, 0, 0, -10]);

  it('is the unit mean of the rows, null without any', () => {
    const v = meanDirection(vectors, 2, [0, 1])!;
    expect(v[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(meanDirection(vectors, 2, [])).toBeNull();
    expect(meanDirection(vectors, 2, [0, 2])).toBeNull();
  });

  it('places a taste among its nearest movies on the map', () => {
    const east = Float32Array.from([1, 0.1]);
    expect(mapPosition(vectors, 2, map, east, 1)).toEqual([10, 0]);
    const ne = meanDirection(vectors, 2, [0, 1])!;
    const p = mapPosition(vectors, 2, map, ne, 2)!;
    expect(p[0]).toBeCloseTo(5, 6);
    expect(p[1]).toBeCloseTo(5, 6);
  });
});
