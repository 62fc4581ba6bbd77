/**
 * Sequential recommenders: SASRec (Kang & McAuley, ICDM 2018), causal
 * self-attention over a user's latest movies, and GRU4Rec (Hidasi et al.,
 * ICLR 2016), a GRU over them. Both predict the next movie from the movies
 * before it, in time order, and score a movie by its row of the same table
 * the inputs come from.
 *
 * Training (tfjs, loaded on demand) goes through train/sequence-trainer.ts;
 * scoring is plain JS (sequential-forward.ts), so a stored model serves For
 * You, the protocols and the attention view with no tfjs.
 */
import { settingsOf } from './config-check.ts';
import {
  cataloguePool,
  evaluateSplit,
  validationLoo,
  type InteractionData,
} from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import { DenseParams, EmbeddingTable, glorot } from '../train/embedding-table.ts';
import type { EpochReport } from '../train/sparse-trainer.ts';
import {
  denseShapes,
  sequentialSettings,
  type SequentialConfig,
  type SequentialKind,
} from './sequential-config.ts';
import {
  checkDense,
  encodeSequence,
  scoreFromState,
  type SequentialWeights,
} from './sequential-forward.ts';
import type { Attention } from './sequential-net.ts';
import {
  bestEpochOf,
  checkAbort,
  type FitOptions,
  type Recommender,
  type SavedModel,
} from './types.ts';

export interface AttentionView {
  /** The movies the model read, oldest first (the latest maxLen of the history). */
  items: number[];
  /** Per block, the latest position's attention over `items` (each sums to 1). */
  weights: Float32Array[];
}

export class SequentialModel implements Recommender {
  readonly model: SequentialKind;
  readonly config: SequentialConfig;
  private weights: SequentialWeights | null = null;
  private history: Sequences = { offsets: new Int32Array(1), items: new Int32Array(0) };
  private itemCount = 0;
  /** Epoch reports of the last fit. */
  epochLog: EpochReport[] = [];
  /** Replaces the trainer's attention op (tests compare ops; benches time them). */
  attentionOp: ((tf: typeof import('@tensorflow/tfjs')) => Attention) | null = null;

  constructor(kind: SequentialKind, config: Partial<SequentialConfig> = {}, stored = false) {
    this.model = kind;
    this.config = settingsOf(kind, sequentialSettings(kind), config, stored);
  }

  /** Movies the model scores. */
  get movieCount(): number {
    return this.itemCount;
  }

  /** A fresh table and dense weights for `itemCount` movies (plus the padding row). */
  private init(itemCount: number): { table: EmbeddingTable; dense: DenseParams } {
    const { dim: d, seed } = this.config;
    const table = new EmbeddingTable(itemCount + 1, d, {
      seed: seed * 16 + 5,
      initStd: 1 / Math.sqrt(d),
    });
    table.weights.fill(0, itemCount * d);
    const rng = new Random(seed, 0x534152); // "SAR"
    const shapes = denseShapes(this.model, this.config);
    const dense = new DenseParams(
      shapes.map((s) => s.shape),
      (j, r, c) => {
        const name = shapes[j]!.name;
        if (/^ln.*g/.test(name)) return new Float32Array(c).fill(1);
        if (r === 1) return new Float32Array(c);
        if (name === 'positions')
          return Float32Array.from({ length: r * c }, () => rng.normal() / Math.sqrt(d));
        return glorot(rng, r, c);
      },
    );
    return { table, dense };
  }

  private setWeights(table: EmbeddingTable, dense: DenseParams): void {
    this.weights = {
      kind: this.model,
      config: this.config,
      items: table.weights,
      dense: dense.shapes.map((_, j) => dense.view(j)),
    };
  }

