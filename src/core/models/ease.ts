/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW
 * 2019): a linear item-to-item model B with a zero diagonal, fitted in
 * closed form to the binary user × item matrix X:
 *
 *   P = (XᵀX + λI)⁻¹,   B_ij = −P_ij / P_jj,   B_jj = 0,   scores = x_u B.
 *
 * Two exact ways to compute it, whichever inverts the smaller matrix:
 *
 * - **primal** (fewer items than users): invert the items × items Gram matrix
 *   and keep B (items × items);
 * - **dual** (fewer users than items, e.g. ml-latest-small's 610 users ×
 *   9,724 movies): by the Woodbury identity P = (I − Xᵀ K⁻¹ X) / λ with the
 *   users × users K = XXᵀ + λI, so x B = x − (x − x Xᵀ K⁻¹ X) ⊙ d with
 *   d_j = 1 / (1 − X_jᵀ K⁻¹ X_j); only K⁻¹ and d are kept, and B is never
 *   formed.
 *
 * When both dimensions exceed `maxDim`, only the `maxDim` movies with the
 * most training interactions get a column (primal), so the inversion stays
 * within reach of a browser tab; other movies score below every modelled one.
 *
 * λ (`lambda`) is the one setting; 0 chooses it on a validation split carved
 * from the training data (each user's latest training interaction against 99
 * sampled movies, NDCG@10), doubling or halving from 400 while it improves.
 */
import { defaultsOf, schemaOf, settingsOf } from './config-check.ts';
import { validationLoo, evaluateSplit, type InteractionData } from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import { distinctHistories } from './item-knn.ts';
import { HistoryModel } from './history-model.ts';
import { onSharedMemory } from '../parallel/across.ts';
import { invertSpdInPlace, scaledMirrorAcross } from './linalg.ts';
import { gramUpper } from './gram.ts';
import { checkAbort, type FitOptions, type SavedModel } from './types.ts';

export interface EaseConfig {
  [key: string]: number;
  /** L2 weight λ; 0 = chosen on a validation split. */
  lambda: number;
  /** The largest matrix side inverted. */
  maxDim: number;
  /** Seed of the validation split's sampled negatives. */
  seed: number;
}

export const EASE_SETTINGS = schemaOf<EaseConfig>({
  lambda: {
    default: 0,
    kind: 'number',
    min: 0,
    doc: 'The L2 weight λ on B; 0 chooses it on a validation split carved from the training data.',
  },
  maxDim: {
    default: 4000,
    kind: 'whole',
    min: 2,
    doc: 'The largest matrix side inverted: when both users and movies exceed it, only this many of the most-rated movies get a column.',
  },
  seed: {
    default: 1,
    kind: 'whole',
    min: 0,
    doc: 'Seeds the validation split’s sampled negatives.',
  },
});

export const EASE_DEFAULTS: EaseConfig = defaultsOf(EASE_SETTINGS);

/** Where the validation search for λ starts. */
const LAMBDA_START = 400;
/** The score of a movie without a column: below every modelled movie. */
const UNMODELLED = -1e9;

/** The Gram matrix of one formulation, before λ is added to its diagonal. */
interface Prepared {
  dual: boolean;
  /** The modelled movies (ascending) and each movie's column (−1: none). */
  active: Int32Array;
  col: Int32Array;
  /** Side of the Gram matrix: movies (primal) or users (dual). */
  dim: number;
  /** Its upper triangle (row ≤ column), all the inverse reads; below the diagonal stays 0. */
  gram: Float64Array;
}

