/**
 * "What SASRec looked at" on the Models page, in a real browser: train SASRec
 * for two epochs on the small dataset, then open its attention for dataset
 * user 1 — a top pick, one bar per movie it read (min(history, maxLen)),
 * bars sized by weights that sum to 1, and a block toggle that changes them —
 * and for you with no ratings yet; at desktop and phone widths.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SASREC_DEFAULTS } from '../../src/core/models/sequential-config.ts';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive, type Archive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;
let small: Archive;

beforeAll(async () => {
  small = await smallArchive();
  ({ server, browser, page } = await openWithDataset(small.path, { autoBuild: false }));
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** User 1's ratings in the archive (ml-latest layout: ratings.csv, userId first). */
function ratingsOfUserOne(path: string): number {
  const files = unzipSync(readFileSync(path), { filter: (f) => f.name.endsWith('ratings.csv') });
  const csv = new TextDecoder().decode(Object.values(files)[0]!);
  return csv.split('\n').filter((line) => line.startsWith('1,')).length;
}

/** Each row's weight, and its bar's length as a share of the axis (data-axis: a full bar). */
async function readBars(): Promise<{ weights: number[]; lengths: number[] }> {
  return page.getByTestId('attention-bars').evaluate((ol) => {
    const axis = Number((ol as HTMLElement).dataset.axis);
    const rows = [...ol.querySelectorAll<HTMLElement>('[data-testid="attention-row"]')];
    return {
      weights: rows.map((r) => Number(r.dataset.weight)),
      lengths: rows.map((r) => {
        const bar = r.querySelector<HTMLElement>('[data-testid="attention-bar"]')!;
        const track = bar.parentElement!.getBoundingClientRect().width;
        return (bar.getBoundingClientRect().width / track) * axis;
      }),
    };
  });
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The section with its heading, cut from a full-page shot (so the sticky header stays on top). */
async function shot(name: string): Promise<void> {
  await page.mouse.move(0, 0);
  const section = page.locator('section[aria-labelledby="mattn-h"]');
  const box = (await section.boundingBox())!;
  const { y, width } = await page.evaluate(() => ({
    y: window.scrollY,
    width: document.documentElement.clientWidth,
  }));
  await page.screenshot({
    path: join(SHOTS, name),
    fullPage: true,
    clip: { x: 0, y: box.y + y - 8, width, height: box.height + 16 },
  });
}

describe('what SASRec looked at', () => {
  it('trains SASRec and shows its top pick and attention for dataset user 1', async () => {
    await page.goto(`${server.url}#/models`);
    await page.getByTestId('attention-none').waitFor();
    expect(await page.getByTestId('attention-none').textContent()).toMatch(/train SASRec above/);

    for (const box of await page.locator('input[type="checkbox"][data-testid^="model-"]').all())
      await box.setChecked((await box.getAttribute('data-testid')) === 'model-sasrec');
    await page.getByTestId('models-epochs').fill('2');
    await page.getByTestId('models-backend').selectOption('wasm');
    await page.getByTestId('models-train').click();
    await page.getByTestId('models-done').waitFor({ timeout: 240_000 });

    expect(await page.getByTestId('attention-model').textContent()).toMatch(/SASRec/);
    await page.getByTestId('attention-user').fill('1');
    await page.getByTestId('attention-show').click();
    await page.getByTestId('attention-top-title').waitFor({ timeout: 60_000 });
    expect((await page.getByTestId('attention-top-title').textContent())?.trim()).not.toBe('');

    // ncf-loo holds out user 1's latest rating; SASRec reads the latest maxLen of the rest.
    const n = Math.min(ratingsOfUserOne(small.path) - 1, SASREC_DEFAULTS.maxLen);
    expect(await page.getByTestId('attention-row').count()).toBe(n);
    const last = await readBars();
    expect(last.weights).toHaveLength(n);
    expect(sum(last.weights)).toBeCloseTo(1, 3);
    // Bars are drawn to scale: their lengths add up to 100% of attention too.
    expect(Math.abs(sum(last.lengths) - 1)).toBeLessThan(0.02);
    last.lengths.forEach((l, i) => expect(Math.abs(l - last.weights[i]!)).toBeLessThan(0.01));

    // The last block is shown first; block 1 has other weights.
    expect(await page.getByTestId('attention-block-2').getAttribute('aria-pressed')).toBe('true');
    const caption = async (): Promise<string> =>
      ((await page.getByTestId('attention-caption').textContent()) ?? '')
        .replace(/\s+/g, ' ')
        .trim();
    const caption2 = await caption();
    expect(caption2).toMatch(
      new RegExp(
        `SASRec read user 1’s last ${n} movies.*attended most to .+ \\(\\d+(\\.\\d)?%\\) in block 2`,
      ),
    );
    await page.getByTestId('attention-block-1').click();
    expect(await page.getByTestId('attention-block-1').getAttribute('aria-pressed')).toBe('true');
    const first = await readBars();
    expect(first.weights).toHaveLength(n);
    expect(sum(first.weights)).toBeCloseTo(1, 3);
    expect(first.weights).not.toEqual(last.weights);
    expect(await caption()).toMatch(/in block 1\.$/);
    await page.getByTestId('attention-block-2').click();

    await shot('models-attention.png');
  }, 300_000);

  it('works on a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('phone-models-attention.png');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const { lengths, weights } = await readBars();
    expect(lengths.length).toBeGreaterThan(0);
    lengths.forEach((l, i) => expect(Math.abs(l - weights[i]!)).toBeLessThan(0.01));
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('says so when you have no ratings to read', async () => {
    await page.getByTestId('attention-who-you').check();
    await page.getByTestId('attention-show').click();
    await page.getByTestId('attention-empty').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('attention-empty').textContent()).toMatch(/rate a few/);
  });
});
