/**
 * For You in plain words, in a real browser: after five liked movies the list
 * says what it was picked from without pipeline jargon, the cards carry
 * reasons and no raw scores (those are in "How this list was made", as a
 * table), no movie with fewer than 10 ratings is listed until "hidden gems"
 * is turned on, that setting survives a reload (and an older stored entry
 * without it reads as off); with an embedding trained the sentence stays
 * plain, and the page with the panel open fits a 390 px phone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive } from './fixtures.ts';

/**
 * How #/for-you fits the window: the document's width against innerWidth,
 * what sticks out of the window, what sticks out of "How this list was made"
 * (outside its scrolling score table), and how far that table would scroll.
 */
async function phoneFit(page: Page): Promise<{
  scroll: number;
  inner: number;
  wide: string[];
  outOfPanel: string[];
  tableScroll: number;
}> {
  return page.evaluate(() => {
    const name = (e: Element): string =>
      `${e.tagName.toLowerCase()}[${e.getAttribute('class') ?? ''}] ${(e.textContent ?? '').trim().slice(0, 40)}`;
    const panel = document.querySelector('[data-testid="for-you-pipeline"]')!;
    const style = getComputedStyle(panel);
    const edge =
      panel.getBoundingClientRect().right -
      parseFloat(style.paddingRight) -
      parseFloat(style.borderRightWidth);
    const wrap = panel.querySelector('.table-wrap');
    return {
      scroll: document.documentElement.scrollWidth,
      inner: innerWidth,
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => !(e instanceof SVGElement))
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
        .slice(0, 5)
        .map(name),
      outOfPanel: [...panel.querySelectorAll('*')]
        .filter((e) => !(wrap?.contains(e) && e !== wrap))
        .filter((e) => e.getBoundingClientRect().right > edge + 0.5)
        .slice(0, 5)
        .map(name),
      tableScroll: wrap ? wrap.scrollWidth - wrap.clientWidth : 0,
    };
  });
}

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ server, browser, page } = await openWithDataset((await smallArchive()).path));
  await page.goto(`${server.url}#/start`);
  await page.getByTestId('start-movie').first().waitFor();
  const cards = page.getByTestId('start-movie');
  for (let i = 0; i < 5; i++) {
    const card = cards.nth(i);
    await card.locator('[data-stars="4.5"]').click();
    await card.locator('[data-testid="star-rating"][data-value="4.5"]').waitFor();
  }
  await page.getByTestId('start-progress').filter({ hasText: '5 of 5' }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

/** The rating count of every movie on the list, read from its card's label. */
const counts = async (): Promise<number[]> =>
  page
    .getByTestId('for-you-item')
    .getByTestId('movie-card')
    .evaluateAll((as) =>
      as.map((a) => {
        const m = /from ([\d,]+) ratings?/.exec(a.getAttribute('aria-label') ?? '');
        return m ? Number(m[1]!.replace(/,/g, '')) : 0;
      }),
    );

/** The top of the list and "How this list was made", each as its own picture (no sticky header over the panel). */
async function shoot(name: string): Promise<void> {
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `for-you-words-${name}-top.png`) });
  const box = (await page.getByTestId('for-you-pipeline').boundingBox())!;
  await page.screenshot({
    path: join(SHOTS, `for-you-words-${name}-panel.png`),
    fullPage: true,
    clip: { x: 0, y: box.y, width: page.viewportSize()!.width, height: box.height },
  });
}

const openForYou = async (): Promise<void> => {
  await page.goto(`${server.url}#/for-you`);
  await page.getByTestId('for-you-item').first().waitFor();
};

