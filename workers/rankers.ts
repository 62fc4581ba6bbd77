/**
 * A stored model as a ranker, in a worker: neural models need tfjs, which is
 * loaded (wasm backend, its files served by this site) only for them.
 */
import { loadModel, modelInfo, type SavedModel } from '../src/core/models/index.ts';
import { rankerFor, type Ranker } from '../src/core/recommend/rankers.ts';

export { RANKABLE } from '../src/core/recommend/rankers.ts';

export async function loadRanker(saved: SavedModel, title: string): Promise<Ranker> {
  if (modelInfo(saved.model)?.neural) {
    const [tf] = await Promise.all([import('@tensorflow/tfjs'), import('./tf-engines.ts')]);
    if (!(await tf.setBackend('wasm').catch(() => false))) await tf.setBackend('cpu');
  }
  return rankerFor(await loadModel(saved), title);
}
