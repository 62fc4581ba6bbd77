/**
 * bench/recommend-browser: For You latency in headless Chromium (the built
 * app, its recommendations worker), on three catalogues: ml-latest-small
 * (9,742 movies; skipped when ../shared/datasets lacks it), a generated
 * dataset of ml-1m's shape (3,706 movies, 6,040 users, 1,000,209 whole-star
 * ratings, ml-1m .dat layout) and a generated 62,000-movie catalogue
 * (ml-25m's movie count; 1,000,000 ratings by 6,250 users, CSV layout) —
 * the generated ones are the datasets of bench/recommend.ts' latency part
 * (same options, seed 1), written as MovieLens zips to bench/.cache.
 *
 * Each catalogue is imported through the page in a fresh browser; a new
 * person rates 20 movies 4.5 stars on the onboarding page (#/start), then on
 * #/for-you:
 *
 * - list: the worker's `ms` (recall → rank → re-rank) of N lists, each asked
 *   for by a `change` event on the "Variety by genre" slider with its value
 *   unchanged (the worker's `configure`: the default pipeline run again), and
 *   the round trip from that event to the new timing on the page;
 * - rate: the top pick rated (5, 4.5, 4, 3, 2 stars in turn), timed in the
 *   page from the click to the row's DOM holding the new list (the rated
 *   movie gone, every card rendered), to the next animation frame after
 *   that, and as the page itself reports it (`lastUpdateMs`: the click to
 *   the new list in the page's state).
 *
 * With no trained model or embedding in a fresh browser the list is ranked by
 * channel fusion (stage "fusion"): what a new user gets. With --embedding,
 * Item2Vec is then trained in the Lab (default settings, timed), the page is
 * reloaded and both measures are taken again with the embedding ranker and
 * embedding channels (stage "model").
 *
 *   npx vite build --outDir /tmp/dist-bench &&
 *     WREN_DIST=/tmp/dist-bench npm run bench:recommend-browser -- [--lists 200] [--rates 40]
 *     [--embedding] [--only small|ml-1m|62k]
 *
 * Appends JSON lines to bench/results/recommend-browser.jsonl.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { generateDataset, type SyntheticOptions } from '../src/core/data/synthetic.ts';
import { movieLensFiles, zipMovieLens, type Layout } from '../src/core/data/write-movielens.ts';
import { DATASETS, openWithDataset, root } from '../test/e2e/harness.ts';
import { browserRecorder } from './browser-results.ts';

const { values: args } = parseArgs({
  options: {
    lists: { type: 'string', default: '200' },
    rates: { type: 'string', default: '40' },
    embedding: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const LISTS = Number(args.lists);
const RATES = Number(args.rates);
const ONBOARD = 20;
const CACHE = join(root, 'bench/.cache');
const record = browserRecorder('recommend-browser.jsonl');

interface Catalogue {
  label: string;
  movies: number;
  ratings: number;
  /** The archive's path, or null to skip with a message. */
  archive: () => Promise<string | null>;
}

