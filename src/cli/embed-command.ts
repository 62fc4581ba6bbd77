/**
 * `wren embed`: train embeddings in node and print quality and throughput;
 * `--out` writes them as word2vec text, `--import` evaluates vectors read
 * from such a file (trained by gensim, Spark or Wren) in their place.
 */
import { createReadStream, closeSync, openSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { reportFailure } from './report.ts';
import { importMovieLens } from '../core/data/import.ts';
import {
  embedInput,
  DEFAULT_EMBED_SETTINGS,
  defaultSettingsFor,
  embedCapNotes,
  trainEmbedding,
  type EmbedInput,
  type EmbedMethod,
  type EmbedSettings,
} from '../core/embeddings/embed.ts';
import type { KernelFactory } from '../core/embeddings/sgns-driver.ts';
import { jsKernel } from '../core/embeddings/sgns-cpu.ts';
import { validateSgnsSettings } from '../core/embeddings/sgns.ts';
import { wasmKernel } from '../core/embeddings/sgns-wasm.ts';
import { WrenError } from '../core/errors.ts';
import { nodeInput } from './node-input.ts';
import { nodePool, nodeThreads } from './node-pool.ts';
import type { ThreadPool } from '../core/parallel/pool.ts';
import { teamWasmKernel } from '../core/embeddings/sgns-team.ts';
import {
  readWord2vecText,
  WORD2VEC_MAX_BYTES,
  word2vecTextPieces,
} from '../core/embeddings/word2vec-text.ts';
import { evaluateImported } from '../core/embeddings/imported.ts';
import type { Dataset } from '../core/data/types.ts';

export const EMBED_OPTIONS = {
  data: { type: 'string' },
  method: { type: 'string' },
  dim: { type: 'string' },
  epochs: { type: 'string' },
  window: { type: 'string' },
  negatives: { type: 'string' },
  lr: { type: 'string' },
  subsample: { type: 'string' },
  exponent: { type: 'string' },
  seed: { type: 'string' },
  walks: { type: 'string' },
  'walk-length': { type: 'string' },
  p: { type: 'string' },
  q: { type: 'string' },
  engine: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string' },
  import: { type: 'string' },
} as const;

type Values = Partial<Record<keyof typeof EMBED_OPTIONS, string>>;

const METHODS: EmbedMethod[] = ['item2vec', 'deepwalk', 'node2vec'];

/** Settings from the command line over the defaults, or a message saying what is wrong. */
export function embedSettingsFrom(v: Values): EmbedSettings | string {
  if (v.method !== undefined && !METHODS.includes(v.method as EmbedMethod))
    return `--method takes ${METHODS.join(', ')}; found "${v.method}"`;
  const s: EmbedSettings = defaultSettingsFor((v.method as EmbedMethod | undefined) ?? 'item2vec');
  const nums: [keyof Values, keyof EmbedSettings][] = [
    ['dim', 'dim'],
    ['epochs', 'epochs'],
    ['window', 'window'],
    ['negatives', 'negatives'],
    ['lr', 'learningRate'],
    ['subsample', 'subsample'],
    ['exponent', 'negativeExponent'],
    ['seed', 'seed'],
    ['walks', 'numWalks'],
    ['walk-length', 'walkLength'],
    ['p', 'p'],
    ['q', 'q'],
  ];
  for (const [flag, key] of nums) {
    const raw = v[flag];
    if (raw === undefined) continue;
    const x = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(x)) return `--${flag} takes a number; found "${raw}"`;
    (s as unknown as Record<string, number>)[key] = x;
  }
  if (s.minLearningRate > s.learningRate) s.minLearningRate = s.learningRate / 250;
  try {
    validateSgnsSettings(s);
  } catch (e) {
    return (e as Error).message;
  }
  if (!(Number.isInteger(s.numWalks) && s.numWalks > 0))
    return '--walks takes a positive whole number';
  if (!(Number.isInteger(s.walkLength) && s.walkLength > 1))
    return '--walk-length takes a whole number of at least 2';
  if (!(s.p > 0 && s.q > 0)) return '--p and --q take positive numbers';
  return s;
}

