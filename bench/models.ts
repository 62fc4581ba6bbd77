/**
 * bench/models: every model on the ranking protocols of DESIGN.md, side by
 * side with a Python reference (numpy/scipy: TopPop, ItemKNN, PureSVD) fitted
 * on the identical split and scored by the same rules.
 *
 *   npm run bench:models [-- --seed 1] [-- --cases ncf-loo:ml-latest-small,msr-100k:ml-100k]
 *                        [-- --models popularity,itemknn] [-- --ml1m <ml-1m.zip|dir>] [-- --skip-reference]
 *
 * Cases (protocol:dataset): ncf-loo on ml-latest-small, msr-100k on ml-100k,
 * full-rank on ml-latest-small; with --ml1m, ncf-loo and full-rank on ml-1m.
 * Genuine archives come from ../shared/datasets (WREN_DATASETS); a missing
 * one is replaced by generated data of the same shape, and the record says so.
 * Appends JSON lines to bench/results/models.jsonl (DESIGN.md's format).
 */
import { execFileSync, execSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeInput } from '../src/cli/node-input.ts';
import { importMovieLens } from '../src/core/data/import.ts';
import { generateDataset } from '../src/core/data/synthetic.ts';
import type { Dataset } from '../src/core/data/types.ts';
import {
  evaluateSplit,
  makeSplit,
  type ProtocolName,
  type RankingSplit,
} from '../src/core/eval/protocols.ts';
import { MODELS } from '../src/core/models/index.ts';
import { DATASETS, root } from '../test/e2e/harness.ts';

const RESULTS = join(root, 'bench/results');
const PYTHON = '/usr/bin/python3';
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    cases: {
      type: 'string',
      default: 'ncf-loo:ml-latest-small,msr-100k:ml-100k,full-rank:ml-latest-small',
    },
    models: { type: 'string' },
    ml1m: { type: 'string' },
    'skip-reference': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const tmp = mkdtempSync(join(tmpdir(), 'wren-models-'));

function record(r: Record<string, unknown>): void {
  const line = { ...r, node: process.version, date: new Date().toISOString() };
  console.log(JSON.stringify(line));
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(join(RESULTS, 'models.jsonl'), JSON.stringify(line) + '\n');
}

function referenceAvailable(): boolean {
  if (values['skip-reference']) return false;
  const has = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import numpy, scipy.sparse'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return true;
  try {
    console.error('installing python3-scipy (the reference) with apt-get…');
    execSync('apt-get install -y -qq python3-scipy', { stdio: 'ignore' });
  } catch {
    console.error('could not install python3-scipy: reference rows are skipped');
  }
  return has();
}

const GENERATED: Record<string, Parameters<typeof generateDataset>[0]> = {
  'ml-latest-small': { ratings: 100_836, users: 610, movies: 9_742, seed: 1 },
  'ml-100k': { ratings: 100_000, users: 943, movies: 1_682, seed: 1, halfStars: false },
  'ml-1m': { ratings: 1_000_209, users: 6_040, movies: 3_706, seed: 1, halfStars: false },
};

async function loadDataset(name: string): Promise<{ ds: Dataset; label: string }> {
  const path = name === 'ml-1m' ? values.ml1m : join(DATASETS, `${name}.zip`);
  if (path && existsSync(path))
    return { ds: await importMovieLens(await nodeInput(path), {}), label: name };
  console.error(`${name} not found: using generated data of its shape (figures not comparable)`);
  return { ds: generateDataset(GENERATED[name]!), label: `generated-${name}` };
}

/** The split as the Python reference reads it. */
function writeSplit(split: RankingSplit): string {
  const { data } = split;
  const pairs = (s: { offsets: Int32Array; items: Int32Array }): [number[], number[]] => {
    const us: number[] = [];
    for (let u = 0; u + 1 < s.offsets.length; u++)
      for (let i = s.offsets[u]!; i < s.offsets[u + 1]!; i++) us.push(u);
    return [us, [...s.items]];
  };
  const [trainUsers, trainItems] = pairs(data.train);
  const out: Record<string, unknown> = {
    protocol: split.protocol,
    userCount: data.userCount,
    itemCount: data.itemCount,
    trainUsers,
    trainItems,
    catalogue: [...data.catalogue],
  };
  if (split.protocol === 'ncf-loo') {
    out.users = [...split.users];
    out.candidates = [...split.candidates];
    out.candidatesPerUser = split.candidatesPerUser;
  } else {
    [out.testUsers, out.testItems] = pairs(split.test);
    [out.validUsers, out.validItems] = pairs(split.valid);
  }
  const path = join(tmp, 'split.json');
  writeFileSync(path, JSON.stringify(out));
  return path;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const rounded = (m: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, r4(v)]));

async function main(): Promise<void> {
  const cases = values.cases!.split(',').map((c) => c.split(':') as [ProtocolName, string]);
  if (values.ml1m) cases.push(['ncf-loo', 'ml-1m'], ['full-rank', 'ml-1m']);
  const chosen = values.models?.split(',');
  const models = MODELS.filter((m) => !chosen || chosen.includes(m.name));
  const hasReference = referenceAvailable();
  const cache = new Map<string, { ds: Dataset; label: string }>();
  for (const [protocol, name] of cases) {
    if (!cache.has(name)) cache.set(name, await loadDataset(name));
    const { ds, label } = cache.get(name)!;
    const split = makeSplit(ds.ratings, protocol, seed, { itemCount: ds.movies.length });
    for (const info of models) {
      const model = info.create(info.defaults);
      const rss0 = process.memoryUsage().rss;
      const t0 = performance.now();
      await model.fit(split.data);
      const fitSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const metrics = evaluateSplit(split, (u, items, out) => model.score(u, items, out));
      record({
        suite: 'models-quality',
        name: info.name,
        dataset: label,
        backend: 'js',
        metrics: {
          protocol,
          seed,
          ...rounded(metrics),
          config: model.config,
          evalSeconds: r4((performance.now() - t1) / 1000),
        },
        seconds: r4(fitSeconds),
        samplesPerSecond: Math.round(split.data.train.items.length / fitSeconds),
        peakMemoryMB: Math.round(Math.max(rss0, process.memoryUsage().rss) / 2 ** 20),
      });
    }
    if (hasReference) {
      const path = writeSplit(split);
      const cfg = { neighbours: 100, shrink: 0, factors: 20, seed };
      const out = execFileSync(
        PYTHON,
        [join(root, 'bench/models_ref.py'), path, JSON.stringify(cfg)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 24,
        },
      ).toString();
      const ref = JSON.parse(out) as Record<string, Record<string, number>>;
      for (const [model, m] of Object.entries(ref)) {
        const { fitSeconds, ...metrics } = m;
        record({
          suite: 'models-quality',
          name: `${model}-reference`,
          dataset: label,
          backend: 'python reference (numpy/scipy)',
          metrics: { protocol, seed, ...rounded(metrics as Record<string, number>), config: cfg },
          seconds: r4(fitSeconds!),
          samplesPerSecond: null,
          peakMemoryMB: null,
        });
      }
    }
  }
}

await main();
