/**
 * Training a ranker by name: what the Pipeline page, `wren recommend`,
 * `wren abtest` and the benches each need, written once. 'fusion' needs no
 * model, 'embedding' the item2vec vectors, 'personal' For You's default
 * (the automatic build's EASE with the personal blend); any other name is a
 * registry model trained with its defaults (and the seed, for models that
 * take one).
 */
import type { InteractionData } from '../eval/protocols.ts';
import { modelInfo } from '../models/index.ts';
import type { Recommender } from '../models/types.ts';
import type { ThreadPool } from '../parallel/pool.ts';
import type { Catalog } from './catalog.ts';
import { fitPersonalModel } from './personal.ts';
import { personalRanker } from './personal-ranker.ts';
import { embeddingRanker, rankerFor, type Ranker } from './rankers.ts';
import type { MovieVectors } from './user-state.ts';

export interface TrainRankerOptions {
  /** The seed for models that take one (and the automatic build's λ search). */
  seed: number;
  /** The movies' genres, for 'personal'. */
  catalog?: Catalog;
  /** The item2vec vectors, for 'embedding'. */
  embedding?: MovieVectors | null;
  /** Loads tfjs and picks its backend before a neural model is built: the platform's part. */
  loadTf?: () => Promise<unknown>;
  onProgress?: (stage: string, done: number, total: number) => void;
  signal?: AbortSignal;
  pool?: ThreadPool;
  threads?: number;
}

export interface TrainedRanker {
  /** Null for fusion: the pipeline orders by the channels' fusion. */
  ranker: Ranker | null;
  title: string;
  seconds: number;
  /** The trained model, where there is one. */
  model?: Recommender;
}

export async function trainRanker(
  name: string,
  data: InteractionData,
  opts: TrainRankerOptions,
): Promise<TrainedRanker> {
  if (name === 'fusion') return { ranker: null, title: 'Channel fusion', seconds: 0 };
  if (name === 'embedding') {
    if (!opts.embedding) throw new Error('The embedding ranker needs item2vec vectors.');
    const ranker = embeddingRanker(opts.embedding);
    return { ranker, title: ranker.title, seconds: 0 };
  }
  const fit = {
    signal: opts.signal,
    pool: opts.pool,
    threads: opts.threads,
    onProgress: (p: { stage: string; done: number; total: number }) =>
      opts.onProgress?.(p.stage, p.done, p.total),
  };
  const since = (t0: number): number => (performance.now() - t0) / 1000;
  if (name === 'personal') {
    if (!opts.catalog) throw new Error('The personal ranker needs the catalog.');
    const t0 = performance.now();
    const model = await fitPersonalModel(data, fit, { catalog: opts.catalog });
    const title = 'EASE, built automatically';
    return { ranker: personalRanker(model, opts.catalog, title), title, seconds: since(t0), model };
  }
  const info = modelInfo(name);
  if (!info) throw new Error(`Unknown model "${name}".`);
  if (info.neural) await opts.loadTf?.();
  const model = await info.create({
    ...info.defaults,
    ...('seed' in info.defaults && { seed: opts.seed }),
  });
  // The fit alone: loading tfjs and building the model are not training.
  const t0 = performance.now();
  await model.fit(data, fit);
  return { ranker: rankerFor(model, info.title), title: info.title, seconds: since(t0), model };
}