describe('for you in plain words', () => {
  it('says what the list was picked from, without jargon, and keeps raw scores off the cards', async () => {
    await openForYou();
    const stage = (await page.getByTestId('for-you-stage').textContent()) ?? '';
    expect(stage).toMatch(/^\s*Picked for you from (the 5 movies you liked|your 5 ratings)/);
    expect(stage).not.toMatch(/fused|fusion|channel|folded/i);
    const items = page.getByTestId('for-you-item');
    const n = await items.count();
    expect(n).toBeGreaterThanOrEqual(10);
    expect(await items.getByTestId('card-reason').count()).toBe(n);
    // No number like 0.016 or -1.234 on a card: scores live in the panel.
    for (const text of await items.allTextContents()) expect(text).not.toMatch(/-?\d\.\d{3}/);
    const table = page.getByTestId('for-you-scores');
    await table.locator('summary').click();
    const rows = table.getByTestId('for-you-score-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(n);
    expect(await rows.first().locator('td').nth(2).textContent()).toMatch(/^-?\d+\.\d{3}$/);
  });

  it('leaves out movies with fewer than 10 ratings until hidden gems are asked for, kept across a reload', async () => {
    await openForYou();
    for (const c of await counts()) expect(c).toBeGreaterThanOrEqual(10);
    const gems = page.getByTestId('hidden-gems');
    expect(await gems.isChecked()).toBe(false);
    expect(await page.getByTestId('for-you-min-ratings').textContent()).toMatch(
      /fewer than 10 ratings are left out/,
    );
    await gems.check();
    await expect
      .poll(() => page.getByTestId('for-you-min-ratings').textContent())
      .toMatch(/Hidden gems/);
    const stored = await page.evaluate(() => localStorage.getItem('wren-for-you-options'));
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ minRatings: 0 });
    await page.reload();
    await page.getByTestId('for-you-item').first().waitFor();
    expect(await page.getByTestId('hidden-gems').isChecked()).toBe(true);
    // Settings stored before "hidden gems" existed read back with it off.
    await page.evaluate(() =>
      localStorage.setItem(
        'wren-for-you-options',
        JSON.stringify({ k: 20, diversity: 0.3, freshness: 0, sizes: {} }),
      ),
    );
    await page.reload();
    await page.getByTestId('for-you-item').first().waitFor();
    expect(await page.getByTestId('hidden-gems').isChecked()).toBe(false);
    for (const c of await counts()) expect(c).toBeGreaterThanOrEqual(10);
  });

  it('words the embedding’s list, and the default ranker’s, plainly', async () => {
    // An embedding: the automatic build's, or one trained here if none is on its way.
    await page.goto(`${server.url}#/lab`);
    const row = page.getByTestId('embedding-row').first();
    const train = page.getByTestId('embed-train');
    await train.waitFor();
    await page.waitForTimeout(500);
    if (!(await row.isVisible()) && (await train.isEnabled())) await train.click();
    await row.waitFor({ timeout: 240_000 });
    await openForYou();
    const choice = page.getByTestId('ranker-choice');
    await expect
      .poll(() => choice.locator('option[value="embedding"]').count(), { timeout: 60_000 })
      .toBe(1);
    await choice.selectOption('embedding');
    await expect
      .poll(() => page.getByTestId('for-you-ranker').textContent(), { timeout: 30_000 })
      .toBe('Embedding similarity');
    const stage = (await page.getByTestId('for-you-stage').textContent()) ?? '';
    expect(stage).toMatch(/^\s*Picked for you: the movies most like the 5 movies you liked/);
    expect(stage).not.toMatch(/vector|cosine|embedding|fus|channel|fold/i);
    // Whatever ranks by default (an automatically built model, the embedding, the channels), no jargon.
    await choice.selectOption('auto');
    await expect.poll(() => choice.inputValue()).toBe('auto');
    await page.waitForTimeout(500);
    const auto = (await page.getByTestId('for-you-stage').textContent()) ?? '';
    expect(auto).toMatch(/^\s*Picked for you/);
    expect(auto).not.toMatch(/vector|cosine|fus|channel|fold/i);
  });

  it('fits a 390 px phone with "How this list was made" and its scores open', async () => {
    // The ranker menu is as wide as its longest option ("Best available (embedding similarity)"):
    // it once pushed the panel's text past its edge.
    await page.setViewportSize({ width: 390, height: 844 });
    await openForYou();
    await page.getByTestId('for-you-scores').locator('summary').click();
    await page.getByText('Channel sizes').click();
    await page.getByTestId('for-you-score-row').first().waitFor();
    await page.waitForTimeout(300);
    const fit = await phoneFit(page);
    expect(fit.scroll, fit.wide.join(' ')).toBeLessThanOrEqual(fit.inner);
    // Nothing sticks out of the panel either (the page's padding would hide a few pixels).
    expect(fit.outOfPanel).toEqual([]);
    expect(fit.tableScroll).toBeLessThanOrEqual(0);
    await shoot('phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForTimeout(300);
    await shoot('desktop');
  });
});
