/** What `wren recommend` and `wren abtest` share: reading a dataset, and training an embedding and a ranker in node. */
import { basename } from 'node:path';
import { importMovieLens } from '../core/data/import.ts';
import type { Dataset } from '../core/data/types.ts';
import { defaultSettingsFor } from '../core/embeddings/embed.ts';
import { wasmKernel } from '../core/embeddings/sgns-wasm.ts';
import type { InteractionData } from '../core/eval/protocols.ts';
import { modelInfo } from '../core/models/index.ts';
import type { Catalog } from '../core/recommend/catalog.ts';
import { trainMovieVectors } from '../core/recommend/offline.ts';
import { fitPersonalModel } from '../core/recommend/personal.ts';
import { personalRanker } from '../core/recommend/personal-ranker.ts';
import { embeddingRanker, RANKABLE, rankerFor, type Ranker } from '../core/recommend/rankers.ts';
import type { MovieVectors } from '../core/recommend/user-state.ts';
import { nodeInput } from './node-input.ts';
import { useTfBackend } from './train-command.ts';

/** What can rank for the pipeline: the channels' fusion, embedding similarity, or a model. */
export const RANKER_NAMES: readonly string[] = ['personal', 'fusion', 'embedding', ...RANKABLE];

export const EMBEDDINGS = ['item2vec', 'none'] as const;
export type EmbeddingChoice = (typeof EMBEDDINGS)[number];

/** Checks a ranker flag; returns what is wrong, or null. */
export function rankerProblem(flag: string, name: string | undefined): string | null {
  return name !== undefined && RANKER_NAMES.includes(name)
    ? null
    : `--${flag} takes ${RANKER_NAMES.join(', ')}; found "${name ?? ''}"`;
}

/** Checks --embedding against the rankers that need it; returns what is wrong, or null. */
export function embeddingProblem(value: string | undefined, rankers: string[]): string | null {
  if (value !== undefined && !EMBEDDINGS.includes(value as EmbeddingChoice))
    return `--embedding takes ${EMBEDDINGS.join(', ')}; found "${value}"`;
  if (value === 'none' && rankers.includes('embedding'))
    return 'the embedding ranker needs --embedding item2vec';
  return null;
}

/** A whole-number flag (at least `min`), or what is wrong with it. */
export function wholeNumber(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
): number | string {
  const x = Number(raw ?? fallback);
  return raw?.trim() === '' || !Number.isInteger(x) || x < min
    ? `--${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ''}; found "${raw}"`
    : x;
}

export async function loadDataset(path: string): Promise<Dataset> {
  return importMovieLens(await nodeInput(path), { name: basename(path).replace(/\.zip$/i, '') });
}

/** Item2vec with Wren's default settings (and the given seed) on the training positives; null for 'none'. */
export async function trainEmbeddingFor(
  data: InteractionData,
  choice: EmbeddingChoice,
  seed: number,
): Promise<{ embedding: MovieVectors | null; seconds: number }> {
  if (choice === 'none') return { embedding: null, seconds: 0 };
  const t0 = performance.now();
  const embedding = await trainMovieVectors(data, wasmKernel, {
    ...defaultSettingsFor('item2vec'),
    seed,
  });
  return { embedding, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The named ranker, its model trained on `data` with the registry's defaults
 * (and the seed, for models that take one); null for fusion. 'personal' is
 * For You's default (the automatic build's EASE and the personal blend over
 * `catalog`).
 */
export async function trainRanker(
  name: string,
  data: InteractionData,
  embedding: MovieVectors | null,
  seed: number,
  onProgress: ((stage: string, share: number) => void) | undefined,
  catalog: Catalog,
): Promise<{ ranker: Ranker | null; title: string; seconds: number }> {
  if (name === 'fusion') return { ranker: null, title: 'Channel fusion', seconds: 0 };
  if (name === 'personal') {
    const t0 = performance.now();
    const model = await fitPersonalModel(
      data,
      { onProgress: (p) => onProgress?.(`personal ${p.stage}`, p.done / Math.max(1, p.total)) },
      { catalog },
    );
    const title = 'EASE, built automatically';
    const seconds = (performance.now() - t0) / 1000;
    return { ranker: personalRanker(model, catalog, title), title, seconds };
  }
  if (name === 'embedding') {
    if (!embedding) throw new Error('the embedding ranker needs an embedding');
    const ranker = embeddingRanker(embedding);
    return { ranker, title: ranker.title, seconds: 0 };
  }
  const info = modelInfo(name);
  if (!info) throw new Error(`unknown model "${name}"`);
  if (info.neural) await useTfBackend('wasm');
  const config = { ...info.defaults, ...('seed' in info.defaults && { seed }) };
  const model = await info.create(config);
  const t0 = performance.now();
  await model.fit(data, {
    onProgress: (p) => onProgress?.(`${name} ${p.stage}`, p.done / Math.max(1, p.total)),
  });
  return {
    ranker: rankerFor(model, info.title),
    title: info.title,
    seconds: (performance.now() - t0) / 1000,
  };
}
