/**
 * The movie page's similar movies keep the chosen embedding, the rating
 * counts and the rows they showed in memory between pages: in a real browser,
 * without a reload in between, the list follows every change of the choice
 * made in the Lab (a new embedding stored by the worker, "Use for similar
 * movies", a delete), and a movie with fewer than 10 ratings is never listed
 * however near it is. Two word2vec files with known neighbours stand in for
 * trained embeddings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;

/** The movie whose page is visited, its two neighbourhoods (movie indexes) and a rare movie. */
let q = 0;
let nearA: number[] = [];
let nearB: number[] = [];
let rare = 0;
let fileA = '';
let fileB = '';

beforeAll(async () => {
  const zip = await generatedZip('similar-cache', 20_000, 'ml-latest', 5);
  ({ server, browser, page } = await openWithDataset(zip, { autoBuild: false }));
  const { movieIds, ratingCounts } = await idMap();
  const byCount = movieIds.map((_, i) => i).sort((a, b) => ratingCounts[b]! - ratingCounts[a]!);
  const wellRated = byCount.filter((i) => ratingCounts[i]! >= 10);
  expect(wellRated.length).toBeGreaterThan(30);
  q = wellRated[0]!;
  nearA = wellRated.slice(1, 13);
  nearB = wellRated.slice(13, 25);
  const rares = byCount.filter((i) => ratingCounts[i]! < 10);
  expect(rares.length).toBeGreaterThan(0);
  rare = rares[0]!;
  /**
   * 4-d vectors: q along the first axis, its 12 neighbours at 1°…12° from it
   * (the rare movie nearer still, at 0.5°), every other movie far off.
   */
  const file = (name: string, near: number[]): string => {
    const at = new Map<number, number>(near.map((i, k) => [i, k + 1]));
    at.set(rare, 0.5);
    const lines = movieIds.map((id, i) => {
      const deg = i === q ? 0 : at.get(i);
      const v =
        deg === undefined
          ? [0.05, 0, Math.cos(i), Math.sin(i)]
          : [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0, 0];
      return `${id} ${v.map((x) => x.toFixed(6)).join(' ')}`;
    });
    const path = join(SHOTS, name);
    writeFileSync(path, `${movieIds.length} 4\n${lines.join('\n')}\n`);
    return path;
  };
  fileA = file('similar-a.txt', nearA);
  fileB = file('similar-b.txt', nearB);
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** The dataset's MovieLens ids and rating counts by movie index, read from IndexedDB in the page. */
function idMap(): Promise<{ movieIds: number[]; ratingCounts: number[] }> {
  return page.evaluate(
    () =>
      new Promise<{ movieIds: number[]; ratingCounts: number[] }>((resolve, reject) => {
        const open = indexedDB.open('wren');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('idMaps').objectStore('idMaps').getAll();
          req.onsuccess = () => {
            open.result.close();
            const [row] = req.result as { movieIds: Int32Array; ratingCounts: Int32Array }[];
            resolve({ movieIds: [...row!.movieIds], ratingCounts: [...row!.ratingCounts] });
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/** Imports a word2vec file in the Lab (the worker stores it and makes it the chosen one). */
async function importVectors(path: string, rows: number): Promise<void> {
  await openHash('#/lab');
  await page.getByTestId('vectors-import').setInputFiles(path);
  await page.getByTestId('vectors-import-done').waitFor({ timeout: 120_000 });
  await expect.poll(() => page.getByTestId('embedding-row').count()).toBe(rows);
}

/** Changes the hash only: the page is not loaded again, so what it keeps in memory stays. */
async function openHash(hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
}

/** Movie q's page: the embedding named above its list and the listed movie indexes, in order. */
async function similarOfQ(): Promise<{ from: string; listed: number[] }> {
  await openHash(`#/movie/${q}`);
  const section = page.locator(`[data-testid="similar-movies"][data-index="${q}"]`);
  await section.waitFor();
  // The list in hand (data-ms), or the pointer to the Lab instead.
  const lab = section.getByRole('link', { name: /train one in the lab/i });
  await expect
    .poll(async () => (await section.getAttribute('data-ms')) !== null || (await lab.count()) > 0)
    .toBe(true);
  const from = (await section.getByTestId('similar-from').count())
    ? ((await section.getByTestId('similar-from').textContent()) ?? '')
    : '';
  const hrefs = await section
    .getByTestId('similar-movie')
    .getByTestId('movie-card')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  return { from, listed: hrefs.map((h) => Number(h.split('/').pop())) };
}

describe('similar movies kept between movie pages', () => {
  it('lists the chosen embedding’s neighbours, never the rare movie', async () => {
    await page.evaluate(() => ((window as unknown as { kept: number }).kept = 1));
    await importVectors(fileA, 1);
    const a = await similarOfQ();
    expect(a.from).toMatch(/similar-a\.txt/);
    expect(a.listed).toEqual(nearA);
    expect(a.listed).not.toContain(rare);
  });

  it('follows an embedding the worker stores and chooses', async () => {
    await importVectors(fileB, 2);
    const b = await similarOfQ();
    expect(b.from).toMatch(/similar-b\.txt/);
    expect(b.listed).toEqual(nearB);
  });

  it('follows "Use for similar movies" in the Lab', async () => {
    await openHash('#/lab');
    const rowA = page.getByTestId('embedding-row').filter({ hasText: 'similar-a.txt' });
    await rowA.getByTestId('embedding-use').click();
    await expect.poll(async () => rowA.getByTestId('embedding-use').count()).toBe(0);
    const a = await similarOfQ();
    expect(a.from).toMatch(/similar-a\.txt/);
    expect(a.listed).toEqual(nearA);
  });

  it('drops the list of a deleted embedding: the next one, then none', async () => {
    for (const [name, left] of [
      ['similar-a.txt', 1],
      ['similar-b.txt', 0],
    ] as const) {
      await openHash('#/lab');
      const row = page.getByTestId('embedding-row').filter({ hasText: name });
      await row.getByTestId('embedding-delete').click();
      await row.getByTestId('embedding-delete-confirm').click();
      await expect.poll(() => page.getByTestId('embedding-row').count()).toBe(left);
      const now = await similarOfQ();
      if (left === 1) {
        expect(now.from).toMatch(/similar-b\.txt/);
        expect(now.listed).toEqual(nearB);
      } else {
        expect(now.listed).toEqual([]);
        expect(now.from).toBe('');
      }
    }
    // All of it in one page load: the cache was there to be stale.
    expect(await page.evaluate(() => (window as unknown as { kept?: number }).kept)).toBe(1);
  });
});
