#!/usr/bin/env node
// `npm run bench:report`: renders docs/benchmarks.md from every bench/results/*.jsonl.
//
//   node scripts/bench-report.mjs           write docs/benchmarks.md
//   node scripts/bench-report.mjs --check   exit 1 when docs/benchmarks.md is not what it would render
//   … --root DIR                            read DIR/bench/results, write or check DIR/docs/benchmarks.md
//
// Each line of a results file is one measured run. The suites wrote their lines over time in
// slightly different shapes (DESIGN.md's {suite, name, dataset, backend, metrics, seconds,
// samplesPerSecond, peakMemoryMB, node|browser, date} is the common core); `normalise` reads
// every shape into one record, and the tables below pick figures from it by path. Per table,
// only the latest run of each configuration is shown. The output depends on the lines only:
// sorted, no timestamps of its own, formatted by the project's Prettier settings.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS = 'bench/results';
export const OUTPUT = 'docs/benchmarks.md';
/** bench:scale's plot, written beside it when scale.jsonl has lines. */
export const PLOT = 'docs/scale.svg';

/** DESIGN.md's fields of a result line ("node|browser": either). */
export const DESIGN_FIELDS = [
  'suite',
  'name',
  'dataset',
  'backend',
  'metrics',
  'seconds',
  'samplesPerSecond',
  'peakMemoryMB',
  'node|browser',
  'date',
];

// ---------------------------------------------------------------- reading

/** Every results file, sorted by name: [{file, lines: [object…]}]. A bad line throws with its place. */
export function readResults(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((file) => {
      const lines = [];
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .forEach((text, i) => {
          if (!text.trim()) return;
          try {
            lines.push(JSON.parse(text));
          } catch (e) {
            throw new Error(`${dir}/${file}:${i + 1}: not JSON (${e.message})`, { cause: e });
          }
        });
      return { file, lines };
    });
}

const META = new Set(['suite', 'name', 'model', 'dataset', 'backend', 'node', 'browser', 'date']);

/** Nested objects as dotted paths; arrays stay values. */
function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, path, out);
    else out[path] = v;
  }
  return out;
}

/**
 * One result line, in any of the shapes the suites wrote, as one record:
 * {file, index, suite, name, dataset, backend, env, date, f} where `f` holds every figure and
 * setting by dotted path. Figures under `metrics` and at the top level (import, sequential,
 * new-user write theirs at the top) end up side by side: `f.ndcg`, `f.fitSeconds`,
 * `f['versusEase.ndcg.mean']`, `f['config.lambda']`.
 */
export function normalise(line, file, index) {
  const top = {};
  for (const [k, v] of Object.entries(line)) if (!META.has(k) && k !== 'metrics') top[k] = v;
  const f = flatten(top, '', {});
  if (line.metrics && typeof line.metrics === 'object') flatten(line.metrics, '', f);
  const browser = line.browser === 'chromium' ? 'headless Chromium' : line.browser;
  return {
    file,
    index,
    suite: String(line.suite ?? file.replace(/\.jsonl$/, '')),
    name: String(line.name ?? line.model ?? ''),
    dataset: line.dataset === undefined ? '' : String(line.dataset),
    backend: String(line.backend ?? line.engine ?? ''),
    env: browser ? String(browser) : line.node ? `node ${line.node}` : '',
    date: typeof line.date === 'string' ? line.date : '',
    f,
  };
}

/** DESIGN.md's fields a line lacks ("metrics" counts as present when its figures sit at the top). */
export function missingFields(line) {
  return DESIGN_FIELDS.filter((k) =>
    k === 'node|browser' ? line.node === undefined && line.browser === undefined : !(k in line),
  );
}

// ---------------------------------------------------------------- formatting

const groupDigits = (s) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A figure as text: integers grouped by thousands, others to 4 significant digits. */
export function fmt(v) {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(fmt).join(', ');
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    const s = Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
    return s.includes('e') ? s : s.replace(/^-?\d+/, groupDigits);
  }
  if (typeof v === 'object') return settings(v);
  return String(v);
}

/** {a: 1, b: {c: 2}} → "a 1, b.c 2" (seed left out: every table says its seed). */
export function settings(obj, skip = ['seed']) {
  const flat = flatten(obj ?? {}, '', {});
  return Object.keys(flat)
    .filter((k) => !skip.includes(k))
    .map((k) => `${k} ${fmt(flat[k])}`)
    .join(', ');
}

const signed = (v) => (typeof v !== 'number' ? '' : (v > 0 ? '+' : '') + fmt(v));

/** "+0.003 [−0.018, +0.024]" from a {mean, lo, hi} at `path`. */
const interval = (path) => (r) => {
  const m = r.f[`${path}.mean`];
  if (m === undefined) return '';
  return `${signed(m)} [${signed(r.f[`${path}.lo`])}, ${signed(r.f[`${path}.hi`])}]`;
};
const plusMinus = (a, b) => (r) =>
  r.f[a] === undefined
    ? ''
    : r.f[b] === undefined
      ? fmt(r.f[a])
      : `${fmt(r.f[a])} ± ${fmt(r.f[b])}`;
const get = (path) => (r) => r.f[path];
const count = (path) => (r) => (Array.isArray(r.f[path]) ? r.f[path].length : undefined);

const cell = (v) => fmt(v).replace(/\|/g, '\\|');

// ---------------------------------------------------------------- the tables

const day = (r) => r.date.slice(0, 10);
const short = (commit) => (typeof commit === 'string' ? commit.slice(0, 7) : '');
const ksOrder = (ranker) => ['pipeline', 'popularity', 'itemknn', 'ease'].indexOf(ranker);
const browserCatalogue = { 'ml-latest-small': 'small', 'generated-ml-1m-catalogue': 'ml-1m' };

/** Config of the line without the seed, as one comparable string (a configuration's identity). */
const configKey = (r) =>
  // A reference implementation's config lists every model's settings; its identity is its name.
  r.backend.includes('reference')
    ? ''
    : Object.keys(r.f)
        .filter((k) => k.startsWith('config.') && k !== 'config.seed')
        .sort()
        .map((k) => `${k}=${JSON.stringify(r.f[k])}`)
        .join(',');
const configOf = (r) =>
  Object.fromEntries(
    Object.keys(r.f)
      .filter((k) => k.startsWith('config.'))
      .map((k) => [k.slice(7), r.f[k]]),
  );

const rankingColumns = [
  ['users', get('users')],
  ['HR@10', get('hr')],
  ['NDCG@k', get('ndcg')],
  ['Recall@k', get('recall')],
  ['Precision@k', get('precision')],
  ['Hit@k', get('hit')],
  ['MRR@k', get('mrr')],
  ['coverage', get('coverage')],
  ['fit + eval s', get('seconds')],
];
const ctrColumns = [
  ['test rows', get('rows')],
  ['logloss', get('logloss')],
  ['accuracy', get('accuracy')],
  ['ROC-AUC', get('rocAuc')],
  ['PR-AUC', get('prAuc')],
  ['GAUC', get('groupAuc')],
  [
    'ROC-AUC − LR [95%]',
    (r) =>
      r.f.rocAucVsLr === undefined
        ? ''
        : `${signed(r.f.rocAucVsLr)} [${signed(r.f.rocAucVsLrCi95?.[0])}, ${signed(r.f.rocAucVsLrCi95?.[1])}]`,
  ],
  ['epochs', count('epochLosses')],
  ['fit s', get('seconds')],
];
const modelsCommand = (r) =>
  `npm run bench:models -- --only quality --cases ${r.f.protocol}:${r.dataset} --models ${r.name.replace(/-reference$/, '')}${r.f.seed !== undefined && r.f.seed !== 1 ? ` --seed ${r.f.seed}` : ''}`;

