/**
 * The Parquet export read back by DuckDB, an independent reader: every file
 * has the dataset's rows (counts and sums of ids, stars and timestamps), the
 * documented column types, several SNAPPY row groups, and the features the
 * core computes; tag counts (the store's form) and a dataset without
 * demographics write the files they should.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../src/core/data/synthetic.ts';
import {
  exportParquet,
  type ExportSource,
  type ExportedFile,
} from '../../../src/core/data/parquet-export.ts';
import type { Dataset } from '../../../src/core/data/types.ts';
import { movieFeatures, movieMetaFromMovies } from '../../../src/core/features/movie-features.ts';
import { countTrain, timeSplitCutoff } from '../../../src/core/features/split.ts';
import { userFeatures } from '../../../src/core/features/user-features.ts';
import { nextItemSplit } from '../../../src/core/eval/next-item.ts';
import { parquetReader, q, type ParquetReader } from '../../parquet-reader.ts';
import { tempDir } from '../cli-harness.ts';

const GROUP = 1_500;
const ds = generateDataset({ ratings: 8_000, seed: 11, tags: 400 });

function source(
  d: Dataset,
  tags: ExportSource['tags'] = { kind: 'rows', rows: d.tags },
): ExportSource {
  return {
    name: d.name,
    movies: d.movies,
    users: d.users,
    hasDemographics: d.users.some((u) => u.gender !== null || u.age !== null),
    ratings: d.ratings,
    genres: d.genres,
    tags,
  };
}

/** Exports into a new folder; returns it, the files and how many writes each file's sink took. */
async function exportTo(
  src: ExportSource,
): Promise<{ dir: string; files: ExportedFile[]; writes: Map<string, number> }> {
  const dir = tempDir('wren-parquet-');
  const writes = new Map<string, number>();
  const files = await exportParquet(src, {
    rowGroupRows: GROUP,
    open(name) {
      const fd = openSync(join(dir, name), 'w');
      writes.set(name, 0);
      return {
        write: (b) => {
          writes.set(name, writes.get(name)! + 1);
          writeSync(fd, b);
        },
        close: () => closeSync(fd),
      };
    },
  });
  return { dir, files, writes };
}

let db: ParquetReader;
let dir: string;
let files: ExportedFile[];
let writes: Map<string, number>;
const f = (name: string): string => q(join(dir, name));

beforeAll(async () => {
  db = await parquetReader();
  ({ dir, files, writes } = await exportTo(source(ds)));
});
afterAll(() => db.close());

const sum = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
};

