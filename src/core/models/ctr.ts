/**
 * Click-through-rate models for the sparrow-ctr protocol, over the shared
 * feature columns of ctr-data.ts: logistic regression, a factorization
 * machine (Rendle 2010), Embedding+MLP (SparrowRecSys' EmbeddingMLP),
 * Wide&Deep (Cheng et al. 2016: the linear part beside the MLP) and DeepFM
 * (Guo et al. 2017: FM and the MLP over the same embeddings), DIN (Zhou
 * et al. 2018: Embedding+MLP where the candidate movie attends over the
 * user's last liked movies instead of averaging them) and DIEN (Zhou et al.
 * 2019: those movies read in time order by a GRU, then by an attention-gated
 * GRU). Wide&Deep's linear part also has SparrowRecSys' crossed feature,
 * movie × the last liked movie, hashed into its own table.
 * They share the tables (one per id space: user, movie, genre) and differ
 * only in what they do with the field vectors. Multi-valued fields (genres,
 * last liked movies) average their values' vectors.
 *
 * Each structure is a module of ctr/ over the shared feature columns
 * (ctr/columns.ts) and network layer (ctr/network.ts), picked by its name
 * from ctr/structures.ts; this class trains, saves, loads and scores any of
 * them.
 *
 * Training goes through the sparse path (src/core/train): tables in typed
 * arrays with lazy Adam, tfjs for the batch's gradients.
 */
import { defaultsOf, settingsOf } from './config-check.ts';
import * as tf from '@tensorflow/tfjs';
import { WrenError } from '../errors.ts';
import { Random } from '../random.ts';
import { DenseParams, EmbeddingTable } from '../train/embedding-table.ts';
import { betweenBatches, SparseTrainer, type SparseNetwork } from '../train/sparse-trainer.ts';
import { CTR_SETTINGS, type CtrConfig, type CtrKind } from './ctr-info.ts';
import { ctrValidation, type CtrRows, type CtrData, type CtrServing } from './ctr-data.ts';
import { logloss, rocAuc } from '../eval/metrics.ts';
import type { EpochLogEntry, FitOptions, SavedModel } from './types.ts';
import { CtrColumns, type CtrInputs, type CtrLayout } from './ctr/columns.ts';
import { CtrNetwork, initWeight } from './ctr/network.ts';
import { CTR_STRUCTURES } from './ctr/structures.ts';
import { denseTensors } from './dense-layers.ts';

export type { CtrLayout } from './ctr/columns.ts';
export type { CtrConfig, CtrKind } from './ctr-info.ts';
export { CROSS_BUCKETS, crossBucket } from './ctr/wide-deep.ts';

export const CTR_KINDS = Object.keys(CTR_STRUCTURES) as readonly CtrKind[];

export const CTR_DEFAULTS: CtrConfig = defaultsOf(CTR_SETTINGS);

export class CtrModel {
  readonly kind: CtrKind;
  readonly config: CtrConfig;
  epochLog: EpochLogEntry[] = [];
  /** The structure's network over the split's columns (null before fit or load). */
  private net: CtrNetwork | null = null;
  private tables: EmbeddingTable[] = [];
  private dense = new DenseParams([], () => new Float32Array(0));
  /** The split's standardization and movie-side features (null when the split had none). */
  serving: CtrServing | null = null;
  /** The id fields whose ids training replaces by padding, and how often (set by build). */
  private drops: { field: number; share: number }[] = [];
  /** While fitting: per table, the rows training has not touched (see untouchedRows). */
  private untouched: Map<number, Uint8Array> | null = null;

  constructor(kind: CtrKind, config: Partial<CtrConfig> = {}, stored = false) {
    this.kind = kind;
    this.config = settingsOf(kind, CTR_SETTINGS, config, stored);
  }

  /** The structure's network over `layout`'s columns, its tables and dense weights, freshly seeded. */
  private build(layout: CtrLayout): void {
    const { seed, dim } = this.config;
    const structure = CTR_STRUCTURES[this.kind];
    const own = structure.parts.flatMap((p) => (p.table ? [p.table] : []));
    const columns = new CtrColumns(layout, own, structure.history !== undefined);
    const net = new CtrNetwork(structure, columns, dim);
    this.net = net;
    // Shared tables hold a row per id; a part's own table (Wide&Deep's cross) its own width.
    this.tables = columns.tableNames.map((name, t) =>
      t < columns.shared
        ? new EmbeddingTable(layout.tables[name]!, net.width, { seed: seed * 8 + t, initStd: 0.01 })
        : new EmbeddingTable(own[t - columns.shared]!.rows, own[t - columns.shared]!.dim, {
            seed: seed * 8 + t,
          }),
    );
    this.drops = [
      { field: columns.index('user'), share: this.config.userDropout },
      { field: columns.index('movie'), share: this.config.movieDropout },
    ].filter((d) => d.field >= 0 && d.share > 0);
    const rng = new Random(seed, 0x435452);
    this.dense = new DenseParams(
      net.weights.map((w) => w.shape),
      (j) => initWeight(rng, net.weights[j]!),
    );
  }

