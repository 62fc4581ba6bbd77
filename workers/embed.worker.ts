/// <reference lib="webworker" />
/**
 * Embeddings worker: glue between core (features, skip-gram trainers, walks,
 * evaluation, index, map) and the store. One long-lived worker, so the
 * engine probe runs once per session.
 */
import * as Comlink from 'comlink';
import { slug } from './file-names.ts';
import { jobRunner } from './jobs.ts';
import type { Progress } from '../src/core/data/types.ts';
import {
  embedInput,
  AUTO_EPOCH_BUDGET,
  trainEmbedding,
  type EmbedInput,
} from '../src/core/embeddings/embed.ts';
import {
  fastestEngine,
  probeEngines,
  type EngineMeasure,
  type EngineSpec,
} from '../src/core/embeddings/engines.ts';
import { GENSIM_REFERENCE } from '../src/core/embeddings/sgns.ts';
import { jsKernel } from '../src/core/embeddings/sgns-cpu.ts';
import { wasmKernel, wasmSimdSupported } from '../src/core/embeddings/sgns-wasm.ts';
import { teamWasmKernel } from '../src/core/embeddings/sgns-team.ts';
import { threadPool } from './pool.ts';
import { WrenError } from '../src/core/errors.ts';
import {
  FEATURE_CHUNK_ROWS,
  featureSet,
  userFeatureChunks,
  type MovieMeta,
} from '../src/core/features/index.ts';
import { nextItemSplit } from '../src/core/eval/next-item.ts';
import { evaluateImported } from '../src/core/embeddings/imported.ts';
import {
  readWord2vecText,
  WORD2VEC_MAX_BYTES,
  word2vecTextPieces,
} from '../src/core/embeddings/word2vec-text.ts';
import { blobChunks } from '../src/core/data/sources.ts';
import {
  WrenDb,
  deleteFeatureChunks,
  finishFeatureSet,
  newFeatureChunksKey,
  allMovies,
  putFeatureChunk,
  readRatings,
  saveEmbedding,
  saveImportedEmbedding,
  getEmbeddingData,
  getIdMap,
} from '../src/store/index.ts';
import { featuresLockName, type EmbedWorkerApi, type Outcome } from './embed-protocol.ts';

/** Runs `f` holding the Web Lock `name`, so another tab's clean-up leaves its rows alone. */
async function holdingLock<T>(name: string, f: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? ((await locks.request(name, f)) as T) : f();
}

const db = new WrenDb();
/** The automatic choice's probe, once per session and number of threads. */
let measured: { threads: number; list: EngineMeasure[] } | null = null;

/**
 * The CPU engines; with `threads` ≥ 2 on a cross-origin isolated page,
 * 'wasm-threads' too: the SIMD kernel on that many threads (sgns-team.ts).
 */
function cpuEngines(threads: number): EngineSpec[] {
  const engines: EngineSpec[] = [
    { name: 'wasm-simd', activate: () => Promise.resolve(wasmSimdSupported()), kernel: wasmKernel },
    { name: 'js', activate: () => Promise.resolve(true), kernel: jsKernel },
  ];
  const pool = wasmSimdSupported() ? threadPool(threads) : null;
  if (pool)
    engines.unshift({
      name: 'wasm-threads',
      activate: async () => {
        await pool.warm();
        return true;
      },
      kernel: teamWasmKernel(pool, threads),
    });
  return engines;
}

async function allEngines(includeSoftware: boolean, threads = 1): Promise<EngineSpec[]> {
  const { tfEngines } = await import('./tf-engines.ts');
  return [...cpuEngines(threads), ...tfEngines(includeSoftware)];
}

async function loadInput(datasetId: string): Promise<EmbedInput & { meta: MovieMeta }> {
  const ds = await db.datasets.get(datasetId);
  if (!ds || ds.status !== 'ready')
    throw new WrenError('not-found', 'That dataset is not here any more.');
  const ratings = await readRatings(db, datasetId);
  const n = ds.counts.movies;
  const movies = await allMovies(db, datasetId);
  return { ...embedInput(ratings, movies, ds.genres), movieCount: n };
}

/** Runs `f` outside the job runner (it cancels nothing and is not cancelled): errors as data. */
async function outcome<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: WrenError.from(e).toData() };
  }
}

const jobs = jobRunner();
const guarded = jobs.run;

