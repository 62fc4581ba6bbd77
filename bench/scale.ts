/**
 * bench/scale: the whole app at 1M, 10M and 25M ratings in headless
 * Chromium, so that the growth of each cost shows.
 *
 *   npm run build && npm run bench:scale -- [--sizes 1m,10m,25m] [--only import,build,...]
 *     [--stage-timeout 1800] [--timeouts build=900,neumf=600] [--lists 50] [--similar 30]
 *
 * Each size is a generated ml-latest (CSV) layout archive with ml-25m's
 * proportions (bench/.cache/scale-<size>.zip, written once; 25m is
 * bench:import's ml-25m.zip with its seed):
 *
 * - 25m: 162,541 users × 62,423 movies, 25,000,095 ratings (ml-25m itself);
 * - smaller sizes keep ml-25m's ratings per user (153.8: ml-1m has 165,
 *   ml-10m 143), so users scale with the ratings, and grow the catalogue
 *   with the square root of the ratings (a catalogue grows slower than its
 *   audience): 10m: 65,016 users × 39,480 movies; 1m: 6,502 × 12,485.
 * - `ml-25m` (not in the default sizes): the genuine ml-25m.zip from
 *   ../shared/datasets, when it is there.
 *
 * Per size, one fresh browser profile, with the automatic build on as for a
 * person; the stages in the order the app runs them (`--only` picks some;
 * import always runs):
 *
 * - import: the file picker to the import summary;
 * - build: the automatic build (personal EASE, then the default Item2Vec),
 *   timed by the app (the pill's seconds), with each step's share (`ease`,
 *   `item2vec` lines: the pill's step changes) and the EASE size it used;
 * - for-you: a new person rates 20 movies on #/start; For You's list
 *   (worker ms, the default pipeline asked again) p50/p95;
 * - similar: (once the embedding is stored: a build cut by its timeout may
 *   still be training it; `waitedSeconds`) movie pages opened one after another; the "Similar movies"
 *   list's ms (the component's own timing: vectors cached, exact top-k,
 *   movie rows read) p50/p95, the first (which reads the vectors) apart,
 *   the others after the idle read of the most-rated rows (`warmSeconds`);
 * - pages: Home, For You, Movie, Lab (with its Map), Models, Data, Pipeline
 *   opened, each checked for a page error or an alert and screenshot to
 *   bench/.cache/scale-<size>-<page>.png;
 * - features: the Lab's "Compute features" (sparrow-ctr feature set);
 * - neumf: NeuMF on the Models page, ncf-loo, one epoch (the run as a whole:
 *   split, epoch, validation, evaluation; its epoch alone where the page's
 *   log gives it).
 *
 * Memory: every renderer process of the browser's profile, read from /proc
 * every 250 ms; each line has the stage's peak resident set (`peakRssMB`,
 * all renderers summed) and the run's peak so far (`peakRendererMB`: the
 * largest renderer's VmHWM, as bench:import reports it). A stage that fails
 * or passes --stage-timeout is recorded with `error` (and its elapsed
 * seconds) and the run goes on. Appends to bench/results/scale.jsonl.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { DATASETS, launch, root, serve } from '../test/e2e/harness.ts';
import { browserRecorder } from './browser-results.ts';
import { configureOnce, generatedZip, onboard, p, r2, SHIM } from './for-you-page.ts';

const STAGES = ['import', 'build', 'for-you', 'similar', 'pages', 'features', 'neumf'] as const;
type Stage = (typeof STAGES)[number];

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1m,10m,25m' },
    only: { type: 'string' },
    'stage-timeout': { type: 'string', default: '1800' },
    timeouts: { type: 'string', default: '' },
    lists: { type: 'string', default: '50' },
    similar: { type: 'string', default: '30' },
  },
});
const only = new Set(args.only?.split(',').map((s) => s.trim()) ?? STAGES);
for (const s of only)
  if (!STAGES.includes(s as Stage))
    throw new Error(`--only: unknown stage ${s} (of ${STAGES.join(', ')})`);
const STAGE_MS = Number(args['stage-timeout']) * 1000;
/** --timeouts neumf=600,similar=900: a stage's own limit in seconds. */
const TIMEOUTS = new Map(
  args.timeouts
    .split(',')
    .filter((t) => t.includes('='))
    .map((t) => {
      const [k, v] = t.split('=');
      return [k!.trim(), Number(v) * 1000] as const;
    }),
);
const limitOf = (stage: string): number => TIMEOUTS.get(stage) ?? STAGE_MS;
const LISTS = Number(args.lists);
const SIMILAR = Number(args.similar);
const CACHE = join(root, 'bench/.cache');
const record = browserRecorder('scale.jsonl');
const command = `npm run bench:scale -- ${process.argv.slice(2).join(' ')}`.trim();

