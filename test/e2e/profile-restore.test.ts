/**
 * The profile comes back, and the page says so: a rating is given, then the
 * profile database vanishes (as when Chromium clears IndexedDB after a write
 * fails on a full disk; the real full-disk run is quota.test.ts). At the next
 * start the rating is restored from the copy in localStorage, a notice says
 * what happened and that datasets are not in that copy, and it goes away
 * when dismissed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ server, browser, page } = await openWithDataset((await smallArchive()).path, {
    autoBuild: false,
  }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

const stars = (value: string): string =>
  `[data-testid="your-rating"] [data-testid="star-rating"][data-value="${value}"]`;

describe('a profile restored from its copy', () => {
  it('says nothing when nothing was restored', async () => {
    await page.goto(`${server.url}#/movie/0`);
    await page.locator(stars('')).first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('profile-restored').count()).toBe(0);
  });

  it('brings the rating back after the profile database vanished, and says so', async () => {
    await page.locator('[data-testid="your-rating"] [data-stars="4"]').first().click();
    await page.locator(stars('4')).first().waitFor();
    // The profile database disappears, deleted from a page of the same origin where Wren is not running.
    await page.goto(`${server.url}favicon.svg`);
    const deleted = await page.evaluate(
      () =>
        new Promise<string>((ok) => {
          const req = indexedDB.deleteDatabase('wren-profile');
          req.onsuccess = () => ok('deleted');
          req.onerror = () => ok('error');
          req.onblocked = () => ok('blocked');
        }),
    );
    expect(deleted).toBe('deleted');
    await page.goto(`${server.url}#/movie/0`);
    const notice = page.getByTestId('profile-restored');
    await notice.waitFor({ timeout: 15_000 });
    const said = ((await notice.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(said).toMatch(/Your ratings are back\. .* 1 rating or mark came back/);
    expect(said).toMatch(/Datasets are not in that copy/);
    await page.locator(stars('4')).first().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, 'profile-restored.png') });
    await notice.getByRole('button', { name: 'OK' }).click();
    expect(await notice.count()).toBe(0);
  });
});