/**
 * The sections of docs/benchmarks.md, in order. Each table takes the records of one results
 * file and suite that `where` accepts, keeps the latest run of each `key`, sorts by `sort`
 * (default: the key), and shows `columns` (a column empty in every row is left out). The
 * `command` reproduces a row; when every row has the same one it is printed above the table.
 */
export const SECTIONS = [
  {
    title: 'Import',
    intro:
      'The built app in headless Chromium imports each archive through the real file picker, worker and IndexedDB. _seconds_: from handing the file over until the dataset is ready; _JS heap_: page + import worker; _renderer_: the renderer process’s peak resident memory; _Home_: navigation to the first clickable card after a reload. Side by side: an earlier commit’s build runs in the same command, alternately with this one, each run on a fresh browser profile; figures are medians of the runs, and _×_ is this commit’s figure over the earlier one’s (below 1: faster or smaller).',
    tables: [
      {
        file: 'import.jsonl',
        suite: 'import',
        where: (r) => r.f['baseline.commit'] === undefined,
        key: (r) => [r.dataset],
        columns: [
          ['dataset', (r) => r.dataset],
          ['ratings', get('ratings')],
          ['seconds', get('seconds')],
          ['ratings/s', get('ratingsPerSecond')],
          ['peak JS heap MB', get('peakHeapMB')],
          ['renderer MB', get('peakRendererMB')],
          ['Home ms', get('homeInteractiveMs')],
        ],
        sort: (r) => [r.f.ratings],
        command: () => 'npm run bench:import',
      },
      {
        caption: 'Side by side with an earlier commit',
        file: 'import.jsonl',
        suite: 'import',
        where: (r) => r.f['baseline.commit'] !== undefined,
        key: (r) => [r.dataset, r.f.commit, r.f.dirty === true, r.f['baseline.commit']],
        sort: (r) => [r.dataset, r.date],
        columns: [
          ['dataset', (r) => r.dataset],
          ['commit', (r) => short(r.f.commit) + (r.f.dirty ? ' + changes' : '')],
          ['baseline', (r) => short(r.f['baseline.commit'])],
          ['runs each', get('runs')],
          ['seconds', get('seconds')],
          ['baseline s', get('baseline.seconds')],
          ['seconds ×', get('ratio.seconds')],
          ['Home ms', get('homeInteractiveMs')],
          ['baseline Home ms', get('baseline.homeInteractiveMs')],
          ['Home ×', get('ratio.homeInteractiveMs')],
          ['renderer MB', get('peakRendererMB')],
          ['baseline renderer MB', get('baseline.peakRendererMB')],
          ['renderer ×', get('ratio.peakRendererMB')],
        ],
        command: (r) =>
          `npm run bench:import -- --only ${r.dataset} --baseline ${short(r.f['baseline.commit'])} --repeat ${r.f.runs}`,
      },
    ],
  },
  {
    title: 'Hostile archives',
    intro:
      'Each hostile archive, generated at full size, imported by the command line (`wren import … --json`; _peak MB_: the node process’s peak resident memory) and by the built app in headless Chromium (_peak MB_: the whole browser’s proportional set size, summed over its processes). The bound is 1 GB (1,024 MB).',
    tables: [
      {
        file: 'hostile.jsonl',
        suite: 'hostile',
        key: (r) => [r.env, r.name],
        columns: [
          ['case', (r) => r.name],
          ['archive MB', get('archiveMB')],
          ['outcome', get('outcome')],
          ['error code', get('errorCode')],
          ['peak MB', get('peakMemoryMB')],
          ['seconds', get('seconds')],
          [
            'message',
            (r) =>
              r.f.message ??
              (r.f['counts.ratings'] !== undefined
                ? `${fmt(r.f['counts.ratings'])} ratings imported`
                : r.f['counts.dataset']),
          ],
        ],
        command: (r) =>
          `npm run bench:hostile -- --only ${r.name}${r.backend === 'browser' ? ' --browser --no-cli' : ''}`,
      },
    ],
  },
  {
    title: 'Features',
    intro:
      'The sparrow-ctr features of every rating of a generated dataset, in node on one thread (generation not timed).',
    tables: [
      {
        file: 'features.jsonl',
        suite: 'features',
        key: (r) => [r.dataset],
        columns: [
          ['dataset', (r) => r.dataset],
          ['rows', get('rows')],
          ['seconds', get('seconds')],
          ['rows/s', get('samplesPerSecond')],
          ['movie features s', get('movieSeconds')],
          ['user features s', get('userSeconds')],
          ['peak MB', get('peakMemoryMB')],
        ],
        sort: (r) => [r.f.rows],
        command: (r) => `npm run bench:features -- --ratings ${r.f.rows}`,
      },
    ],
  },
  {
    title: 'Embeddings: quality',
    intro:
      'The next-item protocol (DESIGN.md 4) on ml-latest-small, mean ± sd over seeds; gensim’s Word2Vec trains on the identical corpus and is scored by the same code.',
    tables: [
      {
        file: 'embed.jsonl',
        suite: 'embed-quality',
        key: (r) => [r.name, r.dataset, r.backend],
        columns: [
          ['run', (r) => r.name],
          ['trainer', (r) => r.backend],
          ['seeds', get('seeds')],
          ['HR@10', plusMinus('hr10', 'hr10Sd')],
          ['NDCG@10', get('ndcg10')],
          ['popularity HR@10', get('popularityHr10')],
          ['gensim HR@10', plusMinus('gensimHr10', 'gensimHr10Sd')],
          ['HR ÷ gensim', get('hrRatioToGensim')],
          ['one thread HR@10', plusMinus('oneThreadHr10', 'oneThreadHr10Sd')],
          [
            'genre coherence (random pairs)',
            (r) =>
              r.f.genreCoherence === undefined
                ? ''
                : `${fmt(r.f.genreCoherence)} (${fmt(r.f.genreCoherenceRandom)})`,
          ],
          ['HNSW recall@10', get('annRecall10')],
          [
            'HNSW / exact ms',
            (r) =>
              r.f.annQueryMs === undefined
                ? ''
                : `${fmt(r.f.annQueryMs)} / ${fmt(r.f.exactQueryMs)}`,
          ],
          [
            'settings',
            (r) =>
              settings(
                Object.fromEntries(
                  Object.entries(r.f)
                    .filter(([k]) => k.startsWith('settings.'))
                    .map(([k, v]) => [k.slice(9), v]),
                ),
              ),
          ],
        ],
        command: (r) =>
          `npm run bench:embed -- --only quality --seeds ${r.f.seeds}${r.f.threads ? ` --threads ${r.f.threads}` : ''}`,
      },
    ],
  },
  {
    title: 'Embeddings: tuning',
    intro:
      'Overrides of a base setting, scored on a validation split (each user’s last training positive held out again), so the defaults are not fitted to the test. Sorted by HR@10.',
    tables: [
      {
        file: 'embed-tune.jsonl',
        suite: 'embed-tune',
        key: (r) => [r.f.base, r.name],
        columns: [
          ['overrides', (r) => r.name],
          ['base', get('base')],
          ['seeds', get('seeds')],
          ['HR@10', plusMinus('hr10', 'hr10Sd')],
        ],
        sort: (r) => [r.f.base, -r.f.hr10, r.name],
        command: (r) => `npm run bench:embed -- --only tune --grid '[${r.name}]'`,
      },
    ],
  },
  {
    title: 'Embeddings: training speed',
    intro:
      'Item2Vec with gensim’s reference settings on generated ml-1m-sized sequences, 10 epochs; each row’s seconds are the median of its runs, taken in turn with gensim in one command (the ratios come from one command: this machine’s speed varies between minutes).',
    tables: [
      {
        file: 'embed.jsonl',
        suite: 'embed-speed',
        key: (r) => [r.name, r.dataset, r.backend],
        columns: [
          ['run', (r) => r.name],
          ['trainer', (r) => r.backend],
          ['seconds', get('seconds')],
          ['runs', get('runs')],
          ['tokens/s', get('samplesPerSecond')],
          ['÷ gensim, 1 worker', get('ratioToGensim')],
          ['÷ gensim, same threads', get('ratioToGensimThreads')],
          ['÷ one thread / worker', (r) => r.f.speedupOverOneThread ?? r.f.speedupOverOneWorker],
          ['probe s', get('probeSeconds')],
          ['peak MB', get('peakMemoryMB')],
        ],
        sort: (r) => [-(r.f.samplesPerSecond ?? 0), r.name],
        command: (r) =>
          `npm run bench:embed -- --only speed${r.f.threads ? ` --threads ${r.f.threads}` : ''}${Array.isArray(r.f.runs) && r.f.runs.length > 1 ? ` --rounds ${r.f.runs.length}` : ''}`,
      },
    ],
  },
  {
    title: 'Nearest-neighbour search',
    intro:
      'HNSW (M 16, efConstruction 100) against the exact scan over seeded clustered unit vectors (spread 3: nearly uniform, the worst case), in node; query times are per query.',
    tables: [
      {
        file: 'ann.jsonl',
        suite: 'ann',
        key: (r) => [r.dataset, r.f.dim, r.f.ef],
        columns: [
          ['vectors', (r) => r.dataset],
          ['dim', get('dim')],
          ['ef', get('ef')],
          ['queries', get('queries')],
          ['recall@10', get('recallAt10')],
          ['HNSW ms (p95)', (r) => `${fmt(r.f.annQueryMs)} (${fmt(r.f.annQueryP95Ms)})`],
          ['exact ms (p95)', (r) => `${fmt(r.f.exactQueryMs)} (${fmt(r.f.exactQueryP95Ms)})`],
          ['exact, batched ms', get('exactBatchQueryMs')],
          ['build s', get('buildSeconds')],
        ],
        command: (r) =>
          `npm run bench:ann -- --dims ${r.f.dim} --ef ${r.f.ef}${/spread3$/.test(r.dataset) ? ' --spread 3' : ''}${r.f.queries !== 1000 ? ` --queries ${r.f.queries}` : ''}`,
      },
    ],
  },
  {
    title: 'EASE’s linear algebra',
    intro:
      'The inverse of a Gram-like symmetric positive definite matrix (side n) that EASE needs, and EASE’s fit and full-rank evaluation at ml-1m’s shape (generated), in node. Seconds: median of the runs (wall clock); errors against the unblocked sweep.',
    tables: [
      {
        caption: 'The inverse',
        file: 'linalg.jsonl',
        suite: 'linalg',
        where: (r) => r.name.startsWith('spd-inverse-'),
        key: (r) => [r.name, r.f.n, r.f.block],
        columns: [
          ['variant', (r) => r.name.replace(/^spd-inverse-/, '')],
          ['n', get('n')],
          ['block', get('block')],
          ['precision', get('precision')],
          ['seconds', get('seconds')],
          ['runs', get('runs')],
          ['CPU s', get('cpuSeconds')],
          ['GFLOP/s', get('gflops')],
          ['max rel. error', get('maxRelError')],
          ['residual', get('residual')],
        ],
        sort: (r) => [r.f.n, r.name, String(r.f.block)],
        command: (r) => {
          const variant = r.name.replace(/^spd-inverse-/, '');
          const block =
            typeof r.f.block === 'number' && variant !== 'sweep' ? ` --block ${r.f.block}` : '';
          const runs = Array.isArray(r.f.runs) ? r.f.runs.length : 1;
          return `npm run bench:linalg -- --sizes ${r.f.n} --variants ${variant}${block} --repeats ${runs}`;
        },
      },
      {
        caption: 'EASE at ml-1m’s shape',
        file: 'linalg.jsonl',
        suite: 'linalg',
        where: (r) => r.name.startsWith('ease-'),
        key: (r) => [r.name, r.dataset],
        columns: [
          ['run', (r) => r.name],
          ['threads', get('threads')],
          ['seconds', get('seconds')],
          ['runs', get('runs')],
          ['÷ one thread', get('speedupOverOneThread')],
          ['same as one thread', (r) => r.f.sameModelAsOneThread ?? r.f.sameMetricsAsOneThread],
          ['HR@10', get('hr')],
          ['NDCG@10', get('ndcg')],
          ['peak MB', get('peakMemoryMB')],
        ],
        command: (r) =>
          `npm run bench:linalg -- ${r.name.startsWith('ease-full-rank') ? '--ease-eval' : '--ease'}${Array.isArray(r.f.runs) ? ` --repeats ${r.f.runs.length}` : ''}`,
      },
    ],
  },
  {
    title: 'Ranking models',
    intro:
      'Seed 1, in node; `-reference` rows are the Python reference (numpy/scipy, bench/models_ref.py) fitted on the identical split and scored by the same rules. The command runs today’s defaults; _settings_ is what the line was trained with.',
    tables: ['ncf-loo', 'msr-100k', 'full-rank'].map((protocol) => ({
      caption: protocol,
      file: 'models.jsonl',
      suite: 'models-quality',
      where: (r) => r.f.protocol === protocol,
      key: (r) => [r.dataset, r.name, r.backend, r.f.seed ?? 0, configKey(r)],
      varying: true,
      columns: [
        ['dataset', (r) => r.dataset],
        ['model', (r) => r.name],
        ['backend', (r) => r.backend],
        ['settings', (r) => r.varying],
        ['seed', get('seed'), { ifVaries: true }],
        ...rankingColumns,
      ],
      sort: (r) => [r.dataset, r.name, r.backend, r.date],
      command: modelsCommand,
    })),
  },
  {
    title: 'CTR models',
    intro:
      'sparrow-ctr (split by time) and ctr-random (RecBole’s random 8:1:1 split with user and movie fields), seed 1, tfjs wasm in node. _ROC-AUC − LR_: the model’s minus logistic regression’s on the same test rows, with a 95% interval from a paired bootstrap over users.',
    tables: ['sparrow-ctr', 'ctr-random'].map((protocol) => ({
      caption: protocol,
      file: 'models.jsonl',
      suite: 'models-quality',
      where: (r) => r.f.protocol === protocol,
      key: (r) => [r.dataset, r.name, r.backend, r.f.seed ?? 0, configKey(r)],
      varying: true,
      columns: [
        ['dataset', (r) => r.dataset],
        ['model', (r) => r.name],
        ['settings', (r) => r.varying],
        ['seed', get('seed'), { ifVaries: true }],
        ...ctrColumns,
      ],
      sort: (r) => [r.dataset, r.f.seed ?? 0, r.name, r.date],
      command: modelsCommand,
    })),
  },
  {
    title: 'Model training speed',
    intro:
      'NeuMF, one epoch of ml-latest-small’s ncf-loo training set (every positive and 4 negatives, batch 256): Wren’s trainers and PyTorch (bench/neumf_torch.py) taken in turns, one line per round; then the summary line of the latest run (medians of its rounds); then the Models page’s probe and training in headless Chromium.',
    tables: [
      {
        caption: 'Rounds',
        file: 'models.jsonl',
        suite: 'models-speed',
        where: (r) => r.name === 'neumf-train-1-epoch',
        key: (r) => [r.backend, r.f.threads, r.f.round],
        columns: [
          ['trainer', (r) => r.backend],
          ['threads', get('threads')],
          ['round', get('round')],
          ['samples', get('samples')],
          ['seconds', get('seconds')],
          ['samples/s', get('samplesPerSecond')],
          ['loss', get('loss')],
          ['score 9,742 ms', get('scoreAllMs')],
          ['score 3,706 ms', get('score3706Ms')],
        ],
        sort: (r) => [r.backend, r.f.threads ?? 0, r.f.round ?? -1],
        command: (r) =>
          `npm run bench:models -- --only speed${r.f.round !== undefined ? ' --rounds 3' : ''}`,
      },
      {
        caption: 'Summary of the latest run',
        file: 'models.jsonl',
        suite: 'models-speed',
        where: (r) => r.name === 'neumf-threads-summary',
        key: () => [],
        transpose: true,
        command: () => 'npm run bench:models -- --only speed --rounds 3',
      },
      {
        caption: 'In headless Chromium',
        file: 'models.jsonl',
        suite: 'models-speed',
        where: (r) => r.env === 'headless Chromium',
        key: (r) => [r.name, r.backend],
        columns: [
          ['run', (r) => r.name],
          ['backend', (r) => r.backend],
          ['dataset', (r) => r.dataset],
          ['samples/s', get('samplesPerSecond')],
          ['seconds', get('seconds')],
          ['epochs', get('epochs')],
          ['HR@10', get('hr10')],
          ['NDCG@10', get('ndcg10')],
          ['scoring', get('scoreMs')],
        ],
        sort: (r) => [r.name, -(r.f.samplesPerSecond ?? 0)],
        command: () => 'npm run build && npm run bench:models-browser',
      },
    ],
  },
  {
    title: 'Sequential models',
    intro:
      'SASRec and GRU4Rec beside EASE (and popularity, or For You’s pipeline) on the same splits, seed 1, tfjs wasm in node; each difference is paired by user with a 95% bootstrap interval. A row per configuration: _settings_ shows what differs between a model’s rows.',
    tables: ['ncf-loo', 'full-rank', 'next-item', 'new-user-k'].map((protocol) => ({
      caption: protocol,
      file: 'sequential.jsonl',
      suite: 'sequential',
      where: (r) => r.f.protocol === protocol,
      key: (r) => [r.dataset, r.name, r.f.k ?? 0, configKey(r)],
      varying: true,
      columns: [
        ['model', (r) => r.name],
        ['settings', (r) => r.varying],
        ['k', (r) => (protocol === 'new-user-k' ? r.f.k : undefined)],
        ['users', get('users')],
        ['HR@10', get('hr')],
        ['Recall@10', get('recall')],
        ['NDCG@10', get('ndcg')],
        ['Hit@10', get('hit')],
        ['coverage', get('coverage')],
        [
          'NDCG − EASE',
          (r) => interval('versusEase.ndcg')(r) || interval('versus.ease.difference')(r),
        ],
        ['HR − EASE', interval('versusEase.hit')],
        ['NDCG − pipeline', interval('versus.pipeline.difference')],
        ['HR − popularity', interval('versusPopularity.hit')],
        [
          'epochs (best)',
          (r) => (r.f.epochs === undefined ? '' : `${fmt(r.f.epochs)} (${fmt(r.f.bestEpoch)})`),
        ],
        ['fit s', get('fitSeconds')],
      ],
      sort: (r) => [r.dataset, r.name, r.f.k ?? 0, r.date],
      command: (r) =>
        `npm run bench:sequential -- --cases ${protocol}:${r.dataset}${['sasrec', 'gru4rec'].includes(r.name) ? ` --models ${r.name}` : ''}`,
    })),
  },
  {
    title: 'Sequential models: speed',
    intro:
      'SASRec’s training step (tfjs wasm + the WebAssembly attention) and PyTorch’s (bench/sasrec_torch.py, one CPU thread) on the same batches; scoring every movie for one user; and one epoch in the app’s models worker in headless Chromium.',
    tables: [
      {
        caption: 'Training step',
        file: 'sequential.jsonl',
        suite: 'sequential-speed',
        where: (r) => r.name === 'sasrec-train-step',
        key: (r) => [configKey(r)],
        columns: [
          ['shape', (r) => settings(configOf(r))],
          ['Wren ms/step', get('wren.msPerStep')],
          ['PyTorch ms/step', get('pytorch.ms_per_step')],
          ['Wren sequences/s', get('wren.sequencesPerSecond')],
          ['PyTorch sequences/s', get('pytorch.sequences_per_s')],
          ['Wren ÷ PyTorch', get('ratio')],
          ['steps timed', get('pytorch.timed_steps')],
        ],
        command: (r) => `npm run bench:sequential -- --only speed --steps ${r.f['pytorch.steps']}`,
      },
      {
        caption: 'Scoring every movie',
        file: 'sequential.jsonl',
        suite: 'sequential-speed',
        where: (r) => r.name === 'sasrec-score-all',
        key: (r) => [r.f.movies, r.f.history, configKey(r)],
        columns: [
          ['movies', get('movies')],
          ['history', get('history')],
          ['engine', (r) => r.backend],
          ['p50 ms', get('p50Ms')],
          ['p95 ms', get('p95Ms')],
        ],
        command: () => 'npm run bench:sequential -- --only speed',
      },
      {
        caption: 'One epoch in the browser',
        file: 'sequential.jsonl',
        suite: 'sequential-speed',
        where: (r) => r.name === 'sasrec-train-browser',
        key: (r) => [configKey(r)],
        columns: [
          ['where', (r) => r.backend],
          ['epoch s', get('wren.epochSeconds')],
          ['positions', get('wren.positions')],
          ['Wren positions/s', get('wren.positionsPerSecond')],
          ['PyTorch positions/s', get('pytorch.positionsPerSecond')],
          ['Wren ÷ PyTorch', get('ratio')],
        ],
        command: () => 'npm run build && npm run bench:sequential -- --only speed --browser',
      },
    ],
  },
  {
    title: 'What a new person sees',
    intro:
      'new-user-k (DESIGN.md 6: 20% of users are new; each reveals the first k movies they liked, the rest are the target) and the taste probe (DESIGN.md 7), seed 1. _pipeline_ is For You’s default after the automatic build; _pipeline − this_: the pipeline’s NDCG@10 minus the row’s, paired by user, with a 95% bootstrap interval.',
    tables: [
      {
        caption: 'new-user-k: Recall@10, NDCG@10',
        file: 'new-user.jsonl',
        suite: 'new-user',
        where: (r) => r.f.protocol === 'new-user-k',
        key: (r) => [r.dataset, r.f.ranker, r.f.k, r.f.embedding],
        columns: [
          ['dataset', (r) => r.dataset],
          ['ranker', get('ranker')],
          ['k', get('k')],
          ['users', get('users')],
          ['Recall@10', get('recall')],
          ['NDCG@10', get('ndcg')],
          ['miscalibration', get('miscalibration')],
          ['pipeline − this', interval('pipelineMinusThis')],
          ['embedding', get('embedding')],
        ],
        sort: (r) => [r.dataset, r.f.k, ksOrder(r.f.ranker)],
        command: (r) =>
          `npm run bench:new-user -- --data ${r.dataset}${r.f.embedding === 'none' ? ' --embedding none' : ''}`,
      },
      {
        caption: 'Taste probe',
        file: 'new-user.jsonl',
        suite: 'new-user',
        where: (r) => r.f.protocol === 'taste-probe',
        key: (r) => [r.dataset, r.f.ranker, r.f.embedding],
        columns: [
          ['dataset', (r) => r.dataset],
          ['ranker', get('ranker')],
          ['genres', get('genres')],
          ['in genre', get('inGenre')],
          ['rare', get('rare')],
          [
            'in genre, per genre',
            (r) =>
              Object.keys(r.f)
                .filter((k) => k.startsWith('perGenre.'))
                .sort()
                .map((k) => `${k.slice(9)} ${fmt(r.f[k])}`)
                .join(', '),
          ],
        ],
        sort: (r) => [r.dataset, ksOrder(r.f.ranker)],
        command: (r) => `npm run bench:new-user -- --data ${r.dataset}`,
      },
      {
        caption: 'What each part of the pipeline adds: NDCG@10 by k, in-genre share',
        file: 'new-user.jsonl',
        suite: 'new-user',
        where: (r) => r.f.protocol === 'new-user-k+taste-probe',
        key: (r) => [r.dataset, r.name],
        columns: [
          ['dataset', (r) => r.dataset],
          ['pipeline', (r) => r.name.replace(/^pipeline part: /, '')],
          ...[1, 3, 5, 10, 20].map((k) => [`k = ${k}`, get(`ndcg.${k}`)]),
          ['in genre', get('inGenre')],
          ['rare', get('rare')],
          [
            'blend',
            (r) =>
              settings(
                Object.fromEntries(
                  Object.entries(r.f)
                    .filter(([k]) => k.startsWith('params.'))
                    .map(([k, v]) => [k.slice(7), v]),
                ),
              ),
          ],
        ],
        sort: (r) => [r.dataset, r.date],
        command: (r) => `npm run bench:new-user -- --data ${r.dataset}`,
      },
    ],
  },
  {
    title: 'How the personal ranker’s weights were chosen',
    intro:
      'Validation new users carved from the training users with other seeds (never the test users): every combination of a grid scored by mean NDCG@10 over k and seeds and by the taste probe’s in-genre share. The chosen line of each grid, then the ten best combinations by mean NDCG@10 (every line is in bench/results/new-user-tune.jsonl).',
    tables: [
      {
        caption: 'Chosen',
        file: 'new-user-tune.jsonl',
        suite: 'new-user',
        where: (r) => r.name === 'personal ranker chosen',
        key: (r) => [settings(configOfPrefix(r, 'chosen.params.'))],
        columns: [
          ['weights', (r) => settings(configOfPrefix(r, 'chosen.params.'))],
          ['mean validation NDCG@10', get('chosen.ndcg')],
        ],
        sort: (r) => [r.date],
        command: (r) =>
          `npm run bench:new-user -- --tune --grid ${'chosen.params.sharpness' in r.f ? 'sharpness' : 'shape'}`,
      },
      {
        caption: 'Best of the grid',
        file: 'new-user-tune.jsonl',
        suite: 'new-user',
        where: (r) => r.name === 'personal ranker grid',
        key: (r) => [settings(configOfPrefix(r, 'params.'))],
        limit: 10,
        columns: [
          ['weights', (r) => settings(configOfPrefix(r, 'params.'))],
          ['mean NDCG@10', get('ndcgMean')],
          ...[1, 3, 5, 10, 20].map((k) => [`k = ${k}`, get(`ndcg.${k}`)]),
          ['in genre', get('inGenre')],
          ['rare', get('rare')],
          ['seeds', get('validationSeeds')],
        ],
        sort: (r) => [-r.f.ndcgMean, settings(configOfPrefix(r, 'params.'))],
        command: (r) =>
          `npm run bench:new-user -- --tune --grid ${'params.sharpness' in r.f ? 'sharpness' : 'shape'}`,
      },
    ],
  },
  {
    title: 'Recommendations: the pipeline replayed',
    intro:
      'Held-out users of ml-latest-small replayed through the whole pipeline, seed 1: every channel alone, the channels fused, the pipeline ranked by a model, and each ranker alone over the protocol’s candidates. _recalled_: the share of held-out movies any stage found.',
    tables: ['ncf-loo', 'full-rank'].map((protocol) => ({
      caption: protocol,
      file: 'recommend.jsonl',
      suite: 'recommend-replay',
      where: (r) => r.f.protocol === protocol,
      key: (r) => [r.dataset, r.name, r.f.k],
      columns: [
        ['what ranks the list', (r) => r.name],
        ['users', get('users')],
        ['k', get('k')],
        ['HR@k', get('hr')],
        ['Recall@k', get('recall')],
        ['NDCG@k', get('ndcg')],
        ['Hit@k', get('hit')],
        ['recalled', get('recalled')],
        ['list length', get('listLength')],
        ['fit s', get('fitSeconds')],
      ],
      command: () => 'npm run bench:recommend -- --only quality',
    })),
  },
  {
    title: 'Recommendations: For You in node',
    intro:
      'For You for a profile of 20 liked movies over generated catalogues, with 32-d random unit vectors as the embedding: `recommend()` and the time from a new rating to the new list, in ms.',
    tables: [
      {
        file: 'recommend.jsonl',
        suite: 'recommend-latency',
        key: (r) => [r.dataset, r.name],
        columns: [
          ['catalogue', (r) => r.dataset],
          ['ranker', (r) => r.name],
          ['movies', get('movies')],
          ['runs', get('runs')],
          ['candidates', get('candidates')],
          ['diversity', get('diversity')],
          ['p50', get('p50Ms')],
          ['p95', get('p95Ms')],
          [
            'recall / rank / re-rank p50',
            (r) => `${fmt(r.f.recallP50Ms)} / ${fmt(r.f.rankP50Ms)} / ${fmt(r.f.rerankP50Ms)}`,
          ],
          ['rating → list p50', get('rateToListP50Ms')],
          ['rating → list p95', get('rateToListP95Ms')],
          ['fit s', get('fitSeconds')],
        ],
        sort: (r) => [r.f.movies, r.name],
        command: () => 'npm run bench:recommend -- --only latency',
      },
    ],
  },
  {
    title: 'Recommendations: predicted rating',
    intro:
      'The movie page’s predicted rating, a seeded 20% of each user’s ratings held out; the baselines and the embedding built from the rest.',
    tables: [
      {
        file: 'recommend.jsonl',
        suite: 'recommend-rating',
        key: (r) => [r.dataset, r.name],
        columns: [
          ['dataset', (r) => r.dataset],
          ['prediction', (r) => r.name],
          ['held out', get('heldOut')],
          ['RMSE', get('rmse')],
          ['MAE', get('mae')],
        ],
        sort: (r) => [r.dataset, -r.f.rmse],
        command: () => 'npm run bench:recommend -- --only rating',
      },
    ],
  },
  {
    title: 'Recommendations: one thread against several',
    intro:
      'ml-latest-small, one thread against several (node worker threads running the browser’s core code) taken in turns; seconds are medians of the rounds, and each result equals one thread’s to the last bit.',
    tables: [
      {
        file: 'recommend.jsonl',
        suite: 'recommend-threads',
        key: (r) => [r.dataset, r.name, r.f.threads],
        columns: [
          ['work', (r) => r.name],
          ['users', get('users')],
          ['threads', get('threads')],
          ['1 thread s', get('oneSeconds')],
          ['threads s', get('manySeconds')],
          ['speed-up', get('speedup')],
          ['1 thread runs', get('oneRuns')],
          ['threads runs', get('manyRuns')],
          ['same result', get('sameResult')],
        ],
        command: (r) =>
          `npm run bench:recommend -- --only threads --threads ${r.f.threads} --rounds ${r.f.rounds}`,
      },
    ],
  },
  {
    title: 'Recommendations: For You in the browser',
    intro:
      'The built app in headless Chromium: each catalogue imported through the page, 20 movies rated 4.5 on the onboarding page, then lists and ratings on For You. _list_: the worker’s recall → rank → re-rank; _rating → row_: from the click to the new row in the DOM. Times in ms.',
    tables: [
      {
        caption: 'Lists',
        file: 'recommend-browser.jsonl',
        suite: 'recommend-browser',
        where: (r) => r.name === 'for-you-list',
        key: (r) => [r.dataset, r.f.state],
        columns: [
          ['catalogue', (r) => r.dataset],
          ['state', get('state')],
          ['ranker', get('ranker')],
          ['diversity', get('diversity')],
          ['lists', get('n')],
          ['p50', get('p50Ms')],
          ['p95', get('p95Ms')],
          [
            'recall / rank / re-rank p50',
            (r) => `${fmt(r.f.recallP50Ms)} / ${fmt(r.f.rankP50Ms)} / ${fmt(r.f.rerankP50Ms)}`,
          ],
          [
            'round trip p50 / p95',
            (r) => `${fmt(r.f.roundTripP50Ms)} / ${fmt(r.f.roundTripP95Ms)}`,
          ],
          ['automatic build s', get('buildSeconds')],
          ['Item2Vec training s', get('trainSeconds')],
        ],
        sort: (r) => [r.f.movies, r.f.state],
        command: browserCommand,
      },
      {
        caption: 'Rating → new row',
        file: 'recommend-browser.jsonl',
        suite: 'recommend-browser',
        where: (r) => r.name === 'rate-to-row',
        key: (r) => [r.dataset, r.f.state],
        columns: [
          ['catalogue', (r) => r.dataset],
          ['state', get('state')],
          ['ranker', get('ranker')],
          ['ratings', get('n')],
          ['timed out', get('timedOut')],
          ['p50', get('p50Ms')],
          ['p95', get('p95Ms')],
          ['next frame p50 / p95', (r) => `${fmt(r.f.frameP50Ms)} / ${fmt(r.f.frameP95Ms)}`],
          [
            'in the page p50 / p95',
            (r) => `${fmt(r.f.lastUpdateP50Ms)} / ${fmt(r.f.lastUpdateP95Ms)}`,
          ],
        ],
        sort: (r) => [r.f.movies, r.f.state],
        command: browserCommand,
      },
    ],
  },
  {
    title: 'Scale: 1M to 25M ratings in the browser',
    intro:
      'The whole app in headless Chromium at three sizes of ml-25m’s shape (generated, ml-latest CSV layout: 25M is 162,541 users × 62,423 movies; smaller sizes keep its 153.8 ratings per user and grow the catalogue with the square root of the ratings), each imported through the page in a fresh profile, then every stage as the app runs it. Each cell: the stage’s figure, then the peak resident memory of the renderer processes during that stage. The plot: [scale.svg](scale.svg), seconds against ratings, log-log (a hollow point: cut by its timeout, so a lower bound). A stage cut by its timeout (`--stage-timeout`, `--timeouts`) shows as “> N s (not finished)”; while a cut automatic build goes on training its Item2Vec, the stages after it share the CPU with it. Each cell is the latest line of its stage and size, so a column may join runs (`--only`): the date row gives each size’s newest. The 1M and 10M columns are from 2026-12-07, before the automatic build’s caps (EASE’s λ searched on at most 2,000 validation new users from one Gram matrix, Item2Vec’s epoch budget, next-item figures on 5,000 users), the streamed NCF epochs and the similar-movie warm-up; the 25M column is from 2026-12-08, with them, on a quiet machine (load 1 to 2 on 2 cores). `--only` does not stop the automatic build that follows an import: a run that leaves out `build` trains beside it.',
    tables: [{ file: 'scale.jsonl', suite: 'scale', render: renderScale }],
  },
];