/** ml-25m's shape: 153.8 ratings per user; users ∝ ratings, movies ∝ √ratings. */
const ML25M = { ratings: 25_000_095, users: 162_541, movies: 62_423 };
function shape(ratings: number): { ratings: number; users: number; movies: number } {
  if (ratings === ML25M.ratings) return ML25M;
  const f = ratings / ML25M.ratings;
  return {
    ratings,
    users: Math.round(ML25M.users * f),
    movies: Math.round(ML25M.movies * Math.sqrt(f)),
  };
}

interface Size {
  key: string;
  dataset: string;
  ratings: number;
  users: number;
  movies: number;
  archive: () => Promise<string | null>;
}

function generatedSize(key: string, ratings: number, name: string): Size {
  const s = shape(ratings);
  return {
    key,
    dataset: `generated-ml-25m-shape-${key}`,
    ...s,
    // seed 42: bench:import's ml-25m.zip is the same archive.
    archive: () => generatedZip(name, 'ml-latest', { ...s, seed: 42, halfStars: true }),
  };
}

const SIZES: Record<string, Size> = {
  '1m': generatedSize('1m', 1_000_000, 'scale-1m'),
  '10m': generatedSize('10m', 10_000_000, 'scale-10m'),
  '25m': generatedSize('25m', ML25M.ratings, 'ml-25m'),
  'ml-25m': {
    key: 'ml-25m',
    dataset: 'ml-25m',
    ...ML25M,
    archive: async () => {
      const path = join(DATASETS, 'ml-25m.zip');
      if (existsSync(path)) return path;
      console.error(`${path} not found: the genuine ml-25m is skipped.`);
      return null;
    },
  },
};

// ---------------------------------------------------------------- memory

/** Resident and peak resident memory (MB) of each renderer process of a profile. */
function renderers(profile: string): { rss: number; hwm: number }[] {
  const out: { rss: number; hwm: number }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer') || !cmd.includes(profile)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
      out.push({ rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 });
    } catch {
      /* process gone */
    }
  }
  return out;
}

