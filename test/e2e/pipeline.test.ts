/**
 * The Pipeline page in a real browser: ml-latest-small's held-out users
 * (ncf-loo) replayed through every recall channel alone and through two
 * pipelines (channel fusion and ItemKNN), and the two compared by an A/B
 * split and by interleaving — progress, cancel, the tables, the settling
 * plots, a phone-sized screen, and no request leaving the origin.
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

interface Row {
  kind: string;
  name: string;
  metrics: { hit: number; ndcg: number; recall: number; recalled: number };
}

const CHANNELS = ['because', 'embedding', 'genre', 'top-rated', 'popular'];

describe('pipeline evaluation', () => {
  it('cancels a run, then replays ncf-loo and A/B tests channel fusion against ItemKNN', async () => {
    await page.goto(`${server.url}#/pipeline`);
    await page.getByTestId('pipeline-form').waitFor();
    await page.getByTestId('pipeline-protocol').selectOption('ncf-loo');
    await page.getByTestId('pipeline-a').selectOption('fusion');
    await page.getByTestId('pipeline-b').selectOption('itemknn');
    // ml-latest-small's 610 users are all replayed by default.
    expect(await page.getByTestId('pipeline-cap').inputValue()).toBe('');

    // Cancel: the run stops with a message and no results.
    await page.getByTestId('pipeline-run').click();
    await expect
      .poll(() => page.getByTestId('pipeline-stage').textContent())
      .toMatch(/Step \d of \d/);
    await page.getByTestId('pipeline-cancel').click();
    await page.getByTestId('pipeline-cancelled').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('replay-table').count()).toBe(0);

    // The real run: progress reaches the page stage by stage.
    const stages = new Set<string>();
    const t0 = Date.now();
    await page.getByTestId('pipeline-run').click();
    const table = page.getByTestId('replay-table');
    while ((await table.count()) === 0) {
      const text = await page
        .getByTestId('pipeline-stage')
        .textContent({ timeout: 1000 })
        .catch(() => null);
      if (text) stages.add(text.replace(/, \d+%$|…$/, ''));
      await page
        .getByTestId('pipeline-error')
        .count()
        .then((n) => expect(n).toBe(0));
      if (Date.now() - t0 > 240_000) throw new Error('no results after 4 minutes');
      await page.waitForTimeout(150);
    }
    const seconds = (Date.now() - t0) / 1000;
    const worker = Number(await page.getByTestId('pipeline-timing').getAttribute('data-seconds'));
    console.log(
      `pipeline page, ml-latest-small${small.genuine ? '' : ' (generated)'}, ncf-loo, fusion vs itemknn: ` +
        `${seconds.toFixed(1)} s from Run to the tables (${worker.toFixed(1)} s in the worker); ` +
        `stages seen: ${[...stages].join(' | ')}`,
    );
    expect([...stages].some((s) => /item2vec/.test(s))).toBe(true);
    expect([...stages].some((s) => /Replaying/.test(s))).toBe(true);

    // The replay table: a row per channel alone and per pipeline, every figure a share.
    const rows: Row[] = await page.getByTestId('replay-row').evaluateAll((trs) =>
      trs.map((tr) => ({
        kind: tr.getAttribute('data-kind')!,
        name: tr.getAttribute('data-name')!,
        metrics: JSON.parse(tr.getAttribute('data-metrics')!) as Row['metrics'],
      })),
    );
    const channels = rows.filter((r) => r.kind === 'channel');
    const pipelines = rows.filter((r) => r.kind === 'pipeline');
    expect(channels.map((r) => r.name).sort()).toEqual([...CHANNELS].sort());
    expect(pipelines.map((r) => r.name)).toEqual(['fusion', 'itemknn']);
    for (const r of rows)
      for (const v of Object.values(r.metrics)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    // A pipeline merges every channel's candidates: on ncf-loo it finds at least what the best one finds.
    const bestChannel = Math.max(...channels.map((r) => r.metrics.hit));
    for (const p of pipelines) expect(p.metrics.hit).toBeGreaterThanOrEqual(bestChannel);
    expect(bestChannel).toBeGreaterThan(0.05);
    if (small.genuine) {
      // The node replay's figures (seed 1): pipeline 0.372, best channel 0.218.
      expect(pipelines[0]!.metrics.hit).toBeCloseTo(0.372, 1);
      expect(bestChannel).toBeCloseTo(0.218, 1);
    }
    const reading = await page.getByTestId('replay-reading').textContent();
    expect(reading).toMatch(/full pipeline.*\d+% of users; the best single channel .*\d+%/);
    expect(await page.getByTestId('replay-bars').locator('rect').count()).toBe(rows.length);

    // The A/B table: both arms, the difference with p, interleaving with p.
    const cells = async (id: string): Promise<string[]> =>
      page.getByTestId(id).locator('td').allTextContents();
    const [usersA] = await cells('ab-row-a');
    const [usersB] = await cells('ab-row-b');
    const split = Number(usersA!.replace(/\D/g, '')) + Number(usersB!.replace(/\D/g, ''));
    expect(split).toBe(small.genuine ? 610 : split);
    const diff = (await cells('ab-row-diff')).join(' ');
    expect(diff).toMatch(/p (< 0\.001|[01]\.\d{3})/);
    const il = await cells('interleaving-row');
    expect(Number(il[1]!.replace(/\D/g, '')) + Number(il[2]!.replace(/\D/g, ''))).toBeGreaterThan(
      0,
    );
    expect(il[5]).toMatch(/^(< 0\.001|[01]\.\d{3})$/);
    expect(await page.getByTestId('ab-significance').textContent()).toMatch(/interleaving/);

    // The settling plots: a line through many points, from few users to all.
    for (const id of ['settle-ab', 'settle-interleaving']) {
      const svg = page.getByTestId(id).locator('svg');
      const points = Number(await svg.getAttribute('data-points'));
      expect(points).toBeGreaterThan(10);
      const d = (await page.getByTestId(`${id}-line`).getAttribute('d')) ?? '';
      expect(d.match(/[ML]/g)?.length).toBe(points);
      expect(await svg.locator('circle').count()).toBe(points);
    }
    await page.screenshot({ path: join(SHOTS, 'pipeline.png'), fullPage: true });
  });

  it('fits a phone: the page scrolls only vertically, the tables inside their own box', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}#/lab`);
      await page.goto(`${server.url}#/pipeline`);
      // The last result is shown again without a new run.
      await page.getByTestId('replay-table').waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SHOTS, 'phone-pipeline.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('is linked from the Lab and from For You', async () => {
    await page.goto(`${server.url}#/lab`);
    await page.getByTestId('lab-pipeline-link').click();
    await page.getByTestId('pipeline-form').waitFor();
    await page.goto(`${server.url}#/for-you`);
    await page.getByTestId('for-you-pipeline-link').click();
    await page.getByTestId('pipeline-form').waitFor();
  });

  it('loaded everything from its own origin', () => {
    const origin = new URL(server.url).origin;
    const outside = browser.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'),
    );
    expect(outside).toEqual([]);
    expect(browser.requests.some((u) => /evaluate\.worker/.test(u))).toBe(true);
  });
});
