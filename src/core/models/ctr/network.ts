/**
 * The network layer every CTR structure is built over. A structure says what
 * a table row holds, how the history of liked movies becomes one vector, and
 * which parts sum to the logit; this module turns the looked-up rows into
 * field vectors (multi-valued fields average their values' vectors), reads
 * the history as the structure asks, runs the parts in order and adds their
 * terms. The parts that several structures share live here: the linear
 * (wide) part and the MLP (deep) part.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../../random.ts';
import { layerStart } from '../../train/embedding-table.ts';
import { CTR_NETWORK } from '../ctr-info.ts';
import { denseTower, towerShapes } from '../dense-layers.ts';
import type { CtrColumns, CtrOwnTable } from './columns.ts';

/**
 * What a table row holds: the id's linear weight alone (logistic regression), the weight then
 * `dim` factors (the structures with a linear part beside their factors), or the factors alone.
 */
export type CtrRow = 'weight' | 'weight+factors' | 'factors';

/** The sizes a structure's dense weights depend on. */
export interface CtrSizes {
  /** Categorical fields. */
  fields: number;
  /** Numeric features. */
  numeric: number;
  /** Factors per id (the config's `dim`). */
  dim: number;
}

/**
 * A dense weight: its shape, and a factor on its Glorot-uniform start. A weight of one row is a
 * bias and starts at 0.
 */
export interface CtrWeight {
  shape: [number, number];
  scale?: number;
}

/** One batch as the parts read it. */
export interface CtrBatch {
  B: number;
  row: CtrRow;
  /** Per field: its rows averaged over the field's width, [B, row width]. */
  vecs: tf.Tensor2D[];
  /** Per field: the factors of `vecs`, [B, dim], the history read as the structure asks; none where rows hold no factors. */
  factors: tf.Tensor2D[];
  /** The numeric features, [B, numeric]. */
  numeric: tf.Tensor2D;
}

/** A part of a network: its dense weights and the terms it adds to the logit. */
export interface CtrPart {
  weights(s: CtrSizes): CtrWeight[];
  /** A table of the part's own, after the shared ones. */
  table?: CtrOwnTable;
  /**
   * Its terms of the logit ([B, 1], or [1, 1] for a bias), from the batch, its own dense weights
   * (in the order `weights` gives them) and, where it has a table, that table's rows [B, dim].
   */
  terms(x: CtrBatch, w: tf.Tensor[], own?: tf.Tensor2D): tf.Tensor[];
}

/**
 * How the history becomes one vector when its order matters: from its vectors `seq` [B, W, d]
 * (the most recent first), the candidate movie's [B, d], the mask [B, W] (0 on padding) and the
 * pooling's own dense weights, to [B, d].
 */
export interface CtrHistory {
  weights(dim: number): CtrWeight[];
  pool(seq: tf.Tensor3D, candidate: tf.Tensor2D, mask: tf.Tensor2D, w: tf.Tensor[]): tf.Tensor2D;
}

/** A CTR structure over the shared columns. */
export interface CtrStructure {
  row: CtrRow;
  /** Where absent, the history is averaged as the other multi-valued fields are. */
  history?: CtrHistory;
  /** The parts whose terms add up to the logit, in order. */
  parts: readonly CtrPart[];
}

/** The width of a table row for `dim` factors. */
export function rowWidth(row: CtrRow, dim: number): number {
  return row === 'weight' ? 1 : (row === 'weight+factors' ? 1 : 0) + dim;
}

/** A dense weight's start: a bias 0, any other weight Glorot-uniform (scaled where asked). */
export function initWeight(rng: Random, { shape: [r, c], scale }: CtrWeight): Float32Array {
  const w = layerStart(rng, r, c);
  return scale === undefined || r === 1 ? w : w.map((x) => x * scale);
}

/** The linear (wide) part: every id's weight, a weight per numeric feature, a bias. */
export const linearPart: CtrPart = {
  weights: ({ numeric: D }) => [{ shape: [D, 1] }, { shape: [1, 1] }],
  terms: (x, w) => [
    tf.addN(x.vecs.map((v) => (x.row === 'weight' ? v : tf.slice(v, [0, 0], [x.B, 1])))),
    tf.matMul(x.numeric, w[0] as tf.Tensor2D),
    w[1]!,
  ],
};

/** The MLP (deep) part: every field's factors and the numeric features through ReLU layers to one unit. */
export const mlpPart: CtrPart = {
  weights: ({ fields, numeric, dim }) => {
    const sizes = [fields * dim + numeric, ...CTR_NETWORK.hidden, 1];
    return towerShapes(sizes).map((shape) => ({ shape }));
  },
  terms: (x, w) => [denseTower(tf.concat([...x.factors, x.numeric], 1), w, true)],
};

/** A structure's network over the columns of one layout. */
export class CtrNetwork {
  readonly structure: CtrStructure;
  readonly columns: CtrColumns;
  /** Table row width. */
  readonly width: number;
  /** Every dense weight: the history's, then each part's in turn. */
  readonly weights: CtrWeight[];
  /** How many of them the history and each part take. */
  private readonly counts: number[];

  constructor(structure: CtrStructure, columns: CtrColumns, dim: number) {
    this.structure = structure;
    this.columns = columns;
    this.width = rowWidth(structure.row, dim);
    const sizes = { fields: columns.fields.length, numeric: columns.numCount, dim };
    const blocks = [
      structure.history?.weights(dim) ?? [],
      ...structure.parts.map((p) => p.weights(sizes)),
    ];
    this.weights = blocks.flat();
    this.counts = blocks.map((b) => b.length);
  }

  /** The logits of a batch, from each table's rows, the dense weights and the numeric inputs. */
  logits(rows: tf.Tensor2D[], dense: tf.Tensor[], input: tf.Tensor2D): tf.Tensor1D {
    const { fields, numCount: D, shared } = this.columns;
    const { row, history, parts } = this.structure;
    const d = this.width;
    const B = input.shape[0];
    const numeric = history ? (tf.slice(input, [0, 0], [B, D]) as tf.Tensor2D) : input;
    // Per field: [B, width, d] → mean over the width → [B, d].
    const vecs = fields.map((f) => {
      const perRow = rows[f.table]!.shape[0] / B;
      const block = rows[f.table]!.reshape([B, perRow, d]);
      return tf.mean(tf.slice(block, [0, f.offset, 0], [B, f.width, d]), 1) as tf.Tensor2D;
    });
    const off = row === 'weight+factors' ? 1 : 0;
    const factors = row === 'weight' ? [] : vecs.map((v) => tf.slice(v, [0, off], [B, d - off]));
    let from = 0;
    const take = (n: number): tf.Tensor[] => dense.slice(from, (from += n));
    const own = take(this.counts[0]!);
    if (history) {
      // The history's vectors in order, read against the candidate.
      const { movie, history: h } = this.columns;
      const f = fields[h]!;
      const W = f.width;
      const perRow = rows[f.table]!.shape[0] / B;
      const seq = tf.slice(
        rows[f.table]!.reshape([B, perRow, d]),
        [0, f.offset, 0],
        [B, W, d],
      ) as tf.Tensor3D;
      const mask = tf.slice(input, [0, D], [B, W]);
      factors[h] = history.pool(seq, factors[movie]!, mask, own);
    }
    const x: CtrBatch = { B, row, vecs, factors, numeric };
    let table = shared;
    const terms = parts.flatMap((p, k) =>
      p.terms(x, take(this.counts[k + 1]!), p.table ? rows[table++] : undefined),
    );
    return terms.reduce((a, b) => tf.add(a, b)).reshape([-1]) as tf.Tensor1D;
  }
}