/** bench:scale's stages, as rows of the cost-growth table: [name, label, figure of a line]. */
const SCALE_ROWS = [
  ['import', 'import, s', (r) => r.f.seconds],
  ['build', 'automatic build, s (timed by the app)', (r) => r.f.buildSeconds],
  ['ease', '… personal EASE, s', (r) => r.f.seconds],
  [
    'ease',
    '… EASE’s size (movies modelled)',
    (r) => `${fmt(r.f.easeMovies)} of ${fmt(r.f.easeOf)}`,
    { memory: false },
  ],
  ['item2vec', '… Item2Vec, s', (r) => r.f.seconds],
  ['features', 'features (sparrow-ctr), s', (r) => r.f.seconds],
  ['neumf', 'NeuMF, one epoch (split, epoch, evaluation), s', (r) => r.f.seconds],
  [
    'for-you',
    'For You list, p50 / p95 ms (ranking by)',
    (r) => `${fmt(r.f.p50Ms)} / ${fmt(r.f.p95Ms)} (${r.f.ranker})`,
  ],
  [
    'similar',
    'similar movies, p50 / p95 ms (the search alone, without reading movie rows)',
    (r) =>
      `${fmt(r.f.p50Ms)} / ${fmt(r.f.p95Ms)}${r.f.searchP50Ms !== undefined ? ` (${fmt(r.f.searchP50Ms)} / ${fmt(r.f.searchP95Ms)})` : ''}`,
  ],
  [
    'pages',
    'pages opened without an error',
    (r) =>
      `${fmt(r.f.pagesOk)} of ${fmt(r.f.pagesOk + (r.f.pagesFailed?.length ?? 0))}${r.f.pagesFailed?.length ? ` (not: ${r.f.pagesFailed.join(', ')})` : ''}`,
  ],
];
/** The stages the plot draws (seconds). */
const SCALE_PLOT = [
  ['import', 'import'],
  ['build', 'automatic build'],
  ['ease', 'EASE'],
  ['item2vec', 'Item2Vec'],
  ['features', 'features'],
  ['neumf', 'NeuMF epoch'],
];

