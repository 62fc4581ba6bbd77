/**
 * Every core from a plain static host: the built app served with no headers
 * at all (serveStatic), as GitHub Pages would. The first visit is not
 * cross-origin isolated, and the Lab says so and trains on one thread; once
 * the service worker serves the app (from the next load on) it adds
 * COOP/COEP and the CSP, the page is isolated, the trainer table measures
 * skip-gram on two threads, tfjs's threaded wasm backend starts (it hung in
 * a minified build: tfjs #4253), an Item2Vec run and EASE's fit train on
 * both threads, the Pipeline page replays and serves new users on both,
 * and all of it holds offline.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, serveStatic, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await serveStatic();
  browser = await launch({ autoBuild: false });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

const isolated = (): Promise<boolean> => page.evaluate(() => crossOriginIsolated);

async function measure(): Promise<Map<string, string>> {
  await page.getByTestId('engine-probe').click();
  await page.getByTestId('engine-table').waitFor({ timeout: 240_000 });
  const rows = new Map<string, string>();
  for (const r of await page.getByTestId('engine-measure').all())
    rows.set((await r.getAttribute('data-engine'))!, (await r.innerText()).replace(/\s+/g, ' '));
  return rows;
}

describe('cross-origin isolation on a static host', () => {
  it('first visit: the host sends no isolation headers, the Lab says why it uses one thread', async () => {
    const res = await fetch(server.url);
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(res.headers.get('cross-origin-embedder-policy')).toBeNull();

    await page.goto(server.url);
    expect(await isolated()).toBe(false);
    await page
      .getByTestId('import-file')
      .first()
      .setInputFiles((await smallArchive()).path);
    await page.getByTestId('dataset-name').waitFor({ timeout: 60_000 });
    await page.goto(`${server.url}#/lab`);
    const status = page.getByTestId('thread-status');
    await expect.poll(() => status.getAttribute('data-threads')).toBe('1');
    expect(await status.innerText()).toMatch(/not cross-origin isolated.*Reload the page/s);
    expect(await page.getByTestId('thread-setting').count()).toBe(0);
    // The trainers offered: the one-thread ones only.
    const choice = page.getByTestId('embed-engine-choice');
    await expect.poll(() => choice.locator('option[value="wasm-simd"]').count()).toBe(1);
    expect(await choice.locator('option[value="wasm-threads"]').count()).toBe(0);
  });

  it('from the next load on, the service worker adds COOP/COEP and the CSP, and the page is isolated', async () => {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await isolated()).toBe(true);
    const headers = await page.evaluate(async () => {
      const r = await fetch('./index.html');
      return Object.fromEntries(r.headers);
    });
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
  });

  it('the trainer table measures skip-gram on two threads, and tfjs starts its threaded wasm', async () => {
    await page.goto(`${server.url}#/lab`);
    const status = page.getByTestId('thread-status');
    expect(await status.innerText()).toMatch(/cross-origin isolated/);
    await page.getByTestId('thread-setting').selectOption('2');
    await expect.poll(() => status.getAttribute('data-threads')).toBe('2');
    const rows = await measure();
    expect(rows.get('wasm-threads')).toMatch(/× 2 threads [\d,]+/);
    // tfjs-wasm under isolation runs its threaded build; a hang would time out above.
    expect(rows.get('tfjs-wasm')).toMatch(/tfjs-wasm [\d,]+/);
    // NeuMF's kernel, measured below the skip-gram trainers: on one thread and on two.
    const kernels = page.getByTestId('kernel-measure');
    await page.getByTestId('kernel-table').waitFor({ timeout: 120_000 });
    expect(await kernels.count()).toBe(2);
    expect(await kernels.nth(1).getAttribute('data-threads')).toBe('2');
    expect(await kernels.nth(1).innerText()).toMatch(/wasm-simd kernel\s*× 2 threads\s*[\d,]+/);
    await page.getByTestId('kernel-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'lab-threads.png') });
  });

  it('an Item2Vec run on wasm-threads trains on both threads and is stored', async () => {
    await page.reload();
    const choice = page.getByTestId('embed-engine-choice');
    await expect.poll(() => choice.locator('option[value="wasm-threads"]').count()).toBe(1);
    await choice.selectOption('wasm-threads');
    await page.getByTestId('embed-train').click();
    await expect
      .poll(() => page.getByTestId('embed-engine').innerText(), { timeout: 120_000 })
      .toBe('wasm-threads');
    const row = page.getByTestId('embedding-row').first();
    await row.waitFor({ timeout: 240_000 });
    expect(await row.textContent()).toMatch(/wasm-threads/);
  });

  it('EASE trains on the Models page with its Gram matrix and inverse on two threads', async () => {
    // Pool threads start only when a task is posted to them, so a new one proves the split ran.
    const threads = (): number =>
      page.workers().filter((w) => w.url().includes('thread.worker')).length;
    await page.goto(`${server.url}#/models`);
    const before = threads();
    for (const name of ['popularity', 'itemknn', 'puresvd', 'ease', 'gmf', 'mlp', 'neumf'])
      await page.getByTestId(`model-${name}`).setChecked(name === 'ease');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('models-table-ncf-loo').textContent()).toMatch(/EASE/);
    expect(threads()).toBe(before + 1);
  });

  it('NeuMF trains on two threads, and the Models page measures its kernel on one and on two', async () => {
    await page.goto(`${server.url}#/models`);
    for (const name of ['popularity', 'itemknn', 'puresvd', 'ease', 'gmf', 'mlp', 'neumf'])
      await page.getByTestId(`model-${name}`).setChecked(name === 'neumf');
    await page.getByTestId('models-epochs').fill('1');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('models-table-ncf-loo').textContent()).toMatch(
      /wasm-simd × 2 threads/,
    );
    await page.getByTestId('models-probe').click();
    await page.getByTestId('models-probe-table').waitFor({ timeout: 120_000 });
    const kernels = page.locator('[data-testid="probe-row"][data-kernel]');
    expect(await kernels.count()).toBe(2);
    expect(await kernels.nth(1).innerText()).toMatch(/wasm-simd kernel × 2 threads\s*[\d,]+/);
    await page.getByTestId('models-probe-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'models-threads.png') });
  });

  it('the Pipeline page replays held-out users and serves new users on two threads', async () => {
    await page.goto(`${server.url}#/pipeline`);
    await page.getByTestId('pipeline-form').waitFor();
    await page.getByTestId('pipeline-protocol').selectOption('ncf-loo');
    await page.getByTestId('pipeline-a').selectOption('fusion');
    await page.getByTestId('pipeline-b').selectOption('itemknn');
    await page.getByTestId('pipeline-cap').fill('200');
    await page.getByTestId('pipeline-run').click();
    await page.getByTestId('pipeline-timing').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('pipeline-timing').innerText()).toMatch(
      /replay [\d.]+ m?s on 2 threads/,
    );
    await page.getByTestId('new-users-run').click();
    await page.getByTestId('new-users-timing').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('new-users-timing').innerText()).toMatch(/on 2 threads/);
    await page.getByTestId('pipeline-timing').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'pipeline-threads.png') });
  });

  it('stays isolated offline', async () => {
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(await isolated()).toBe(true);
    } finally {
      await browser.context.setOffline(false);
    }
  });
});
