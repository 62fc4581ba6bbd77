/**
 * Personal recommendations in a real browser: a new person imports
 * ml-latest-small, rates five movies they like on the onboarding page, and
 * gets a For You row on Home with a reason on every card; each new rating
 * changes the list; "not interested" takes a movie out; the profile
 * survives a reload and exports to a file.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
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

const listed = async (): Promise<string[]> =>
  page
    .getByTestId('for-you-item')
    .getByTestId('movie-card')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));

describe('for you', () => {
  it('invites a new person to rate, then follows five liked movies with reasons on every card', async () => {
    await page.goto(server.url);
    await page.getByTestId('for-you-invite').waitFor();
    await page.getByTestId('for-you-invite').getByRole('link').click();
    await page.getByTestId('start-movie').first().waitFor();
    const cards = page.getByTestId('start-movie');
    expect(await cards.count()).toBeGreaterThanOrEqual(20);
    for (let i = 0; i < 5; i++) {
      await cards.nth(i).locator('[data-stars="4.5"]').click();
      await expect
        .poll(() => page.getByTestId('start-progress').textContent())
        .toContain(`${i + 1} of 5`);
    }
    await page.screenshot({ path: join(SHOTS, 'start.png'), fullPage: false });
    await page.goto(server.url);
    const row = page.getByTestId('for-you-row');
    await row.waitFor();
    const reasons = await row.getByTestId('card-reason').allTextContents();
    const cardsInRow = await row.getByTestId('movie-card').count();
    expect(cardsInRow).toBeGreaterThanOrEqual(10);
    expect(reasons).toHaveLength(cardsInRow);
    for (const r of reasons) expect(r.trim().length).toBeGreaterThan(5);
    await page.screenshot({ path: join(SHOTS, 'home-for-you.png'), fullPage: false });
  });

  it('changes the list with each new rating and drops a movie marked not interested', async () => {
    await page.goto(`${server.url}#/for-you`);
    await page.getByTestId('for-you-item').first().waitFor();
    const before = await listed();
    // Rate the top pick 5 stars: it leaves the list (rated) and the list moves.
    await page.getByTestId('for-you-item').first().locator('[data-stars="5"]').click();
    await expect.poll(listed).not.toEqual(before);
    const after = await listed();
    expect(after).not.toContain(before[0]);
    await expect
      .poll(() => page.getByTestId('for-you-timing').textContent())
      .toMatch(/from your last rating to this\s+list \d+ ms/);
    const first = after[0]!;
    await page.getByTestId('for-you-item').first().getByTestId('not-interested').click();
    await expect.poll(listed).not.toContain(first);
    await page.screenshot({ path: join(SHOTS, 'for-you.png'), fullPage: true });
  });

  it('keeps the profile across a reload and exports it as a file', async () => {
    await page.reload();
    await page.goto(`${server.url}#/data`);
    await expect
      .poll(() => page.getByTestId('profile-counts').textContent())
      .toMatch(/^\s*6 ratings, 0 on your watchlist,\s+1 marked not interested/);
    const download = page.waitForEvent('download');
    await page.getByTestId('profile-export').click();
    const file = await (await download).path();
    const json = JSON.parse(readFileSync(file!, 'utf8')) as { format: string; ratings: unknown[] };
    expect(json.format).toBe('wren-profile');
    expect(json.ratings).toHaveLength(6);
    // A wrong file is refused with a message and changes nothing.
    await page.getByTestId('profile-import').setInputFiles({
      name: 'notes.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"hello": 1}'),
    });
    await expect
      .poll(() => page.getByTestId('profile-message').textContent())
      .toMatch(/notes\.json/);
    expect(await page.getByTestId('profile-counts').textContent()).toMatch(/^\s*6 ratings/);
  });
});
