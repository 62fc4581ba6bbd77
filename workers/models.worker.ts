/// <reference lib="webworker" />
/**
 * Models worker: glue between core (protocol splits, models, evaluation) and
 * the store. Trains a queue of models on one split, saving each as soon as it
 * is evaluated, so a cancel keeps every model finished before it. The tfjs
 * backend for the neural models is picked by a measured probe (once per
 * session) or forced by the request.
 */
import * as Comlink from 'comlink';
import { jobRunner } from './jobs.ts';
import { WrenError } from '../src/core/errors.ts';
import { makeSplit } from '../src/core/eval/protocols.ts';
import { evaluateModel } from '../src/core/eval/parallel-eval.ts';
import { modelInfo, type ModelInfo } from '../src/core/models/index.ts';
import { scoreAllMs } from '../src/core/models/score-time.ts';
import { configProblem } from '../src/core/models/config-check.ts';
import {
  WrenDb,
  allMovies,
  listModels,
  readRatings,
  readUsers,
  saveModel,
  type ModelRow,
} from '../src/store/index.ts';
import { buildCatalog } from '../src/core/recommend/catalog.ts';
import { interactionsOf } from '../src/core/recommend/offline.ts';
import { fitPersonalModel } from '../src/core/recommend/personal.ts';
import { checkAbort } from '../src/core/models/types.ts';
import { evaluateCtr, groupAuc } from '../src/core/eval/ctr.ts';
import { movieMetaFromMovies } from '../src/core/features/movie-features.ts';
import { CtrModel, type CtrKind } from '../src/core/models/ctr.ts';
import { rowUsers, sparrowCtrSplit } from '../src/core/models/ctr-data.ts';
import { CTR_MODELS, ctrRandomConfig, isCtrProtocol } from '../src/core/models/ctr-info.ts';
import { ctrRandomSplit } from '../src/core/models/ctr-random.ts';
import type { BackendMeasure, ModelsProgress, ModelsWorkerApi } from './models-protocol.ts';
import type { FitOptions, Recommender, SavedModel } from '../src/core/models/types.ts';
import type { RatingColumns } from '../src/core/data/types.ts';
import { activateBackend, softwareGpu, wasmThreads } from './tf-engines.ts';
import { parallelOptions } from './pool.ts';

const db = new WrenDb();
let measured: BackendMeasure[] | null = null;
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

const jobs = jobRunner();
const guarded = jobs.run;

/** GMF, MLP and NeuMF's own kernel, on one thread and (where the page is isolated) on `threads`. */
async function probeKernel(threads: number): Promise<BackendMeasure[]> {
  const { NeuralCf } = await import('../src/core/models/neural-cf.ts');
  const out: BackendMeasure[] = [];
  for (const n of threads > 1 ? [1, threads] : [1]) {
    const r = await NeuralCf.measureKernel(n > 1 ? parallelOptions(n) : {});
    if (n > 1 && r.threads === 1) break;
    out.push({
      backend: `${r.engine} kernel${r.threads > 1 ? ` × ${r.threads} threads` : ''}`,
      samplesPerSecond: r.samplesPerSecond,
      software: false,
      kernel: { engine: r.engine, threads: r.threads },
    });
  }
  return out;
}

/** The tfjs backends, fastest first. */
async function probeAll(): Promise<BackendMeasure[]> {
  const out: BackendMeasure[] = [];
  for (const backend of BACKENDS) {
    const software =
      backend === 'webgpu' || backend === 'webgl'
        ? await softwareGpu(backend).catch(() => true)
        : false;
    let speed: number | null = null;
    if (await activateBackend(backend)) {
      try {
        // Imported as the registry imports it (on demand), so the bundler keeps one lazy chunk.
        const { NeuralCf } = await import('../src/core/models/neural-cf.ts');
        speed = NeuralCf.measureSpeed(backend === 'cpu' ? 800 : 1500);
      } catch {
        speed = null;
      }
    }
    out.push({ backend, samplesPerSecond: speed, software });
  }
  return out.sort((a, b) => (b.samplesPerSecond ?? -1) - (a.samplesPerSecond ?? -1));
}

type Base = Pick<ModelsProgress, 'index' | 'count' | 'model' | 'backend'>;

/** Fit options that forward a model's progress and its finished epochs to the page. */
function reporting(
  base: Base,
  signal: AbortSignal,
  onProgress: (p: ModelsProgress) => void,
  threads = 1,
): FitOptions {
  let last = { stage: 'fit', done: 0, total: 1 };
  return {
    signal,
    ...parallelOptions(threads),
    onProgress: (p) => {
      last = { stage: p.stage, done: p.done, total: p.total };
      onProgress({ ...base, ...last, loss: p.loss });
    },
    onEpoch: (r) => onProgress({ ...base, ...last, epoch: { ...r } }),
  };
}

