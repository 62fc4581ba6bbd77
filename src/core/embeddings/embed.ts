/**
 * One embedding run, end to end: the next-item split, the corpus (sequences
 * for Item2Vec, random walks over the transition graph for DeepWalk and
 * Node2vec), skip-gram training on a chosen kernel (within an epoch budget
 * for the automatic build), evaluation (next-item HR/NDCG@10 against
 * popularity, on a seeded sample of users when there are many; genre
 * coherence), the HNSW index with its measured recall, and the 2-D map.
 * Pure: the worker stores the result.
 */
import type { Movie, RatingColumns } from '../data/types.ts';
import { movieMetaFromMovies, type MovieMeta } from '../features/movie-features.ts';
import { throwIfAborted } from '../errors.ts';
import { Random } from '../random.ts';
import { genreCoherence } from '../eval/coherence.ts';
import {
  cosineScorer,
  evaluateNextItem,
  nextItemSplit,
  popularityScorer,
  type NextItemSplit,
} from '../eval/next-item.ts';
import type { Sequences } from '../features/sequences.ts';
import { annRecall, buildHnsw, hnswSearch, type HnswIndex } from './ann.ts';
import { EXACT_KNN_ROWS, neighbourMap2d } from './neighbour-map.ts';
import { buildTransitionGraph } from './graph.ts';
import { pca2d } from './projection.ts';
import { runKernel, type KernelFactory } from './sgns-driver.ts';
import { GENSIM_REFERENCE, type SgnsSettings, type TrainProgress } from './sgns.ts';
import { normalizeRows } from './topk.ts';
import { deepWalks, node2vecWalks } from './walks.ts';

export type EmbedMethod = 'item2vec' | 'deepwalk' | 'node2vec';

export interface EmbedSettings extends SgnsSettings {
  method: EmbedMethod;
  /** DeepWalk/Node2vec: walks in all ('frequency' start) or per node ('every-node'). */
  numWalks: number;
  walkLength: number;
  walkStart: 'frequency' | 'every-node';
  /** Node2vec's return and in-out parameters. */
  p: number;
  q: number;
  /**
   * Present when an epoch budget (`EmbedOptions.epochBudget`: the automatic
   * build's) lowered `epochs` from `asked` for a corpus of `corpusTokens`.
   */
  epochCap?: EpochCap;
}

/** What an epoch budget did: `epochs` is what trained, `asked` what the settings said. */
export interface EpochCap extends EpochBudget {
  asked: number;
  /** Tokens in one pass over the corpus. */
  corpusTokens: number;
}

/**
 * A budget of training for a corpus of any size: epochs =
 * min(asked, max(minEpochs, ceil(tokenEpochs / corpus tokens))). A small
 * corpus keeps its epochs; a large one makes fewer passes, each of which
 * already updates every movie's vector many more times (word2vec trains one
 * pass over a billion-word corpus; gensim's default is 5).
 */
export interface EpochBudget {
  /** Tokens trained on, all epochs together. */
  tokenEpochs: number;
  minEpochs: number;
}

/**
 * The automatic build's budget: about 40M tokens, at least 3 epochs. Every
 * corpus under 2.86M tokens keeps its 15 epochs (ml-latest-small has 48k,
 * ml-1m 575k, the 1M generated shape 588k). ml-25m's generated shape (14.9M
 * tokens, 62k movies) trains 3 epochs: 716 updates per movie vector on
 * average, as many as the 1M shape gets from its 15 (8.8M tokens over 12.5k
 * movies: 707), where 15 epochs would take one thread past the 15 minutes
 * issue 19 allows the whole build. The 10M shape (6.0M tokens) trains 7.
 */
export const AUTO_EPOCH_BUDGET: EpochBudget = { tokenEpochs: 40_000_000, minEpochs: 3 };

/** The epochs `budget` allows a corpus of `corpusTokens` when `asked` were asked for. */
export function budgetedEpochs(asked: number, corpusTokens: number, budget: EpochBudget): number {
  if (!(corpusTokens > 0)) return asked;
  return Math.min(asked, Math.max(budget.minEpochs, Math.ceil(budget.tokenEpochs / corpusTokens)));
}

