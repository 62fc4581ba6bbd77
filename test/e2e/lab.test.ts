/**
 * The embeddings Lab in a real browser: train Item2Vec on ml-latest-small in
 * the app's worker, see similar movies on a movie page, still there after a
 * reload (stored, not retrained), the movie map, and cancel.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive, type Archive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;
let small: Archive;

beforeAll(async () => {
  small = await smallArchive();
  // The Lab from a clean slate: no default embedding built in the background.
  ({ server, browser, page } = await openWithDataset(small.path, { autoBuild: false }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('embeddings lab', () => {
  it('says how to get similar movies before any embedding is trained', async () => {
    await page.goto(`${server.url}#/movie/0`);
    await page.getByTestId('movie-title').waitFor();
    const link = page.getByRole('link', { name: /train one in the lab/i });
    await link.waitFor();
    expect(await page.getByTestId('similar-movie').count()).toBe(0);
  });

  it('trains Item2Vec in the worker with a loss curve and lists it with its metrics', async () => {
    await page.goto(`${server.url}#/lab`);
    await page.getByTestId('embed-train').click();
    const row = page.getByTestId('embedding-row');
    await row.first().waitFor({ timeout: 240_000 });
    expect(await row.count()).toBe(1);
    const text = (await row.first().textContent()) ?? '';
    expect(text).toMatch(/Item2Vec/);
    expect(text).toMatch(/wasm-simd|js|tfjs/);
    // HR@10 is printed with its popularity baseline; both are numbers in [0, 1].
    expect(text).toMatch(/0\.\d{3}/);
    await page.getByTestId('movie-map').waitFor();
    await page.screenshot({ path: join(SHOTS, 'lab.png'), fullPage: true });
  });

  it('shows similar movies with scores on a movie page, and again after a reload', async () => {
    // Movies are indexed in MovieLens id order: index 0 is movie 1, Toy Story.
    await page.goto(`${server.url}#/movie/0`);
    await page.getByTestId('movie-title').waitFor();
    if (small.genuine)
      expect(await page.getByTestId('movie-title').textContent()).toMatch(/Toy Story/);
    const cards = page.getByTestId('similar-movie');
    await cards.first().waitFor({ timeout: 30_000 });
    expect(await cards.count()).toBe(12);
    const first = (await cards.first().textContent()) ?? '';
    expect(first).toMatch(/0\.\d\d|1\.00/);
    const titles = await cards.allTextContents();
    if (small.genuine) {
      // Item2Vec on ml-latest-small puts Toy Story 2 among Toy Story's nearest neighbours.
      expect(titles.join('\n')).toMatch(/Toy Story 2|Twelve Monkeys|Independence Day/);
      expect(titles.join('\n')).not.toMatch(/Toy Story \(1995\)/);
    }
    await page.screenshot({ path: join(SHOTS, 'similar.png'), fullPage: true });
    await page.reload();
    await cards.first().waitFor({ timeout: 30_000 });
    expect(await cards.allTextContents()).toEqual(titles);
  });

  it('cancels a training run and keeps the stored embeddings', async () => {
    await page.goto(`${server.url}#/lab`);
    await page.getByTestId('embedding-row').first().waitFor();
    const before = await page.getByTestId('embedding-row').count();
    await page.getByTestId('embed-train').click();
    await page.getByTestId('embed-cancel').click();
    await expect
      .poll(async () => page.getByTestId('embed-cancel').count(), { timeout: 30_000 })
      .toBe(0);
    expect(await page.getByTestId('embedding-row').count()).toBe(before);
  });

  it('computes the sparrow-ctr features in the worker and shows the split', async () => {
    await page.goto(`${server.url}#/lab`);
    await page.getByTestId('features-compute').click();
    const summary = page.getByTestId('features-summary');
    await summary.waitFor({ timeout: 60_000 });
    const text = ((await summary.textContent()) ?? '').replace(/,/g, '');
    // 80% of the ratings (by time) train, the rest test.
    const numbers = (text.match(/\d+/g) ?? []).map(Number);
    if (small.genuine) expect(numbers).toContain(100836 - 20167);
    else expect(numbers.some((x) => x > 1000)).toBe(true);
    await page.reload();
    await summary.waitFor();
  });

  it('fits a phone: the Lab and the similar movies shelf scroll only vertically', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const hash of ['#/lab', '#/movie/0']) {
        await page.goto(`${server.url}${hash}`);
        await page
          .getByTestId(hash === '#/lab' ? 'movie-map' : 'similar-movie')
          .first()
          .waitFor();
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
      }
      await page.goto(`${server.url}#/lab`);
      await page.getByTestId('movie-map').waitFor();
      await page.screenshot({ path: join(SHOTS, 'phone-lab.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('loaded every trainer file (tfjs wasm included) from its own origin', () => {
    const origin = new URL(server.url).origin;
    const outside = browser.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'),
    );
    expect(outside).toEqual([]);
  });
});
