/**
 * bench/import: import throughput in headless Chromium (the built app, the
 * real file picker, the real worker and IndexedDB).
 *
 *   npm run bench:import [-- --only ml-1m-generated] [-- --skip-25m]
 *   npm run bench:import -- --only ml-1m-generated --baseline c232124 [--repeat 3]
 *
 * Datasets: ml-latest-small and ml-100k (genuine, from ../shared/datasets when
 * present), a generated ml-1m-layout zip with 1,000,209 ratings, and a
 * generated ml-25m-layout (CSV) zip with 25,000,095 ratings. Prints one JSON
 * line per dataset and appends it to bench/results/import.jsonl.
 *
 * seconds: from handing the file to the picker until the dataset is "ready"
 * in IndexedDB. peakHeapMB: the highest JS heap (page + import worker, V8
 * used size, sampled every 250 ms through the DevTools protocol).
 * peakRendererMB: the renderer process's peak resident memory, which also
 * counts typed arrays and IndexedDB buffers.
 *
 * --baseline <commit>: that commit's build (bench/baseline.ts: a worktree in
 * bench/.cache, built with its own config) runs beside this checkout's in the
 * same run, alternately (current, baseline, current, baseline… --repeat
 * rounds, default 3), each run on a fresh browser profile. Prints each side's
 * medians and current/baseline for seconds, Home and renderer memory, and
 * appends one line per dataset: the current side's medians at the top level,
 * `commit` (HEAD; `dirty` when the built files differ from it), `runs`,
 * `baseline: {commit, seconds, …}`, `ratio: {seconds, …}` and every run's
 * figures under `samples`. Check before merging that ratio.seconds stays at or
 * below 1 (within the noise the samples show).
 */
import { execSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  appendFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDataset } from '../src/core/data/synthetic.ts';
import { movieLensFiles, zipMovieLens, type Layout } from '../src/core/data/write-movielens.ts';
import { DATASETS, launch, root, serve } from '../test/e2e/harness.ts';
import {
  alternate,
  currentSide,
  formatSideBySide,
  prepareBaseline,
  serveSide,
  sideBySide,
  type Side,
} from './baseline.ts';

const CACHE = join(root, 'bench/.cache');
const RESULTS = join(root, 'bench/results');

interface Spec {
  dataset: string;
  ratings: number;
  path: () => Promise<string | null>;
}

