/**
 * Import life cycle in a real browser: the demo button, cancel, a tab closed
 * mid-import, skipping a few bad rows, and the phone-sized layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, serve, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;

const datasetRows = (p: Page): Promise<{ name: string; status: string }[]> =>
  p.evaluate(
    () =>
      new Promise((ok, fail) => {
        const req = indexedDB.open('wren');
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction('datasets', 'readonly');
          const all = tx.objectStore('datasets').getAll();
          all.onsuccess = () => {
            ok(
              (all.result as { name: string; status: string }[]).map(({ name, status }) => ({
                name,
                status,
              })),
            );
            req.result.close();
          };
        };
      }),
  );

beforeAll(async () => {
  server = await serve();
  browser = await launch();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('import life cycle', () => {
  it('the demo button imports a generated dataset and shows Home', async () => {
    await page.goto(server.url);
    await page.getByTestId('import-demo').click();
    await page.getByTestId('dataset-name').waitFor({ timeout: 60_000 });
    await page.goto(server.url);
    await page.getByTestId('home-row').first().waitFor();
    expect(await datasetRows(page)).toEqual([
      { name: expect.stringMatching(/Demo/), status: 'ready' },
    ]);
  });

  it('cancel stops an import and leaves nothing behind', async () => {
    const big = await generatedZip('cancel-me', 2_000_000, 'ml-latest', 3);
    await page.goto(`${server.url}#/data`);
    await page.getByTestId('import-file').first().setInputFiles(big);
    await page.getByTestId('import-progress').waitFor();
    await page.getByTestId('import-cancel').click();
    await page.getByTestId('import-progress').waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForTimeout(500);
    const rows = await datasetRows(page);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('ready');
  });

  it('a tab closed mid-import leaves nothing behind once the app opens again', async () => {
    const big = await generatedZip('cancel-me', 2_000_000, 'ml-latest', 3);
    const tab = await browser.context.newPage();
    await tab.goto(`${server.url}#/data`);
    await tab.getByTestId('import-file').first().setInputFiles(big);
    // Close the tab once the worker has started writing (an 'importing' row exists).
    let seen = false;
    for (let i = 0; i < 1200 && !seen; i++) {
      seen = (await datasetRows(tab)).some((r) => r.status === 'importing');
      if (!seen) await tab.waitForTimeout(50);
    }
    expect(seen).toBe(true);
    await tab.close();
    await page.goto(server.url);
    await page.getByTestId('home-row').first().waitFor();
    await page.waitForTimeout(500);
    const rows = await datasetRows(page);
    expect(rows.map((r) => r.status)).toEqual(['ready']);
  });

  it('stops at a bad row, names file and line, then can skip it', async () => {
    const dir = join(SHOTS, 'badrows');
    mkdirSync(dir, { recursive: true });
    const movies = join(dir, 'movies.csv');
    const ratings = join(dir, 'ratings.csv');
    writeFileSync(
      movies,
      'movieId,title,genres\n1,"Heat, The (1995)",Action|Crime\n2,Sabrina (1995),Comedy\n',
    );
    writeFileSync(
      ratings,
      'userId,movieId,rating,timestamp\n1,1,4.0,100\n1,2,9.5,101\n2,1,3.5,102\n',
    );
    await page.goto(`${server.url}#/data`);
    await page.getByTestId('import-file').first().setInputFiles([movies, ratings]);
    const err = page.getByTestId('import-error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/ratings\.csv line 3/);
    await page.getByTestId('import-skip-bad').click();
    const summary = page.getByTestId('import-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.textContent()).toMatch(/1 bad row/);
    expect((await datasetRows(page)).filter((r) => r.status === 'ready')).toHaveLength(2);
  });

  it('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    await page.getByTestId('home-row').first().waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'phone-home.png') });
  });
});
