/**
 * A stored model as a ranker, in a worker: neural and CTR models need tfjs,
 * which is loaded (wasm backend, its files served by this site) only for them.
 */
import { loadModel, modelInfo, type SavedModel } from '../src/core/models/index.ts';
import { Ease } from '../src/core/models/ease.ts';
import type { Catalog } from '../src/core/recommend/catalog.ts';
import { personalRanker } from '../src/core/recommend/personal-ranker.ts';
import { rankerFor, type Ranker } from '../src/core/recommend/rankers.ts';

/** Loads tfjs on demand (this site's wasm files) on its wasm backend, or cpu where wasm fails. */
export async function loadTf(): Promise<void> {
  const [tf] = await Promise.all([import('@tensorflow/tfjs'), import('./tf-engines.ts')]);
  if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
}

/** A stored ranking model as a ranker (tfjs loaded first for a neural one). */
export async function loadRanker(saved: SavedModel, title: string): Promise<Ranker> {
  if (modelInfo(saved.model)?.neural) await loadTf();
  return rankerFor(await loadModel(saved), title);
}

/** The automatic build's stored model as For You's personal ranker (no tfjs needed). */
export function loadPersonalRanker(saved: SavedModel, catalog: Catalog, title: string): Ranker {
  return personalRanker(Ease.load(saved), catalog, title);
}

/** A stored sparrow-ctr model as a ranker; `genres` is the dataset's genre list it was trained on. */
export async function loadCtrRanker(
  saved: SavedModel,
  catalog: Catalog,
  genres: readonly string[],
  title: string,
): Promise<Ranker> {
  await loadTf();
  const [{ CtrModel }, { ctrRanker }] = await Promise.all([
    import('../src/core/models/ctr.ts'),
    import('../src/core/recommend/ctr-ranker.ts'),
  ]);
  return ctrRanker(CtrModel.load(saved), catalog, genres, title);
}
