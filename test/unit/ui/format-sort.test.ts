import { describe, expect, it } from 'vitest';
import type { Movie } from '../../../src/core/data/types.ts';
import {
  formatBytes,
  formatCount,
  formatSeconds,
  halfStarsLabel,
  plural,
} from '../../../src/ui/lib/format.ts';
import { sortForDisplay } from '../../../src/ui/lib/sort.ts';

describe('format', () => {
  it('formats counts, sizes, durations and stars', () => {
    expect(formatCount(100836)).toBe('100,836');
    expect(plural(1, 'rating')).toBe('1 rating');
    expect(plural(2, 'person', 'people')).toBe('2 people');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(512_000_000)).toBe('512 MB');
    expect(formatBytes(10_737_418_240)).toBe('10.7 GB');
    expect(formatSeconds(0.42)).toBe('0.4 s');
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(185)).toBe('3 min 5 s');
    expect(formatSeconds(7800)).toBe('2 h 10 min');
    expect(formatSeconds(Number.NaN)).toBe('–');
    expect(halfStarsLabel(7)).toBe('3.5');
    expect(halfStarsLabel(8)).toBe('4');
  });
});

const movie = (
  index: number,
  title: string,
  year: number | null,
  count: number,
  avg: number,
): Movie => ({
  index,
  movieId: index + 1,
  title,
  year,
  genres: ['Drama'],
  imdbId: null,
  tmdbId: null,
  ratingCount: count,
  ratingAvg: avg,
  histogram: [],
});

describe('sortForDisplay', () => {
  const rows = (): Movie[] => [
    movie(0, 'Zulu (1964)', 1964, 10, 3.5),
    movie(1, 'American President, The (1995)', 1995, 70, 3.7),
    movie(2, 'One Hit Wonder (2001)', 2001, 1, 5),
    movie(3, 'Classic, The (1950)', 1950, 200, 4.3),
    movie(4, 'Unrated (2020)', 2020, 0, 0),
    movie(5, 'No Year', null, 5, 3),
  ];
  const order = (s: Parameters<typeof sortForDisplay>[1]): number[] =>
    sortForDisplay(rows(), s).map((m) => m.index);

  it('sorts by rating count', () => expect(order('count')).toEqual([3, 1, 0, 5, 2, 4]));

  it('sorts "top rated" by a Bayesian average, so one 5-star rating is not first', () => {
    // Mean 4.10, weight 10 (median count): 4.29, 4.18, 3.80, 3.75, 3.73; unrated last.
    expect(order('rating')).toEqual([3, 2, 0, 1, 5, 4]);
  });

  it('sorts newest first with unknown years last, and titles as MovieLens writes them', () => {
    expect(order('year')).toEqual([4, 2, 1, 0, 3, 5]);
    expect(order('title')).toEqual([1, 3, 5, 2, 4, 0]);
  });
});