describe('exportParquet read back by DuckDB', () => {
  it('writes the files of a dataset with tags and demographics, with their row counts', () => {
    expect(files.map((x) => [x.name, x.rows])).toEqual([
      ['ratings.parquet', ds.ratings.user.length],
      ['movies.parquet', ds.movies.length],
      ['users.parquet', ds.users.length],
      ['tags.parquet', ds.tags.length],
      ['movie_features.parquet', ds.movies.length],
      ['samples.parquet', ds.ratings.user.length],
      ['next_item.parquet', sum(Array.from(ds.ratings.rating, (h) => (h >= 7 ? 1 : 0)))],
    ]);
  });

  it('has the same ratings: counts and sums of MovieLens ids, stars and timestamps', async () => {
    const r = ds.ratings;
    const userIds = ds.users.map((u) => u.userId);
    const movieIds: number[] = [];
    for (const m of ds.movies) movieIds[m.index] = m.movieId;
    const got = (
      await db.rows(
        `select count(*) as n, sum(userId) as u, sum(movieId) as m, sum(rating) as r, sum(timestamp) as t from ${f('ratings.parquet')}`,
      )
    )[0]!;
    expect(Number(got.n)).toBe(r.user.length);
    expect(Number(got.u)).toBe(sum(Array.from(r.user, (u) => userIds[u]!)));
    expect(Number(got.m)).toBe(sum(Array.from(r.movie, (m) => movieIds[m]!)));
    expect(Number(got.r)).toBe(sum(r.rating) / 2);
    expect(Number(got.t)).toBe(sum(r.timestamp));
    // MovieLens ids, not indexes: the synthetic ids are sparse, so the two differ.
    expect(sum(Array.from(r.movie, (m) => movieIds[m]!))).not.toBe(sum(r.movie));
    // Row order is the dataset's: the first and last rows match.
    const [first] = await db.rows(`select * from ${f('ratings.parquet')} limit 1`);
    expect(first).toEqual({
      userId: userIds[r.user[0]!],
      movieId: movieIds[r.movie[0]!],
      rating: r.rating[0]! / 2,
      timestamp: String(r.timestamp[0]),
    });
  });

  it('has the movies with their titles, genres as "A|B" and years', async () => {
    const some = [ds.movies[0]!, ds.movies[ds.movies.length >> 1]!, ds.movies.at(-1)!];
    for (const m of some) {
      const [row] = await db.rows(
        `select title, genres, year, ratingCount from ${f('movies.parquet')} where movieId = ${m.movieId}`,
      );
      expect(row).toEqual({
        title: m.title,
        genres: m.genres.join('|') || '(no genres listed)',
        year: m.year,
        ratingCount: m.ratingCount,
      });
    }
    expect(await db.number(`select count(distinct movieId) from ${f('movies.parquet')}`)).toBe(
      ds.movies.length,
    );
  });

  it('has the users and tags with MovieLens ids', async () => {
    const u = ds.users[3]!;
    const [row] = await db.rows(`select * from ${f('users.parquet')} where userId = ${u.userId}`);
    expect(row).toEqual({
      userId: u.userId,
      gender: u.gender,
      age: u.age,
      occupation: u.occupation,
      zip: u.zip,
    });
    const tags = await db.rows(
      `select count(*) as n, sum(userId) as u, sum(timestamp) as t from ${f('tags.parquet')}`,
    );
    expect(Number(tags[0]!.n)).toBe(ds.tags.length);
    expect(Number(tags[0]!.u)).toBe(sum(ds.tags.map((t) => t.userId)));
    expect(Number(tags[0]!.t)).toBe(sum(ds.tags.map((t) => t.timestamp)));
  });

  it('has the documented column types', async () => {
    const types = async (name: string): Promise<string[]> =>
      (await db.schema(join(dir, name))).map(
        (c) => `${c.name}:${c.type}${c.converted ? `/${c.converted}` : ''}`,
      );
    expect(await types('ratings.parquet')).toEqual([
      'userId:INT32',
      'movieId:INT32',
      'rating:FLOAT',
      'timestamp:INT64',
    ]);
    expect(await types('movies.parquet')).toEqual([
      'movieId:INT32',
      'title:BYTE_ARRAY/UTF8',
      'genres:BYTE_ARRAY/UTF8',
      'year:INT32',
      'imdbId:BYTE_ARRAY/UTF8',
      'tmdbId:INT32',
      'ratingCount:INT32',
      'ratingAvg:DOUBLE',
    ]);
    expect(await types('tags.parquet')).toEqual([
      'userId:INT32',
      'movieId:INT32',
      'tag:BYTE_ARRAY/UTF8',
      'timestamp:INT64',
    ]);
    const samples = await types('samples.parquet');
    expect(samples.slice(0, 6)).toEqual([
      'userId:INT32',
      'movieId:INT32',
      'rating:FLOAT',
      'timestamp:INT64',
      'label:INT32',
      'train:BOOLEAN',
    ]);
    expect(samples).toContain('userRatedMovie5:INT32');
    expect(samples).toContain('userGenre5:BYTE_ARRAY/UTF8');
  });

  it('is written in SNAPPY row groups of the size asked, each handed to the sink as it is done', async () => {
    const layout = await db.layout(join(dir, 'ratings.parquet'));
    expect(layout.rowGroups).toBe(Math.ceil(ds.ratings.user.length / GROUP));
    expect(layout.codecs).toEqual(['SNAPPY']);
    expect(writes.get('ratings.parquet')!).toBeGreaterThanOrEqual(layout.rowGroups);
  });

  it('holds the sparrow-ctr features the core computes', async () => {
    const meta = movieMetaFromMovies(ds.movies, ds.genres);
    const cutoff = timeSplitCutoff(ds.ratings.timestamp);
    const mf = movieFeatures(ds.ratings, meta, { cutoff });
    const n = ds.ratings.user.length;
    const uf = userFeatures(ds.ratings, meta, 0, n);
    const s = (
      await db.rows(
        `select sum(label) as pos, sum(train::int) as train, sum(userRatingCount) as c, sum(userAvgRating) as avg, count(userRatedMovie1) as last1 from ${f('samples.parquet')}`,
      )
    )[0]!;
    expect(Number(s.pos)).toBe(sum(Array.from(ds.ratings.rating, (h) => (h >= 7 ? 1 : 0))));
    expect(Number(s.train)).toBe(countTrain(ds.ratings.timestamp, cutoff));
    expect(Number(s.c)).toBe(sum(uf.count));
    expect(Number(s.avg)).toBeCloseTo(sum(uf.avgRating), 1);
    expect(Number(s.last1)).toBe(
      sum(Array.from({ length: n }, (_, i) => (uf.lastPositives[i * 5]! >= 0 ? 1 : 0))),
    );
    const m = (
      await db.rows(
        `select sum(movieRatingCount) as c, count(movieGenre1) as g1 from ${f('movie_features.parquet')}`,
      )
    )[0]!;
    expect(Number(m.c)).toBe(sum(mf.ratingCount));
    expect(Number(m.g1)).toBe(ds.movies.filter((x) => x.genres.length > 0).length);
    // The cutoff travels in the file's key-value metadata.
    const [kv] = await db.rows(
      `select decode(value) as v from parquet_kv_metadata(${f('movie_features.parquet')}) where decode(key) = 'wren.cutoff'`,
    );
    expect(Number(kv!.v)).toBe(cutoff);
  });
});

