/**
 * Helpers for the feature tests: tiny hand-made datasets and a slow,
 * obviously-correct reference for the user features.
 */
import type { RatingColumns } from '../../../src/core/data/types.ts';
import { expect } from 'vitest';
import type { MovieMeta } from '../../../src/core/features/movie-features.ts';
import type { UserFeatureColumns } from '../../../src/core/features/user-features.ts';

/** [movie, half stars, timestamp] */
export type Row = [number, number, number];

/** Rating columns from per-user rows (kept in the given order; callers sort them). */
export function columns(users: Row[][]): RatingColumns {
  const n = users.reduce((s, u) => s + u.length, 0);
  const c: RatingColumns = {
    user: new Int32Array(n),
    movie: new Int32Array(n),
    rating: new Uint8Array(n),
    timestamp: new Uint32Array(n),
    userOffsets: new Int32Array(users.length + 1),
  };
  let i = 0;
  users.forEach((rows, u) => {
    for (const [m, r, t] of rows) {
      c.user[i] = u;
      c.movie[i] = m;
      c.rating[i] = r;
      c.timestamp[i] = t;
      i++;
    }
    c.userOffsets[u + 1] = i;
  });
  return c;
}

/** MovieMeta from years (null = unknown) and genre index lists. */
export function meta(years: (number | null)[], genres: number[][]): MovieMeta {
  const M = years.length;
  const first = new Int8Array(M * 3).fill(-1);
  const offsets = new Int32Array(M + 1);
  const list: number[] = [];
  for (let m = 0; m < M; m++) {
    const g = genres[m] ?? [];
    g.slice(0, 3).forEach((x, j) => (first[m * 3 + j] = x));
    list.push(...g);
    offsets[m + 1] = list.length;
  }
  return {
    year: Int16Array.from(years, (y) => y ?? 0),
    genres: first,
    genreOffsets: offsets,
    genreList: Int8Array.from(list),
  };
}

export interface NaiveRow {
  count: number;
  avgRating: number;
  stdRating: number;
  avgYear: number;
  stdYear: number;
  lastPositives: number[];
  topGenres: number[];
}

function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
}

const mean = (xs: number[]): number =>
  xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;

/** User features of row i, computed directly from its window. */
export function naiveRow(
  r: RatingColumns,
  mm: MovieMeta,
  i: number,
  opts: { window?: number; threshold?: number; genresFrom?: 'positives' | 'all' } = {},
): NaiveRow {
  const W = opts.window ?? 100;
  const T = opts.threshold ?? 7;
  const u = r.user[i]!;
  const rows: number[] = [];
  for (let j = Math.max(r.userOffsets[u]!, i - W); j < i; j++) rows.push(j);
  const stars = rows.map((j) => r.rating[j]! / 2);
  const years = rows.map((j) => mm.year[r.movie[j]!]!).filter((y) => y !== 0);
  const positives = rows.filter((j) => r.rating[j]! >= T);
  const counted = opts.genresFrom === 'all' ? rows : positives;
  const genreCount = new Map<number, number>();
  for (const j of counted) {
    const m = r.movie[j]!;
    for (let k = mm.genreOffsets[m]!; k < mm.genreOffsets[m + 1]!; k++) {
      const g = mm.genreList[k]!;
      genreCount.set(g, (genreCount.get(g) ?? 0) + 1);
    }
  }
  const top = [...genreCount.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 5)
    .map(([g]) => g);
  const last = positives
    .reverse()
    .slice(0, 5)
    .map((j) => r.movie[j]!);
  const pad = (xs: number[]) => [...xs, ...Array<number>(5 - xs.length).fill(-1)];
  return {
    count: rows.length,
    avgRating: mean(stars),
    stdRating: sampleStd(stars),
    avgYear: mean(years),
    stdYear: sampleStd(years),
    lastPositives: pad(last),
    topGenres: pad(top),
  };
}

/** Row k of computed columns, in the reference's shape. */
export function rowOf(c: UserFeatureColumns, k: number): NaiveRow {
  return {
    count: c.count[k]!,
    avgRating: c.avgRating[k]!,
    stdRating: c.stdRating[k]!,
    avgYear: c.avgYear[k]!,
    stdYear: c.stdYear[k]!,
    lastPositives: Array.from(c.lastPositives.subarray(k * 5, k * 5 + 5)),
    topGenres: Array.from(c.topGenres.subarray(k * 5, k * 5 + 5)),
  };
}

/** Fails with the first row (and field) where computed columns and the reference differ. */
export function expectMatchesNaive(
  r: RatingColumns,
  mm: MovieMeta,
  c: UserFeatureColumns,
  opts: { window?: number; genresFrom?: 'positives' | 'all' } = {},
): void {
  for (let k = 0; k < c.count.length; k++) {
    const got = rowOf(c, k);
    const want = naiveRow(r, mm, c.start + k, opts);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
    const ok =
      got.count === want.count &&
      close(got.avgRating, want.avgRating) &&
      close(got.stdRating, want.stdRating) &&
      close(got.avgYear, want.avgYear) &&
      close(got.stdYear, want.stdYear) &&
      got.lastPositives.join() === want.lastPositives.join() &&
      got.topGenres.join() === want.topGenres.join();
    if (!ok) expect(got, `row ${c.start + k}`).toEqual(want);
  }
}

/**
 * Three users, four movies, genres Action 0, Comedy 1, Drama 2, Horror 3.
 * m0 1995 [Action, Comedy]; m1 2000 [Drama]; m2 unknown year
 * [Comedy, Drama, Horror, Action] (four genres); m3 2010, no genre.
 * u0: m0 4★ t100, m1 2★ t200, m2 5★ t200, m3 3.5★ t300 — rows 0-3
 * u1: m1 3★ t150, m0 4.5★ t400 — rows 4-5 (row 5 is after the 80% cutoff, 300)
 * u2: m3 1★ t50 — row 6
 */
export function tiny(): { ratings: RatingColumns; meta: MovieMeta } {
  return {
    ratings: columns([
      [
        [0, 8, 100],
        [1, 4, 200],
        [2, 10, 200],
        [3, 7, 300],
      ],
      [
        [1, 6, 150],
        [0, 9, 400],
      ],
      [[3, 2, 50]],
    ]),
    meta: meta([1995, 2000, null, 2010], [[0, 1], [2], [1, 2, 3, 0], []]),
  };
}