async function prepare(
  h: Sequences,
  itemCount: number,
  maxDim: number,
  opts: Pick<FitOptions, 'pool' | 'threads'> = {},
): Promise<Prepared> {
  const users = h.offsets.length - 1;
  const counts = new Int32Array(itemCount);
  for (let i = 0; i < h.items.length; i++) counts[h.items[i]!]!++;
  let modelled = 0;
  for (let m = 0; m < itemCount; m++) if (counts[m]! > 0) modelled++;
  let keep: number[] = [];
  for (let m = 0; m < itemCount; m++) if (counts[m]! > 0) keep.push(m);
  if (Math.min(users, modelled) > maxDim) {
    keep.sort((a, b) => counts[b]! - counts[a]! || a - b);
    keep = keep.slice(0, maxDim).sort((a, b) => a - b);
  }
  const active = Int32Array.from(keep);
  const col = new Int32Array(itemCount).fill(-1);
  active.forEach((m, c) => (col[m] = c));
  const dual = users < active.length;
  const dim = dual ? users : active.length;
  let gram: Float64Array;
  if (dual) {
    gram = new Float64Array(dim * dim);
    const byItem = usersOfItems(h, col, active.length);
    for (let c = 0; c < active.length; c++) {
      const from = byItem.offsets[c]!;
      const to = byItem.offsets[c + 1]!;
      // Users come in ascending order, so b ≥ a is the upper triangle.
      for (let a = from; a < to; a++) {
        const row = byItem.items[a]! * dim;
        for (let b = a; b < to; b++) gram[row + byItem.items[b]!]!++;
      }
    }
  } else {
    // Each user's modelled columns, sorted; then the pairs, split by rows across threads.
    const offsets = new Int32Array(users + 1);
    const cols = new Int32Array(h.items.length);
    let n = 0;
    for (let u = 0; u < users; u++) {
      const start = n;
      for (let a = h.offsets[u]!; a < h.offsets[u + 1]!; a++) {
        const c = col[h.items[a]!]!;
        if (c >= 0) cols[n++] = c;
      }
      cols.subarray(start, n).sort();
      offsets[u + 1] = n;
    }
    gram = await gramUpper({ offsets, cols: cols.subarray(0, n) }, dim, opts.pool, opts.threads);
  }
  return { dual, active, col, dim, gram };
}

/**
 * EASE's weights from the inverse P = (G + λI)⁻¹, given as the upper
 * triangle of −P (row-major n×n): B_ij = −P_ij / P_jj off the diagonal, 0 on
 * it. One pass in 32 × 32 tiles, each upper value written to both places.
 */
export async function easeWeights(
  negatedUpper: Float64Array,
  n: number,
  opts: Pick<FitOptions, 'pool' | 'threads'> = {},
): Promise<Float32Array> {
  // On shared memory where threads can split the pass (the inverse then lies on shared memory too).
  const split = opts.pool && (opts.threads ?? 1) > 1 && onSharedMemory(negatedUpper);
  const b = new Float32Array(split ? new SharedArrayBuffer(n * n * 4) : new ArrayBuffer(n * n * 4));
  // With inv_j = −1 / (−P)_jj: B_ij = −P_ij / P_jj = (−P)_ij · inv_j.
  const inv = new Float64Array(n);
  for (let j = 0; j < n; j++) inv[j] = -1 / negatedUpper[j * n + j]!;
  await scaledMirrorAcross(negatedUpper, b, n, inv, false, opts.pool, opts.threads);
  return b;
}

/** Modelled movie column → the users who have it (CSR). */
function usersOfItems(h: Sequences, col: Int32Array, columns: number): Sequences {
  const offsets = new Int32Array(columns + 1);
  for (let i = 0; i < h.items.length; i++) {
    const c = col[h.items[i]!]!;
    if (c >= 0) offsets[c + 1]!++;
  }
  for (let c = 0; c < columns; c++) offsets[c + 1]! += offsets[c]!;
  const fill = offsets.slice(0, columns);
  const items = new Int32Array(offsets[columns]!);
  for (let u = 0; u + 1 < h.offsets.length; u++)
    for (let a = h.offsets[u]!; a < h.offsets[u + 1]!; a++) {
      const c = col[h.items[a]!]!;
      if (c >= 0) items[fill[c]!++] = u;
    }
  return { offsets, items };
}

export class Ease extends HistoryModel {
  readonly model = 'ease';
  config: EaseConfig;
  /** Which kernel ran the last fit's inverse. */
  engine: 'wasm-simd' | 'js' = 'js';
  private active: Int32Array = new Int32Array(0);
  private col: Int32Array = new Int32Array(0);
  /** Primal: B, modelled × modelled, row i = what history movie i adds to each movie. */
  private b: Float32Array | null = null;
  /** Dual: K⁻¹ (users × users) and d per modelled movie. */
  private kinv: Float32Array | null = null;
  private d: Float32Array = new Float32Array(0);
  private byItem: Sequences = { offsets: new Int32Array(1), items: new Int32Array(0) };
  /** Scratch rows. */
  private w = new Float64Array(0);
  private t = new Float64Array(0);
  private row = new Float64Array(0);
  private inHistory = new Uint8Array(0);

  constructor(config: Partial<EaseConfig> = {}, stored = false) {
    super();
    this.config = settingsOf('EASE', EASE_SETTINGS, config, stored);
  }