/**
 * Wren's defaults. Skip-gram: chosen by `npm run bench:embed -- --only tune` on
 * a validation split of ml-latest-small (each user's last training positive
 * held out again; 5 seeds): window 10 instead of 5, 16 dimensions instead of
 * 32, negatives drawn in proportion to count^1 instead of count^0.75, 15
 * epochs — validation HR@10 0.079 against 0.065 for gensim's settings. Walks
 * (DeepWalk, Node2vec): 10 from every node, 40 long, as the DeepWalk and
 * node2vec papers do (validation HR@10 0.076 with 5 epochs, against 0.031 for
 * SparrowRecSys' 20,000 walks of 10 from frequent nodes).
 */
export const DEFAULT_EMBED_SETTINGS: EmbedSettings = {
  ...GENSIM_REFERENCE,
  dim: 16,
  window: 10,
  negativeExponent: 1,
  epochs: 15,
  method: 'item2vec',
  numWalks: 10,
  walkLength: 40,
  walkStart: 'every-node',
  p: 1,
  q: 1,
};

/** Epochs for the graph methods: their walk corpus is ~60× the sequences of ml-latest-small. */
export const GRAPH_EPOCHS = 5;

/** The default settings of a method (the graph methods train fewer epochs over their longer corpus). */
export function defaultSettingsFor(method: EmbedMethod): EmbedSettings {
  return {
    ...DEFAULT_EMBED_SETTINGS,
    method,
    epochs: method === 'item2vec' ? DEFAULT_EMBED_SETTINGS.epochs : GRAPH_EPOCHS,
  };
}

/** SparrowRecSys' own walk settings (Embedding.scala: 20,000 walks of 10, started by frequency). */
export const SPARROW_WALKS: Pick<EmbedSettings, 'numWalks' | 'walkLength' | 'walkStart'> = {
  numWalks: 20_000,
  walkLength: 10,
  walkStart: 'frequency',
};

export type EmbedStage = 'walks' | 'train' | 'evaluate' | 'index' | 'map';

export interface EmbedProgress {
  stage: EmbedStage;
  done: number;
  total: number;
  epoch?: number;
  loss?: number;
  tokensPerSecond?: number;
}

export interface EmbedMetrics {
  /** Next-item protocol (DESIGN.md 4). */
  hr10: number;
  ndcg10: number;
  /** Popularity on the same candidates. */
  popularityHr10: number;
  popularityNdcg10: number;
  /** Users the next-item figures were computed on. */
  users: number;
  /**
   * Present when `users` is a seeded sample (`EVAL_MAX_USERS`): how many
   * users the split held a movie out for.
   */
  usersOf?: number;
  /** Share of top-10 neighbours sharing a genre with the movie, and the same for random pairs. */
  genreCoherence: number;
  genreCoherenceRandom: number;
  annRecall10: number;
  annQueryMs: number;
  exactQueryMs: number;
  /** Tokens in the training corpus (one epoch) and in the user sequences it came from. */
  corpusTokens: number;
}

export interface EmbeddingResult {
  settings: EmbedSettings;
  engine: string;
  /** Threads that trained it (wasm-threads: more than one). */
  threads: number;
  dim: number;
  /** Movie index of each vector row. */
  items: Int32Array;
  /** Unit-length rows, `dim` values each. */
  vectors: Float32Array;
  /** Two coordinates per row. */
  map: Float32Array;
  /** Null when trained with `trainOnly`. */
  hnsw: HnswIndex | null;
  losses: number[];
  metrics: EmbedMetrics;
  seconds: number;
  trainSeconds: number;
  tokensPerSecond: number;
}

export interface EmbedInput {
  ratings: RatingColumns;
  movieCount: number;
  /** Every genre of every movie (ragged: movie m owns list[offsets[m]..offsets[m+1]]). */
  genres: { offsets: Int32Array; list: Int8Array };
}

/** What `embed` reads, from a dataset's ratings, movie rows and genre names (with the movie meta it built). */
export function embedInput(
  ratings: RatingColumns,
  movies: readonly Movie[],
  genres: readonly string[],
): EmbedInput & { meta: MovieMeta } {
  const meta = movieMetaFromMovies(movies, genres);
  return {
    ratings,
    movieCount: movies.length,
    genres: { offsets: meta.genreOffsets, list: meta.genreList },
    meta,
  };
}

