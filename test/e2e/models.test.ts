/**
 * The models page in a real browser: train classic baselines and a neural
 * model on ml-latest-small in the app's worker, compare them on one table,
 * still there after a reload; cancel keeps what was finished; the backend
 * probe measures what this browser offers.
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
  ({ server, browser, page } = await openWithDataset(small.path));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

async function choose(names: string[]): Promise<void> {
  for (const name of ['popularity', 'itemknn', 'puresvd', 'ease', 'gmf', 'mlp', 'neumf']) {
    await page.getByTestId(`model-${name}`).setChecked(names.includes(name));
  }
}

describe('models page', () => {
  it('trains baselines, EASE and GMF in the worker and compares them on one table', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-empty').waitFor();
    // Every model shows its structure in one line.
    expect(await page.getByTestId('layers-neumf').textContent()).toMatch(/64 → 32 → 16 → 8/);
    // Left empty, the epochs and learning rate are each model's own: SASRec's are not NeuMF's.
    await choose(['neumf']);
    await page.getByTestId('model-sasrec').setChecked(true);
    expect(await page.getByTestId('models-budget').textContent()).toMatch(
      /NeuMF 20 epochs at learning rate 0\.003; SASRec 24 epochs at learning rate 0\.005/,
    );
    await page.getByTestId('model-sasrec').setChecked(false);
    await choose(['popularity', 'itemknn', 'ease', 'gmf']);
    await page.getByTestId('models-epochs').fill('2');
    expect(await page.getByTestId('models-budget').textContent()).toMatch(
      /GMF 2 epochs at learning rate 0\.003/,
    );
    await page.getByTestId('models-backend').selectOption('wasm');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-progress').waitFor();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });
    const rows = page.getByTestId('model-row');
    expect(await rows.count()).toBe(4);
    const text = (await page.getByTestId('models-table-ncf-loo').textContent()) ?? '';
    expect(text).toMatch(/Popularity/);
    expect(text).toMatch(/ItemKNN/);
    expect(text).toMatch(/GMF/);
    expect(text).toMatch(/EASE/);
    // GMF trains with Wren's own kernel, not on the tfjs backend chosen for the other neural models.
    expect(text).toMatch(/wasm-simd/);
    // HR@10 values: numbers in [0, 1] with four decimals.
    expect(text).toMatch(/0\.\d{4}/);
    if (small.genuine) {
      // ItemKNN ranks above popularity on ml-latest-small (0.71 against 0.60 HR@10).
      const order = (await rows.allTextContents()).map((t) => t.trim());
      expect(order.findIndex((t) => t.startsWith('ItemKNN'))).toBeLessThan(
        order.findIndex((t) => t.startsWith('Popularity')),
      );
      // EASE above ItemKNN (0.75 against 0.71 HR@10 in bench:models).
      expect(order.findIndex((t) => t.startsWith('EASE'))).toBeLessThan(
        order.findIndex((t) => t.startsWith('ItemKNN')),
      );
    }
    await page.screenshot({ path: join(SHOTS, 'models.png'), fullPage: true });
    await page.reload();
    await page.getByTestId('models-table-ncf-loo').waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBe(4);
  });

  it('shows live curves while a neural model trains, and cancel keeps the finished models', async () => {
    await page.goto(`${server.url}#/models`);
    await choose(['popularity', 'neumf']);
    await page.getByTestId('models-epochs').fill('50');
    await page.getByTestId('models-train').click();
    // Popularity is stored first; NeuMF then reports epochs (loss and validation curves).
    await page.getByText('Validation NDCG@10 after each check').waitFor({ timeout: 240_000 });
    await page.screenshot({ path: join(SHOTS, 'models-training.png'), fullPage: true });
    await page.getByTestId('models-cancel').click();
    await page.getByTestId('models-cancelled').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('models-cancelled').textContent()).toMatch(/1 model stored/);
    expect(await page.getByTestId('model-row').count()).toBe(5);
  });

  it('trains the CTR models on sparrow-ctr and plots their ROC and PR curves side by side', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByLabel(/sparrow-ctr/).check();
    for (const name of ['lr', 'fm', 'emb-mlp'])
      await page.getByTestId(`model-${name}`).setChecked(name !== 'emb-mlp');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });
    const table = page.getByTestId('models-table-sparrow-ctr');
    const text = (await table.textContent()) ?? '';
    expect(text).toMatch(/Logistic regression/);
    expect(text).toMatch(/Factorization machine/);
    expect(text).toMatch(/ROC-AUC/);
    for (const kind of ['roc', 'pr']) {
      const plot = page.getByTestId(`curve-${kind}`);
      expect(await plot.locator('path').count()).toBe(2);
    }
    await table.screenshot({ path: join(SHOTS, 'models-ctr.png') });
  });

  it('measures the NeuMF kernel and the tfjs backends this browser offers', async () => {
    await page.getByTestId('models-probe').click();
    const table = page.getByTestId('models-probe-table');
    await table.waitFor({ timeout: 120_000 });
    const text = (await table.textContent()) ?? '';
    expect(text).toMatch(/wasm-simd kernel\s*[\d,]+/);
    expect(text).toMatch(/tfjs wasm\s*[\d,]+/);
    expect(text).toMatch(/tfjs cpu/);
    // This page is not cross-origin isolated: the kernel is measured on one thread only.
    expect(await page.locator('[data-testid="probe-row"][data-kernel]').count()).toBe(1);
  });

  it('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-table-ncf-loo').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'phone-models.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