  /** Primal (B kept) or dual (K⁻¹ kept), after fit or load. */
  get formulation(): 'primal' | 'dual' {
    return this.kinv ? 'dual' : 'primal';
  }

  /** The movies that have a column. */
  get modelled(): number {
    return this.active.length;
  }

  override async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    const { maxDim, seed } = this.config;
    let lambda = this.config.lambda;
    if (!(lambda > 0)) lambda = await this.chooseLambda(data, opts);
    const h = distinctHistories(data);
    const p = await prepare(h, data.itemCount, maxDim, opts);
    // The Gram matrix is not needed after this solve: it is inverted where it lies.
    await this.solve(p, h, data.itemCount, lambda, opts, 'fitting', true);
    this.config = { lambda, maxDim, seed };
  }

  /**
   * EASE on `data` at each λ asked for, from one Gram matrix: XᵀX is counted
   * once, and each call inverts a copy of it with its λ on the diagonal — a
   * search over λ counts the pairs once rather than once a try. Each model is
   * the one `new Ease({ ...config, lambda }).fit(data)` gives.
   */
  static async atEachLambda(
    data: InteractionData,
    config: Partial<EaseConfig>,
    opts: FitOptions = {},
  ): Promise<(lambda: number, stage?: string) => Promise<Ease>> {
    const h = distinctHistories(data);
    const p = await prepare(h, data.itemCount, config.maxDim ?? EASE_DEFAULTS.maxDim, opts);
    return async (lambda, stage = `fitting at λ ${lambda}`) => {
      const m = new Ease({ ...config, lambda });
      await m.solve(p, h, data.itemCount, lambda, opts, stage);
      return m;
    };
  }

  /** λ by NDCG@10 on a validation split of the training data: doubling or halving from 400. */
  private async chooseLambda(data: InteractionData, opts: FitOptions): Promise<number> {
    const val = validationLoo(data, this.config.seed);
    const fitAt = await Ease.atEachLambda(val.data, this.config, opts);
    const tried = new Map<number, number>();
    const at = async (lambda: number): Promise<number> => {
      if (!tried.has(lambda)) {
        const m = await fitAt(lambda, `choosing λ on validation: ${lambda}`);
        tried.set(lambda, evaluateSplit(val, (u, items, out) => m.score(u, items, out)).ndcg!);
      }
      return tried.get(lambda)!;
    };
    let best = LAMBDA_START;
    const up = await at(best * 2);
    const here = await at(best);
    const down = await at(best / 2);
    const step = up > here && up >= down ? 2 : down > here ? 0.5 : 1;
    if (step !== 1) {
      best *= step;
      while (best * step >= 1 && best * step <= 1e6 && (await at(best * step)) > tried.get(best)!)
        best *= step;
    }
    return best;
  }

  private async solve(
    p: Prepared,
    h: Sequences,
    itemCount: number,
    lambda: number,
    opts: FitOptions,
    stage: string,
    /** Invert the Gram matrix in place (it is not used again) rather than a copy. */
    consume = false,
  ): Promise<void> {
    const { dim, dual } = p;
    // slice() copies memory; Float64Array.from() walked ml-1m's 110 MB one value at a time (0.9 s).
    const a = consume ? p.gram : p.gram.slice();
    for (let i = 0; i < dim; i++) a[i * dim + i]! += lambda;
    opts.onProgress?.({ stage, done: 0, total: dim });
    // Primal: B straight from the inverse's upper triangle, with no full inverse in between.
    let b: Float32Array | null = null;
    const kernel = await invertSpdInPlace(
      a,
      dim,
      async (k) => {
        checkAbort(opts.signal);
        opts.onProgress?.({ stage, done: k, total: dim });
        await new Promise((r) => setTimeout(r, 0));
      },
      {
        pool: opts.pool,
        threads: opts.threads,
        finish: dual
          ? undefined
          : async (upper) => {
              b = await easeWeights(upper, dim, opts);
            },
      },
    );
    this.engine = kernel === 'wasm' ? 'wasm-simd' : 'js';
    checkAbort(opts.signal);
    this.history = h;
    this.itemCount = itemCount;
    this.active = p.active;
    this.col = p.col;
    if (dual) {
      this.kinv = new Float32Array(a);
      this.b = null;
      this.byItem = usersOfItems(h, p.col, p.active.length);
      // d_j = 1 / (1 − X_jᵀ K⁻¹ X_j), in float64 from the unrounded inverse.
      this.d = new Float32Array(p.active.length);
      const { offsets, items } = this.byItem;
      for (let c = 0; c < p.active.length; c++) {
        let q = 0;
        for (let x = offsets[c]!; x < offsets[c + 1]!; x++) {
          const row = items[x]! * dim;
          for (let y = offsets[c]!; y < offsets[c + 1]!; y++) q += a[row + items[y]!]!;
        }
        this.d[c] = 1 / (1 - q);
      }
    } else {
      this.b = b;
      this.kinv = null;
    }
    this.scratch();
    opts.onProgress?.({ stage, done: dim, total: dim });
  }

  private scratch(): void {
    const users = this.history.offsets.length - 1;
    this.w = new Float64Array(this.kinv ? users : 0);
    this.t = new Float64Array(this.kinv ? users : 0);
    this.row = new Float64Array(this.active.length);
    this.inHistory = new Uint8Array(this.active.length);
  }

  override scoreHistory(
    history: ArrayLike<number>,
    items: Int32Array | null,
    out: Float32Array,
  ): void {
    const n = this.active.length;
    const cols: number[] = [];
    for (let a = 0; a < history.length; a++) {
      const c = this.col[history[a]!] ?? -1;
      if (c >= 0 && !this.inHistory[c]) {
        this.inHistory[c] = 1;
        cols.push(c);
      }
    }
    const few = items !== null && items.length * 8 < n;
    const value = this.kinv ? this.dualScorer(cols) : this.primalScorer(cols, n, few);
    const one = (m: number): number => {
      const c = this.col[m] ?? -1;
      return c < 0 ? UNMODELLED : value(c);
    };
    if (items === null) for (let m = 0; m < this.itemCount; m++) out[m] = one(m);
    else for (let j = 0; j < items.length; j++) out[j] = one(items[j]!);
    for (const c of cols) this.inHistory[c] = 0;
  }

  /**
   * Sums the history's rows of B once, so a movie's score is a lookup; for a
   * few candidates (ncf-loo's 100), sums their columns alone.
   */
  private primalScorer(cols: number[], n: number, few: boolean): (c: number) => number {
    const b = this.b!;
    if (few)
      return (c) => {
        let s = 0;
        for (const i of cols) s += b[i * n + c]!;
        return s;
      };
    const row = this.row;
    row.fill(0);
    for (const i of cols) for (let j = 0, o = i * n; j < n; j++) row[j]! += b[o + j]!;
    return (c) => row[c]!;
  }

  /**
   * t = K⁻¹ X x once; a movie's score is x_j − (x_j − Σ_{u has j} t_u) d_j,
   * computed only for the movies asked for.
   */
  private dualScorer(cols: number[]): (c: number) => number {
    const kinv = this.kinv!;
    const { offsets, items } = this.byItem;
    const w = this.w;
    const t = this.t;
    const users = w.length;
    w.fill(0);
    for (const c of cols) for (let x = offsets[c]!; x < offsets[c + 1]!; x++) w[items[x]!]!++;
    // K⁻¹ is symmetric: t = Σ_v w_v · (row v of K⁻¹), over the users who share a movie.
    t.fill(0);
    for (let v = 0; v < users; v++) {
      const wv = w[v]!;
      if (wv === 0) continue;
      for (let u = 0, o = v * users; u < users; u++) t[u]! += wv * kinv[o + u]!;
    }
    return (c) => {
      let r = 0;
      for (let x = offsets[c]!; x < offsets[c + 1]!; x++) r += t[items[x]!]!;
      const xj = this.inHistory[c]!;
      return xj - (xj - r) * this.d[c]!;
    };
  }

  protected ownArrays(): SavedModel['arrays'] {
    return this.kinv
      ? { active: this.active, kinv: this.kinv, d: this.d }
      : { active: this.active, b: this.b! };
  }

  static load(s: SavedModel): Ease {
    const m = new Ease(s.config as EaseConfig, true);
    m.restore(s);
    m.active = s.arrays.active as Int32Array;
    m.col = new Int32Array(s.itemCount).fill(-1);
    m.active.forEach((item, c) => (m.col[item] = c));
    if (s.arrays.kinv) {
      m.kinv = s.arrays.kinv as Float32Array;
      m.d = s.arrays.d as Float32Array;
      m.byItem = usersOfItems(m.history, m.col, m.active.length);
    } else m.b = s.arrays.b as Float32Array;
    m.scratch();
    return m;
  }
}