/** The kernel an --engine names; wasm-threads starts `threads` - 1 helper threads in `pools`. */
async function engineKernel(
  name: string,
  threadsRaw: string | undefined,
  pools: ThreadPool[],
): Promise<KernelFactory> {
  if (threadsRaw !== undefined && name !== 'wasm-threads')
    throw new WrenError('invalid-settings', '--threads goes with --engine wasm-threads.');
  if (name === 'wasm-simd' || name === 'auto') return wasmKernel;
  if (name === 'js') return jsKernel;
  if (name === 'wasm-threads') {
    const threads = threadsRaw === undefined ? Math.max(2, nodeThreads()) : Number(threadsRaw);
    if (!(Number.isInteger(threads) && threads >= 2 && threads <= 256))
      throw new WrenError(
        'invalid-settings',
        `--threads takes a whole number from 2 to 256; found "${threadsRaw}".`,
      );
    const pool = nodePool(threads - 1);
    pools.push(pool);
    return teamWasmKernel(pool, threads);
  }
  const m = /^tfjs-(wasm|cpu)$/.exec(name);
  if (!m)
    throw new WrenError(
      'invalid-settings',
      `--engine takes wasm-simd, wasm-threads, js, tfjs-wasm or tfjs-cpu; found "${name}".`,
    );
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(m[1]!)))
    throw new WrenError('backend', `tfjs backend ${m[1]} did not start.`);
  const { tfKernel } = await import('../core/embeddings/sgns-tf.ts');
  return (input) => tfKernel(input);
}

/** The flags that set how to train: meaningless with --import, which trains nothing. */
const TRAINING_FLAGS = [
  'method',
  'dim',
  'epochs',
  'window',
  'negatives',
  'lr',
  'subsample',
  'exponent',
  'walks',
  'walk-length',
  'p',
  'q',
  'engine',
  'threads',
  'out',
] as const;

/** The seed of an --import run (its evaluation's samples), or a message saying what is wrong. */
export function embedImportArgsFrom(v: Values): { seed: number } | string {
  const given = TRAINING_FLAGS.filter((f) => v[f] !== undefined);
  if (given.length > 0)
    return `--import evaluates the file's vectors without training: ${given.map((f) => `--${f}`).join(', ')} ${given.length > 1 ? 'do' : 'does'} not go with it`;
  const seed = v.seed === undefined ? DEFAULT_EMBED_SETTINGS.seed : Number(v.seed);
  if (!Number.isInteger(seed)) return `--seed takes a whole number; found "${v.seed}"`;
  return { seed };
}

async function openDataset(path: string): Promise<Dataset> {
  return importMovieLens(await nodeInput(path), {
    name: basename(path).replace(/\.zip$/i, ''),
  });
}

function embedInputOf(ds: Dataset): EmbedInput {
  return embedInput(ds.ratings, ds.movies, ds.genres);
}