const scaleColumns = (rows) =>
  [...new Set(rows.map((r) => r.dataset))].sort(
    (a, b) =>
      rows.find((r) => r.dataset === a).f.ratings - rows.find((r) => r.dataset === b).f.ratings ||
      (a < b ? -1 : 1),
  );

/** The latest line of each (dataset, stage) of bench:scale. */
const scaleLatest = (records) =>
  latest(
    records.filter((r) => r.file === 'scale.jsonl' && r.suite === 'scale'),
    (r) => [r.dataset, r.name],
  );

const scaleCell = (r, figure, opts) => {
  if (!r) return '';
  const mem = r.f.peakRssMB && opts?.memory !== false ? ` · ${fmt(r.f.peakRssMB)} MB` : '';
  if (r.f.error)
    return /^not finished within/.test(r.f.error)
      ? `> ${fmt(r.f.seconds)} s (not finished)${mem}`
      : `failed after ${fmt(r.f.seconds)} s: ${r.f.error}${mem}`;
  return `${fmt(figure(r))}${mem}`;
};

/** The cost-growth table: a row per stage, a column per size. */
function renderScale(records) {
  const rows = scaleLatest(records);
  if (!rows.length) return { text: '', shown: [], total: 0 };
  const cols = scaleColumns(rows);
  const at = (d, name) => rows.find((r) => r.dataset === d && r.name === name);
  const head = (d) => `${d} (${fmt(rows.find((r) => r.dataset === d).f.ratings)} ratings)`;
  const body = SCALE_ROWS.filter(([name]) => rows.some((r) => r.name === name)).map(
    ([name, label, figure, opts]) => [
      cell(label),
      ...cols.map((d) => cell(scaleCell(at(d, name), figure, opts))),
    ],
  );
  body.push([
    'peak renderer memory, MB (largest renderer’s VmHWM over the run)',
    ...cols.map((d) =>
      fmt(Math.max(...rows.filter((r) => r.dataset === d).map((r) => r.f.peakRendererMB ?? 0))),
    ),
  ]);
  body.push([
    'peak resident memory of all renderers together, MB (sampled every 250 ms)',
    ...cols.map((d) =>
      fmt(Math.max(...rows.filter((r) => r.dataset === d).map((r) => r.f.peakRssMB ?? 0))),
    ),
  ]);
  body.push([
    'date',
    ...cols.map((d) =>
      rows
        .filter((r) => r.dataset === d)
        .map(day)
        .sort()
        .at(-1),
    ),
  ]);
  const commands = [...new Set(rows.map((r) => r.f.command))].sort();
  const out = [
    '### Cost growth',
    '',
    `Command: ${commands.map((c) => `\`${c}\``).join(', ')}; run in ${rows[0].env}; from \`${RESULTS}/scale.jsonl\`.`,
    '',
    markdownTable(['stage', ...cols.map(head)], body),
    '',
  ];
  return { text: out.join('\n'), shown: rows, total: rows.length };
}

