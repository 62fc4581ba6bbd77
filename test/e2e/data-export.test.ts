/**
 * Data out, in a real browser: the Data page's "Export as Parquet" builds the
 * dataset's Parquet files in a worker and downloads them as one zip; DuckDB
 * (in node, an independent reader) finds the imported dataset's ratings in
 * it, with the same counts and sums, and the movies' titles; nothing stored
 * changes, and no request leaves the origin.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { parquetReader, q } from '../parquet-reader.ts';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

const RATINGS = 20_000;
const SEED = 4;
let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const zip = await generatedZip('export', RATINGS, 'ml-latest', SEED);
  ({ server, browser, page } = await openWithDataset(zip, { autoBuild: false }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** Rows in each IndexedDB object store of the app's database. */
function storeCounts(): Promise<Record<string, number>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, number>>((resolve, reject) => {
        const open = indexedDB.open('wren');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names);
          const out: Record<string, number> = {};
          for (const n of names) {
            const r = tx.objectStore(n).count();
            r.onsuccess = () => (out[n] = r.result);
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

describe('Export as Parquet on the Data page', () => {
  it('downloads a zip of Parquet files that DuckDB reads with the dataset’s rows', async () => {
    await page.goto(`${server.url}#/data`);
    const before = await storeCounts();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-parquet').first().click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^[a-z0-9-]+-parquet\.zip$/);
    mkdirSync(SHOTS, { recursive: true });
    const zipPath = join(SHOTS, 'data-export-parquet.zip');
    await file.saveAs(zipPath);
    const status = page.getByRole('status').filter({ hasText: 'Exported' });
    await status.waitFor();
    expect(await status.textContent()).toContain('ratings.parquet');
    await page.screenshot({ path: join(SHOTS, 'data-export-parquet.png'), fullPage: true });
    expect(await storeCounts()).toEqual(before);

    const entries = unzipSync(readFileSync(zipPath));
    expect(Object.keys(entries).sort()).toEqual([
      'movie_features.parquet',
      'movies.parquet',
      'next_item.parquet',
      'ratings.parquet',
      'samples.parquet',
      'tag_counts.parquet',
    ]);
    const dir = join(SHOTS, 'data-export-parquet');
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(entries)) writeFileSync(join(dir, name), bytes);

    // The archive was made from this generated dataset: its MovieLens ids, stars and times.
    const ds = generateDataset({ ratings: RATINGS, seed: SEED });
    const movieIds: number[] = [];
    for (const m of ds.movies) movieIds[m.index] = m.movieId;
    let users = 0, movies = 0, half = 0, times = 0; // prettier-ignore
    for (let i = 0; i < RATINGS; i++) {
      users += ds.users[ds.ratings.user[i]!]!.userId;
      movies += movieIds[ds.ratings.movie[i]!]!;
      half += ds.ratings.rating[i]!;
      times += ds.ratings.timestamp[i]!;
    }
    const db = await parquetReader();
    try {
      const ratings = q(join(dir, 'ratings.parquet'));
      const [r] = await db.rows(
        `select count(*) as n, sum(userId) as u, sum(movieId) as m, sum(rating) as r, sum(timestamp) as t from ${ratings}`,
      );
      expect([r!.n, r!.u, r!.m, r!.r, r!.t].map(Number)).toEqual([
        RATINGS,
        users,
        movies,
        half / 2,
        times,
      ]);
      for (const m of [ds.movies[0]!, ds.movies[7]!, ds.movies.at(-1)!]) {
        const [row] = await db.rows(
          `select title from ${q(join(dir, 'movies.parquet'))} where movieId = ${m.movieId}`,
        );
        expect(row?.title).toBe(m.title);
      }
      const tags = await db.number(`select sum(count) from ${q(join(dir, 'tag_counts.parquet'))}`);
      expect(tags).toBe(ds.tags.length);
      const samples = await db.number(`select count(*) from ${q(join(dir, 'samples.parquet'))}`);
      expect(samples).toBe(RATINGS);
    } finally {
      db.close();
    }
  });

  it('sends no request outside the origin, the export worker included', () => {
    const origin = new URL(server.url).origin;
    expect(browser.requests.some((u) => /export\.worker/.test(u))).toBe(true);
    const outside = browser.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'),
    );
    expect(outside).toEqual([]);
  });
});
