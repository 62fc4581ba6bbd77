/**
 * The Pipeline page's "What a new person sees" in a real browser: on
 * ml-latest-small, new-user-k (k = 1, 3, 5, 10, 20) and the taste probe for
 * For You's pipeline, popularity, ItemKNN and EASE, trained in the
 * evaluation worker — cancel, progress, the curves, the table, the probe
 * bars and genre table, and a phone-sized screen.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadDataset } from '../../src/cli/ranker-setup.ts';
import { runNewUserK } from '../../src/core/recommend/new-user-eval.ts';
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

const RANKERS = ['pipeline', 'popularity', 'itemknn', 'ease'];
const KS = [1, 3, 5, 10, 20];

/** An element screenshot without the sticky header and the fixed "recommendations are ready" note over it. */
async function shot(id: string, file: string): Promise<void> {
  // Through the CSSOM: the app's Content-Security-Policy refuses an added <style>.
  await page.evaluate(() =>
    document
      .querySelectorAll<HTMLElement>('.site-header, .auto-build')
      .forEach((e) => e.style.setProperty('visibility', 'hidden', 'important')),
  );
  await page.getByTestId(id).screenshot({ path: join(SHOTS, file) });
}

interface Metrics {
  recall: number;
  ndcg: number;
  miscalibration: number;
}

