/**
 * Models out and in on the Models page, in a real browser: a trained EASE downloads as a
 * safetensors file that the core reader (in node) parses with Wren's tensors; an ItemKNN trained
 * in node on the same generated ratings imports, is listed as imported and not evaluated here,
 * and ranks For You once chosen; a file cut short and one of another dataset's movies are
 * refused with a plain message and store nothing. Screenshots on a laptop and a phone.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/core/data/synthetic.ts';
import { modelInfo } from '../../src/core/models/index.ts';
import { modelToSafetensors } from '../../src/core/models/model-safetensors.ts';
import { decodeSafetensors } from '../../src/core/models/safetensors.ts';
import { interactionsOf } from '../../src/core/recommend/offline.ts';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { generatedZip } from './fixtures.ts';

const RATINGS = 20_000;
const SEED = 4;
const DIR = join(SHOTS, 'model-files');
let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const zip = await generatedZip('model-files', RATINGS, 'ml-latest', SEED);
  ({ server, browser, page } = await openWithDataset(zip, { autoBuild: false }));
  mkdirSync(DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** Stored model descriptions and arrays, read straight from IndexedDB. */
function modelCounts(): Promise<{ models: number; modelData: number }> {
  return page.evaluate(
    () =>
      new Promise<{ models: number; modelData: number }>((resolve, reject) => {
        const open = indexedDB.open('wren');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['models', 'modelData']);
          const out = { models: 0, modelData: 0 };
          const a = tx.objectStore('models').count();
          const b = tx.objectStore('modelData').count();
          a.onsuccess = () => (out.models = a.result);
          b.onsuccess = () => (out.modelData = b.result);
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** An ItemKNN fitted in node on the ratings the page imported, as Wren's safetensors layout. */
async function nodeModelFile(shift = 0): Promise<Uint8Array> {
  const ds = generateDataset({ ratings: RATINGS, seed: SEED });
  const movieIds: number[] = [];
  for (const m of ds.movies) movieIds[m.index] = m.movieId + shift;
  const userIds: number[] = [];
  for (const u of ds.users) userIds[u.index] = u.userId;
  const info = modelInfo('itemknn')!;
  const model = await info.create(info.defaults);
  await model.fit(interactionsOf(ds.ratings, ds.movies.length));
  return modelToSafetensors(model.save(), { movieIds, userIds }, { trainedBy: 'node' });
}

const overflow = (): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** A screenshot on a laptop and on a phone, with nothing wider than the phone's screen. */
async function shots(name: string, target?: string): Promise<void> {
  for (const [w, h, prefix] of [
    [1280, 800, ''],
    [390, 844, 'phone-'],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    if (target) await page.getByTestId(target).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `${prefix}${name}.png`) });
    expect(await overflow()).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('safetensors on the Models page', () => {
  it('downloads a trained EASE as a safetensors file with Wren’s tensors', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-empty').waitFor();
    for (const name of ['popularity', 'itemknn', 'puresvd', 'neumf'])
      await page.getByTestId(`model-${name}`).setChecked(false);
    await page.getByTestId('model-ease').setChecked(true);
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 120_000 });
    const row = page.getByTestId('model-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);

    const download = page.waitForEvent('download');
    await row.first().getByTestId('model-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^[a-z0-9-]+-ease-ncf-loo\.safetensors$/);
    const path = join(DIR, 'downloaded-ease.safetensors');
    await file.saveAs(path);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)));
    expect(metadata).toMatchObject({ format: 'wren-model', model: 'ease', protocol: 'ncf-loo' });
    expect(Number(JSON.parse(metadata.metrics!).hr)).toBeGreaterThan(0);
    const names = Object.keys(tensors);
    for (const n of ['movieIds', 'userIds', 'active', 'historyOffsets', 'historyItems'])
      expect(names).toContain(n);
    expect(names.includes('b') || names.includes('kinv')).toBe(true);
    expect(tensors.movieIds!.shape).toEqual([Number(metadata.itemCount)]);
    await shots('models-safetensors-download', 'models-table-ncf-loo');
  }, 180_000);

  it('refuses a file cut short and one of another dataset’s movies, storing nothing', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('models-imported').waitFor();
    const before = await modelCounts();
    const good = await nodeModelFile();
    const cut = join(DIR, 'cut-short.safetensors');
    writeFileSync(cut, good.subarray(0, 300));
    const message = page.getByTestId('model-import-message');
    await page.getByTestId('model-import').setInputFiles(cut);
    await expect.poll(() => message.textContent()).toMatch(/cut-short\.safetensors: .*cut short/);
    expect(await message.getAttribute('role')).toBe('alert');
    expect(await modelCounts()).toEqual(before);

    const other = join(DIR, 'other-dataset.safetensors');
    writeFileSync(other, await nodeModelFile(1_000_000));
    await page.getByTestId('model-import').setInputFiles(other);
    await expect
      .poll(() => message.textContent())
      .toMatch(
        /other-dataset\.safetensors: Cannot import this model: it scores \d+ movies this dataset does not have/,
      );
    expect(await modelCounts()).toEqual(before);
    expect(await page.getByTestId('model-imported-row').count()).toBe(0);
    await shots('models-safetensors-refused', 'models-imported');
  }, 120_000);

  it('imports a model trained in node, lists it as imported, and For You ranks with it', async () => {
    await page.goto(`${server.url}#/models`);
    const path = join(DIR, 'node-itemknn.safetensors');
    writeFileSync(path, await nodeModelFile());
    const before = await modelCounts();
    await page.getByTestId('model-import').setInputFiles(path);
    const message = page.getByTestId('model-import-message');
    await expect
      .poll(() => message.textContent())
      .toMatch(/^\s*Imported node-itemknn\.safetensors: ItemKNN/);
    expect(await message.getAttribute('role')).toBe('status');
    const row = page.getByTestId('model-imported-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toMatch(/imported from node-itemknn\.safetensors/);
    expect(await row.first().getByTestId('model-imported-metrics').textContent()).toBe(
      'imported — not evaluated here',
    );
    expect(await modelCounts()).toEqual({
      models: before.models + 1,
      modelData: before.modelData + 1,
    });
    // Not in a protocol table: it has no metrics from Wren.
    expect(await page.getByTestId('model-row').count()).toBe(1);
    await shots('models-safetensors-imported', 'models-imported');
    // Still there after a reload.
    await page.reload();
    await page.getByTestId('model-imported-row').first().waitFor({ timeout: 30_000 });

    // Five liked movies, then For You ranked by the imported model.
    await page.goto(`${server.url}#/start`);
    const cards = page.getByTestId('start-movie');
    await cards.first().waitFor();
    for (let i = 0; i < 5; i++) {
      await cards.nth(i).locator('[data-stars="4.5"]').click();
      await expect
        .poll(() => page.getByTestId('start-progress').textContent())
        .toContain(`${i + 1} of 5`);
    }
    await page.goto(`${server.url}#/for-you`);
    const choice = page.getByTestId('ranker-choice');
    await choice.waitFor();
    const option = choice.locator('option', { hasText: 'imported from node-itemknn.safetensors' });
    expect(await option.textContent()).toMatch(/— not evaluated here$/);
    await choice.selectOption((await option.getAttribute('value'))!);
    await expect
      .poll(() => page.getByTestId('for-you-ranker').textContent())
      .toMatch(/^ItemKNN.* \(imported from node-itemknn\.safetensors\) — not evaluated here$/);
    await page.getByTestId('for-you-item').first().waitFor();
    expect(await page.getByTestId('for-you-item').count()).toBeGreaterThanOrEqual(10);
    await shots('for-you-imported-model', 'ranker-choice');
  }, 180_000);
});