  private network(): SparseNetwork {
    const net = this.net!;
    return {
      lookups: this.tables.map((table) => ({ table })),
      dense: this.dense,
      logits: (rows, dense, input) => net.logits(rows, dense, input!),
    };
  }

  /**
   * The inputs of rows `order[from..to)`; with `drop`, training's: the id dropout drawn from it,
   * and the rows looked up marked as touched.
   */
  private batchInputs(
    data: CtrRows,
    order: Int32Array,
    from: number,
    to: number,
    drop?: Random,
  ): CtrInputs {
    const columns = this.net!.columns;
    const inputs = columns.inputs(data, order, from, to);
    const { idx } = inputs;
    const B = to - from;
    if (drop)
      for (const { field, share } of this.drops) {
        const f = columns.fields[field]!;
        const w = columns.perRow[f.table]!;
        const padding = columns.layout.cats[field]!.vocab - 1;
        const out = idx[f.table]!;
        for (let s = 0; s < B; s++) if (drop.next() < share) out[s * w + f.offset] = padding;
      }
    // Training marks the rows it touches; prediction reads untouched rows as the padding row.
    for (const [t, mask] of this.untouched ?? []) {
      const out = idx[t]!;
      if (drop) for (let k = 0; k < out.length; k++) mask[out[k]!] = 0;
      else for (let k = 0; k < out.length; k++) if (mask[out[k]!]) out[k] = mask.length - 1;
    }
    return inputs;
  }

