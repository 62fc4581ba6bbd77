/**
 * Neural collaborative filtering (He et al., WWW 2017): GMF (the element-wise
 * product of user and item factors), MLP (a tower over the concatenated user
 * and item embeddings) and NeuMF (both, joined in one output layer), trained
 * on implicit feedback with sampled negatives; and a two-tower model (user
 * and movie towers joined only by a dot product, so movie vectors can be
 * computed once and searched, as retrieval does — Yi et al., RecSys 2019).
 *
 * Each variant's network is a module of neural-cf/, picked by its name from
 * neural-cf/variants.ts; this class builds, trains, scores, folds in
 * (neural-cf/fold-in.ts) and saves any of them.
 *
 * Embedding tables are {@link EmbeddingTable}s updated sparsely. GMF, MLP and
 * NeuMF train with a plain-JS step (src/core/train/ncf-kernel.ts), on several
 * threads where a pool is given; two-tower's dense layers run in tfjs on the
 * active backend (src/core/train/sparse-trainer.ts). Scoring runs in tfjs.
 */
import { settingsOf } from './config-check.ts';
import * as tf from '@tensorflow/tfjs';
import { WrenError } from '../errors.ts';
import {
  evaluateSplit,
  validationLoo,
  type InteractionData,
  type LooSplit,
} from '../eval/protocols.ts';
import { Random } from '../random.ts';
import { DenseParams, EmbeddingTable, layerStart } from '../train/embedding-table.ts';
import {
  SparseTrainer,
  type EpochReport,
  type SparseNetwork,
  type TrainSettings,
} from '../train/sparse-trainer.ts';
import type { NcfArrays } from '../train/ncf-kernel.ts';
import { NcfTrainer, type NcfEngine } from '../train/ncf-trainer.ts';
import { NCF_SETTINGS, type NcfConfig } from './neural-cf-config.ts';
import { bestEpochOf, type FitOptions, type Recommender, type SavedModel } from './types.ts';
import { denseTensors } from './dense-layers.ts';
import {
  foldInLinear,
  foldInRows,
  foldInSamples,
  scoreFolded,
  type FoldedUser,
  type FoldInOptions,
  type LinearSide,
} from './neural-cf/fold-in.ts';
import { pretrainedWeights } from './neural-cf/neumf.ts';
import { kernelSpeed, probeInteractions, sparseStepSpeed } from './neural-cf/speed-probe.ts';
import type { NcfStructure } from './neural-cf/structure.ts';
import { NCF_STRUCTURES, type NcfVariant } from './neural-cf/variants.ts';

export type { NcfConfig } from './neural-cf-config.ts';
export type { NcfVariant } from './neural-cf/variants.ts';
export type { FoldedUser, FoldInOptions } from './neural-cf/fold-in.ts';

/**
 * A validation split without its copy of the training ratings and times (5 bytes an interaction):
 * the trainers read the interactions alone, and ncf-loo's scoring the candidates.
 */
function withoutColumns(split: LooSplit): LooSplit {
  const data = { ...split.data, trainRatings: new Uint8Array(0), trainTimes: new Uint32Array(0) };
  return { ...split, data };
}

export class NeuralCf implements Recommender {
  readonly model: NcfVariant;
  readonly config: NcfConfig;
  private readonly structure: NcfStructure;
  private tables: Record<string, EmbeddingTable> = {};
  private dense = new DenseParams([], () => new Float32Array(0));
  private userCount = 0;
  private itemCount = 0;
  /** Epoch reports of the last fit. */
  epochLog: EpochReport[] = [];
  /** GMF, MLP and NeuMF train in WebAssembly (or plain JS), two-tower's dense part in tfjs (undefined). */
  engine: NcfEngine | undefined = undefined;
  /** Threads the last fit trained on. */
  threads = 1;

  /** Movies the model scores (its item table's rows). */
  get movieCount(): number {
    return this.itemCount;
  }
  /** GMF and two-tower fold-in: the user side, built on first use after training (see linearSide). */
  private side: LinearSide | null = null;

  constructor(variant: NcfVariant, config: Partial<NcfConfig> = {}, stored = false) {
    this.model = variant;
    this.config = settingsOf(variant, NCF_SETTINGS, config, stored);
    this.structure = NCF_STRUCTURES[variant];
  }