  async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    checkAbort(opts.signal);
    const tf = await import('@tensorflow/tfjs');
    const { SequenceTrainer } = await import('../train/sequence-trainer.ts');
    const { fastAttention } = await import('./attention-op.ts');
    const { validate, validateEvery, patience, seed } = this.config;
    this.itemCount = data.itemCount;
    this.history = data.train;
    const { table, dense } = this.init(data.itemCount);
    this.setWeights(table, dense);
    const val = validate ? validationLoo(data, seed) : null;
    const trainer = new SequenceTrainer(tf, this.model, this.config, table, dense, {
      attention: this.attentionOp?.(tf) ?? (await fastAttention(tf, this.config.dim)) ?? undefined,
    });
    let best = -Infinity;
    let bestWeights: [Float32Array, Float32Array] | null = null;
    let since = 0;
    this.epochLog = [];
    await trainer.fit(val ? val.data.train : data.train, cataloguePool(data.catalogue), {
      signal: opts.signal,
      onProgress: opts.onProgress,
      onEpoch: (r) => {
        let go = true;
        const check = r.epoch % validateEvery === 0 || r.epoch === this.config.epochs;
        if (val && check) {
          const seqs = val.data.train;
          const m = evaluateSplit(val, (u, items, out) =>
            this.scoreHistory(
              seqs.items.subarray(seqs.offsets[u]!, seqs.offsets[u + 1]!),
              items,
              out,
            ),
          );
          r.valHr = m.hr;
          r.valNdcg = m.ndcg;
          if (m.ndcg! > best) {
            best = m.ndcg!;
            bestWeights = [table.weights.slice(), dense.weights.slice()];
            since = 0;
          } else if (++since >= patience) go = false;
        }
        this.epochLog.push(r);
        opts.onEpoch?.(r);
        return go;
      },
    });
    if (bestWeights) {
      const [t, w] = bestWeights as [Float32Array, Float32Array];
      table.weights.set(t);
      dense.weights.set(w);
    }
  }

  /** The epoch whose weights the model kept (the best validation NDCG@10, or the last). */
  bestEpoch(): number {
    return bestEpochOf(this.epochLog);
  }

  private trained(): SequentialWeights {
    if (!this.weights) throw new Error(`${this.model}: not trained`);
    return this.weights;
  }

  /** Scores from a history in time order (the app's own ratings use this). */
  scoreHistory(history: ArrayLike<number>, items: Int32Array | null, out: Float32Array): void {
    const w = this.trained();
    scoreFromState(w, encodeSequence(w, history), items, out, this.itemCount);
  }

  score(user: number, items: Int32Array | null, out: Float32Array): void {
    const h = this.history;
    this.scoreHistory(h.items.subarray(h.offsets[user]!, h.offsets[user + 1]!), items, out);
  }

  /** SASRec: which of the latest movies the next prediction attended to, per block. */
  attention(history: ArrayLike<number>): AttentionView {
    const w = this.trained();
    if (this.model !== 'sasrec') throw new Error('gru4rec has no attention');
    const weights: Float32Array[] = [];
    encodeSequence(w, history, weights);
    const n = Math.min(history.length, this.config.maxLen);
    return {
      items: Array.from({ length: n }, (_, i) => history[history.length - n + i]!),
      weights,
    };
  }

  /** The user's training history in time order (what `score` reads). */
  historyOf(user: number): Int32Array {
    const h = this.history;
    return h.items.subarray(h.offsets[user]!, h.offsets[user + 1]!);
  }

  save(): SavedModel {
    const w = this.trained();
    const arrays: SavedModel['arrays'] = {
      items: w.items,
      historyOffsets: this.history.offsets,
      historyItems: this.history.items,
    };
    w.dense.forEach((x, j) => (arrays[`dense${j}`] = x));
    return {
      model: this.model,
      config: this.config,
      userCount: this.history.offsets.length - 1,
      itemCount: this.itemCount,
      arrays,
    };
  }

  static load(s: SavedModel): SequentialModel {
    const m = new SequentialModel(s.model as SequentialKind, s.config as SequentialConfig, true);
    const shapes = denseShapes(m.model, m.config);
    const w: SequentialWeights = {
      kind: m.model,
      config: m.config,
      items: s.arrays.items as Float32Array,
      dense: shapes.map((_, j) => s.arrays[`dense${j}`] as Float32Array),
    };
    if (!w.items || w.items.length !== (s.itemCount + 1) * m.config.dim)
      throw new RangeError(`${m.model}: the movie table does not match ${s.itemCount} movies`);
    checkDense(m.model, w);
    m.weights = w;
    m.itemCount = s.itemCount;
    m.history = {
      offsets: s.arrays.historyOffsets as Int32Array,
      items: s.arrays.historyItems as Int32Array,
    };
    return m;
  }
}