/** docs/scale.svg: seconds against ratings per stage, log-log; null without bench:scale lines. */
export function renderScaleSvg(records) {
  // Stages cut by their timeout are drawn hollow, at the time they ran: a lower bound.
  const rows = scaleLatest(records).filter(
    (r) =>
      typeof r.f.seconds === 'number' && (!r.f.error || /^not finished within/.test(r.f.error)),
  );
  if (!rows.length) return null;
  const W = 640;
  const H = 400;
  const L = 60;
  const R = 150;
  const T = 20;
  const B = 50;
  const ratings = rows.map((r) => r.f.ratings);
  const secs = rows.map((r) => r.f.seconds).filter((v) => v > 0);
  const x0 = Math.log10(Math.min(...ratings) / 1.5);
  const x1 = Math.log10(Math.max(...ratings) * 1.5);
  const y0 = Math.floor(Math.log10(Math.min(...secs)));
  const y1 = Math.ceil(Math.log10(Math.max(...secs)));
  const px = (v) => L + ((Math.log10(v) - x0) / (x1 - x0)) * (W - L - R);
  const py = (v) => H - B - ((Math.log10(v) - y0) / Math.max(1, y1 - y0)) * (H - T - B);
  const n = (v) => Number(v.toFixed(1));
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  ];
  for (let e = y0; e <= y1; e++) {
    const y = n(py(10 ** e));
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${y + 4}" text-anchor="end">${fmt(10 ** e)} s</text>`,
    );
  }
  for (const v of [...new Set(ratings)].sort((a, b) => a - b)) {
    const x = n(px(v));
    out.push(
      `<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#ddd"/>`,
      `<text x="${x}" y="${H - B + 16}" text-anchor="middle">${fmt(Number((v / 1e6).toPrecision(3)))}M</text>`,
    );
  }
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">ratings (log)</text>`,
    `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">seconds (log)</text>`,
  );
  SCALE_PLOT.forEach(([name, label], i) => {
    const pts = rows
      .filter((r) => r.name === name && r.f.seconds > 0)
      .sort((a, b) => a.f.ratings - b.f.ratings);
    if (!pts.length) return;
    const c = colours[i % colours.length];
    out.push(
      `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((r) => `${n(px(r.f.ratings))},${n(py(r.f.seconds))}`).join(' ')}"/>`,
      ...pts.map(
        (r) =>
          `<circle cx="${n(px(r.f.ratings))}" cy="${n(py(r.f.seconds))}" r="3" fill="${r.f.error ? '#fff' : c}" stroke="${c}"/>`,
      ),
      `<line x1="${W - R + 12}" x2="${W - R + 32}" y1="${T + 10 + i * 18}" y2="${T + 10 + i * 18}" stroke="${c}" stroke-width="2"/>`,
      `<text x="${W - R + 38}" y="${T + 14 + i * 18}">${label}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}

function configOfPrefix(r, prefix) {
  return Object.fromEntries(
    Object.keys(r.f)
      .filter((k) => k.startsWith(prefix))
      .map((k) => [k.slice(prefix.length), r.f[k]]),
  );
}

function browserCommand(r) {
  const only = browserCatalogue[r.dataset] ?? '62k';
  const kase = r.f.case;
  const rankers = kase ? ` --rankers ${kase}` : ' --rankers fusion --embedding';
  return `npm run build && npm run bench:recommend-browser -- --only ${only}${rankers}`;
}

// ---------------------------------------------------------------- rendering

const compare = (a, b) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
};

/** The latest record of each configuration (ties: the later line of the file). */
export function latest(records, key) {
  const byKey = new Map();
  for (const r of records) {
    const k = JSON.stringify(key(r));
    const had = byKey.get(k);
    if (!had || r.date > had.date || (r.date === had.date && r.index > had.index)) byKey.set(k, r);
  }
  return [...byKey.values()];
}

/** Settings that differ between the rows of the same model: "dropout 0.5, epochs 60". */
function markVarying(rows) {
  const byName = new Map();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const group of byName.values()) {
    if (group[0].backend.includes('reference')) continue;
    const keys = new Set(group.flatMap((r) => Object.keys(configOf(r))));
    const varying = [...keys].filter(
      (k) => k !== 'seed' && new Set(group.map((r) => JSON.stringify(configOf(r)[k]))).size > 1,
    );
    for (const r of group) {
      const c = configOf(r);
      r.varying = varying
        .sort()
        .map((k) => `${k} ${c[k] === undefined ? '—' : fmt(c[k])}`)
        .join(', ');
    }
  }
}

function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One table's markdown, and the records it showed. */
function renderTable(spec, records) {
  let rows = latest(
    records.filter(
      (r) => r.file === spec.file && r.suite === spec.suite && (!spec.where || spec.where(r)),
    ),
    spec.key,
  );
  if (!rows.length) return { text: '', shown: [], total: 0 };
  const total = rows.length;
  rows.sort(
    (a, b) =>
      compare((spec.sort ?? spec.key)(a), (spec.sort ?? spec.key)(b)) ||
      compare([a.date], [b.date]),
  );
  if (spec.limit) rows = rows.slice(0, spec.limit);
  if (spec.varying) markVarying(rows);
  const out = [];
  if (spec.caption) out.push(`### ${spec.caption}`, '');
  const commands = rows.map((r) => spec.command(r));
  const envs = rows.map((r) => r.env);
  const oneCommand = commands.every((c) => c === commands[0]);
  const oneEnv = envs.every((e) => e === envs[0]);
  const facts = [];
  if (oneCommand) facts.push(`Command: \`${commands[0]}\``);
  if (oneEnv && envs[0]) facts.push(`${facts.length ? 'run' : 'Run'} in ${envs[0]}`);
  facts.push(
    `${facts.length ? 'from' : 'From'} \`${RESULTS}/${spec.file}\`${spec.limit && total > rows.length ? ` (${rows.length} of ${total} configurations)` : ''}`,
  );
  out.push(facts.join('; ') + '.', '');
  let header;
  let body;
  if (spec.transpose) {
    const r = rows[0];
    header = ['figure', 'value'];
    body = Object.keys(r.f)
      .filter((k) => fmt(r.f[k]) !== '')
      .sort()
      .map((k) => [cell(k), cell(r.f[k])]);
    out.push(`Latest run: ${day(r)}.`, '');
  } else {
    const columns = spec.columns.filter(([, get, opts]) => {
      const texts = rows.map((r) => fmt(get(r)));
      return opts?.ifVaries ? new Set(texts).size > 1 : texts.some((t) => t !== '');
    });
    header = [...columns.map(([h]) => h), 'date'];
    if (!oneEnv) header.push('run in');
    if (!oneCommand) header.push('command');
    body = rows.map((r, i) => {
      const cells = [...columns.map(([, get]) => cell(get(r))), day(r)];
      if (!oneEnv) cells.push(cell(r.env));
      if (!oneCommand) cells.push(`\`${commands[i].replace(/\|/g, '\\|')}\``);
      return cells;
    });
  }
  out.push(markdownTable(header, body), '');
  return { text: out.join('\n'), shown: rows, total };
}

/** Every line no table shows, as a plain table per file and suite (a new suite still gets rendered). */
function renderOthers(records, taken) {
  const left = records.filter((r) => !taken.has(r));
  const groups = new Map();
  for (const r of left) {
    const k = `${r.file}\u0000${r.suite}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out = [];
  for (const k of [...groups.keys()].sort()) {
    const [file, suite] = k.split('\u0000');
    const rows = latest(groups.get(k), (r) => [r.name, r.dataset, r.backend, configKey(r)]);
    rows.sort((a, b) =>
      compare([a.name, a.dataset, a.backend, a.date], [b.name, b.dataset, b.backend, b.date]),
    );
    const paths = [...new Set(rows.flatMap((r) => Object.keys(r.f)))].sort();
    out.push(`### \`${suite}\` in \`${RESULTS}/${file}\``, '');
    out.push(
      markdownTable(
        ['name', 'dataset', 'backend', ...paths, 'date', 'run in'],
        rows.map((r) => [
          cell(r.name),
          cell(r.dataset),
          cell(r.backend),
          ...paths.map((p) => cell(r.f[p])),
          day(r),
          cell(r.env),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}

/** The markdown for these results files, before Prettier. */
export function renderMarkdown(files) {
  const records = files.flatMap(({ file, lines }) => lines.map((l, i) => normalise(l, file, i)));
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench:report` (scripts/bench-report.mjs) from bench/results/*.jsonl: do not edit by hand. `npm test` fails when this file is stale. -->',
    '',
    'Every figure below is a line of `bench/results/*.jsonl`; each table shows the latest run of each configuration, with its date and the command that measures it again. The runs were made on a shared 2-core development VM with no GPU, whose speed varies from minute to minute: compare figures taken in one command (the ratios), not seconds across dates. Browser figures come from Debian’s Chromium, headless; software WebGL/WebGPU (SwiftShader) stand in for a GPU there, so no real-GPU speed is measured.',
    '',
  ];
  const taken = new Set();
  const sections = [];
  for (const section of SECTIONS) {
    const tables = section.tables
      .map((t) => (t.render ? t.render(records) : renderTable(t, records)))
      .filter((t) => t.text);
    if (!tables.length) continue;
    for (const t of tables) for (const r of records) if (t.shown.includes(r)) taken.add(r);
    // Lines of a shown configuration that are older runs count as rendered too.
    for (const t of section.tables)
      for (const r of records)
        if (r.file === t.file && r.suite === t.suite && (!t.where || t.where(r))) taken.add(r);
    sections.push({
      title: section.title,
      text: [`## ${section.title}`, '', section.intro, '', ...tables.map((t) => t.text)].join('\n'),
    });
  }
  out.push('Sections:', '', ...sections.map((s) => `- [${s.title}](#${anchor(s.title)})`), '');
  out.push(...sections.map((s) => s.text));
  const others = renderOthers(records, taken);
  if (others)
    out.push(
      '## Other result lines',
      '',
      'Lines no table above reads, shown with every figure.',
      '',
      others,
    );
  out.push('## The result lines', '');
  out.push(
    `DESIGN.md's format is one JSON object a line: \`{${DESIGN_FIELDS.join(', ')}}\`. The renderer reads every shape below; where a line keeps its figures at the top level instead of under \`metrics\`, or names its model \`model\`, it reads them there.`,
    '',
  );
  out.push(
    markdownTable(
      ['file', 'suites', 'lines', 'fields a line lacks'],
      files.map(({ file, lines }) => {
        const suites = [...new Set(lines.map((l) => l.suite))].sort();
        const missing = [...new Set(lines.flatMap(missingFields))].sort(
          (a, b) => DESIGN_FIELDS.indexOf(a) - DESIGN_FIELDS.indexOf(b),
        );
        return [
          `\`${file}\``,
          suites.map((s) => `\`${s}\``).join(', '),
          String(lines.length),
          missing.map((m) => `\`${m}\``).join(', ') || '—',
        ];
      }),
    ),
    '',
    'No line carries a machine name; only side-by-side runs (`--baseline`) carry commits: the checkout measured and the earlier one beside it.',
    '',
  );
  return out.join('\n');
}

/** GitHub's heading anchor. */
export function anchor(title) {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** docs/benchmarks.md as it should be, formatted by the project's Prettier settings. */
export async function render(root = ROOT, files = readResults(join(root, RESULTS))) {
  const prettier = await import('prettier');
  const filepath = join(root, OUTPUT);
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(renderMarkdown(files), { ...options, filepath });
}

/** docs/scale.svg as it should be, or null without bench:scale lines. */
function scaleSvg(root) {
  const files = readResults(join(root, RESULTS));
  return renderScaleSvg(
    files.flatMap(({ file, lines }) => lines.map((l, i) => normalise(l, file, i))),
  );
}

/** null when docs/benchmarks.md is current, else why not. */
export async function check(root = ROOT) {
  const path = join(root, OUTPUT);
  if (!existsSync(path)) return `${OUTPUT} is missing: run \`npm run bench:report\` and commit it.`;
  const want = await render(root);
  const svg = scaleSvg(root);
  const plot = join(root, PLOT);
  if (svg !== null && (!existsSync(plot) || readFileSync(plot, 'utf8') !== svg))
    return `${PLOT} is stale: it differs from what bench/results/scale.jsonl renders. Run \`npm run bench:report\` and commit it.`;
  if (readFileSync(path, 'utf8') === want) return null;
  return `${OUTPUT} is stale: it differs from what bench/results/*.jsonl render. Run \`npm run bench:report\` and commit it.`;
}

async function main(argv) {
  // --root DIR: another tree holding bench/results/ and docs/ (the unit test's fixtures).
  const at = argv.indexOf('--root');
  const root = at >= 0 && argv[at + 1] ? resolve(argv[at + 1]) : ROOT;
  if (argv.includes('--check')) {
    const problem = await check(root);
    if (problem) {
      console.error(problem);
      process.exit(1);
    }
    console.log(`${OUTPUT} is current.`);
    return;
  }
  const text = await render(root);
  mkdirSync(join(root, dirname(OUTPUT)), { recursive: true });
  writeFileSync(join(root, OUTPUT), text);
  console.log(`wrote ${OUTPUT}`);
  const svg = scaleSvg(root);
  if (svg !== null) {
    writeFileSync(join(root, PLOT), svg);
    console.log(`wrote ${PLOT}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  await main(process.argv.slice(2));
