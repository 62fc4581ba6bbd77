/**
 * What running the pipeline offline needs, built from one set of training
 * interactions — a protocol's training split (replays, A/B tests) or every
 * rating of a dataset (`wren recommend`): the catalogue's counts and
 * averages, a user's history as the pipeline reads it, and item2vec vectors
 * trained on the positives. Nothing here reads ratings outside `data`, so a
 * replay never sees its held-out items through popularity or the embedding.
 */
import type { RatingColumns } from '../data/types.ts';
import {
  DEFAULT_EMBED_SETTINGS,
  embeddingCorpus,
  type EmbedSettings,
} from '../embeddings/embed.ts';
import { runKernel, type KernelFactory } from '../embeddings/sgns-driver.ts';
import type { TrainOptions } from '../embeddings/sgns.ts';
import { normalizeRows } from '../embeddings/topk.ts';
import { positivesOf } from '../eval/new-user.ts';
import type { InteractionData } from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import { buildCatalog, type Catalog, type CatalogMovie } from './catalog.ts';
import type { HistoryEntry } from './profile.ts';
import { movieVectors, type MovieVectors } from './user-state.ts';

/** Every rating of a dataset as training interactions (ratings are sorted by user, then time). */
export function interactionsOf(ratings: RatingColumns, itemCount: number): InteractionData {
  const catalogue = new Uint8Array(itemCount);
  for (let i = 0; i < ratings.movie.length; i++) catalogue[ratings.movie[i]!] = 1;
  return {
    userCount: ratings.userOffsets.length - 1,
    itemCount,
    train: { offsets: ratings.userOffsets, items: ratings.movie },
    trainRatings: ratings.rating,
    trainTimes: ratings.timestamp,
    catalogue,
  };
}

/** The catalogue with rating counts and averages from the training interactions only. */
export function trainingCatalog(movies: readonly CatalogMovie[], data: InteractionData): Catalog {
  const count = new Int32Array(movies.length);
  const sum = new Float64Array(movies.length);
  const { items } = data.train;
  for (let i = 0; i < items.length; i++) {
    count[items[i]!]!++;
    sum[items[i]!]! += data.trainRatings[i]! / 2;
  }
  return buildCatalog(
    movies.map((m, i) => ({
      ...m,
      ratingCount: count[i]!,
      ratingAvg: count[i]! ? sum[i]! / count[i]! : 0,
    })),
  );
}

/** User `u`'s training ratings as the pipeline's history (stars; time order). */
export function historyOf(data: InteractionData, u: number): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (let i = data.train.offsets[u]!; i < data.train.offsets[u + 1]!; i++)
    out.push({
      movie: data.train.items[i]!,
      rating: data.trainRatings[i]! / 2,
      at: data.trainTimes[i]!,
    });
  return out;
}

/** Each user's training positives (≥ 3.5 stars) in time order: the item2vec corpus. */
export function trainingPositives(data: InteractionData): Sequences {
  return positivesOf(data).train;
}

/**
 * Item2vec (or another method's) vectors trained on the training positives,
 * unit rows, as the pipeline reads them. Wren's default settings unless given;
 * `onProgress` reports the skip-gram training (tokens done of the total).
 */
export async function trainMovieVectors(
  data: InteractionData,
  kernel: KernelFactory,
  settings: EmbedSettings = DEFAULT_EMBED_SETTINGS,
  opts: Pick<TrainOptions, 'signal' | 'onProgress'> = {},
): Promise<MovieVectors> {
  const corpus = await embeddingCorpus(trainingPositives(data), data.itemCount, settings, {
    signal: opts.signal,
  });
  const trained = await runKernel(corpus, data.itemCount, settings, kernel, opts);
  const vectors = movieVectors(trained.vocab.items, normalizeRows(trained.vectors, trained.dim));
  return { ...vectors, dim: trained.dim, rowOf: fullRowOf(vectors.rowOf, data.itemCount) };
}

/** `rowOf` padded with -1 to the whole catalogue (channels index it by any movie). */
function fullRowOf(rowOf: Int32Array, itemCount: number): Int32Array {
  if (rowOf.length >= itemCount) return rowOf;
  const out = new Int32Array(itemCount).fill(-1);
  out.set(rowOf);
  return out;
}