export interface EmbedOptions {
  kernel: KernelFactory;
  /** Fewer epochs for a large corpus (the automatic build's `AUTO_EPOCH_BUDGET`); none: the settings' epochs. */
  epochBudget?: EpochBudget;
  /** `nextItemSplit(input.ratings)` when the caller has it already (the worker's probe made it). */
  split?: NextItemSplit;
  /** Train only (no evaluation, index or map): for throughput benchmarks. */
  trainOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: EmbedProgress) => void;
}

/** The training corpus of a method: the sequences themselves, or walks over their graph. */
export async function embeddingCorpus(
  sequences: Sequences,
  itemCount: number,
  s: EmbedSettings,
  opts: Pick<EmbedOptions, 'signal' | 'onProgress'> = {},
): Promise<Sequences> {
  if (s.method === 'item2vec') return sequences;
  const graph = buildTransitionGraph(sequences, itemCount);
  const walkOpts = {
    numWalks: s.numWalks,
    walkLength: s.walkLength,
    start: s.walkStart,
    seed: s.seed,
    signal: opts.signal,
    onProgress: (p: { done: number; total: number }) =>
      opts.onProgress?.({ stage: 'walks', done: p.done, total: p.total }),
  };
  return s.method === 'deepwalk'
    ? deepWalks(graph, walkOpts)
    : node2vecWalks(graph, { ...walkOpts, p: s.p, q: s.q });
}

const MAP_NEIGHBOURS = 10;

/**
 * The 2-D movie map: a neighbour embedding (UMAP-like) started from PCA; the
 * neighbours of large catalogues come from the HNSW index just built.
 */
async function movieMap(
  vectors: Float32Array,
  dim: number,
  hnsw: HnswIndex,
  seed: number,
  signal: AbortSignal | undefined,
  onProgress: ((p: EmbedProgress) => void) | undefined,
): Promise<Float32Array> {
  const n = vectors.length / dim;
  const init = pca2d(vectors, dim, { seed }).coords;
  let knn: Int32Array | undefined;
  if (n > EXACT_KNN_ROWS) {
    knn = new Int32Array(n * MAP_NEIGHBOURS).fill(-1);
    for (let i = 0; i < n; i++) {
      const top = hnswSearch(hnsw, vectors.subarray(i * dim, (i + 1) * dim), MAP_NEIGHBOURS + 1);
      let t = 0;
      for (let j = 0; j < top.index.length && t < MAP_NEIGHBOURS; j++) {
        if (top.index[j] !== i) knn[i * MAP_NEIGHBOURS + t++] = top.index[j]!;
      }
      if ((i & 1023) === 1023) {
        onProgress?.({ stage: 'map', done: i, total: 2 * n });
        await new Promise((r) => setTimeout(r, 0));
        throwIfAborted(signal);
      }
    }
  }
  return neighbourMap2d(vectors, dim, {
    seed,
    neighbours: MAP_NEIGHBOURS,
    init,
    knn,
    signal,
    // Neighbour search is the first half of the stage, the layout the second.
    onProgress: (p) =>
      onProgress?.({
        stage: 'map',
        done: (p.stage === 'map' ? n : 0) + (n * p.done) / Math.max(1, p.total),
        total: 2 * n,
      }),
  });
}

/**
 * Most users the next-item figures are computed on: a larger split is
 * evaluated on a seeded sample of this many (at ml-25m's shape, every one of
 * 162k users would rank 62k movies twice: minutes on two cores). HR@10 near
 * 0.05 is then known to about ±0.006 (95%).
 */
export const EVAL_MAX_USERS = 5000;

/**
 * The sample's seed: fixed, not the training seed, so every embedding of a
 * dataset (trained with any seed, or imported) is measured on the same users.
 */
const EVAL_SAMPLE_SEED = 19;

/**
 * The split restricted to `max` of its users, drawn with a fixed seed and
 * kept in user order; the split itself when it has no more than `max`. The
 * training corpus (and so the popularity counts) stays whole.
 */
