/**
 * The genuine MovieLens files in ../shared/datasets (WREN_DATASETS), when
 * present. The same code paths are covered on generated data in the other tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importMovieLens } from '../../../src/core/data/import.ts';
import { bytesInput } from '../../../src/core/data/sources.ts';
import type { Dataset, Progress } from '../../../src/core/data/types.ts';
import { DATASETS, file, has } from './helpers.ts';

const read = (p: string): Uint8Array => readFileSync(path.join(DATASETS, p));

function folder(dir: string, extra: Record<string, string> = {}) {
  const files = readdirSync(path.join(DATASETS, dir)).map((n) =>
    file(`${dir}/${n}`, read(`${dir}/${n}`), 1 << 20),
  );
  for (const [n, c] of Object.entries(extra)) files.push(file(`${dir}/${n}`, c));
  return { kind: 'files' as const, files };
}

/** Ratings per star value, as in the datasets README. */
function perRating(ds: Dataset): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of ds.ratings.rating) out[(r / 2).toFixed(1)] = (out[(r / 2).toFixed(1)] ?? 0) + 1;
  return out;
}

function checkSorted(ds: Dataset): void {
  const r = ds.ratings;
  expect(r.userOffsets[0]).toBe(0);
  expect(r.userOffsets[ds.users.length]).toBe(r.user.length);
  for (let u = 0; u < ds.users.length; u++) {
    expect(ds.users[u]!.ratingCount).toBe(r.userOffsets[u + 1]! - r.userOffsets[u]!);
    for (let i = r.userOffsets[u]! + 1; i < r.userOffsets[u + 1]!; i++) {
      const ok =
        r.timestamp[i - 1]! < r.timestamp[i]! ||
        (r.timestamp[i - 1] === r.timestamp[i] && r.movie[i - 1]! < r.movie[i]!);
      if (!ok) expect.fail(`ratings out of order at ${i}`);
    }
  }
}

describe.skipIf(!has('ml-latest-small.zip') || !has('ml-latest-small/ratings.csv'))(
  'ml-latest-small',
  () => {
    let zipped: Dataset;

    it('imports the zip: 100,836 ratings, 610 users, 9,742 movies, 3,683 tags', async () => {
      const seen: Progress[] = [];
      const zip = read('ml-latest-small.zip');
      zipped = await importMovieLens(bytesInput('ml-latest-small.zip', zip), {
        onProgress: (p) => seen.push(p),
      });
      const ds = zipped;
      expect(ds.name).toBe('ml-latest-small');
      expect(ds.format).toBe('ml-csv');
      expect([ds.ratings.user.length, ds.users.length, ds.movies.length, ds.tags.length]).toEqual([
        100836, 610, 9742, 3683,
      ]);
      expect(ds.movies.filter((m) => m.ratingCount > 0)).toHaveLength(9724);
      expect(perRating(ds)).toEqual({
        '0.5': 1370,
        '1.0': 2811,
        '1.5': 1791,
        '2.0': 7551,
        '2.5': 5550,
        '3.0': 20047,
        '3.5': 13136,
        '4.0': 26818,
        '4.5': 8551,
        '5.0': 13211,
      });
      expect(Math.min(...ds.ratings.timestamp)).toBe(828124615);
      expect(Math.max(...ds.ratings.timestamp)).toBe(1537799250);
      expect([ds.minRating, ds.maxRating]).toEqual([1, 10]);
      expect(ds.skipped).toEqual({ badRows: 0, unknownMovies: 0, duplicates: 0, samples: [] });
      expect(ds.genres).toHaveLength(19);
      expect(ds.genres).toContain('IMAX');
      const ap = ds.movies.find((m) => m.title === 'American President, The (1995)')!;
      expect(ap).toMatchObject({ year: 1995, genres: ['Comedy', 'Drama', 'Romance'] });
      expect(ds.movies[0]).toMatchObject({
        movieId: 1,
        title: 'Toy Story (1995)',
        imdbId: '0114709',
        tmdbId: 862,
      });
      expect(ds.movies.filter((m) => m.tmdbId === null)).toHaveLength(8);
      expect(ds.movies.at(-1)!.movieId).toBe(193609);
      expect(ds.users.map((u) => u.userId)).toEqual(Array.from({ length: 610 }, (_, i) => i + 1));
      checkSorted(ds);
      const last = seen.at(-1)!;
      expect([last.stage, last.done]).toEqual(['index', last.total]);
      expect(seen.filter((p) => p.stage === 'read').at(-1)).toMatchObject({
        done: zip.length,
        total: zip.length,
        rows: 100836,
      });
    });

    it('gives the same dataset from the folder', async () => {
      const ds = await importMovieLens(folder('ml-latest-small'));
      expect(ds.name).toBe('ml-latest-small');
      // JSON and byte comparisons: a deep toEqual over 100k rows is slow.
      expect(JSON.stringify([ds.movies, ds.users, ds.tags])).toBe(
        JSON.stringify([zipped.movies, zipped.users, zipped.tags]),
      );
      for (const k of ['user', 'movie', 'rating', 'timestamp', 'userOffsets'] as const)
        expect(
          Buffer.from(ds.ratings[k].buffer).equals(Buffer.from(zipped.ratings[k].buffer)),
          k,
        ).toBe(true);
    });
  },
);