  /** Fresh weights (or the given ones) for this many users and movies. */
  build(userCount: number, itemCount: number, weights?: SavedModel['arrays']): void {
    const { seed } = this.config;
    this.userCount = userCount;
    this.itemCount = itemCount;
    this.side = null;
    this.tables = {};
    for (const t of this.structure.tables)
      this.tables[t.name] = new EmbeddingTable(
        t.by === 'user' ? userCount : itemCount,
        t.dim(this.config),
        {
          seed: seed * 16 + t.seed,
          initStd: 0.01,
          weights: weights?.[t.name] as Float32Array | undefined,
        },
      );
    const rng = new Random(seed, 0x4e4346);
    this.dense = new DenseParams(
      this.structure.shapes(this.config),
      DenseParams.orSaved(weights, (_, r, c) => layerStart(rng, r, c)),
    );
  }

  /** The network as tfjs runs it: for scoring, for two-tower's training, and as the kernels' reference in tests. */
  network(): SparseNetwork {
    return {
      lookups: this.structure.tables.map((t) => ({ table: this.tables[t.name]!, by: t.by })),
      dense: this.dense,
      logits: (rows, dense) => this.structure.logits(rows, dense),
    };
  }

  async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    if (this.model === 'neumf' && this.config.pretrain) {
      await this.pretrain(data, opts);
      await this.train(data, opts, this.config.learningRate * this.config.finetuneScale);
      return;
    }
    this.build(data.userCount, data.itemCount);
    await this.train(data, opts, this.config.learningRate);
  }

  /**
   * He et al.'s pre-training: GMF and MLP are trained alone (with their own
   * validation), and NeuMF starts from their embeddings and tower, its output
   * layer being half of each one's.
   */
  private async pretrain(data: InteractionData, opts: FitOptions): Promise<void> {
    const sub = { ...this.config, pretrain: 0 };
    const parts: Record<string, SavedModel['arrays']> = {};
    for (const variant of ['gmf', 'mlp'] as const) {
      const m = new NeuralCf(variant, sub);
      const label = variant === 'gmf' ? 'GMF' : 'MLP';
      await m.fit(data, {
        signal: opts.signal,
        pool: opts.pool,
        threads: opts.threads,
        onProgress: (p) => opts.onProgress?.({ ...p, stage: `${label} pre-training, ${p.stage}` }),
      });
      parts[variant] = m.save().arrays;
    }
    const w = pretrainedWeights(parts.gmf!, parts.mlp!, this.config.mlpLayers);
    this.build(data.userCount, data.itemCount, w);
  }

  /** Trains the built network, validating after each epoch and keeping the best one. */
  private async train(
    data: InteractionData,
    opts: FitOptions,
    learningRate: number,
  ): Promise<void> {
    const { validate, patience, seed } = this.config;
    const val = validate ? withoutColumns(validationLoo(data, seed)) : null;
    const settings = { ...this.config, learningRate };
    const trainer = this.structure.kernel
      ? this.ncfTrainer(settings)
      : new SparseTrainer(tf, this.network(), settings);
    let best = -Infinity;
    let bestWeights: Float32Array[] | null = null;
    let since = 0;
    this.epochLog = [];
    await trainer.fit(val ? val.data : data, {
      ...opts,
      onEpoch: (r) => {
        let go = true;
        if (val) {
          const m = evaluateSplit(val, (u, items, out) => this.score(u, items, out));
          r.valHr = m.hr;
          r.valNdcg = m.ndcg;
          if (m.ndcg! > best) {
            best = m.ndcg!;
            bestWeights = this.weightArrays().map((w) => w.slice());
            since = 0;
          } else if (++since >= patience) go = false;
        }
        this.epochLog.push(r);
        opts.onEpoch?.(r);
        return go;
      },
    });
    this.engine = trainer instanceof NcfTrainer ? trainer.engine : undefined;
    this.threads = trainer instanceof NcfTrainer ? trainer.threads : 1;
    if (bestWeights) this.weightArrays().forEach((w, j) => w.set(bestWeights![j]!));
  }

  /**
   * The kernels' trainer over this model's arrays (GMF, MLP and NeuMF; two-tower trains in tfjs
   * and has none); `force` 'js' takes the plain-JS step.
   */
  ncfTrainer(settings: TrainSettings, force?: NcfEngine): NcfTrainer {
    const { kernel } = this.structure;
    if (!kernel)
      throw new WrenError('internal', `${this.model} trains in tfjs, not in the NCF kernel.`);
    return new NcfTrainer(kernel(this.config), this.ncfArrays(), this.tableRows(), settings, force);
  }

  /** The tables in lookup order and the dense weights, with their Adam moments. */
  private ncfArrays(): NcfArrays {
    return {
      tables: this.network().lookups.map(({ table: t }) => ({ w: t.weights, m: t.m, v: t.v })),
      dense: { w: this.dense.weights, m: this.dense.m, v: this.dense.v },
    };
  }

  private tableRows(): number[] {
    return this.network().lookups.map(({ table }) => table.rows);
  }

  /** Every trained array, tables then dense weights (views, in a fixed order). */
  private weightArrays(): Float32Array[] {
    return [...Object.values(this.tables).map((t) => t.weights), this.dense.weights];
  }

  /** The epoch whose weights the model kept (the best validation NDCG@10, or the last). */
  bestEpoch(): number {
    return bestEpochOf(this.epochLog);
  }

  /** Scores pairs in chunks; `out[j]` gets the logit of (users[j], items[j]). */
  scorePairs(users: Int32Array, items: Int32Array, out: Float32Array): void {
    const net = this.network();
    const chunk = 8192;
    for (let from = 0; from < users.length; from += chunk) {
      const to = Math.min(users.length, from + chunk);
      const u = users.subarray(from, to);
      const it = items.subarray(from, to);
      tf.tidy(() => {
        const rows = net.lookups.map((l) =>
          tf.tensor2d(l.table.gather(l.by === 'user' ? u : it), [to - from, l.table.dim]),
        );
        out.set(net.logits(rows, denseTensors(this.dense)).dataSync(), from);
      });
    }
  }

  score(user: number, items: Int32Array | null, out: Float32Array): void {
    const list = items ?? Int32Array.from({ length: this.itemCount }, (_, m) => m);
    this.scorePairs(new Int32Array(list.length).fill(user), list, out);
  }

  /**
   * Fold-in (see neural-cf/fold-in.ts): a user for someone the model never
   * saw, from the movies they liked, every trained weight frozen. GMF and
   * two-tower fold in as a small logistic regression in plain JS (a few ms),
   * MLP and NeuMF through tfjs' autodiff (a few hundred ms).
   */
  foldIn(liked: ArrayLike<number>, opts: FoldInOptions = {}): FoldedUser {
    const { ids, labels } = foldInSamples(liked, this.itemCount, opts);
    if (this.structure.side)
      return { kind: 'linear', w: foldInLinear(this.linearSide(), ids, labels, opts) };
    return { kind: 'rows', rows: foldInRows(this.network(), ids, labels, opts) };
  }

  /**
   * The user side of a linear variant, computed once per trained model: it
   * is read on every scoring of a folded-in user (GMF's mean user row alone
   * walks the whole user table).
   */
  private linearSide(): LinearSide {
    this.side ??= this.structure.side!({
      tables: this.tables,
      dense: this.dense,
      config: this.config,
      itemCount: this.itemCount,
    });
    return this.side;
  }

  /** Logits of `items` for a folded-in user. */
  scoreFolded(user: FoldedUser, items: Int32Array, out: Float32Array): void {
    scoreFolded(user, () => this.linearSide(), this.network(), items, out);
  }

  save(): SavedModel {
    const arrays: SavedModel['arrays'] = {};
    for (const [name, t] of Object.entries(this.tables)) arrays[name] = t.weights;
    Object.assign(arrays, this.dense.toArrays());
    return {
      model: this.model,
      config: this.config,
      userCount: this.userCount,
      itemCount: this.itemCount,
      arrays,
    };
  }

  /**
   * Training samples per second of NeuMF steps (batch 256, random rows of a
   * 1,000 × 5,000 table) on the active tfjs backend: the probe that picks a
   * backend. Runs for about `ms` after two warm-up steps.
   */
  static measureSpeed(ms = 1500): number {
    const m = new NeuralCf('neumf');
    m.build(1000, 5000);
    return sparseStepSpeed(m.network(), m.config, 1000, 5000, ms);
  }

  /**
   * The GMF/MLP/NeuMF kernel's speed: one epoch of NeuMF (default shape,
   * 4 negatives per positive) over random interactions of 1,000 users with
   * 60 of 5,000 movies each, on `threads` threads where a pool is given.
   */
  static async measureKernel(
    opts: Pick<FitOptions, 'pool' | 'threads'> = {},
  ): Promise<{ samplesPerSecond: number; engine: NcfEngine; threads: number }> {
    const data = probeInteractions(1000, 60, 5000);
    const m = new NeuralCf('neumf', { epochs: 1, validate: 0 });
    m.build(data.userCount, data.itemCount);
    return kernelSpeed(m.ncfTrainer(m.config), data, opts);
  }

  static load(s: SavedModel): NeuralCf {
    const m = new NeuralCf(s.model as NcfVariant, s.config as NcfConfig, true);
    m.build(s.userCount, s.itemCount, s.arrays);
    return m;
  }
}