describe('what a new person sees', () => {
  it('cancels, then runs new-user-k and the taste probe for every ranker', async () => {
    await page.goto(`${server.url}#/pipeline`);
    const section = page.getByTestId('new-users');
    await section.waitFor();

    // Cancel: the run stops with a message and no results.
    await page.getByTestId('new-users-run').click();
    await expect
      .poll(() => page.getByTestId('new-users-stage').textContent())
      .toMatch(/Step \d+ of \d+/);
    await page.getByTestId('new-users-cancel').click();
    await page.getByTestId('new-users-cancelled').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('new-users-results').count()).toBe(0);

    // The real run, stage by stage.
    const stages = new Set<string>();
    const t0 = Date.now();
    await page.getByTestId('new-users-run').click();
    const results = page.getByTestId('new-users-results');
    while ((await results.count()) === 0) {
      const text = await page
        .getByTestId('new-users-stage')
        .textContent({ timeout: 1000 })
        .catch(() => null);
      if (text) stages.add(text.replace(/, \d+%$|…$/, ''));
      expect(await page.getByTestId('new-users-error').count()).toBe(0);
      if (Date.now() - t0 > 240_000) throw new Error('no results after 4 minutes');
      await page.waitForTimeout(150);
    }
    const seconds = (Date.now() - t0) / 1000;
    const worker = Number(await page.getByTestId('new-users-timing').getAttribute('data-seconds'));
    console.log(
      `new users, ml-latest-small${small.genuine ? '' : ' (generated)'}: ` +
        `${seconds.toFixed(1)} s from Run to the results (${worker.toFixed(1)} s in the worker); ` +
        `stages seen: ${[...stages].join(' | ')}`,
    );
    expect([...stages].some((s) => /EASE/.test(s))).toBe(true);
    expect([...stages].some((s) => /Taste probe/.test(s))).toBe(true);

    // The curves: NDCG@10 and Recall@10, four lines of five points each.
    for (const id of ['new-users-ndcg', 'new-users-recall']) {
      const lines = page.getByTestId(`${id}-line`);
      expect(await lines.count()).toBe(4);
      const names = await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-name')));
      expect([...names].sort()).toEqual([...RANKERS].sort());
      for (const points of await lines.evaluateAll((ps) =>
        ps.map((p) => Number(p.getAttribute('data-points'))),
      ))
        expect(points).toBe(5);
      for (const d of await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? '')))
        expect(d.match(/[ML]/g)).toHaveLength(5);
      expect(await page.getByTestId(id).locator('circle').count()).toBe(20);
    }
    // Popularity is dashed, the pipeline drawn thicker than the rest.
    const style = (name: string) =>
      page
        .getByTestId('new-users-ndcg-line')
        .and(page.locator(`[data-name="${name}"]`))
        .evaluate((p) => ({
          dash: getComputedStyle(p).strokeDasharray,
          width: parseFloat(getComputedStyle(p).strokeWidth),
        }));
    expect((await style('popularity')).dash).not.toBe('none');
    expect((await style('pipeline')).width).toBeGreaterThan((await style('ease')).width);

    // The table: a row per k and ranker, every figure in range; the pipeline's NDCG@10 at k = 5 shown.
    const rows = await page.getByTestId('new-users-row').evaluateAll((trs) =>
      trs.map((tr) => ({
        k: Number(tr.getAttribute('data-k')),
        name: tr.getAttribute('data-name')!,
        metrics: JSON.parse(tr.getAttribute('data-metrics')!) as Metrics,
      })),
    );
    expect(rows).toHaveLength(KS.length * RANKERS.length);
    expect([...new Set(rows.map((r) => r.k))]).toEqual(KS);
    for (const r of rows) {
      expect(r.metrics.recall).toBeGreaterThanOrEqual(0);
      expect(r.metrics.recall).toBeLessThanOrEqual(1);
      expect(r.metrics.ndcg).toBeGreaterThan(0);
      expect(r.metrics.ndcg).toBeLessThanOrEqual(1);
      expect(r.metrics.miscalibration).toBeGreaterThanOrEqual(0);
    }
    const pipe5 = rows.find((r) => r.k === 5 && r.name === 'pipeline')!;
    const cell = page
      .locator('[data-testid="new-users-row"][data-k="5"][data-name="pipeline"]')
      .locator('td[data-metric="ndcg"]');
    expect(await cell.textContent()).toBe(pipe5.metrics.ndcg.toFixed(3));
    const pop5 = rows.find((r) => r.k === 5 && r.name === 'popularity')!;
    // The same protocol run in node on the same archive gives the page's figures.
    const node = (
      await runNewUserK(await loadDataset(small.path), {
        ks: [5],
        rankers: ['pipeline', 'popularity'],
      })
    ).rows[0]!;
    expect(pop5.metrics.recall).toBeCloseTo(node.rankers.popularity!.recall, 4);
    expect(pipe5.metrics.ndcg).toBeCloseTo(node.rankers.pipeline!.ndcg, 4);
    const reading = (await page.getByTestId('new-users-reading').textContent()) ?? '';
    expect(reading).toMatch(
      /With 5 liked movies, For You’s top 10 holds 0\.\d\d of what they liked later \(Recall@10\); popularity 0\.\d\d/,
    );
    expect(reading).toContain(`popularity ${pop5.metrics.recall.toFixed(2)}`);

    // The taste probe: two bars per ranker, and For You beside popularity per genre.
    const bars = page.getByTestId('probe-bars').getByTestId('probe-bar');
    expect(await bars.count()).toBe(2 * RANKERS.length);
    const probe = await bars.evaluateAll((rs) =>
      rs.map((r) => ({
        name: r.getAttribute('data-name')!,
        kind: r.getAttribute('data-kind')!,
        value: Number(r.getAttribute('data-value')),
        width: Number(r.getAttribute('width')),
      })),
    );
    for (const b of probe) {
      expect(b.value).toBeGreaterThanOrEqual(0);
      expect(b.value).toBeLessThanOrEqual(1);
      expect(b.width).toBeGreaterThan(0);
    }
    const inGenre = (n: string) => probe.find((b) => b.name === n && b.kind === 'in-genre')!.value;
    expect(inGenre('pipeline')).toBeGreaterThan(inGenre('popularity'));
    const genres = await page.getByTestId('probe-genre-row').count();
    expect(genres).toBeGreaterThan(5);
    if (small.genuine) {
      expect(genres).toBe(18);
      expect(inGenre('popularity')).toBeCloseTo(0.04, 2);
    }
    expect(await page.getByTestId('probe-reading').textContent()).toMatch(
      /\d+% of For You’s top 10 in that genre; popularity \d+%/,
    );
    await shot('new-users', 'new-users.png');
  });

  it('fits a phone: nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}#/lab`);
      await page.goto(`${server.url}#/pipeline`);
      // The last result is shown again without a new run.
      await page.getByTestId('new-users-results').waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      // The figures table fits too (short ranker names), without scrolling inside its box.
      const table = await page
        .getByTestId('new-users-table')
        .evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth);
      expect(table).toBeLessThanOrEqual(0);
      // The plots fit inside the screen.
      for (const id of ['new-users-ndcg', 'new-users-recall', 'probe-bars']) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      }
      await shot('new-users', 'phone-new-users.png');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
