/**
 * `wren export`: writes the Parquet files of a MovieLens folder and says what
 * it wrote (DuckDB reads them back with the dataset's rows); a bad --format
 * exits 2 with the reason, and a folder that cannot be written exits 1
 * before the data is read, leaving nothing behind.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { parquetReader, q, type ParquetReader } from '../parquet-reader.ts';
import { tempDir, wren, writeMovieLens } from './cli-harness.ts';

let dir: string;
let data: string;
let db: ParquetReader;
const ds = generateDataset({ ratings: 4_000, seed: 8, tags: 150 });

beforeAll(async () => {
  dir = tempDir('wren-cli-export-');
  data = writeMovieLens(dir, 'ml-gen', ds);
  db = await parquetReader();
});
afterAll(() => db.close());

describe('wren export', () => {
  it('writes the files and prints each with its rows (no users.parquet: ml-latest has no users file)', async () => {
    const out = join(dir, 'out', 'nested');
    const r = await wren('export', '--data', data, '--format', 'parquet', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ml-gen: 6 Parquet files in ${out}`);
    expect(r.stdout).toMatch(/ratings\.parquet\s+4,000 rows/);
    expect(r.stdout).toMatch(/tags\.parquet\s+150 rows/);
    expect(readdirSync(out).sort()).toEqual([
      'movie_features.parquet',
      'movies.parquet',
      'next_item.parquet',
      'ratings.parquet',
      'samples.parquet',
      'tags.parquet',
    ]);
    const n = await db.number(`select count(*) from ${q(join(out, 'ratings.parquet'))}`);
    expect(n).toBe(ds.ratings.user.length);
    const stars = await db.number(`select sum(rating) from ${q(join(out, 'ratings.parquet'))}`);
    let half = 0;
    for (const h of ds.ratings.rating) half += h;
    expect(stars).toBe(half / 2);
  });

  it('prints JSON with each file, its rows, bytes and path', async () => {
    const out = join(dir, 'json');
    const r = await wren('export', '--data', data, '--out', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      format: string;
      files: { name: string; rows: number; bytes: number; path: string }[];
    };
    expect(j.format).toBe('parquet');
    const movies = j.files.find((x) => x.name === 'movies.parquet')!;
    expect(movies.rows).toBe(ds.movies.length);
    expect(movies.path).toBe(join(out, 'movies.parquet'));
    expect(movies.bytes).toBeGreaterThan(1000);
  });

  it('exits 2 with the reason on an unknown format or a missing --out', async () => {
    const bad = await wren('export', '--data', data, '--format', 'csv', '--out', join(dir, 'x'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('export --format takes parquet, found "csv"');
    const noOut = await wren('export', '--data', data);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('export needs --out <dir>');
  });

  it('exits 1 on a folder that cannot be made, and writes nothing', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await wren('export', '--data', data, '--out', join(file, 'out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a part of the path is a file, not a folder (ENOTDIR)');
  });
});