describe('next_item.parquet', () => {
  it('holds the next-item protocol’s training sequences and held-out movies, as nextItemSplit splits them', async () => {
    const split = nextItemSplit(ds.ratings);
    const userIds = ds.users.map((u) => u.userId);
    const movieIds: number[] = [];
    for (const m of ds.movies) movieIds[m.index] = m.movieId;
    // What a trainer elsewhere reads: the rows not held out, in each user's order.
    const train = await db.rows(
      `select userId, list(movieId order by position) as seq from ${f('next_item.parquet')} where not heldOut group by userId order by userId`,
    );
    const want: { userId: number; seq: number[] }[] = [];
    const { offsets, items } = split.train;
    for (let u = 0; u + 1 < offsets.length; u++) {
      if (offsets[u + 1]! > offsets[u]!)
        want.push({
          userId: userIds[u]!,
          seq: Array.from(items.subarray(offsets[u]!, offsets[u + 1]!), (m) => movieIds[m]!),
        });
    }
    want.sort((a, b) => a.userId - b.userId);
    expect(train).toEqual(want);
    const held = await db.rows(
      `select userId, movieId from ${f('next_item.parquet')} where heldOut order by userId`,
    );
    const wantHeld = Array.from(split.users, (u, i) => ({
      userId: userIds[u]!,
      movieId: movieIds[split.heldOut[i]!]!,
    })).sort((a, b) => a.userId - b.userId);
    expect(held.length).toBeGreaterThan(10);
    expect(held).toEqual(wantHeld);
    // One held-out movie per user at most, and it is the user's last positive.
    const late = await db.number(
      `select count(*) from ${f('next_item.parquet')} a join ${f('next_item.parquet')} b using (userId) where a.heldOut and b.position > a.position`,
    );
    expect(late).toBe(0);
  });
});

describe('exportParquet variants', () => {
  it('writes tag_counts.parquet from per-movie counts and no users.parquet without demographics', async () => {
    const plain = generateDataset({ ratings: 3_000, seed: 4, tags: 200, demographics: false });
    const counts = new Map<number, Map<string, number>>();
    for (const t of plain.tags) {
      const m = counts.get(t.movie) ?? new Map<string, number>();
      m.set(t.tag, (m.get(t.tag) ?? 0) + 1);
      counts.set(t.movie, m);
    }
    const rows = [...counts].map(([movie, m]) => ({
      movie,
      tags: [...m].map(([tag, count]) => ({ tag, count })),
    }));
    const out = await exportTo(source(plain, { kind: 'counts', rows }));
    expect(out.files.map((x) => x.name)).toEqual([
      'ratings.parquet',
      'movies.parquet',
      'tag_counts.parquet',
      'movie_features.parquet',
      'samples.parquet',
      'next_item.parquet',
    ]);
    expect(existsSync(join(out.dir, 'users.parquet'))).toBe(false);
    const total = await db.number(
      `select sum(count) from ${q(join(out.dir, 'tag_counts.parquet'))}`,
    );
    expect(total).toBe(plain.tags.length);
  });

  it('refuses a dataset without ratings', async () => {
    const empty = { ...ds, ratings: { ...ds.ratings, user: new Int32Array(0) } };
    await expect(exportTo(source(empty))).rejects.toThrow(/no ratings/);
  });
});
