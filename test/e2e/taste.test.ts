/**
 * The personal pages beyond For You, in a real browser: after an item2vec
 * embedding is trained in the Lab and a few movies are rated, a movie page
 * predicts your rating and explains it, a movie you liked lists "because
 * you liked" picks you have not rated, Your Taste shows your genres, how they
 * moved and your place on the movie map, and any dataset user can be opened
 * with their history, each channel's and each ranker's picks — never a movie
 * they rated. Phone width included; nothing leaves the origin.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openWithDataset, SHOTS, type Browser, type Server } from './harness.ts';
import { smallArchive } from './fixtures.ts';

let server: Server;
let browser: Browser;
let page: Page;
/** Hrefs of the movies rated on the onboarding page, and which were liked. */
const rated: { href: string; liked: boolean }[] = [];

beforeAll(async () => {
  // The rankers as they stand without the automatic build's personal model ('auto' = the embedding).
  ({ server, browser, page } = await openWithDataset((await smallArchive()).path, {
    autoBuild: false,
  }));
  await page.goto(`${server.url}#/lab`);
  await page.getByTestId('embed-train').click();
  await page.getByTestId('embedding-row').first().waitFor({ timeout: 240_000 });
  await page.goto(`${server.url}#/start`);
  await page.getByTestId('start-movie').first().waitFor();
  const cards = page.getByTestId('start-movie');
  // Six liked, one disliked.
  const stars = ['5', '4.5', '4.5', '4', '5', '4.5', '1.5'];
  for (let i = 0; i < stars.length; i++) {
    const card = cards.nth(i);
    await card.locator(`[data-stars="${stars[i]}"]`).click();
    await card.locator(`[data-testid="star-rating"][data-value="${stars[i]}"]`).waitFor();
    rated.push({
      href: (await card.getByTestId('movie-card').getAttribute('href')) ?? '',
      liked: Number(stars[i]) >= 3.5,
    });
  }
  await page.getByTestId('start-progress').filter({ hasText: '5 of 5' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

const predicted = async (): Promise<number> =>
  Number(((await page.getByTestId('predicted-value').textContent()) ?? '').replace(/[^\d.]/g, ''));

describe('your taste and the teaching views', () => {
  it('predicts your rating of a movie and explains it from the movies like it you rated', async () => {
    await page.goto(`${server.url}${rated[0]!.href}`);
    await page.getByTestId('predicted-value').waitFor();
    const p = await predicted();
    expect(p).toBeGreaterThanOrEqual(0.5);
    expect(p).toBeLessThanOrEqual(5);
    const why = (await page.getByTestId('predicted-why').textContent()) ?? '';
    expect(why).toMatch(/baseline is \d\.\d ★/);
    expect(why).toMatch(/Movies like it that you rated/);
    // A movie you liked: "because you liked" it, none of them rated by you.
    const because = page.getByTestId('because-you-liked');
    await because.waitFor();
    const picks = await because
      .getByTestId('movie-card')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(picks.length).toBeGreaterThanOrEqual(6);
    for (const r of rated) expect(picks).not.toContain(r.href);
    // Similar movies: twelve, none with fewer than 10 ratings (a rare movie's vector says little).
    const similar = page.getByTestId('similar-movie').getByTestId('movie-card');
    await similar.first().waitFor();
    const counts = await similar.evaluateAll((as) =>
      as.map((a) =>
        Number(
          /from ([\d,]+) rating/.exec(a.getAttribute('aria-label') ?? '')?.[1]?.replace(/,/g, '') ??
            0,
        ),
      ),
    );
    expect(counts).toHaveLength(12);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: join(SHOTS, 'movie-for-you.png'), fullPage: true });
  });

  it('lowers the prediction of a movie when you rate the movie most like it low', async () => {
    await page.goto(`${server.url}${rated[0]!.href}`);
    const first = page.getByTestId('because-movie').first();
    await first.waitFor();
    const before = await predicted();
    const neighbour = (await first.getByTestId('movie-card').getAttribute('href')) ?? '';
    await page.goto(`${server.url}${neighbour}`);
    await page.getByTestId('your-rating').locator('[data-stars="0.5"]').click();
    await page.goto(`${server.url}${rated[0]!.href}`);
    await page.getByTestId('because-movie').first().waitFor();
    // The neighbour is rated now: out of "because you liked", and its 0.5 stars pull the prediction down.
    await expect
      .poll(() =>
        page
          .getByTestId('because-you-liked')
          .getByTestId('movie-card')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      )
      .not.toContain(neighbour);
    await expect.poll(predicted).toBeLessThan(before - 0.05);
    // Take it back: the prediction returns.
    await page.goto(`${server.url}${neighbour}`);
    await page.getByTestId('your-rating').getByTestId('rating-clear').click();
    await page.goto(`${server.url}${rated[0]!.href}`);
    await page.getByTestId('predicted-value').waitFor();
    await expect.poll(predicted).toBeCloseTo(before, 5);
  });

  it('shows your genres, how they moved, and your place on the movie map', async () => {
    await page.goto(`${server.url}#/taste`);
    await page.getByTestId('taste-summary').waitFor();
    expect(await page.getByTestId('taste-summary').textContent()).toMatch(/7 ratings, 6 liked/);
    const genres = page.getByTestId('taste-genre');
    expect(await genres.count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('taste-slice').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('map-you').waitFor();
    const marks = await page.getByTestId('map-mark').count();
    expect(marks).toBeGreaterThanOrEqual(5);
    expect(marks).toBeLessThanOrEqual(7);
    await page.screenshot({ path: join(SHOTS, 'taste.png'), fullPage: true });
  });

  it('opens any dataset user with each channel and ranker, never recommending what they rated', async () => {
    await page.goto(`${server.url}#/user`);
    const suggestion = page.getByRole('link', { name: /^user \d+$/ }).first();
    await suggestion.waitFor();
    await suggestion.click();
    await page.getByTestId('user-rankers').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('user-meta').textContent()).toMatch(/User \d+, [\d,]+ of [\d,]+/);
    const hrefs = (id: string) =>
      page
        .getByTestId(id)
        .locator('a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    await page.getByTestId('taste-map').getByTestId('map-you').waitFor();
    await page.screenshot({ path: join(SHOTS, 'user.png'), fullPage: true });
    // Show every rating, then check no recommended movie is among them.
    const all = page.getByRole('button', { name: /^Show all/ });
    if (await all.count()) await all.click();
    const history = new Set(await hrefs('user-history'));
    expect(history.size).toBeGreaterThan(20);
    const channelPicks = await hrefs('user-channels');
    const rankerPicks = await hrefs('user-rankers');
    expect(channelPicks.length).toBeGreaterThanOrEqual(30);
    // Fusion and the embedding's cosine at least, ten each.
    const heads = await page.getByTestId('user-rankers').locator('thead th').count();
    expect(heads).toBeGreaterThanOrEqual(3);
    expect(rankerPicks.length).toBeGreaterThanOrEqual(20);
    for (const h of [...channelPicks, ...rankerPicks]) expect(history.has(h)).toBe(false);
  });

  it('ranks For You with the ranker you choose and the channel sizes you set, kept across a reload', async () => {
    await page.goto(`${server.url}#/for-you`);
    const choice = page.getByTestId('ranker-choice');
    await choice.waitFor();
    // With an embedding and no stored model, "auto" ranks by the embedding.
    expect(await page.getByTestId('for-you-ranker').textContent()).toBe('Embedding similarity');
    await choice.selectOption('fusion');
    await expect
      .poll(() => page.getByTestId('for-you-ranker').textContent())
      .toBe('Channel fusion');
    expect(await page.getByTestId('for-you-stage').textContent()).toMatch(/as you chose/);
    await page.getByText('Channel sizes').click();
    await page.getByTestId('size-popular').fill('0');
    await page.getByTestId('size-popular').dispatchEvent('change');
    await expect.poll(() => page.getByTestId('channel-popular').textContent()).toBe('0');
    const found = await page.getByTestId('for-you-found').allTextContents();
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f.split(' · ')).not.toContain('Popular');
    await page.reload();
    await page.getByTestId('ranker-choice').waitFor();
    expect(await page.getByTestId('ranker-choice').inputValue()).toBe('fusion');
    expect(await page.getByTestId('channel-popular').textContent()).toBe('0');
    await page.getByTestId('ranker-choice').selectOption('auto');
    await expect
      .poll(() => page.getByTestId('for-you-ranker').textContent())
      .toBe('Embedding similarity');
  });

  it('fits a phone and keeps every request on this origin', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/user', '#/taste']) {
      await page.goto(`${server.url}${hash}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForTimeout(500);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: join(SHOTS, 'taste-phone.png'), fullPage: true });
    const origin = new URL(server.url).origin;
    const foreign = browser.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'),
    );
    expect(foreign).toEqual([]);
  });
});