const api: EmbedWorkerApi = {
  async engines(threads = 1) {
    return (await allEngines(true, threads)).map((e) => e.name);
  },

  probe(datasetId, names, threads = 1) {
    return guarded(async () => {
      const input = await loadInput(datasetId);
      const engines = (await allEngines(true, threads)).filter(
        (e) => !names || names.includes(e.name),
      );
      const corpus = nextItemSplit(input.ratings).train;
      return probeEngines(engines, corpus, input.movieCount, { ...GENSIM_REFERENCE, epochs: 1 });
    });
  },

  train(req, onProgress) {
    return guarded(async (signal) => {
      const input = await loadInput(req.datasetId);
      let engine: EngineSpec;
      const threads = req.threads ?? 1;
      if (req.engine === 'auto' && measured?.threads !== threads)
        onProgress({ stage: 'probe', done: 0, total: 1 });
      // Made once: the probe trains on its corpus, the run evaluates on it.
      const split = nextItemSplit(input.ratings);
      if (req.engine === 'auto') {
        const engines = await allEngines(false, threads);
        if (measured?.threads !== threads) {
          const list = await probeEngines(engines, split.train, input.movieCount, req.settings);
          measured = { threads, list };
        }
        engine = fastestEngine(measured.list, engines);
      } else {
        const found = (await allEngines(true, threads)).find((e) => e.name === req.engine);
        if (!found) throw new WrenError('backend', `Unknown trainer "${req.engine}".`);
        engine = found;
      }
      if (!(await engine.activate()))
        throw new WrenError(
          'backend',
          `The ${engine.name} trainer is not available in this browser.`,
        );
      onProgress({ stage: 'probe', done: 1, total: 1, engine: engine.name });
      const result = await trainEmbedding(input, req.settings, {
        kernel: engine.kernel,
        split,
        // The automatic build trains fewer epochs on a large corpus; a person's settings stand.
        ...(req.auto === true && { epochBudget: AUTO_EPOCH_BUDGET }),
        signal,
        onProgress,
      });
      return saveEmbedding(db, req.datasetId, result, { auto: req.auto === true });
    });
  },

  importVectors(req, onProgress) {
    return guarded(async (signal) => {
      if (req.file.size > WORD2VEC_MAX_BYTES)
        throw new WrenError(
          'too-large',
          `${req.name} is ${(req.file.size / 1024 ** 3).toFixed(1)} GiB, more than Wren reads (1 GiB).`,
          { file: req.name },
        );
      const input = await loadInput(req.datasetId);
      const ids = await getIdMap(db, req.datasetId);
      if (!ids) throw new WrenError('not-found', 'That dataset is not here any more.');
      const total = req.file.size;
      onProgress({ stage: 'read', done: 0, total });
      const read = await readWord2vecText(blobChunks(req.file), {
        file: req.name,
        movieIds: ids.movieIds,
        signal,
        onProgress: (bytes) => onProgress({ stage: 'read', done: bytes, total }),
      });
      const imported = await evaluateImported(input, read, {
        file: req.name,
        signal,
        onProgress,
      });
      return saveImportedEmbedding(db, req.datasetId, imported);
    });
  },

  exportVectors(embeddingId) {
    return outcome(async () => {
      const row = await db.embeddings.get(embeddingId);
      const data = row && (await getEmbeddingData(db, embeddingId));
      if (!row || !data) throw new WrenError('not-found', 'That embedding is not stored any more.');
      const ids = await getIdMap(db, row.datasetId);
      const ds = await db.datasets.get(row.datasetId);
      if (!ids || !ds) throw new WrenError('not-found', 'That dataset is not here any more.');
      const movieIds = Array.from(data.items, (i) => ids.movieIds[i]!);
      const blob = new Blob([...word2vecTextPieces(movieIds, data.vectors, row.dim)], {
        type: 'text/plain',
      });
      return { name: `${slug(ds.name)}-${slug(row.name)}.txt`, blob };
    });
  },

  features(datasetId, onProgress: (p: Progress) => void) {
    return guarded(async (signal) => {
      const t0 = performance.now();
      const input = await loadInput(datasetId);
      // The new set goes in under a key of its own; the current one stays until the swap.
      const key = newFeatureChunksKey(datasetId);
      return holdingLock(featuresLockName(key), async () => {
        try {
          const set = featureSet(input.ratings, input.meta);
          const chunkCount = await userFeatureChunks(input.ratings, input.meta, {
            chunkSize: FEATURE_CHUNK_ROWS,
            signal,
            onProgress,
            onChunk: (chunk, cols) => putFeatureChunk(db, key, chunk, cols),
          });
          return await finishFeatureSet(
            db,
            datasetId,
            set,
            {
              seconds: (performance.now() - t0) / 1000,
              chunkSize: FEATURE_CHUNK_ROWS,
              chunkCount,
            },
            key,
          );
        } catch (e) {
          await deleteFeatureChunks(db, key).catch(() => undefined);
          throw e;
        }
      });
    });
  },

  cancel() {
    jobs.cancel();
  },
};

Comlink.expose(api);