/** A generated dataset as a MovieLens zip in bench/.cache (written once). */
async function generatedZip(name: string, layout: Layout, opts: SyntheticOptions): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `${name}.zip`);
  if (existsSync(path)) return path;
  const t0 = performance.now();
  const ds = generateDataset(opts);
  const out = createWriteStream(`${path}.part`);
  for await (const chunk of zipMovieLens(movieLensFiles(ds, layout), name)) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  renameSync(`${path}.part`, path);
  console.error(`generated ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

const CATALOGUES: Record<string, Catalogue> = {
  small: {
    label: 'ml-latest-small',
    movies: 9_742,
    ratings: 100_836,
    archive: async () => {
      const p = join(DATASETS, 'ml-latest-small.zip');
      if (existsSync(p)) return p;
      console.error(`${p} not found: skipping ml-latest-small.`);
      return null;
    },
  },
  'ml-1m': {
    label: 'generated-ml-1m-catalogue',
    movies: 3_706,
    ratings: 1_000_209,
    archive: () =>
      generatedZip('recommend-ml-1m-s1', 'ml-1m', {
        ratings: 1_000_209,
        users: 6_040,
        movies: 3_706,
        seed: 1,
        halfStars: false,
      }),
  },
  '62k': {
    label: 'generated-62k-catalogue',
    movies: 62_000,
    ratings: 1_000_000,
    archive: () =>
      generatedZip('recommend-62k-1m-s1', 'ml-latest', {
        ratings: 1_000_000,
        users: 6_250,
        movies: 62_000,
        seed: 1,
      }),
  },
};

interface Ms {
  recall: number;
  rank: number;
  rerank: number;
  total: number;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;
const p = (xs: number[]) => ({ p50Ms: r2(quantile(xs, 0.5)), p95Ms: r2(quantile(xs, 0.95)) });

/**
 * Run in the page before its scripts: tsx keeps function names with a
 * `__name(…)` helper that the page lacks; and every reply of the
 * recommendations worker calls `__wrenReply` (set by configureOnce), so that
 * a list whose timings equal the last one's — the DOM does not change —
 * still ends the wait.
 */
const SHIM = `globalThis.__name = (f) => f;
if (!globalThis.__wrenWorker) {
  globalThis.__wrenWorker = true;
  const W = globalThis.Worker;
  globalThis.Worker = class extends W {
    constructor(url, opts) {
      super(url, opts);
      if (opts && opts.name === 'wren-recommend')
        this.addEventListener('message', () => globalThis.__wrenReply?.());
    }
  };
}`;

declare global {
  var __wrenReply: (() => void) | undefined;
}

/** One list asked for with the default settings again; the worker's ms and the page's round trip. */
function configureOnce(page: Page): Promise<{ ms: Ms; roundTrip: number; unchanged: boolean }> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const timing = document.querySelector<HTMLElement>('[data-testid="for-you-timing"]')!;
        const input = document.querySelector<HTMLInputElement>('[data-testid="diversity"]')!;
        const before = timing.dataset.ms;
        let finished = false;
        const finish = (unchanged: boolean): void => {
          if (finished) return;
          finished = true;
          const roundTrip = performance.now() - t0;
          obs.disconnect();
          globalThis.__wrenReply = undefined;
          resolve({ ms: JSON.parse(timing.dataset.ms!) as Ms, roundTrip, unchanged });
        };
        const obs = new MutationObserver(() => {
          if (timing.dataset.ms !== before) finish(false);
        });
        obs.observe(timing, { attributes: true, attributeFilter: ['data-ms'] });
        // A list with exactly the same four timings (0.1 ms steps) leaves the DOM as it was:
        // the worker's reply, then every microtask after it (the page's update), end the wait.
        globalThis.__wrenReply = () => setTimeout(() => finish(timing.dataset.ms === before), 0);
        const t0 = performance.now();
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }),
  );
}

interface RateTiming {
  dom: number;
  frame: number;
  update: number;
  ms: Ms;
  timedOut: boolean;
}

/** Rates the top pick and times, in the page, the click to the new row in the DOM and on the next frame. */
function rateTop(page: Page, stars: number): Promise<RateTiming> {
  return page.evaluate(
    (stars) =>
      new Promise((resolve) => {
        const list = document.querySelector<HTMLElement>('[data-testid="for-you-list"]')!;
        const timing = document.querySelector<HTMLElement>('[data-testid="for-you-timing"]')!;
        const hrefs = (): string[] =>
          Array.from(
            list.querySelectorAll('[data-testid="for-you-item"] [data-testid="movie-card"]'),
            (a) => a.getAttribute('href') ?? '',
          );
        const shown = hrefs();
        const top = list.querySelector('[data-testid="for-you-item"]')!;
        const button = top.querySelector<HTMLElement>(`[data-stars="${stars}"]`)!;
        const done = (dom: number, timedOut: boolean): void => {
          obs.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => {
            const frame = performance.now() - t0;
            resolve({
              dom,
              frame,
              update: Number(timing.dataset.updateMs),
              ms: JSON.parse(timing.dataset.ms!) as Ms,
              timedOut,
            });
          });
        };
        const obs = new MutationObserver(() => {
          const now = hrefs();
          if (now.length >= shown.length && !now.includes(shown[0]!))
            done(performance.now() - t0, false);
        });
        obs.observe(list, { childList: true, subtree: true });
        const timer = setTimeout(() => done(performance.now() - t0, true), 10_000);
        const t0 = performance.now();
        button.click();
      }),
    stars,
  );
}

/** Reads the page's stage and ranker: "fusion" / "model" / "cold" and the ranker's title. */
async function stageOf(page: Page): Promise<{ stage: string; ranker: string }> {
  const text = (await page.getByTestId('for-you-stage').textContent()) ?? '';
  const stage = /^\s*Ranked by/.test(text)
    ? 'model'
    : /not rated anything/.test(text)
      ? 'cold'
      : 'fusion';
  const ranker = ((await page.getByTestId('for-you-ranker').textContent()) ?? '').trim();
  return { stage, ranker };
}

interface Row {
  catalogue: string;
  movies: number;
  state: string;
  measure: string;
  n: number;
  p50: number;
  p95: number;
  ranker: string;
  stage: string;
}
const summary: Row[] = [];

async function measure(page: Page, cat: Catalogue, state: string, extra: Record<string, unknown>) {
  const { stage, ranker } = await stageOf(page);
  const base = {
    suite: 'recommend-browser',
    dataset: cat.label,
    state,
  };
  const common = {
    movies: cat.movies,
    ratings: cat.ratings,
    ranker,
    stage,
    k: 20,
    diversity: 0.3,
    ...extra,
  };
  // Warm-up: the worker's code paths and the page's rendering.
  for (let i = 0; i < 10; i++) await configureOnce(page);
  const lists: { ms: Ms; roundTrip: number; unchanged: boolean }[] = [];
  for (let i = 0; i < LISTS; i++) lists.push(await configureOnce(page));
  const total = lists.map((l) => l.ms.total);
  const list = p(total);
  record({
    ...base,
    name: 'for-you-list',
    metrics: {
      ...common,
      n: lists.length,
      ...list,
      recallP50Ms: r2(
        quantile(
          lists.map((l) => l.ms.recall),
          0.5,
        ),
      ),
      rankP50Ms: r2(
        quantile(
          lists.map((l) => l.ms.rank),
          0.5,
        ),
      ),
      rerankP50Ms: r2(
        quantile(
          lists.map((l) => l.ms.rerank),
          0.5,
        ),
      ),
      maxMs: r2(Math.max(...total)),
      roundTripP50Ms: r2(
        quantile(
          lists.map((l) => l.roundTrip),
          0.5,
        ),
      ),
      roundTripP95Ms: r2(
        quantile(
          lists.map((l) => l.roundTrip),
          0.95,
        ),
      ),
      unchanged: lists.filter((l) => l.unchanged).length,
    },
  });
  summary.push({
    catalogue: cat.label,
    movies: cat.movies,
    state,
    measure: 'list (worker ms.total)',
    n: lists.length,
    p50: list.p50Ms,
    p95: list.p95Ms,
    ranker,
    stage,
  });

  const cycle = [5, 4.5, 4, 3, 2];
  const rates: RateTiming[] = [];
  for (let i = 0; i < RATES; i++) rates.push(await rateTop(page, cycle[i % cycle.length]!));
  const ok = rates.filter((r) => !r.timedOut);
  const dom = p(ok.map((r) => r.dom));
  const frame = p(ok.map((r) => r.frame));
  const update = p(ok.map((r) => r.update));
  const after = await stageOf(page);
  record({
    ...base,
    name: 'rate-to-row',
    metrics: {
      ...common,
      stage: after.stage,
      ranker: after.ranker,
      n: ok.length,
      timedOut: rates.length - ok.length,
      ...dom,
      frameP50Ms: frame.p50Ms,
      frameP95Ms: frame.p95Ms,
      lastUpdateP50Ms: update.p50Ms,
      lastUpdateP95Ms: update.p95Ms,
      listTotalP50Ms: r2(
        quantile(
          ok.map((r) => r.ms.total),
          0.5,
        ),
      ),
      listTotalP95Ms: r2(
        quantile(
          ok.map((r) => r.ms.total),
          0.95,
        ),
      ),
      profileRatings: ONBOARD + RATES,
    },
  });
  for (const [m, v] of [
    ['rate → row in DOM', dom],
    ['rate → next frame', frame],
    ['rate → lastUpdateMs', update],
  ] as const)
    summary.push({
      catalogue: cat.label,
      movies: cat.movies,
      state,
      measure: m,
      n: ok.length,
      p50: v.p50Ms,
      p95: v.p95Ms,
      ranker: after.ranker,
      stage: after.stage,
    });
}

async function run(cat: Catalogue): Promise<void> {
  const archive = await cat.archive();
  if (!archive) return;
  const t0 = performance.now();
  const { server, browser, page } = await openWithDataset(archive, { timeout: 180_000 });
  const importSeconds = r2((performance.now() - t0) / 1000);
  console.error(`${cat.label}: imported in ${importSeconds} s`);
  try {
    await page.addInitScript(SHIM);
    await page.evaluate(SHIM);
    await page.goto(`${server.url}#/start`);
    const cards = page.getByTestId('start-movie');
    await cards.first().waitFor();
    await page.waitForTimeout(500);
    const n = Math.min(ONBOARD, await cards.count());
    for (let i = 0; i < n; i++) {
      await cards.nth(i).locator('[data-stars="4.5"]').click();
      await cards.nth(i).locator('[data-testid="star-rating"][data-value="4.5"]').waitFor();
    }
    // Reopened from the stored profile, as a returning visitor (and whatever a rating given
    // while the worker was still opening the dataset missed).
    await page.goto(`${server.url}#/for-you`);
    await page.reload();
    await page.getByTestId('for-you-item').first().waitFor();
    // Fewer than 20 on the onboarding page: the rest from the list itself.
    for (let i = n; i < ONBOARD; i++) await rateTop(page, 4.5);
    await page
      .getByTestId('for-you-timing')
      .filter({ hasText: `${ONBOARD} ratings here (${ONBOARD} liked)` })
      .waitFor();
    await measure(page, cat, 'new user', { importSeconds });

    if (args.embedding) {
      await page.goto(`${server.url}#/lab`);
      const t1 = performance.now();
      await page.getByTestId('embed-train').click();
      await page.getByTestId('embedding-row').first().waitFor({ timeout: 900_000 });
      const trainSeconds = r2((performance.now() - t1) / 1000);
      console.error(`${cat.label}: Item2Vec trained in ${trainSeconds} s`);
      await page.goto(`${server.url}#/for-you`);
      await page.reload();
      await page.getByTestId('for-you-item').first().waitFor();
      await page.getByTestId('for-you-ranker').filter({ hasNotText: 'fusion' }).waitFor();
      await measure(page, cat, 'item2vec trained', { importSeconds, trainSeconds });
    }
  } finally {
    await browser.close();
    server.stop();
  }
}

const t0 = performance.now();
for (const [key, cat] of Object.entries(CATALOGUES))
  if (!args.only || args.only === key) await run(cat);

const pad = (s: string | number, w: number): string => String(s).padEnd(w);
console.log(
  `\nFor You in headless Chromium (${LISTS} lists, ${RATES} ratings each; ${((performance.now() - t0) / 1000).toFixed(0)} s in all)`,
);
console.log(
  [
    pad('catalogue', 28),
    pad('movies', 7),
    pad('state', 17),
    pad('measure', 24),
    pad('n', 4),
    pad('p50 ms', 8),
    pad('p95 ms', 8),
    'ranker (stage)',
  ].join(' '),
);
for (const r of summary)
  console.log(
    [
      pad(r.catalogue, 28),
      pad(r.movies, 7),
      pad(r.state, 17),
      pad(r.measure, 24),
      pad(r.n, 4),
      pad(r.p50, 8),
      pad(r.p95, 8),
      `${r.ranker} (${r.stage})`,
    ].join(' '),
  );