export function sampleSplit(split: NextItemSplit, max: number = EVAL_MAX_USERS): NextItemSplit {
  const n = split.users.length;
  if (n <= max) return split;
  const rng = new Random(EVAL_SAMPLE_SEED, 11);
  // A partial Fisher–Yates shuffle: `max` distinct evaluated users, then in order.
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const pick = perm.slice(0, max).sort();
  const { offsets, items } = split.seen;
  let seenLength = 0;
  for (const e of pick) seenLength += offsets[e + 1]! - offsets[e]!;
  const seenOffsets = new Int32Array(max + 1);
  const seenItems = new Int32Array(seenLength);
  for (let i = 0; i < max; i++) {
    const e = pick[i]!;
    seenItems.set(items.subarray(offsets[e]!, offsets[e + 1]!), seenOffsets[i]!);
    seenOffsets[i + 1] = seenOffsets[i]! + offsets[e + 1]! - offsets[e]!;
  }
  return {
    train: split.train,
    users: pick.map((e) => split.users[e]!),
    query: pick.map((e) => split.query[e]!),
    heldOut: pick.map((e) => split.heldOut[e]!),
    seen: { offsets: seenOffsets, items: seenItems },
  };
}

function emptyMetrics(users: number, corpusTokens: number): EmbedMetrics {
  return {
    hr10: 0,
    ndcg10: 0,
    popularityHr10: 0,
    popularityNdcg10: 0,
    users,
    genreCoherence: 0,
    genreCoherenceRandom: 0,
    annRecall10: 0,
    annQueryMs: 0,
    exactQueryMs: 0,
    corpusTokens,
  };
}

/**
 * In words, each cap that applied to an embedding (none: empty): fewer
 * epochs than asked under an epoch budget, next-item figures on a sample of
 * the users. The Lab and `wren embed` show these lines.
 */
export function embedCapNotes(
  settings: Pick<EmbedSettings, 'epochs' | 'epochCap'> | null,
  metrics: Pick<EmbedMetrics, 'users' | 'usersOf'>,
): string[] {
  const n = (x: number): string => x.toLocaleString('en');
  const notes: string[] = [];
  const cap = settings?.epochCap;
  if (cap)
    notes.push(
      `${n(settings.epochs)} epochs, not ${n(cap.asked)}: the automatic build trains about ${n(cap.tokenEpochs)} tokens in all (at least ${n(cap.minEpochs)} epochs), and one pass over this corpus is ${n(cap.corpusTokens)}.`,
    );
  if (metrics.usersOf !== undefined)
    notes.push(
      `HR@10 and NDCG@10 on ${n(metrics.users)} of ${n(metrics.usersOf)} users, a fixed random sample.`,
    );
  return notes;
}

/** Unit-length vectors of some movies: row r is movie `items[r]`, `rowOf[movie]` its row or -1. */
export interface MovieVectors {
  items: Int32Array;
  rowOf: Int32Array;
  vectors: Float32Array;
  dim: number;
}

/**
 * Evaluates vectors on the next-item split (HR/NDCG@10 against popularity
 * on the same candidates; on a seeded sample of `EVAL_MAX_USERS` users when
 * the split has more, `usersOf` then saying of how many), genre coherence,
 * then builds the HNSW index (with its measured recall) and the 2-D map.
 * Trained and imported embeddings go through this same code, so their
 * figures compare. Its `corpusTokens` is the length of the split's training
 * sequences.
 */