/** What ran a fit: the model's own engine (else `otherwise`), and its threads when more than one. */
function engineLabel(model: Recommender, otherwise: string): string {
  const threads = model.threads ?? 1;
  return `${model.engine ?? otherwise}${threads > 1 ? ` × ${threads} threads` : ''}`;
}

/**
 * Saves a trained model under the request's dataset and seed; its throughput is the samples it
 * fitted over its fit time.
 */
function saveTrained(
  req: { datasetId: string; seed: number },
  info: { name: string; title: string },
  model: { config: ModelRow['config']; save(): SavedModel },
  run: Pick<
    ModelRow,
    'protocol' | 'metrics' | 'curves' | 'epochLog' | 'backend' | 'fitSeconds' | 'evalSeconds'
  > & { samples: number; scoreMs?: number },
): Promise<ModelRow> {
  const { samples, ...rest } = run;
  return saveModel(
    db,
    {
      datasetId: req.datasetId,
      model: info.name,
      title: info.title,
      seed: req.seed,
      config: model.config,
      ...rest,
      samplesPerSecond: samples / Math.max(run.fitSeconds, 1e-9),
    },
    model,
  );
}

const api: ModelsWorkerApi = {
  probeKernel(threads = 1) {
    return guarded(() => probeKernel(threads));
  },

  probe(threads = 1) {
    return guarded(async () => {
      wasmThreads(threads);
      measured = await probeAll();
      return [...(await probeKernel(threads)), ...measured];
    });
  },

  train(req, onProgress) {
    return guarded(async (signal) => {
      wasmThreads(req.threads ?? 1);
      const ds = await db.datasets.get(req.datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      const { protocol } = req;
      const ctr = isCtrProtocol(protocol);
      const infos = req.models.map((m) => {
        const c = ctr ? CTR_MODELS.find((x) => x.name === m.name) : undefined;
        const info = ctr ? c : modelInfo(m.name);
        if (!info)
          throw new WrenError('invalid-settings', `Unknown model "${m.name}" for ${protocol}.`);
        // ctr-random's settings, as `wren eval --protocol ctr-random` trains with; then the page's.
        const base = c && protocol === 'ctr-random' ? ctrRandomConfig(c, req.seed) : info.defaults;
        const config = { ...base, ...m.config };
        const problem = configProblem(config, info.settings);
        if (problem) throw new WrenError('invalid-settings', `${info.title}: ${problem}.`);
        return { info, config };
      });
      const count = infos.length;
      let backend = 'js';
      if (infos.some((m) => m.info.neural)) {
        if (req.backend === 'auto') {
          onProgress({
            index: 0,
            count,
            model: infos[0]!.info.name,
            stage: 'probe',
            done: 0,
            total: 1,
          });
          measured ??= await probeAll();
          const best = measured.find((m) => m.samplesPerSecond !== null && !m.software);
          backend = best?.backend ?? 'cpu';
        } else backend = req.backend;
        if (!(await activateBackend(backend)))
          throw new WrenError(
            'backend',
            `The tfjs ${backend} backend is not available in this browser.`,
          );
      }
      let ratings: RatingColumns | null = await readRatings(db, req.datasetId);
      if (ctr) {
        onProgress({
          index: 0,
          count,
          model: infos[0]!.info.name,
          stage: 'features',
          done: 0,
          total: 1,
        });
        const meta = movieMetaFromMovies(await allMovies(db, req.datasetId), ds.genres);
        // ctr-random: RecBole's seeded 8:1:1 split, its validation part stopping each model early,
        // with the users' attributes as fields where the dataset has them.
        const split =
          protocol === 'ctr-random'
            ? ctrRandomSplit(ratings, meta, await readUsers(db, req.datasetId), req.seed)
            : sparrowCtrSplit(ratings, meta);
        const saved = [];
        for (let index = 0; index < count; index++) {
          const { info, config } = infos[index]!;
          const base = { index, count, model: info.name, backend };
          const model = new CtrModel(info.name as CtrKind, { ...config, seed: req.seed });
          const t0 = performance.now();
          await model.fit(split, reporting(base, signal, onProgress, req.threads));
          const fitSeconds = (performance.now() - t0) / 1000;
          onProgress({ ...base, stage: 'evaluate', done: 0, total: 1 });
          const t1 = performance.now();
          const { labels } = split.test;
          const probs = model.predict(split.test);
          const { metrics, roc, pr } = evaluateCtr(labels, probs);
          // Group AUC over the test users, as the CLI reports it on ctr-random.
          const gauc: Record<string, number> =
            protocol === 'ctr-random'
              ? { groupAuc: groupAuc(labels, probs, rowUsers(split.test)) }
              : {};
          const row = await saveTrained(req, info, model, {
            protocol,
            metrics: { ...metrics, ...gauc },
            curves: { roc, pr },
            epochLog: model.epochLog.map((r) => ({ ...r })),
            backend: `tfjs-${backend}`,
            fitSeconds,
            evalSeconds: (performance.now() - t1) / 1000,
            samples: model.epochLog.reduce((a, r) => a + r.samples, 0),
          });
          saved.push(row);
          onProgress({ ...base, stage: 'saved', done: 1, total: 1, saved: row });
        }
        return saved;
      }
      const split = makeSplit(ratings, protocol, req.seed, { itemCount: ds.counts.movies });
      // The split holds its own copies: let the ratings go before training (325 MB at ml-25m's
      // size, which an async function's frame would otherwise keep through every epoch).
      // eslint-disable-next-line no-useless-assignment -- it is for the garbage collector
      ratings = null;
      const saved = [];
      for (let index = 0; index < count; index++) {
        const { info: entry, config } = infos[index]!;
        const info = entry as ModelInfo;
        const base = {
          index,
          count,
          model: info.name,
          backend: info.kernel ? 'wasm-simd kernel' : info.neural ? backend : 'js',
        };
        const model = await info.create(config);
        const t0 = performance.now();
        await model.fit(split.data, reporting(base, signal, onProgress, req.threads));
        const fitSeconds = (performance.now() - t0) / 1000;
        const t1 = performance.now();
        onProgress({ ...base, stage: 'evaluate', done: 0, total: 1 });
        // Per-user scoring on every training thread where the model scores without tfjs.
        const metrics = await evaluateModel(split, model, {
          signal,
          onProgress: (done, total) => onProgress({ ...base, stage: 'evaluate', done, total }),
          ...parallelOptions(req.threads ?? 1),
        });
        const evalSeconds = (performance.now() - t1) / 1000;
        const sample = Array.from({ length: Math.min(10, split.data.userCount) }, (_, i) =>
          Math.floor((i * split.data.userCount) / 10),
        );
        const scoreMs = scoreAllMs(model, split.data.itemCount, sample);
        const log = model.epochLog ?? [];
        const row = await saveTrained(req, info, model, {
          protocol,
          metrics,
          epochLog: log.map((r) => ({ ...r })),
          backend: engineLabel(model, info.neural ? `tfjs-${backend}` : 'js'),
          fitSeconds,
          evalSeconds,
          samples: log.reduce((a, r) => a + r.samples, 0) || split.data.train.items.length,
          scoreMs,
        });
        model.dispose?.();
        saved.push(row);
        onProgress({ ...base, stage: 'saved', done: 1, total: 1, saved: row });
      }
      return saved;
    });
  },

  autoBuild(datasetId, onProgress, threads = 1) {
    return guarded(async (signal) => {
      const ds = await db.datasets.get(datasetId);
      if (!ds || ds.status !== 'ready')
        throw new WrenError('not-found', 'That dataset is not here any more.');
      const stored = (await listModels(db, datasetId)).find((r) => r.protocol === 'personal');
      if (stored) return stored;
      onProgress({ stage: 'read', done: 0, total: 1 });
      const data = interactionsOf(await readRatings(db, datasetId), ds.counts.movies);
      // The catalogue's genres: the search for EASE's λ scores the personal blend.
      const catalog = buildCatalog(await allMovies(db, datasetId));
      checkAbort(signal);
      onProgress({ stage: 'read', done: 1, total: 1 });
      const t0 = performance.now();
      const model = await fitPersonalModel(
        data,
        {
          signal,
          onProgress: (p) => onProgress({ stage: p.stage, done: p.done, total: p.total }),
          ...parallelOptions(threads),
        },
        { catalog },
      );
      const fitSeconds = (performance.now() - t0) / 1000;
      checkAbort(signal);
      // Where the inverse would be too big, EASE models the most-rated movies only: say so.
      const rated = new Uint8Array(ds.counts.movies);
      for (const m of data.train.items) rated[m] = 1;
      const ratedMovies = rated.reduce((a, b) => a + b, 0);
      const title =
        model.modelled < ratedMovies
          ? `EASE, built automatically (the ${model.modelled.toLocaleString('en-US')} most-rated of ${ratedMovies.toLocaleString('en-US')} movies)`
          : 'EASE, built automatically';
      onProgress({ stage: 'save', done: 0, total: 1 });
      // Written in one transaction, and only while the dataset is still there: never half a model.
      const row = await saveModel(
        db,
        {
          datasetId,
          model: 'ease',
          title,
          protocol: 'personal',
          auto: true,
          seed: 1,
          config: model.config,
          // Trained on every rating: there is no held-out test set to score.
          metrics: {},
          epochLog: [],
          backend: engineLabel(model, 'js'),
          fitSeconds,
          evalSeconds: 0,
          samplesPerSecond: data.train.items.length / Math.max(fitSeconds, 1e-9),
        },
        model,
        { requireDataset: true },
      );
      onProgress({ stage: 'save', done: 1, total: 1 });
      return row;
    });
  },

  cancel() {
    jobs.cancel(new WrenError('cancelled', 'Cancelled.'));
  },
};

Comlink.expose(api);