class Memory {
  private stagePeak = 0;
  private runPeak = 0;
  private timer: ReturnType<typeof setInterval>;
  constructor(private profile: string) {
    this.timer = setInterval(() => this.sample(), 250);
  }
  private sample(): void {
    const rs = renderers(this.profile);
    this.stagePeak = Math.max(
      this.stagePeak,
      rs.reduce((a, r) => a + r.rss, 0),
    );
    this.runPeak = Math.max(this.runPeak, ...rs.map((r) => r.hwm));
  }
  /** The stage's peak summed RSS and the run's largest renderer VmHWM so far; starts the next stage. */
  take(): { peakRssMB: number; peakRendererMB: number } {
    const out = this.peek();
    this.stagePeak = 0;
    return out;
  }
  /** The same without starting the next stage. */
  peek(): { peakRssMB: number; peakRendererMB: number } {
    this.sample();
    return { peakRssMB: Math.round(this.stagePeak), peakRendererMB: Math.round(this.runPeak) };
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------- stages

class StageTimeout extends Error {}

/** fn within the stage timeout (its promise is left behind on timeout). */
async function bounded<T>(fn: () => Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new StageTimeout(`not finished within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The automatic build's pill: its step changes and its end, polled in the page. */
async function watchBuild(page: Page): Promise<{
  state: string;
  seconds: number;
  steps: { step: string; at: number }[];
  left: string | null;
}> {
  const h = await page.waitForFunction(
    () => {
      const w = globalThis as unknown as {
        __scaleSteps?: { step: string; at: number }[];
        __scaleLeft?: string;
      };
      const steps = (w.__scaleSteps ??= []);
      const pill = document.querySelector<HTMLElement>('[data-testid="auto-build"]');
      const state = pill?.dataset.state;
      const step = pill?.dataset.step;
      // The first time-left the pill showed ("… · 2 min left").
      const text = pill?.textContent ?? '';
      if (!w.__scaleLeft && / left/.test(text)) w.__scaleLeft = text.trim();
      if (state === 'running' && step && steps.at(-1)?.step !== step)
        steps.push({ step, at: performance.now() });
      const left = w.__scaleLeft ?? null;
      if (state === 'done')
        return {
          state,
          seconds: Number(pill!.dataset.seconds),
          steps,
          end: performance.now(),
          left,
        };
      if (state === 'failed' || state === 'cancelled')
        return {
          state: `${state}: ${pill!.textContent?.trim() ?? ''}`,
          seconds: NaN,
          steps,
          end: performance.now(),
          left,
        };
      return null;
    },
    null,
    { polling: 100, timeout: 0 },
  );
  const v = (await h.jsonValue()) as {
    state: string;
    seconds: number;
    steps: { step: string; at: number }[];
    end: number;
    left: string | null;
  };
  return {
    state: v.state,
    seconds: v.seconds,
    steps: [...v.steps, { step: 'end', at: v.end }],
    left: v.left,
  };
}

/** The stored dataset's counts and the personal model's config, from IndexedDB. */
function storedFacts(page: Page): Promise<{
  users: number;
  movies: number;
  ease: { lambda: number; maxDim: number; fitSeconds: number } | null;
  /** The automatic build's embedding, once stored: its training seconds. */
  item2vec: { seconds: number } | null;
}> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('wren');
        req.onerror = () => reject(new Error(String(req.error)));
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['datasets', 'models', 'embeddings'], 'readonly');
          const ds = tx.objectStore('datasets').getAll();
          const ms = tx.objectStore('models').getAll();
          const es = tx.objectStore('embeddings').getAll();
          tx.oncomplete = () => {
            const d = (ds.result as { counts: { users: number; movies: number } }[])[0];
            const m = (
              ms.result as {
                protocol: string;
                config: { lambda: number; maxDim: number };
                fitSeconds: number;
              }[]
            ).find((r) => r.protocol === 'personal');
            const e = (es.result as { auto?: boolean; seconds: number }[]).find((r) => r.auto);
            db.close();
            resolve({
              item2vec: e ? { seconds: e.seconds } : null,
              users: d?.counts.users ?? 0,
              movies: d?.counts.movies ?? 0,
              ease: m
                ? { lambda: m.config.lambda, maxDim: m.config.maxDim, fitSeconds: m.fitSeconds }
                : null,
            });
          };
        };
      }),
  );
}

/** EASE's size and λ as the automatic build stored them. */
function easeOf(facts: Awaited<ReturnType<typeof storedFacts>>): Record<string, unknown> {
  return {
    easeMovies:
      facts.ease && Math.min(facts.users, facts.movies) > facts.ease.maxDim
        ? facts.ease.maxDim
        : facts.movies,
    easeOf: facts.movies,
    easeMaxDim: facts.ease?.maxDim,
    easeLambda: facts.ease?.lambda,
    easeFitSeconds: facts.ease ? r2(facts.ease.fitSeconds) : null,
  };
}

/** Page errors and visible alerts since the last call. */
function errorWatch(page: Page): () => Promise<string[]> {
  let errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('crash', () => errors.push('the page crashed'));
  return async () => {
    const alerts = await page
      .locator('[role="alert"]:visible')
      .allTextContents()
      .catch(() => []);
    const out = [
      ...errors,
      ...alerts.map((a) => `alert: ${a.trim()}`).filter((a) => a !== 'alert: '),
    ];
    errors = [];
    return out;
  };
}

const PAGES: { name: string; hash: string; ready: string }[] = [
  { name: 'home', hash: '#/', ready: '[data-testid="movie-card"]' },
  { name: 'for-you', hash: '#/for-you', ready: '[data-testid="for-you-item"]' },
  { name: 'movie', hash: '', ready: '[data-testid="similar-movies"]' },
  { name: 'lab', hash: '#/lab', ready: '[data-testid="features-compute"]' },
  { name: 'map', hash: '#/lab', ready: '[data-testid="movie-map"]' },
  { name: 'models', hash: '#/models', ready: '[data-testid="models-form"]' },
  { name: 'data', hash: '#/data', ready: '[data-testid="dataset-name"]' },
  { name: 'pipeline', hash: '#/pipeline', ready: 'main h1' },
];

async function runSize(url: string, size: Size): Promise<void> {
  const archive = await size.archive();
  if (!archive) return;
  mkdirSync(CACHE, { recursive: true });
  const b = await launch({ autoBuild: true });
  // One browser at a time: its renderers are the ones with the harness's profile prefix.
  const mem = new Memory('wren-chromium-');
  const { page } = b;
  page.setDefaultTimeout(60_000);
  const errors = errorWatch(page);
  const base = {
    suite: 'scale',
    dataset: size.dataset,
    ratings: size.ratings,
    users: size.users,
    movies: size.movies,
    command,
  };
  const line = (
    name: Stage | 'ease' | 'item2vec' | 'run',
    f: Record<string, unknown>,
    m = mem.take(),
  ) => record({ ...base, name, ...f, ...m });
  /** One stage: timed, bounded, its failure recorded and the run going on. */
  const stage = async (
    name: Stage,
    fn: () => Promise<Record<string, unknown>>,
  ): Promise<boolean> => {
    if (name !== 'import' && !only.has(name)) return true;
    mem.take();
    const t0 = performance.now();
    try {
      const f = await bounded(fn, limitOf(name));
      line(name, { seconds: r2((performance.now() - t0) / 1000), ...f });
      return true;
    } catch (e) {
      const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
      console.error(`${size.key} ${name}: ${message}`);
      line(name, {
        seconds: r2((performance.now() - t0) / 1000),
        finished: false,
        error: message,
      });
      return false;
    }
  };
  try {
    await page.addInitScript(SHIM);
    await page.goto(url);
    await page.getByTestId('import-file').first().waitFor({ state: 'attached' });
    // The build's pill is watched from the import on (it starts as the import ends).
    let build: ReturnType<typeof watchBuild> | null = null;
    const imported = await stage('import', async () => {
      await page.getByTestId('import-file').first().setInputFiles(archive);
      await page.getByTestId('import-summary').waitFor({ timeout: 0 });
      build = watchBuild(page);
      build.catch(() => undefined);
      const counts = ((await page.getByTestId('import-summary').textContent()) ?? '').replace(
        /,/g,
        '',
      );
      return { ratingsShown: counts.includes(String(size.ratings)) };
    });
    if (!imported) return;
    const built = await stage('build', async () => {
      const end = await build!;
      if (end.state !== 'done') throw new Error(`automatic build ${end.state}`);
      const facts = await storedFacts(page);
      const at = (s: string) => end.steps.find((x) => x.step === s)?.at;
      const next = (s: string) => end.steps[end.steps.findIndex((x) => x.step === s) + 1]?.at;
      const span = (s: string) => {
        const a = at(s);
        const b2 = next(s);
        return a !== undefined && b2 !== undefined ? r2((b2 - a) / 1000) : null;
      };
      const easeSeconds = span('ranker');
      const item2vecSeconds = span('embedding');
      const ease = easeOf(facts);
      // The two steps' lines carry the whole build's memory peak.
      if (easeSeconds !== null) line('ease', { seconds: easeSeconds, ...ease }, mem.peek());
      if (item2vecSeconds !== null) line('item2vec', { seconds: item2vecSeconds }, mem.peek());
      return {
        buildSeconds: r2(end.seconds),
        easeSeconds,
        item2vecSeconds,
        ...ease,
        timeLeftShown: end.left,
      };
    });
    if (only.has('build') && !built) {
      // Cut by the stage timeout: the EASE step's time when it ended, from the pill's steps.
      const steps = await page
        .evaluate(
          () =>
            (globalThis as unknown as { __scaleSteps?: { step: string; at: number }[] })
              .__scaleSteps ?? [],
        )
        .catch(() => []);
      const r = steps.findIndex((x) => x.step === 'ranker');
      if (r >= 0 && steps[r + 1]) {
        const facts = await storedFacts(page);
        line(
          'ease',
          {
            seconds: r2((steps[r + 1]!.at - steps[r]!.at) / 1000),
            ...easeOf(facts),
          },
          mem.peek(),
        );
      }
    }
    await stage('for-you', async () => {
      await onboard(page, url);
      for (let i = 0; i < 5; i++) await configureOnce(page);
      const ms: number[] = [];
      const trips: number[] = [];
      for (let i = 0; i < LISTS; i++) {
        const l = await configureOnce(page);
        ms.push(l.ms.total);
        trips.push(l.roundTrip);
      }
      const ranker = ((await page.getByTestId('for-you-ranker').textContent()) ?? '').trim();
      const rt = p(trips);
      return {
        n: LISTS,
        ...p(ms),
        roundTripP50Ms: rt.p50Ms,
        roundTripP95Ms: rt.p95Ms,
        ranker,
      };
    });
    let movieHash = '#/movie/0';
    await stage('similar', async () => {
      // A build cut by its timeout may still be training the embedding: wait for it.
      const w0 = performance.now();
      while (!(await storedFacts(page)).item2vec) await page.waitForTimeout(5000);
      const waitedSeconds = r2((performance.now() - w0) / 1000);
      await page.goto(`${url}#/`);
      await page.getByTestId('movie-card').first().waitFor();
      const hrefs = [
        ...new Set(
          await page
            .locator('a[href^="#/movie/"]')
            .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? '')),
        ),
      ];
      if (hrefs.length === 0) throw new Error('no movie on Home');
      movieHash = hrefs[0]!;
      const times: number[] = [];
      const search: number[] = [];
      let first: number | null = null;
      let warmSeconds: number | null = null;
      for (let i = 0; i <= SIMILAR; i++) {
        const href = hrefs[i % hrefs.length]!;
        const index = href.split('/').pop()!;
        // Another movie first when the same one comes round again: the effect runs anew.
        await page.evaluate((h) => (location.hash = h), href);
        const sec = page.locator(`[data-testid="similar-movies"][data-index="${index}"]`);
        await sec.waitFor();
        await page
          .locator(`[data-testid="similar-movies"][data-index="${index}"][data-ms]`)
          .waitFor({ timeout: 120_000 });
        const ms = Number(await sec.getAttribute('data-ms'));
        if (i === 0) {
          first = ms;
          // The rows of the most-rated listable movies are read when the page is idle after the
          // first list (SimilarMovies.svelte): the lists timed are those made after it.
          const d0 = performance.now();
          await page
            .locator('html[data-similar-warm]')
            .waitFor({ state: 'attached', timeout: 120_000 });
          warmSeconds = r2((performance.now() - d0) / 1000);
        } else {
          times.push(ms);
          search.push(Number(await sec.getAttribute('data-search-ms')));
        }
        if (hrefs.length === 1) await page.evaluate(() => (location.hash = '#/'));
      }
      const q = p(search);
      return {
        n: times.length,
        ...p(times),
        searchP50Ms: q.p50Ms,
        searchP95Ms: q.p95Ms,
        firstMs: first,
        warmSeconds,
        moviePages: hrefs.length,
        waitedSeconds,
      };
    });
    await stage('pages', async () => {
      const opened: Record<string, string> = {};
      for (const pg of PAGES) {
        await errors();
        const t0 = performance.now();
        await page.goto(`${url}${pg.hash || movieHash}`);
        let problem = '';
        if (pg.name === 'map' && !(await storedFacts(page)).item2vec) {
          opened.map = 'no map: no embedding stored yet';
          await page.screenshot({ path: join(CACHE, `scale-${size.key}-map.png`) });
          continue;
        }
        try {
          await page.locator(pg.ready).first().waitFor({ timeout: 120_000 });
          await page.waitForTimeout(1000);
        } catch (e) {
          problem = `did not show ${pg.ready}: ${e instanceof Error ? e.message.split('\n')[0] : e}`;
        }
        const errs = await errors();
        opened[pg.name] = problem || errs.join('; ') || 'ok';
        opened[`${pg.name}Ms`] = String(Math.round(performance.now() - t0));
        if (pg.name === 'map')
          await page
            .getByTestId('movie-map')
            .screenshot({ path: join(CACHE, `scale-${size.key}-map.png`) })
            .catch(() => undefined);
        else await page.screenshot({ path: join(CACHE, `scale-${size.key}-${pg.name}.png`) });
      }
      const failed = PAGES.filter((pg) => opened[pg.name] !== 'ok').map((pg) => pg.name);
      return { pages: opened, pagesOk: PAGES.length - failed.length, pagesFailed: failed };
    });
    await stage('features', async () => {
      await page.goto(`${url}#/lab`);
      await page.getByTestId('features-compute').click();
      const done = await Promise.race([
        page
          .getByTestId('features-summary')
          .waitFor({ timeout: 0 })
          .then(() => null),
        page
          .getByTestId('features-error')
          .waitFor({ timeout: 0 })
          .then(async () => (await page.getByTestId('features-error').textContent()) ?? 'error'),
      ]);
      if (done) throw new Error(done);
      return {};
    });
    await stage('neumf', async () => {
      await page.goto(`${url}#/models`);
      await page.getByTestId('models-form').waitFor();
      for (const box of await page
        .locator('[data-testid="models-form"] input[type="checkbox"][data-testid^="model-"]')
        .all())
        await box.setChecked(false);
      await page.getByTestId('model-neumf').setChecked(true);
      await page.getByTestId('models-epochs').fill('1');
      const t0 = performance.now();
      await page.getByTestId('models-train').click();
      let trainingAt: number | null = null;
      // The stage goes "train" once the split is made: the epoch starts there.
      const watch = page
        .getByTestId('models-stage')
        .filter({ hasText: /train/i })
        .waitFor({ timeout: 0 })
        .then(() => (trainingAt = performance.now()))
        .catch(() => undefined);
      const end = await Promise.race([
        page
          .getByTestId('models-done')
          .waitFor({ timeout: 0 })
          .then(() => null),
        page
          .getByTestId('models-error')
          .waitFor({ timeout: 0 })
          .then(async () => (await page.getByTestId('models-error').textContent()) ?? 'error'),
      ]);
      void watch;
      if (end) throw new Error(end);
      const backend = (await page.getByTestId('models-table-ncf-loo').textContent()) ?? '';
      return {
        splitSeconds: trainingAt !== null ? r2((trainingAt - t0) / 1000) : null,
        backendWasm: /wasm/.test(backend),
      };
    });
  } finally {
    // Whether a build cut by the stage timeout finished later, while the other stages ran.
    const facts = await storedFacts(page).catch(() => null);
    line('run', {
      errors: await errors().catch(() => []),
      item2vecStoredSeconds: facts?.item2vec ? r2(facts.item2vec.seconds) : null,
    });
    mem.stop();
    await b.close();
  }
}

const server = await serve();
try {
  for (const key of args.sizes.split(',').map((s) => s.trim())) {
    const size = SIZES[key];
    if (!size)
      throw new Error(`--sizes: unknown size ${key} (of ${Object.keys(SIZES).join(', ')})`);
    await runSize(server.url, size);
  }
} finally {
  server.stop();
}