export async function evaluateEmbedding(
  input: EmbedInput,
  split: NextItemSplit,
  mv: MovieVectors,
  opts: { seed: number; signal?: AbortSignal; onProgress?: (p: EmbedProgress) => void },
): Promise<{ metrics: EmbedMetrics; hnsw: HnswIndex; map: Float32Array }> {
  const { items, rowOf, vectors, dim } = mv;
  const { seed, signal, onProgress } = opts;
  const n = items.length;
  const evaluated = sampleSplit(split);
  const metrics = emptyMetrics(evaluated.users.length, split.train.items.length);
  if (evaluated !== split) metrics.usersOf = split.users.length;
  onProgress?.({ stage: 'evaluate', done: 0, total: 2 });
  const cos = evaluateNextItem(evaluated, input.movieCount, cosineScorer(vectors, dim, rowOf));
  // Popularity counts come from the user sequences, not from the walks.
  const seqCounts = new Float64Array(n);
  for (const m of split.train.items) {
    const r = rowOf[m]!;
    if (r >= 0) seqCounts[r]!++;
  }
  const pop = evaluateNextItem(evaluated, input.movieCount, popularityScorer(seqCounts, rowOf));
  Object.assign(metrics, {
    hr10: cos.hr,
    ndcg10: cos.ndcg,
    popularityHr10: pop.hr,
    popularityNdcg10: pop.ndcg,
  });
  onProgress?.({ stage: 'evaluate', done: 1, total: 2 });
  await new Promise((r) => setTimeout(r, 0));
  throwIfAborted(signal);
  const coh = genreCoherence(vectors, dim, items, input.genres, { seed });
  metrics.genreCoherence = coh.coherence;
  metrics.genreCoherenceRandom = coh.random;
  onProgress?.({ stage: 'evaluate', done: 2, total: 2 });
  const hnsw = await buildHnsw(vectors, dim, {
    seed,
    // 40 builds 62k rows in ~7 s with recall@10 0.987 at ef 64 (bench/ann.ts); 100 for small sets.
    efConstruction: n > 20_000 ? 40 : 100,
    signal,
    onProgress: (p) => onProgress?.({ stage: 'index', done: p.done, total: p.total }),
  });
  const recall = annRecall(vectors, dim, hnsw, { queries: Math.min(n, 500), k: 10 });
  Object.assign(metrics, {
    annRecall10: recall.recall,
    annQueryMs: recall.annQueryMs,
    exactQueryMs: recall.exactQueryMs,
  });
  const map = await movieMap(vectors, dim, hnsw, seed, signal, onProgress);
  return { metrics, hnsw, map };
}

/**
 * Trains and evaluates one embedding. With an `epochBudget` that lowers the
 * epochs, the result's settings hold the epochs trained and an `epochCap`.
 */
export async function trainEmbedding(
  input: EmbedInput,
  asked: EmbedSettings,
  opts: EmbedOptions,
): Promise<EmbeddingResult> {
  const t0 = performance.now();
  const { signal, onProgress } = opts;
  const split = opts.split ?? nextItemSplit(input.ratings);
  const corpus = await embeddingCorpus(split.train, input.movieCount, asked, opts);
  throwIfAborted(signal);
  const corpusTokens = corpus.items.length;
  const epochs = opts.epochBudget
    ? budgetedEpochs(asked.epochs, corpusTokens, opts.epochBudget)
    : asked.epochs;
  const settings: EmbedSettings =
    epochs < asked.epochs
      ? {
          ...asked,
          epochs,
          epochCap: { ...opts.epochBudget!, asked: asked.epochs, corpusTokens },
        }
      : asked;
  const trained = await runKernel(corpus, input.movieCount, settings, opts.kernel, {
    signal,
    onProgress: (p: TrainProgress) => onProgress?.(p),
  });
  const { vocab, dim } = trained;
  const vectors = normalizeRows(trained.vectors, dim);
  const n = vocab.items.length;
  let metrics: EmbedMetrics = emptyMetrics(split.users.length, corpus.items.length);
  let hnsw: HnswIndex | null = null;
  let map: Float32Array = new Float32Array(n * 2);
  if (!opts.trainOnly) {
    const evaluated = await evaluateEmbedding(
      input,
      split,
      { items: vocab.items, rowOf: vocab.rowOf, vectors, dim },
      { seed: settings.seed, signal, onProgress },
    );
    ({ hnsw, map } = evaluated);
    metrics = { ...evaluated.metrics, corpusTokens: corpus.items.length };
  }
  return {
    settings,
    engine: trained.engine,
    threads: trained.threads,
    dim,
    items: vocab.items,
    vectors,
    map,
    hnsw,
    losses: trained.losses,
    metrics,
    seconds: (performance.now() - t0) / 1000,
    trainSeconds: trained.seconds,
    tokensPerSecond: trained.tokensPerSecond,
  };
}
