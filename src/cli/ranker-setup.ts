/** What `wren recommend` and `wren abtest` share: reading a dataset, and training an embedding and a ranker in node. */
import { basename } from 'node:path';
import { importMovieLens } from '../core/data/import.ts';
import type { Dataset } from '../core/data/types.ts';
import { defaultSettingsFor } from '../core/embeddings/embed.ts';
import { wasmKernel } from '../core/embeddings/sgns-wasm.ts';
import type { InteractionData } from '../core/eval/protocols.ts';
import { trainMovieVectors } from '../core/recommend/offline.ts';
import { RANKABLE } from '../core/recommend/rankers.ts';
import {
  trainRanker,
  type TrainedRanker,
  type TrainRankerOptions,
} from '../core/recommend/train-ranker.ts';
import type { MovieVectors } from '../core/recommend/user-state.ts';
import { nodeInput } from './node-input.ts';
import { useTfBackend } from './train-command.ts';

/** What can rank for the pipeline: the channels' fusion, embedding similarity, or a model. */
export const RANKER_NAMES: readonly string[] = ['personal', 'fusion', 'embedding', ...RANKABLE];

export const EMBEDDINGS = ['item2vec', 'none'] as const;
export type EmbeddingChoice = (typeof EMBEDDINGS)[number];

/** Checks a ranker flag; returns what is wrong, or null. */
function rankerProblem(flag: string, name: string | undefined): string | null {
  return name !== undefined && RANKER_NAMES.includes(name)
    ? null
    : `--${flag} takes ${RANKER_NAMES.join(', ')}; found "${name ?? ''}"`;
}

/** Checks --embedding against the rankers that need it; returns what is wrong, or null. */
function embeddingProblem(value: string | undefined, rankers: string[]): string | null {
  if (value !== undefined && !EMBEDDINGS.includes(value as EmbeddingChoice))
    return `--embedding takes ${EMBEDDINGS.join(', ')}; found "${value}"`;
  if (value === 'none' && rankers.includes('embedding'))
    return 'the embedding ranker needs --embedding item2vec';
  return null;
}

/**
 * Checks each ranker flag (by flag name, in order), then --embedding against those rankers;
 * returns the first thing wrong, or null.
 */
export function rankerFlagsProblem(
  rankers: Record<string, string | undefined>,
  embedding: string | undefined,
): string | null {
  for (const [flag, name] of Object.entries(rankers)) {
    const problem = rankerProblem(flag, name);
    if (problem) return problem;
  }
  return embeddingProblem(embedding, Object.values(rankers) as string[]);
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

/**
 * Item2vec with Wren's default settings (and the given seed) on the training positives; null for
 * 'none'. With `say`, the status line says so first.
 */
export async function trainEmbeddingFor(
  data: InteractionData,
  choice: EmbeddingChoice,
  seed: number,
  say?: (line: string) => void,
): Promise<{ embedding: MovieVectors | null; seconds: number }> {
  say?.('training item2vec…');
  if (choice === 'none') return { embedding: null, seconds: 0 };
  const t0 = performance.now();
  const embedding = await trainMovieVectors(data, wasmKernel, {
    ...defaultSettingsFor('item2vec'),
    seed,
  });
  return { embedding, seconds: (performance.now() - t0) / 1000 };
}

/**
 * A pipeline ranker trained in node: tfjs on its wasm backend, progress as "name stage 40%" on the
 * status line; `catalog` and `embedding` are what the personal and embedding rankers need.
 */
export function trainInNode(
  name: string,
  data: InteractionData,
  opts: Pick<TrainRankerOptions, 'seed' | 'catalog' | 'embedding'> & {
    say: (line: string) => void;
  },
): Promise<TrainedRanker> {
  const { say, ...rest } = opts;
  return trainRanker(name, data, {
    ...rest,
    loadTf: () => useTfBackend('wasm'),
    onProgress: (stage, done, total) =>
      say(`${name} ${stage} ${((100 * done) / Math.max(1, total)).toFixed(0)}%`),
  });
}