describe.skipIf(!has('ml-100k.zip'))('ml-100k', () => {
  it('imports the zip: 100,000 ratings, 943 users, 1,682 movies, whole stars, latin-1 titles', async () => {
    const ds = await importMovieLens(bytesInput('ml-100k.zip', read('ml-100k.zip')));
    expect(ds.format).toBe('ml-100k');
    expect([ds.ratings.user.length, ds.users.length, ds.movies.length, ds.tags.length]).toEqual([
      100000, 943, 1682, 0,
    ]);
    expect(perRating(ds)).toEqual({
      '1.0': 6110,
      '2.0': 11370,
      '3.0': 27145,
      '4.0': 34174,
      '5.0': 21201,
    });
    expect([ds.minRating, ds.maxRating]).toEqual([2, 10]);
    expect(ds.movies.some((m) => m.title === 'Misérables, Les (1995)')).toBe(true);
    expect(ds.movies.every((m) => !m.title.includes('\uFFFD') && m.imdbId === null)).toBe(true);
    expect(ds.genres).toHaveLength(18);
    expect(ds.movies[0]).toMatchObject({
      title: 'Toy Story (1995)',
      year: 1995,
      genres: ['Animation', "Children's", 'Comedy'],
    });
    expect(
      ds.users.every((u) => u.ratingCount >= 20 && u.age !== null && u.occupation !== null),
    ).toBe(true);
    expect(Math.min(...ds.ratings.timestamp)).toBe(874724710);
    expect(Math.max(...ds.ratings.timestamp)).toBe(893286638);
    checkSorted(ds);
  });
});

describe.skipIf(!has('ml-1m-partial/movies.dat'))('ml-1m-partial with generated ratings', () => {
  it('imports movies.dat and users.dat paired with a ratings.dat', async () => {
    const lines: string[] = [];
    for (let u = 1; u <= 6040; u++)
      for (const m of [1, 2, 3952])
        lines.push(`${u}::${m}::${1 + ((u + m) % 5)}::${978300000 + u}`);
    const ds = await importMovieLens(
      folder('ml-1m-partial', { 'ratings.dat': lines.join('\n') + '\n' }),
    );
    expect(ds.format).toBe('ml-dat');
    expect([ds.ratings.user.length, ds.users.length, ds.movies.length]).toEqual([
      18120, 6040, 3883,
    ]);
    expect(ds.users.filter((u) => u.gender === 'F')).toHaveLength(1709);
    expect(ds.users[0]).toMatchObject({
      userId: 1,
      gender: 'F',
      age: 1,
      occupation: 'K-12 student',
      zip: '48067',
    });
    expect(ds.genres).toContain("Children's");
    expect(ds.genres).not.toContain('IMAX');
    expect(ds.movies.some((m) => m.title === 'Misérables, Les (1995)')).toBe(true);
  });
});

describe.skipIf(!has('sparrow-sample-partial/movies.csv'))(
  'sparrow-sample-partial with generated ratings',
  () => {
    it('reads LF files without a final newline', async () => {
      const ratings = 'userId,movieId,rating,timestamp\n1,1,4.0,1\n2,2,3.5,2\n';
      const ds = await importMovieLens(
        folder('sparrow-sample-partial', { 'ratings.csv': ratings }),
      );
      expect(ds.movies).toHaveLength(982);
      expect(ds.movies[0]).toMatchObject({ movieId: 1, imdbId: '0114709', tmdbId: 862 });
      expect(ds.movies.at(-1)!.imdbId).not.toBeNull();
    });
  },
);
