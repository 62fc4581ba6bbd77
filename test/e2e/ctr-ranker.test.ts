/**
 * A sparrow-ctr model ranking For You in a real browser: logistic regression
 * trained on ml-latest-small's sparrow-ctr samples on the Models page (its
 * default epochs: the epoch field is for the neural ncf-loo models), five
 * movies liked on the onboarding page, and the model chosen as For You's
 * ranker — the list says so (titled with its ROC-AUC) and holds 20 movies;
 * a dataset user's page ranks with it beside the other rankers.
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
  // The rankers as they stand without the automatic build's personal model ('auto' = fusion).
  ({ server, browser, page } = await openWithDataset((await smallArchive()).path, {
    autoBuild: false,
  }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

describe('a CTR model ranks For You', () => {
  it('trains LR on sparrow-ctr, then ranks your For You list when you choose it', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByLabel(/sparrow-ctr/).check();
    for (const name of ['lr', 'fm', 'emb-mlp', 'wide-deep', 'deepfm', 'din', 'dien'])
      await page.getByTestId(`model-${name}`).setChecked(name === 'lr');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });

    await page.goto(`${server.url}#/start`);
    await page.getByTestId('start-movie').first().waitFor();
    const cards = page.getByTestId('start-movie');
    for (let i = 0; i < 5; i++) {
      await cards.nth(i).locator('[data-stars="4.5"]').click();
      await expect
        .poll(() => page.getByTestId('start-progress').textContent())
        .toContain(`${i + 1} of 5`);
    }

    await page.goto(`${server.url}#/for-you`);
    const choice = page.getByTestId('ranker-choice');
    await choice.waitFor();
    const options = await choice.locator('option').allTextContents();
    const title = options.find((o) => /^Logistic regression \(ROC-AUC 0\.\d{3}\)$/.test(o));
    expect(title, options.join(' | ')).toBeDefined();
    // 'auto' stays off the CTR model: there is no ncf-loo model, so no embedding, so fusion.
    expect(await page.getByTestId('for-you-ranker').textContent()).toBe('Channel fusion');
    await choice.selectOption({ label: title! });
    await expect.poll(() => page.getByTestId('for-you-ranker').textContent()).toBe(title);
    expect(await page.getByTestId('for-you-stage').textContent()).toMatch(
      /^Ranked by Logistic regression/,
    );
    expect(await page.getByTestId('for-you-item').count()).toBe(20);
    await page.screenshot({ path: join(SHOTS, 'for-you-ctr.png'), fullPage: false });
  });

  it('ranks a dataset user with it too, beside channel fusion', async () => {
    await page.goto(`${server.url}#/user/1`);
    const table = page.getByTestId('user-rankers');
    await table.waitFor({ timeout: 60_000 });
    const heads = await table.locator('thead th').allTextContents();
    expect(heads.some((h) => /^Logistic regression \(ROC-AUC 0\.\d{3}\)/.test(h))).toBe(true);
    // Its column holds ten movies.
    const column = heads.findIndex((h) => h.startsWith('Logistic regression'));
    const cells = await table
      .locator(`tbody tr td:nth-child(${column + 1}) a`)
      .evaluateAll((as) => as.length);
    expect(cells).toBe(10);
  });
});
