/**
 * The app in a real browser (Debian's Chromium, built app served on localhost):
 * import, browse, search, bad input, offline, and no request leaving the origin.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, serve, SHOTS, type Browser, type Server } from './harness.ts';
import { badFiles, hundredKArchive, smallArchive, type Archive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;
let small: Archive;

async function importFile(path: string): Promise<void> {
  await page.getByTestId('import-file').first().setInputFiles(path);
}

async function datasetCounts(): Promise<string> {
  await page.goto(`${server.url}#/data`);
  return (await page.getByTestId('data-counts').first().textContent()) ?? '';
}

beforeAll(async () => {
  small = await smallArchive();
  server = await serve();
  browser = await launch();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('Wren in Chromium', () => {
  it('imports ml-latest-small from the file picker and shows Home', async () => {
    await page.goto(server.url);
    await importFile(small.path);
    await page.getByTestId('dataset-name').waitFor({ timeout: 60_000 });
    await page.goto(server.url);
    const rows = page.getByTestId('home-row');
    await rows.first().waitFor();
    expect(await page.locator('[data-testid=home-row][data-row=top-rated]').count()).toBe(1);
    expect(await page.locator('[data-testid=home-row][data-row=most-rated]').count()).toBe(1);
    expect(await rows.count()).toBeGreaterThan(10); // + one row per genre
    await page.screenshot({ path: join(SHOTS, 'home.png') });
    const counts = await datasetCounts();
    if (small.genuine) {
      expect(counts.replace(/[,\s]/g, '')).toContain('100836');
      expect(counts.replace(/[,\s]/g, '')).toContain('9742');
    }
  });

  it('searches titles, including titles with commas, and opens the movie page', async () => {
    const query = small.genuine ? 'american president' : 'the';
    await page.goto(server.url);
    await page.getByTestId('search-input').fill(query);
    await page.getByTestId('search-input').press('Enter');
    const result = page.getByTestId('search-result').first();
    await result.waitFor();
    if (small.genuine) expect(await result.textContent()).toMatch(/American President/);
    await result.click();
    const h1 = page.getByTestId('movie-title');
    await h1.waitFor();
    if (small.genuine) {
      expect(await h1.textContent()).toMatch(/American President/);
      expect(await page.getByTestId('imdb-link').getAttribute('href')).toContain('tt0112346');
    }
    await page.getByTestId('rating-histogram').waitFor();
    expect(
      await page.locator('[data-testid=rating-histogram] rect').count(),
    ).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: join(SHOTS, 'movie.png'), fullPage: true });
  });

  it('shows a genre page with its movies', async () => {
    await page.goto(`${server.url}#/genre/Comedy`);
    await page.getByTestId('movie-card').first().waitFor();
    expect(await page.getByTestId('movie-card').count()).toBeGreaterThan(20);
  });

  it('rejects a file that is not a zip, names it, and keeps the stored data', async () => {
    const before = await datasetCounts();
    const { notZip, truncated } = badFiles(join(SHOTS, 'bad'), small.path);
    await importFile(notZip);
    const err = page.getByTestId('import-error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/holiday-photos\.zip/);
    await page.screenshot({ path: join(SHOTS, 'bad-file.png') });
    expect(await datasetCounts()).toBe(before);

    await importFile(truncated);
    await page.getByTestId('import-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-error').textContent()).toMatch(/truncated/i);
    expect(await datasetCounts()).toBe(before);
    expect(await page.getByTestId('data-dataset').count()).toBe(1);
  });

  it('browses offline after the first visit', async () => {
    await page.goto(server.url);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await page.getByTestId('home-row').first().waitFor({ timeout: 20_000 });
      await page.getByTestId('movie-card').first().click();
      await page.getByTestId('movie-title').waitFor();
      await page.screenshot({ path: join(SHOTS, 'offline-movie.png') });
    } finally {
      await browser.context.setOffline(false);
    }
  });

  it('imports ml-100k beside the first (latin-1 titles) and makes it active', async () => {
    const hk = await hundredKArchive();
    await page.goto(`${server.url}#/data`);
    await page.getByTestId('import-file').first().setInputFiles(hk.path);
    await page.getByTestId('import-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('dataset-name').textContent()).toMatch(/ml-100k/);
    await page.goto(`${server.url}#/data`);
    expect(await page.getByTestId('data-dataset').count()).toBe(2);
    if (hk.genuine) {
      await page.getByTestId('search-input').fill('miserables');
      await page.getByTestId('search-input').press('Enter');
      await page.getByTestId('search-result').first().waitFor();
      expect(await page.getByTestId('search-result').first().textContent()).toMatch(/Misérables/);
    }
  });

  it('sends no request outside the origin', () => {
    const origin = new URL(server.url).origin;
    const outside = browser.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'),
    );
    expect(browser.requests.length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });
});
