/**
 * The "done when", as a person does it: import ml-latest-small,
 * browse while Wren learns by itself (nothing opened in the Lab or on the
 * Models page), rate five well-known movies of one clear taste, and find a
 * For You list that is mostly that taste, without rare movies, each with a
 * reason — then the same for a second taste after clearing the first.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadDataset } from '../../src/cli/ranker-setup.ts';
import type { Dataset } from '../../src/core/data/types.ts';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;
let ds: Dataset;

beforeAll(async () => {
  const small = await smallArchive();
  ds = await loadDataset(small.path);
  ({ server, browser, page } = await openWithDataset(small.path));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** A genre's five most-rated movies (movie indexes, as the app numbers them). */
function persona(genre: string): number[] {
  return ds.movies
    .filter((m) => m.genres.includes(genre))
    .sort((a, b) => b.ratingCount - a.ratingCount || a.index - b.index)
    .slice(0, 5)
    .map((m) => m.index);
}

const listed = async (): Promise<number[]> =>
  (
    await page
      .getByTestId('for-you-item')
      .getByTestId('movie-card')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))
  ).map((h) => Number(h.split('/').pop()));

async function rate(movies: number[], stars: string | null): Promise<void> {
  for (const m of movies) {
    await page.goto(`${server.url}#/movie/${m}`);
    const rating = page.getByTestId('star-rating').first();
    await rating.waitFor();
    if (stars === null) {
      const clear = rating.getByTestId('rating-clear');
      if (await clear.count()) await clear.click();
      await expect.poll(() => rating.getAttribute('data-value')).toBe('');
    } else {
      await rating.locator(`[data-stars="${stars}"]`).click();
      await expect.poll(() => rating.getAttribute('data-value')).toBe(stars);
    }
  }
}

describe('a newcomer with one clear taste', () => {
  for (const genre of ['Horror', 'Western']) {
    it(`rates five ${genre} movies and gets a For You list that is mostly ${genre}`, async () => {
      const mine = persona(genre);
      expect(mine).toHaveLength(5);
      await rate(mine, '5');
      await page.goto(`${server.url}#/for-you`);
      // The automatic build is done when For You names its model (nobody opened the Lab or Models).
      await expect
        .poll(() => page.getByTestId('for-you-stage').textContent(), { timeout: 120_000 })
        .toMatch(/from your 5 ratings.*built automatically/);
      await expect.poll(async () => (await listed()).length).toBeGreaterThanOrEqual(10);
      const top = (await listed()).slice(0, 10);
      expect(top).toHaveLength(10);
      const inGenre = top.filter((m) => ds.movies[m]!.genres.includes(genre)).length;
      console.log(`${genre}: ${inGenre} of 10 —`, top.map((m) => ds.movies[m]!.title).join('; '));
      expect(inGenre).toBeGreaterThanOrEqual(6);
      for (const m of top) {
        expect(mine).not.toContain(m);
        expect(ds.movies[m]!.ratingCount).toBeGreaterThanOrEqual(10);
      }
      const reasons = await page
        .getByTestId('for-you-item')
        .getByTestId('card-reason')
        .allTextContents();
      expect(reasons.slice(0, 10).every((r) => r.trim().length > 5)).toBe(true);
      await page.screenshot({ path: join(SHOTS, `newcomer-${genre.toLowerCase()}.png`) });
      await rate(mine, null);
    });
  }
});
