/**
 * PureSVD (Cremonesi et al., RecSys 2010): a truncated SVD of the binary
 * user × item training matrix R ≈ U Σ Vᵀ; a user's scores are r_u V Vᵀ.
 *
 * The top `factors` right singular vectors come from randomized subspace
 * iteration on RᵀR (Halko, Martinsson & Tropp 2011) with `oversample` extra
 * columns and a Rayleigh–Ritz step, touching R only through sparse products,
 * so memory is O((users + items) · factors).
 */
import { defaultsOf, schemaOf, settingsOf } from './config-check.ts';
import type { InteractionData } from '../eval/protocols.ts';
import type { Sequences } from '../features/sequences.ts';
import { Random } from '../random.ts';
import { distinctHistories } from './item-knn.ts';
import { orthonormalizeColumns, symmetricEigen } from './linalg.ts';
import { HistoryModel } from './history-model.ts';
import { checkAbort, type FitOptions, type SavedModel } from './types.ts';

export interface PureSvdConfig {
  [key: string]: number;
  factors: number;
  iterations: number;
  oversample: number;
  seed: number;
}

export const PURESVD_SETTINGS = schemaOf<PureSvdConfig>({
  factors: {
    default: 20,
    kind: 'whole',
    min: 1,
    doc: 'Singular vectors kept: the rank of the factorization.',
  },
  iterations: {
    default: 12,
    kind: 'whole',
    min: 1,
    doc: 'Power iterations of the randomized SVD (more: closer to the exact top singular vectors).',
  },
  oversample: {
    default: 20,
    kind: 'whole',
    min: 0,
    doc: 'Extra columns carried through the iterations and dropped at the end, for accuracy.',
  },
  seed: { default: 1, kind: 'whole', min: 0, doc: 'Seeds the random starting columns.' },
});

export const PURESVD_DEFAULTS: PureSvdConfig = defaultsOf(PURESVD_SETTINGS);

/** y (users × l) = R q, with q items × l. */
function timesR(h: Sequences, q: Float64Array, l: number, y: Float64Array): void {
  y.fill(0);
  for (let u = 0; u + 1 < h.offsets.length; u++) {
    for (let a = h.offsets[u]!; a < h.offsets[u + 1]!; a++) {
      const m = h.items[a]!;
      for (let c = 0; c < l; c++) y[u * l + c]! += q[m * l + c]!;
    }
  }
}

/** z (items × l) = Rᵀ y, with y users × l. */
function timesRt(h: Sequences, y: Float64Array, l: number, z: Float64Array): void {
  z.fill(0);
  for (let u = 0; u + 1 < h.offsets.length; u++) {
    for (let a = h.offsets[u]!; a < h.offsets[u + 1]!; a++) {
      const m = h.items[a]!;
      for (let c = 0; c < l; c++) z[m * l + c]! += y[u * l + c]!;
    }
  }
}

export class PureSvd extends HistoryModel {
  readonly model = 'puresvd';
  readonly config: PureSvdConfig;
  /** items × factors, the top right singular vectors. */
  private v: Float32Array = new Float32Array(0);
  /** The singular values, descending. */
  private sigma: Float32Array = new Float32Array(0);
  private p: Float32Array = new Float32Array(0);

  constructor(config: Partial<PureSvdConfig> = {}, stored = false) {
    super();
    this.config = settingsOf('PureSVD', PURESVD_SETTINGS, config, stored);
  }

  override async fit(data: InteractionData, opts: FitOptions = {}): Promise<void> {
    const { factors, iterations, oversample, seed } = this.config;
    const n = data.itemCount;
    const h = distinctHistories(data);
    const l = Math.min(factors + oversample, n);
    const f = Math.min(factors, l);
    const rng = new Random(seed, 0x535644);
    const q = new Float64Array(n * l);
    for (let i = 0; i < q.length; i++) q[i] = rng.normal();
    const y = new Float64Array(data.userCount * l);
    orthonormalizeColumns(q, n, l);
    for (let it = 0; it < iterations; it++) {
      checkAbort(opts.signal);
      opts.onProgress?.({ stage: 'subspace iteration', done: it, total: iterations });
      await Promise.resolve();
      timesR(h, q, l, y);
      timesRt(h, y, l, q);
      orthonormalizeColumns(q, n, l);
    }
    // Rayleigh–Ritz: B = (Rq)ᵀ(Rq) = qᵀ RᵀR q, then V = q W.
    timesR(h, q, l, y);
    const b = new Float64Array(l * l);
    for (let u = 0; u < data.userCount; u++)
      for (let r = 0; r < l; r++) {
        const yr = y[u * l + r]!;
        if (yr === 0) continue;
        for (let c = 0; c < l; c++) b[r * l + c]! += yr * y[u * l + c]!;
      }
    const { values, vectors } = symmetricEigen(b, l);
    this.v = new Float32Array(n * f);
    for (let m = 0; m < n; m++)
      for (let c = 0; c < f; c++) {
        let s = 0;
        for (let r = 0; r < l; r++) s += q[m * l + r]! * vectors[r * l + c]!;
        this.v[m * f + c] = s;
      }
    this.sigma = Float32Array.from(values.subarray(0, f), (x) => Math.sqrt(Math.max(0, x)));
    this.history = h;
    this.itemCount = n;
    this.p = new Float32Array(f);
    opts.onProgress?.({ stage: 'subspace iteration', done: iterations, total: iterations });
  }

  /** The singular values found (descending). */
  singularValues(): Float32Array {
    return this.sigma;
  }

  override scoreHistory(
    history: ArrayLike<number>,
    items: Int32Array | null,
    out: Float32Array,
  ): void {
    const f = this.sigma.length;
    const v = this.v;
    const p = this.p;
    p.fill(0);
    for (let a = 0; a < history.length; a++) {
      const m = history[a]!;
      for (let c = 0; c < f; c++) p[c]! += v[m * f + c]!;
    }
    const one = (m: number): number => {
      let s = 0;
      for (let c = 0; c < f; c++) s += v[m * f + c]! * p[c]!;
      return s;
    };
    if (items === null) for (let m = 0; m < this.itemCount; m++) out[m] = one(m);
    else for (let j = 0; j < items.length; j++) out[j] = one(items[j]!);
  }

  protected ownArrays(): SavedModel['arrays'] {
    return { v: this.v, sigma: this.sigma };
  }

  static load(s: SavedModel): PureSvd {
    const m = new PureSvd(s.config as PureSvdConfig, true);
    m.restore(s);
    m.v = s.arrays.v as Float32Array;
    m.sigma = s.arrays.sigma as Float32Array;
    m.p = new Float32Array(m.sigma.length);
    return m;
  }
}