/** Writes vectors (row r: movie index `items[r]`) to `file` as word2vec text keyed by MovieLens id. */
function writeVectors(
  file: string,
  ds: Dataset,
  items: Int32Array,
  vectors: Float32Array,
  dim: number,
): void {
  const ids = Array.from(items, (i) => ds.movies[i]!.movieId);
  const fd = openSync(file, 'w');
  try {
    for (const piece of word2vecTextPieces(ids, vectors, dim)) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
}

export async function runEmbed(
  path: string,
  settings: EmbedSettings,
  opts: { json: boolean; engine: string; threads?: string; out?: string },
): Promise<number> {
  const tty = process.stderr.isTTY && !opts.json;
  const pools: ThreadPool[] = [];
  try {
    const kernel = await engineKernel(opts.engine, opts.threads, pools);
    const ds = await openDataset(path);
    const r = await trainEmbedding(embedInputOf(ds), settings, {
      kernel,
      onProgress: (p) => {
        if (tty)
          process.stderr.write(
            `\r${p.stage} ${((100 * p.done) / Math.max(1, p.total)).toFixed(0)}%   `,
          );
      },
    });
    if (tty) process.stderr.write('\n');
    if (opts.out !== undefined) writeVectors(opts.out, ds, r.items, r.vectors, r.dim);
    const m = r.metrics;
    const out = {
      dataset: ds.name,
      method: settings.method,
      engine: r.engine,
      threads: r.threads,
      settings,
      metrics: m,
      vectors: r.items.length,
      seconds: round(r.seconds),
      trainSeconds: round(r.trainSeconds),
      tokensPerSecond: Math.round(r.tokensPerSecond),
      finalLoss: round(r.losses.at(-1) ?? NaN),
      ...(opts.out !== undefined ? { out: opts.out } : {}),
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const f = (x: number): string => x.toFixed(4);
      process.stdout.write(
        [
          `${ds.name}: ${settings.method}, ${settings.dim} dims, ${settings.epochs} epochs, engine ${r.engine}${r.threads > 1 ? ` on ${r.threads} threads` : ''}`,
          `  next-item  HR@10 ${f(m.hr10)}  NDCG@10 ${f(m.ndcg10)}  (popularity ${f(m.popularityHr10)} / ${f(m.popularityNdcg10)}; ${m.users} users)`,
          `  genres     top-10 neighbours share a genre ${(100 * m.genreCoherence).toFixed(1)}% (random pairs ${(100 * m.genreCoherenceRandom).toFixed(1)}%)`,
          `  search     HNSW recall@10 ${f(m.annRecall10)}, ${m.annQueryMs.toFixed(3)} ms a query (exact ${m.exactQueryMs.toFixed(3)} ms)`,
          `  training   ${r.trainSeconds.toFixed(2)} s, ${Math.round(r.tokensPerSecond).toLocaleString('en')} tokens/s over ${m.corpusTokens.toLocaleString('en')} tokens × ${r.settings.epochs}; total ${r.seconds.toFixed(2)} s`,
          ...embedCapNotes(r.settings, m).map((note) => `  note       ${note}`),
          ...(opts.out !== undefined
            ? [
                `  wrote      ${r.items.length.toLocaleString('en')} vectors to ${opts.out} (word2vec text)`,
              ]
            : []),
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  } finally {
    for (const p of pools) p.close();
  }
}

/**
 * `wren embed --import FILE`: reads word2vec text keyed by MovieLens id,
 * maps it onto the dataset and evaluates it as a trained run is evaluated,
 * printing the same fields (method and engine "imported", no settings or
 * training figures) and what the file held.
 */
export async function runEmbedImport(
  path: string,
  file: string,
  opts: { json: boolean; seed: number },
): Promise<number> {
  const tty = process.stderr.isTTY && !opts.json;
  try {
    const size = statSync(file, { throwIfNoEntry: false });
    if (!size?.isFile())
      throw new WrenError('not-found', `${file}: no such file of vectors.`, { file });
    if (size.size > WORD2VEC_MAX_BYTES)
      throw new WrenError(
        'too-large',
        `${file} is ${(size.size / 1024 ** 3).toFixed(1)} GiB, more than Wren reads (1 GiB).`,
        { file },
      );
    const ds = await openDataset(path);
    const read = await readWord2vecText(createReadStream(file), {
      file: basename(file),
      movieIds: ds.movies.map((m) => m.movieId),
      onProgress: (bytes) => {
        if (tty)
          process.stderr.write(`\rread ${((100 * bytes) / Math.max(1, size.size)).toFixed(0)}%   `);
      },
    });
    const r = await evaluateImported(embedInputOf(ds), read, {
      file: basename(file),
      seed: opts.seed,
      onProgress: (p) => {
        if (tty)
          process.stderr.write(
            `\r${p.stage} ${((100 * p.done) / Math.max(1, p.total)).toFixed(0)}%   `,
          );
      },
    });
    if (tty) process.stderr.write('\n');
    const m = r.metrics;
    const out = {
      dataset: ds.name,
      method: 'imported',
      engine: 'imported',
      threads: 1,
      settings: null,
      metrics: m,
      vectors: r.items.length,
      seconds: round(r.seconds),
      trainSeconds: 0,
      tokensPerSecond: 0,
      finalLoss: null,
      imported: {
        file,
        dim: r.dim,
        fileVectors: r.source.fileVectors,
        unknownIds: r.source.unknownIds,
        unknownExamples: read.unknownExamples,
        moviesWithoutVector: r.source.missing,
        seed: r.seed,
      },
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      const f = (x: number): string => x.toFixed(4);
      const skipped =
        r.source.unknownIds > 0
          ? `; ${r.source.unknownIds.toLocaleString('en')} ids not in the dataset skipped (e.g. ${read.unknownExamples.join(', ')})`
          : '';
      process.stdout.write(
        [
          `${ds.name}: imported ${basename(file)}, ${r.dim} dims, ${r.items.length.toLocaleString('en')} of ${r.source.fileVectors.toLocaleString('en')} vectors used${skipped}; ${r.source.missing.toLocaleString('en')} movies without a vector`,
          `  next-item  HR@10 ${f(m.hr10)}  NDCG@10 ${f(m.ndcg10)}  (popularity ${f(m.popularityHr10)} / ${f(m.popularityNdcg10)}; ${m.users} users)`,
          `  genres     top-10 neighbours share a genre ${(100 * m.genreCoherence).toFixed(1)}% (random pairs ${(100 * m.genreCoherenceRandom).toFixed(1)}%)`,
          `  search     HNSW recall@10 ${f(m.annRecall10)}, ${m.annQueryMs.toFixed(3)} ms a query (exact ${m.exactQueryMs.toFixed(3)} ms)`,
          `  evaluated  in ${r.seconds.toFixed(2)} s`,
          ...embedCapNotes(null, m).map((note) => `  note       ${note}`),
        ].join('\n') + '\n',
      );
    }
    return 0;
  } catch (e) {
    return reportFailure(e, opts.json, tty);
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