  /**
   * Per table of a field with id dropout, which rows training has not touched yet (1): all of them
   * before the first step. Untouched rows read as the padding row, which the dropout trains as an
   * unknown id (most test users of a time split are new), instead of their random start.
   */
  private untouchedRows(): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>();
    for (const { field } of this.drops) {
      const t = this.net!.columns.fields[field]!.table;
      out.set(t, new Uint8Array(this.tables[t]!.rows).fill(1));
    }
    return out;
  }

  /** Copies each table's padding row into the rows training never touched, then drops the masks. */
  private bakeUntouched(): void {
    for (const [t, mask] of this.untouched ?? []) {
      const { weights, dim, rows } = this.tables[t]!;
      const pad = weights.slice((rows - 1) * dim, rows * dim);
      for (let r = 0; r < rows - 1; r++) if (mask[r]) weights.set(pad, r * dim);
    }
    this.untouched = null;
  }

  /** The model's field layout (null before fit or load). */
  get fieldLayout(): CtrLayout | null {
    return this.net?.columns.layout ?? null;
  }

  async fit(split: CtrData, opts: FitOptions = {}): Promise<void> {
    this.build({ tables: split.tables, cats: split.train.cats, numNames: split.numNames });
    this.serving = split.serving ?? null;
    const trainer = new SparseTrainer(tf, this.network(), {
      ...this.config,
      negatives: 0,
    });
    const { fit: data, valid } = !this.config.validate
      ? { fit: split.train, valid: null }
      : split.valid
        ? { fit: split.train, valid: split.valid }
        : ctrValidation(split.train);
    const byAuc = this.config.validMetric === 1;
    let best = Infinity;
    let bestWeights: Float32Array[] | null = null;
    let since = 0;
    const order = Int32Array.from({ length: data.rows }, (_, i) => i);
    const rng = new Random(this.config.seed, 0x4f5244);
    const drop = new Random(this.config.seed, 0x44524f);
    this.untouched = this.untouchedRows();
    const { epochs, batchSize } = this.config;
    const width = this.net!.columns.inputWidth;
    this.epochLog = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      rng.shuffle(order);
      let sum = 0;
      let batches = 0;
      for (let b = 0; b < data.rows; b += batchSize) {
        const to = Math.min(data.rows, b + batchSize);
        const { idx, nums, labels } = this.batchInputs(data, order, b, to, drop);
        sum += trainer.trainStep(idx, labels, { values: nums, width });
        batches++;
        if (batches % 64 === 0) {
          await betweenBatches(opts, {
            stage: `epoch ${epoch + 1}/${epochs}`,
            done: epoch * data.rows + to,
            total: epochs * data.rows,
            loss: sum / batches,
          });
        }
      }
      const r: EpochLogEntry = {
        epoch: epoch + 1,
        loss: sum / Math.max(1, batches),
        seconds: (performance.now() - t0) / 1000,
        samples: data.rows,
      };
      let stop = false;
      if (valid && valid.rows > 0) {
        const p = this.predict(valid);
        r.valLogloss = logloss(valid.labels, p);
        r.valAuc = rocAuc(valid.labels, p);
        const score = byAuc ? -r.valAuc : r.valLogloss;
        if (score < best) {
          best = score;
          bestWeights = this.weights().map((w) => w.slice());
          since = 0;
        } else stop = ++since >= this.config.patience;
      }
      this.epochLog.push(r);
      opts.onEpoch?.(r);
      if (stop) break;
    }
    if (bestWeights) this.weights().forEach((w, j) => w.set(bestWeights![j]!));
    this.bakeUntouched();
  }

  private weights(): Float32Array[] {
    return [...this.tables.map((t) => t.weights), this.dense.weights];
  }

  /**
   * The learned arrays: one table per id space, then the dense weights; with the split's serving
   * data (`norm:mean`, `norm:sd`, `movie:nums`, `movie:genres`) where it had some. The config
   * carries the field layout (`layout`, JSON), so `CtrModel.load` can rebuild the network.
   */
  save(): SavedModel {
    const arrays: SavedModel['arrays'] = {};
    const tableNames = this.net?.columns.tableNames ?? [];
    tableNames.forEach((name, t) => (arrays[`table:${name}`] = this.tables[t]!.weights));
    arrays.dense = this.dense.weights;
    if (this.serving) {
      arrays['norm:mean'] = this.serving.mean;
      arrays['norm:sd'] = this.serving.sd;
      arrays['movie:nums'] = this.serving.movieNums;
      arrays['movie:genres'] = this.serving.movieGenres;
    }
    return {
      model: this.kind,
      config: { ...this.config, layout: JSON.stringify(this.fieldLayout) },
      userCount: this.tables[tableNames.indexOf('user')]?.rows ?? 0,
      itemCount: this.tables[tableNames.indexOf('movie')]?.rows ?? 0,
      arrays,
    };
  }

  /**
   * A trained model back from `save()`: the same network, weights and serving data, so `predict`
   * gives the same probabilities. Throws WrenError 'invalid-data' on a save it cannot rebuild.
   */
  static load(saved: SavedModel): CtrModel {
    const bad = (why: string): WrenError =>
      new WrenError('invalid-data', `Cannot load this ${saved.model} model: ${why}.`);
    if (!CTR_KINDS.includes(saved.model as CtrKind)) throw bad('not a CTR model');
    const { layout, ...rest } = saved.config;
    if (typeof layout !== 'string') throw bad('no field layout');
    const config: Partial<CtrConfig> = {};
    for (const [k, v] of Object.entries(rest)) if (typeof v === 'number') config[k] = v;
    const m = new CtrModel(saved.model as CtrKind, config, true);
    m.build(JSON.parse(layout) as CtrLayout);
    m.net!.columns.tableNames.forEach((name, t) => {
      const w = saved.arrays[`table:${name}`];
      if (!(w instanceof Float32Array) || w.length !== m.tables[t]!.weights.length)
        throw bad(`table ${name} does not fit`);
      m.tables[t]!.weights.set(w);
    });
    const dense = saved.arrays.dense;
    if (!(dense instanceof Float32Array) || dense.length !== m.dense.weights.length)
      throw bad('the dense weights do not fit');
    m.dense.weights.set(dense);
    const { 'norm:mean': mean, 'norm:sd': sd } = saved.arrays;
    const { 'movie:nums': movieNums, 'movie:genres': movieGenres } = saved.arrays;
    if (
      mean instanceof Float32Array &&
      sd instanceof Float32Array &&
      movieNums instanceof Float32Array &&
      movieGenres instanceof Int32Array
    )
      m.serving = { mean, sd, movieNums, movieGenres };
    return m;
  }

  /** Predicted probabilities of a positive label for every row. */
  predict(data: CtrRows): Float32Array {
    const out = new Float32Array(data.rows);
    const order = Int32Array.from({ length: data.rows }, (_, i) => i);
    const net = this.net!;
    const chunk = 4096;
    for (let b = 0; b < data.rows; b += chunk) {
      const to = Math.min(data.rows, b + chunk);
      const { idx, nums } = this.batchInputs(data, order, b, to);
      tf.tidy(() => {
        const rows = this.tables.map((t, j) =>
          tf.tensor2d(t.gather(idx[j]!), [idx[j]!.length, t.dim]),
        );
        const input = tf.tensor2d(nums, [to - b, net.columns.inputWidth]);
        const logits = net.logits(rows, denseTensors(this.dense), input);
        out.set(tf.sigmoid(logits).dataSync(), b);
      });
    }
    return out;
  }
}
