/**
 * Personal recommendations in a real browser: a new person imports
 * ml-latest-small, rates five movies they like on the onboarding page, and
 * gets a For You row on Home with a reason on every card; each new rating
 * changes the list; "not interested" takes a movie out; the profile
 * survives a reload and exports to a file. Onboarding offers more movies in
 * sets that lean to the genres liked, never bringing back one not seen, with
 * its progress panel below the sticky header on a laptop and a phone.
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
    expect(await cards.count()).toBeGreaterThanOrEqual(12);
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

  it('keeps a rating given right before the tab closes', async () => {
    const tab = await browser.context.newPage();
    await tab.goto(`${server.url}#/for-you`);
    const first = tab.getByTestId('for-you-item').first();
    await first.waitFor();
    await first.locator('[data-stars="4"]').click();
    // The list follows the rating at once; the tab closes before anything else happens.
    await tab.close();
    const again = await browser.context.newPage();
    await again.goto(`${server.url}#/data`);
    await expect
      .poll(() => again.getByTestId('profile-counts').textContent())
      .toMatch(/^\s*7 ratings/);
    await again.close();
  });

  it('offers more movies in sets that follow what you liked, and never one you have not seen', async () => {
    await page.goto(`${server.url}#/start`);
    const cards = page.getByTestId('start-movie');
    await cards.first().waitFor();
    const shown = (): Promise<number[]> =>
      cards.evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-movie'))));
    // "Haven't seen it": the card greys out, and the movie never comes back.
    const skipped = Number(
      await cards
        .filter({ has: page.getByTestId('start-not-seen') })
        .first()
        .getAttribute('data-movie'),
    );
    const skippedCard = page.locator(`[data-testid="start-movie"][data-movie="${skipped}"]`);
    await skippedCard.getByTestId('start-not-seen').click();
    await expect.poll(() => skippedCard.getAttribute('data-passed')).toBe('true');
    // "Show me more" until more than the old fixed 22 movies are on the page.
    for (let i = 0; i < 4 && (await cards.count()) <= 22; i++) {
      const n = await cards.count();
      await page.getByTestId('start-more').click();
      await expect.poll(() => cards.count()).toBeGreaterThan(n);
    }
    const all = await shown();
    expect(all.length).toBeGreaterThan(22);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((m) => m === skipped)).toHaveLength(1);

    // Like every movie of the latest set in its most common genre, skip the rest: the set that
    // follows by itself holds more of that genre.
    const sets = page.getByTestId('start-set');
    const before = await sets.count();
    const last = sets.last().getByTestId('start-movie');
    const genres = await last.evaluateAll((ls) =>
      ls.map((l) => (l.getAttribute('data-genres') ?? '').split('|')),
    );
    const tally = new Map<string, number>();
    for (const g of genres.flat()) tally.set(g, (tally.get(g) ?? 0) + 1);
    const [genre, liked] = [...tally]
      .filter(([, k]) => k >= 2 && k <= 6)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    for (let i = 0; i < genres.length; i++) {
      const card = sets
        .nth(before - 1)
        .getByTestId('start-movie')
        .nth(i);
      if (genres[i]!.includes(genre)) await card.locator('[data-stars="5"]').click();
      else await card.getByTestId('start-not-seen').click();
    }
    await expect.poll(() => sets.count(), { timeout: 15_000 }).toBe(before + 1);
    const next = await sets
      .last()
      .getByTestId('start-movie')
      .evaluateAll((ls) => ls.map((l) => (l.getAttribute('data-genres') ?? '').split('|')));
    expect(next.length).toBeGreaterThan(0);
    const inGenre = next.filter((g) => g.includes(genre)).length;
    expect(
      inGenre,
      `${genre}: ${liked} liked of ${genres.length}, then ${inGenre} of ${next.length}`,
    ).toBeGreaterThan(liked);
    expect(await sets.last().locator('h2').textContent()).toMatch(/More like /);
    const after = await shown();
    expect(new Set(after).size).toBe(after.length);
    expect(after.filter((m) => m === skipped)).toHaveLength(1);

    // The progress panel stays in view just below the sticky header while you scroll.
    const belowHeader = async (): Promise<number> => {
      await page.mouse.wheel(0, 1500);
      await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(600);
      return page.evaluate(() => {
        const header = document.querySelector('.site-header')!.getBoundingClientRect();
        const panel = document
          .querySelector('[data-testid="start-progress"]')!
          .getBoundingClientRect();
        return panel.top - header.bottom;
      });
    };
    const gap = await belowHeader();
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThanOrEqual(16);
    await page.screenshot({ path: join(SHOTS, 'start-laptop.png') });

    // A phone: no sideways scrolling, and the panel still clears the (taller) header.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, 'start-phone-top.png') });
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBeLessThanOrEqual(0);
      const phoneGap = await belowHeader();
      expect(phoneGap).toBeGreaterThanOrEqual(0);
      expect(phoneGap).toBeLessThanOrEqual(16);
      await page.screenshot({ path: join(SHOTS, 'start-phone.png') });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }

    // A new visit: a fresh first set, still without the movie you had not seen.
    await page.reload();
    await cards.first().waitFor();
    expect(await shown()).not.toContain(skipped);
  });
});
