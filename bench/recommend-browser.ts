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
 * The cases (`--rankers`, default "fusion,personal"; `--embedding` adds
 * item2vec), each named in the results' `case`:
 *
 * - personal: what a person gets. The app's automatic build runs after the
 *   import (For You's personal EASE ranker, then the default Item2Vec
 *   embedding) while the person rates on #/start; the bench waits for it to
 *   finish (the pill's "done", timed by the app: `buildSeconds`), reopens
 *   For You and measures once the stage reads "… by EASE, built
 *   automatically" with the embedding's channels in recall (stage "model").
 * - fusion: a browser launched with `autoBuild: false` (no model, no
 *   embedding), so channel fusion ranks (stage "fusion"): the list before the
 *   automatic build is done, or with it turned off.
 * - item2vec: in that same browser, Item2Vec then trained in the Lab (default
 *   settings, timed: `trainSeconds`), the page reloaded and both measures
 *   taken again with the embedding ranker and embedding channels (stage
 *   "model"; no personal model exists there to rank instead).
 *
 *   npx vite build --outDir /tmp/dist-bench &&
 *     WREN_DIST=/tmp/dist-bench npm run bench:recommend-browser -- [--lists 200] [--rates 40]
 *     [--rankers fusion,personal,item2vec] [--embedding] [--only small,ml-1m,62k]
 *
 * Appends JSON lines to bench/results/recommend-browser.jsonl.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { DEFAULT_PIPELINE } from '../src/core/recommend/pipeline.ts';
import { DATASETS, openWithDataset } from '../test/e2e/harness.ts';
import { browserRecorder } from './browser-results.ts';
import {
  configureOnce,
  generatedZip,
  onboard,
  ONBOARD,
  p,
  quantile,
  r2,
  rateTop,
  SHIM,
  stageOf,
  type Ms,
  type RateTiming,
} from './for-you-page.ts';

const { values: args } = parseArgs({
  options: {
    lists: { type: 'string', default: '200' },
    rates: { type: 'string', default: '40' },
    rankers: { type: 'string', default: 'fusion,personal' },
    embedding: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
type Case = 'fusion' | 'item2vec' | 'personal';
const CASES: readonly Case[] = ['fusion', 'item2vec', 'personal'];
const cases = new Set(
  [...args.rankers.split(','), ...(args.embedding ? ['item2vec'] : [])]
    .map((c) => c.trim())
    .filter((c) => c !== ''),
);
for (const c of cases)
  if (!CASES.includes(c as Case))
    throw new Error(`--rankers: unknown case ${c} (one of ${CASES.join(', ')})`);
const wants = (c: Case): boolean => cases.has(c);
const only = args.only?.split(',').map((c) => c.trim());
const LISTS = Number(args.lists);
const RATES = Number(args.rates);
/** How long the automatic build may take (Item2Vec on a million ratings, on a loaded machine). */
const BUILD_TIMEOUT = 1_800_000;
const record = browserRecorder('recommend-browser.jsonl');

interface Catalogue {
  label: string;
  movies: number;
  ratings: number;
  /** The archive's path, or null to skip with a message. */
  archive: () => Promise<string | null>;
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

interface Row {
  catalogue: string;
  movies: number;
  case: Case;
  measure: string;
  n: number;
  p50: number;
  p95: number;
  ranker: string;
  stage: string;
}
const summary: Row[] = [];

/** What each case is, in the results' `state`. */
const STATE: Record<Case, string> = {
  fusion: 'new user, no automatic build',
  item2vec: 'item2vec trained in the Lab',
  personal: 'new user, automatic build done',
};

async function measure(page: Page, cat: Catalogue, which: Case, extra: Record<string, unknown>) {
  const { stage, ranker, choice } = await stageOf(page);
  console.error(`${cat.label}, ${which}: ${ranker} (${stage}; chosen ${choice})`);
  const base = {
    suite: 'recommend-browser',
    dataset: cat.label,
    state: STATE[which],
  };
  const common = {
    case: which,
    movies: cat.movies,
    ratings: cat.ratings,
    ranker,
    stage,
    choice,
    k: 20,
    // The page's default variety: the bench never moves the slider.
    diversity: DEFAULT_PIPELINE.diversity,
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
    case: which,
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
      case: which,
      measure: m,
      n: ok.length,
      p50: v.p50Ms,
      p95: v.p95Ms,
      ranker: after.ranker,
      stage: after.stage,
    });
}

/** The built app in a fresh browser, the catalogue imported, the shim in place. */
async function open(cat: Catalogue, archive: string, autoBuild: boolean) {
  const t0 = performance.now();
  const opened = await openWithDataset(archive, { timeout: 180_000, autoBuild });
  const importSeconds = r2((performance.now() - t0) / 1000);
  console.error(
    `${cat.label}: imported in ${importSeconds} s (automatic build ${autoBuild ? 'on' : 'off'})`,
  );
  await opened.page.addInitScript(SHIM);
  await opened.page.evaluate(SHIM);
  return { ...opened, importSeconds };
}

/** fusion, then item2vec: a browser without the automatic build. */
async function withoutAutoBuild(cat: Catalogue, archive: string): Promise<void> {
  const { server, browser, page, importSeconds } = await open(cat, archive, false);
  try {
    await onboard(page, server.url);
    if (wants('fusion')) await measure(page, cat, 'fusion', { importSeconds, autoBuild: false });
    if (wants('item2vec')) {
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
      await measure(page, cat, 'item2vec', { importSeconds, trainSeconds, autoBuild: false });
    }
  } finally {
    await browser.close();
    server.stop();
  }
}

/** personal: the automatic build as a person gets it, rated through while it runs. */
async function withAutoBuild(cat: Catalogue, archive: string): Promise<void> {
  const { server, browser, page, importSeconds } = await open(cat, archive, true);
  try {
    // The pill's end state ("done" shows for a few seconds, then the pill goes), watched from
    // the import on; #/start and #/for-you are the same document, so the watch carries on.
    const t1 = performance.now();
    const built = page
      .waitForFunction(
        () => {
          const pill = document.querySelector<HTMLElement>('[data-testid="auto-build"]');
          const state = pill?.dataset.state;
          if (state === 'done') return { state, seconds: Number(pill!.dataset.seconds) };
          if (state === 'failed' || state === 'cancelled') return { state, seconds: NaN };
          return null;
        },
        null,
        { polling: 200, timeout: BUILD_TIMEOUT },
      )
      .then((h) => h.jsonValue());
    // Not awaited before onboarding: a failure must not go unhandled meanwhile.
    built.catch(() => undefined);
    await onboard(page, server.url, built);
    const end = await built;
    if (end!.state !== 'done') throw new Error(`${cat.label}: automatic build ${end!.state}`);
    const buildSeconds = r2(end!.seconds);
    const waitSeconds = r2((performance.now() - t1) / 1000);
    console.error(
      `${cat.label}: automatic build done in ${buildSeconds} s (waited ${waitSeconds} s)`,
    );
    // The personal ranker ranks, with the embedding's channels in recall.
    await page
      .getByTestId('for-you-stage')
      .filter({ hasText: /built automatically/ })
      .waitFor({ timeout: BUILD_TIMEOUT });
    await page
      .getByTestId('for-you-pipeline')
      .filter({ hasNotText: /No embedding yet/ })
      .waitFor({ timeout: BUILD_TIMEOUT });
    await measure(page, cat, 'personal', { importSeconds, buildSeconds, autoBuild: true });
  } finally {
    await browser.close();
    server.stop();
  }
}

async function run(cat: Catalogue): Promise<void> {
  const archive = await cat.archive();
  if (!archive) return;
  if (wants('fusion') || wants('item2vec')) await withoutAutoBuild(cat, archive);
  if (wants('personal')) await withAutoBuild(cat, archive);
}

const t0 = performance.now();
for (const [key, cat] of Object.entries(CATALOGUES))
  if (!only || only.includes(key)) await run(cat);

const pad = (s: string | number, w: number): string => String(s).padEnd(w);
console.log(
  `\nFor You in headless Chromium (${LISTS} lists, ${RATES} ratings each; ${((performance.now() - t0) / 1000).toFixed(0)} s in all)`,
);
console.log(
  [
    pad('catalogue', 28),
    pad('movies', 7),
    pad('case', 9),
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
      pad(r.case, 9),
      pad(r.measure, 24),
      pad(r.n, 4),
      pad(r.p50, 8),
      pad(r.p95, 8),
      `${r.ranker} (${r.stage})`,
    ].join(' '),
  );