async function generated(
  name: string,
  layout: Layout,
  opts: { ratings: number; users: number; movies: number },
): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `${name}.zip`);
  if (existsSync(path)) return path;
  const t0 = performance.now();
  const ds = generateDataset({ ...opts, seed: 42, halfStars: layout !== 'ml-1m' });
  const out = createWriteStream(`${path}.part`);
  for await (const chunk of zipMovieLens(movieLensFiles(ds, layout), name)) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  execSync(`mv ${path}.part ${path}`);
  console.error(`generated ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

const genuine = (file: string) => async () => {
  const p = join(DATASETS, file);
  return existsSync(p) ? p : null;
};

const SPECS: Spec[] = [
  { dataset: 'ml-latest-small', ratings: 100_836, path: genuine('ml-latest-small.zip') },
  { dataset: 'ml-100k', ratings: 100_000, path: genuine('ml-100k.zip') },
  {
    dataset: 'ml-1m-generated',
    ratings: 1_000_209,
    path: () => generated('ml-1m', 'ml-1m', { ratings: 1_000_209, users: 6_040, movies: 3_706 }),
  },
  {
    dataset: 'ml-25m-generated',
    ratings: 25_000_095,
    path: () =>
      generated('ml-25m', 'ml-latest', { ratings: 25_000_095, users: 162_541, movies: 62_423 }),
  },
];

/** The peak resident memory of the renderers of the browser whose profile lies under `profiles`. */
function rendererPeakMB(profiles: string): number {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer') || !cmd.includes(profiles)) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
    } catch {
      /* process gone */
    }
  }
  return Math.round(peak);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      'skip-25m': { type: 'boolean' },
      baseline: { type: 'string' },
      repeat: { type: 'string' },
    },
  });
  mkdirSync(RESULTS, { recursive: true });
  const specs = SPECS.filter(
    (spec) =>
      (!values.only || spec.dataset === values.only) &&
      !(values['skip-25m'] && spec.dataset.startsWith('ml-25m')),
  );
  if (values.baseline) {
    const repeat = Number(values.repeat ?? 3);
    if (!Number.isInteger(repeat) || repeat < 1)
      throw new Error('--repeat takes a whole number ≥ 1');
    return sideBySideRuns(specs, values.baseline, repeat);
  }
  if (!existsSync(join(root, 'dist/index.html')) || process.env.BENCH_BUILD !== '0') {
    execSync('npx vite build --logLevel warn', { cwd: root, stdio: 'inherit' });
  }
  const server = await serve();
  try {
    for (const spec of specs) {
      const path = await spec.path();
      if (!path) {
        console.error(`${spec.dataset}: not found under ${DATASETS}, skipped`);
        continue;
      }
      const result = await runOne(server.url, spec, path);
      const line = JSON.stringify(result);
      console.log(line);
      appendFileSync(join(RESULTS, 'import.jsonl'), line + '\n');
    }
  } finally {
    server.stop();
  }
}

/** The figures compared side by side. */
const COMPARED = ['seconds', 'homeInteractiveMs', 'peakRendererMB', 'peakHeapMB'];

/** --baseline: both builds, alternately, on each dataset; one line per dataset with both sides. */
async function sideBySideRuns(specs: Spec[], ref: string, repeat: number): Promise<void> {
  const baseline = prepareBaseline(ref);
  const current = currentSide({ build: process.env.BENCH_BUILD !== '0' });
  const sides: Side[] = [current, baseline];
  const servers = new Map<Side, Awaited<ReturnType<typeof serveSide>>>();
  try {
    for (const side of sides) servers.set(side, await serveSide(side));
    for (const spec of specs) {
      const path = await spec.path();
      if (!path) {
        console.error(`${spec.dataset}: not found under ${DATASETS}, skipped`);
        continue;
      }
      const runs = new Map<Side, Record<string, unknown>[]>(sides.map((s) => [s, []]));
      for (const { side, round } of alternate(sides, repeat)) {
        const r = await runOne(servers.get(side)!.url, spec, path);
        runs.get(side)!.push(r);
        console.error(
          `${spec.dataset} round ${round + 1}/${repeat} ${side.label} ${side.commit.slice(0, 7)}: ` +
            COMPARED.map((k) => `${k} ${String(r[k])}`).join(', '),
        );
      }
      const figures = (side: Side) =>
        runs.get(side)!.map((r) => Object.fromEntries(COMPARED.map((k) => [k, Number(r[k])])));
      const s = sideBySide(figures(current), figures(baseline), COMPARED);
      const cur = runs.get(current)!;
      const result: Record<string, unknown> = {
        suite: 'import',
        dataset: spec.dataset,
        ratings: spec.ratings,
        ...s.current,
        ratingsPerSecond: Math.round(spec.ratings / s.current.seconds!),
        workerHeapSampled: cur.every((r) => r.workerHeapSampled === true),
        ratingsShown: [...runs.values()].flat().every((r) => r.ratingsShown === true),
        commit: current.commit,
        ...(current.dirty ? { dirty: true } : {}),
        runs: repeat,
        baseline: { commit: baseline.commit, ...s.baseline },
        ratio: s.ratio,
        samples: Object.fromEntries(
          sides.map((side) => [
            side.label,
            Object.fromEntries(
              COMPARED.map((k) => [k, runs.get(side)!.map((r) => r[k] as number)]),
            ),
          ]),
        ),
        browser: 'chromium',
        date: new Date().toISOString(),
      };
      console.error(formatSideBySide(`${spec.dataset}, median of ${repeat} runs each:`, s, sides));
      const line = JSON.stringify(result);
      console.log(line);
      appendFileSync(join(RESULTS, 'import.jsonl'), line + '\n');
    }
  } finally {
    for (const server of servers.values()) server.stop();
  }
}

async function runOne(url: string, spec: Spec, path: string): Promise<Record<string, unknown>> {
  // No automatic build after the import: it would share the CPU with "Home after reload".
  // A profile folder of this run's own, so that only this browser's renderers are measured.
  const profiles = mkdtempSync(join(tmpdir(), 'wren-bench-import-'));
  const b = await launch({ autoBuild: false, profileDir: profiles });
  try {
    const { page } = b;
    const cdp = await b.context.newCDPSession(page);
    // Attach to the import worker (non-flattened sessions) to read its heap.
    await cdp.send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: false,
      flatten: false,
    });
    const workers = new Set<string>();
    const heaps = new Map<number, (v: number) => void>();
    let msgId = 1;
    let workerHeapSeen = false;
    cdp.on('Target.attachedToTarget', (e) => {
      if (e.targetInfo.type === 'worker') workers.add(e.sessionId);
    });
    cdp.on('Target.detachedFromTarget', (e) => workers.delete(e.sessionId));
    cdp.on('Target.receivedMessageFromTarget', (e) => {
      const m = JSON.parse(e.message) as { id?: number; result?: { usedSize?: number } };
      if (m.id && heaps.has(m.id)) heaps.get(m.id)!(m.result?.usedSize ?? 0);
    });
    const workerHeap = async (): Promise<number> => {
      let total = 0;
      for (const sessionId of workers) {
        const id = msgId++;
        const v = new Promise<number>((r) => {
          heaps.set(id, r);
          setTimeout(() => r(0), 1000);
        });
        try {
          await cdp.send('Target.sendMessageToTarget', {
            sessionId,
            message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
          });
        } catch {
          heaps.delete(id); // the worker ended between two samples
          continue;
        }
        const used = await v;
        if (used > 0) workerHeapSeen = true;
        total += used;
        heaps.delete(id);
      }
      return total;
    };
    await page.goto(url);
    await page.getByTestId('import-file').first().waitFor({ state: 'attached' });
    let peakHeap = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pageHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
        peakHeap = Math.max(peakHeap, pageHeap + (await workerHeap()));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const t0 = performance.now();
    await page.getByTestId('import-file').first().setInputFiles(path);
    await page.getByTestId('import-summary').waitFor({ timeout: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    const counts = (await page.getByTestId('import-summary').textContent()) ?? '';
    const result: Record<string, unknown> = {
      suite: 'import',
      dataset: spec.dataset,
      ratings: spec.ratings,
      seconds: Math.round(seconds * 100) / 100,
      ratingsPerSecond: Math.round(spec.ratings / seconds),
      peakHeapMB: Math.round(peakHeap / 2 ** 20),
      peakRendererMB: rendererPeakMB(profiles),
      workerHeapSampled: workerHeapSeen,
      ratingsShown: counts.replace(/,/g, '').includes(String(spec.ratings)),
      browser: 'chromium',
      date: new Date().toISOString(),
    };
    // Home interactive after a reload with this dataset stored.
    await page.goto('about:blank');
    const t1 = performance.now();
    await page.goto(url);
    await page.getByTestId('movie-card').first().waitFor({ timeout: 60_000 });
    result.homeInteractiveMs = Math.round(await page.evaluate(() => performance.now()));
    result.homeWallMs = Math.round(performance.now() - t1);
    return result;
  } finally {
    await b.close();
    rmSync(profiles, { recursive: true, force: true });
  }
}

await main();
