/**
 * ctr-random on the Models page in a real browser: ml-100k imported (its user attributes become
 * fields), logistic regression and DeepFM trained on RecBole's random 8:1:1 split for 2 epochs
 * each (the epoch field applies to ctr-random), compared on their own table with ROC-AUC, GAUC and
 * ROC/PR curves that reads at 1280 and 390 px; For You never offers them as rankers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { hundredKArchive, smallArchive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // No automatic build: nothing else trains beside the models under test.
  ({ server, browser, page } = await openWithDataset((await hundredKArchive()).path, {
    autoBuild: false,
  }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

const CTR = ['lr', 'fm', 'emb-mlp', 'wide-deep', 'deepfm', 'din', 'dien'];

/** The table's cells of one column (by its header's text), row by row. */
async function column(label: string): Promise<string[]> {
  const table = page.getByTestId('models-table-ctr-random').locator('table');
  const heads = (await table.locator('thead th').allTextContents()).map((h) => h.trim());
  const at = heads.indexOf(label);
  expect(at, heads.join(' | ')).toBeGreaterThanOrEqual(0);
  return (await table.locator(`tbody tr > :nth-child(${at + 1})`).allTextContents()).map((t) =>
    t.trim(),
  );
}

describe('ctr-random on the Models page', () => {
  it('trains LR and DeepFM on the random 8:1:1 split and compares them on their own table', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByLabel(/ctr-random/).check();
    await page
      .getByTestId('models-form')
      .screenshot({ path: join(SHOTS, 'models-ctr-random-form.png') });
    // ml-100k has user attributes: they are fields of the split.
    expect(await page.getByTestId('ctr-random-fields').textContent()).toMatch(
      /age, gender, occupation, zip code/,
    );
    expect(await page.getByTestId('ctr-random-fields').textContent()).not.toMatch(
      /no user attributes/,
    );
    // The CTR models are offered, not the rankers.
    expect(await page.getByTestId('model-ease').count()).toBe(0);
    for (const name of CTR) await page.getByTestId(`model-${name}`).setChecked(false);
    await page.getByTestId('model-lr').setChecked(true);
    await page.getByTestId('model-deepfm').setChecked(true);
    // Left empty, ctr-random's own budget; the field sets it.
    expect(await page.getByTestId('models-budget').textContent()).toMatch(
      /Logistic regression 30 epochs at learning rate 0\.01; DeepFM 30 epochs at learning rate 0\.001/,
    );
    await page.getByTestId('models-epochs').fill('2');
    expect(await page.getByTestId('models-budget').textContent()).toMatch(/DeepFM 2 epochs/);
    await page.getByTestId('models-backend').selectOption('wasm');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 150_000 });
    expect(await page.getByTestId('models-done').textContent()).toMatch(/^2 models stored/);

    const table = page.getByTestId('models-table-ctr-random');
    expect(await table.locator('h3').textContent()).toMatch(/^ctr-random \(will they like it\?/);
    // Each trained both epochs (early stopping waits 3), so the epoch field reached the worker.
    expect((await column('Model')).sort()).toEqual([
      'DeepFM · 2 epochs',
      'Logistic regression · 2 epochs',
    ]);
    const auc = (await column('ROC-AUC')).map(Number);
    expect(auc).toHaveLength(2);
    for (const a of auc) {
      expect(a).toBeGreaterThan(0.5);
      expect(a).toBeLessThan(1);
    }
    for (const g of (await column('GAUC')).map(Number)) {
      expect(g).toBeGreaterThan(0);
      expect(g).toBeLessThanOrEqual(1);
    }
    // One ROC and one PR curve per model, on this table.
    for (const kind of ['roc', 'pr'])
      expect(await table.getByTestId(`curve-${kind}`).locator('path').count()).toBe(2);
    // No sparrow-ctr table came of it.
    expect(await page.getByTestId('models-table-sparrow-ctr').count()).toBe(0);
    await table.screenshot({ path: join(SHOTS, 'models-ctr-random.png') });

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      // From the top of a full-page shot, so the sticky header does not cover the table.
      await page.evaluate(() => window.scrollTo(0, 0));
      const box = (await table.boundingBox())!;
      await page.screenshot({
        path: join(SHOTS, 'phone-models-ctr-random.png'),
        fullPage: true,
        clip: box,
      });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('says so where the dataset has no user attributes (ml-latest-small)', async () => {
    const other = await openWithDataset((await smallArchive()).path, { autoBuild: false });
    try {
      await other.page.goto(`${other.server.url}#/models`);
      await other.page.getByLabel(/ctr-random/).check();
      const note = (await other.page.getByTestId('ctr-random-fields').textContent()) ?? '';
      expect(note).toMatch(
        /release year, last 5 liked movies\. ml-latest-small has no user attributes/,
      );
      expect(note).not.toMatch(/occupation, zip code \(first/);
      await other.page
        .getByTestId('ctr-random-fields')
        .screenshot({ path: join(SHOTS, 'models-ctr-random-no-users.png') });
    } finally {
      await other.browser.close();
      other.server.stop();
    }
  });

  it('keeps them out of For You’s ranker choice', async () => {
    await page.goto(`${server.url}#/for-you`);
    const choice = page.getByTestId('ranker-choice');
    await choice.waitFor({ timeout: 60_000 });
    const options = await choice.locator('option').allTextContents();
    expect(options.length).toBeGreaterThan(0);
    for (const o of options) expect(o).not.toMatch(/Logistic regression|DeepFM|ROC-AUC/);
  });
});
