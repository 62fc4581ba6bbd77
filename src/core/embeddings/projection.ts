/**
 * 2-D maps of item vectors: principal component analysis (fast, linear),
 * and a measure of how well a map keeps items of one kind together. The
 * sharper neighbour-embedding map is in neighbour-map.ts.
 */
import { Random } from '../random.ts';
import { TopKHeap } from './topk.ts';

export interface PcaResult {
  /** Point i at (coords[2i], coords[2i + 1]). */
  coords: Float32Array;
  /** The two principal axes, `dim` values each, unit length. */
  axes: [Float64Array, Float64Array];
  /** Variance along each axis. */
  variance: [number, number];
  mean: Float64Array;
}

/**
 * Projects the rows of `vectors` onto their top two principal components:
 * centre, form the dim × dim covariance, find its top-2 eigenvectors by
 * subspace (block power) iteration with a final 2 × 2 rotation, project.
 * Each axis's sign is fixed so that its largest entry is positive.
 * Deterministic for a seed. Returns `{coords: Float32Array(2n), …}`.
 */
export function pca2d(vectors: Float32Array, dim: number, opts: { seed?: number } = {}): PcaResult {
  if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0)
    throw new RangeError(`pca2d: ${vectors.length} values do not make rows of ${dim}`);
  const n = vectors.length / dim;
  const mean = new Float64Array(dim);
  for (let o = 0; o < vectors.length; o += dim)
    for (let j = 0; j < dim; j++) mean[j]! += vectors[o + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= Math.max(1, n);
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (let o = 0; o < vectors.length; o += dim) {
    for (let j = 0; j < dim; j++) x[j] = vectors[o + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const xa = x[a]!;
      const row = a * dim;
      for (let b = a; b < dim; b++) cov[row + b]! += xa * x[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const c = cov[a * dim + b]! / Math.max(1, n);
      cov[a * dim + b] = c;
      cov[b * dim + a] = c;
    }
  }
  const [u, v, l1, l2] = topTwoEigen(cov, dim, new Random(opts.seed ?? 1, 13));
  const coords = new Float32Array(2 * n);
  for (let i = 0, o = 0; i < n; i++, o += dim) {
    let p = 0;
    let q = 0;
    for (let j = 0; j < dim; j++) {
      const c = vectors[o + j]! - mean[j]!;
      p += c * u[j]!;
      q += c * v[j]!;
    }
    coords[2 * i] = p;
    coords[2 * i + 1] = q;
  }
  return { coords, axes: [u, v], variance: [l1, l2], mean };
}

/** Top two eigenpairs of a symmetric matrix by block power iteration. */
function topTwoEigen(
  c: Float64Array,
  dim: number,
  rng: Random,
): [Float64Array, Float64Array, number, number] {
  const u = new Float64Array(dim);
  const v = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    u[j] = rng.normal();
    v[j] = rng.normal();
  }
  orthonormalize(u, v);
  const cu = new Float64Array(dim);
  const cv = new Float64Array(dim);
  for (let it = 0; it < 1000; it++) {
    mulInto(c, dim, u, cu);
    mulInto(c, dim, v, cv);
    orthonormalize(cu, cv);
    // Converged when the new basis spans the old one: |proj of u, v onto the new plane|² ≈ 2.
    const span = dot(u, cu) ** 2 + dot(u, cv) ** 2 + dot(v, cu) ** 2 + dot(v, cv) ** 2;
    u.set(cu);
    v.set(cv);
    if (2 - span < 1e-14) break;
  }
  // Rayleigh–Ritz: diagonalise the 2 × 2 matrix H = [u v]ᵀ C [u v].
  mulInto(c, dim, u, cu);
  mulInto(c, dim, v, cv);
  const h11 = dot(u, cu);
  const h12 = dot(u, cv);
  const h22 = dot(v, cv);
  const theta = 0.5 * Math.atan2(2 * h12, h11 - h22);
  const cs = Math.cos(theta);
  const sn = Math.sin(theta);
  const a = new Float64Array(dim);
  const b = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    a[j] = cs * u[j]! + sn * v[j]!;
    b[j] = -sn * u[j]! + cs * v[j]!;
  }
  const l1 = cs * cs * h11 + 2 * cs * sn * h12 + sn * sn * h22;
  const l2 = sn * sn * h11 - 2 * cs * sn * h12 + cs * cs * h22;
  const [first, second, lf, ls] = l1 >= l2 ? [a, b, l1, l2] : [b, a, l2, l1];
  fixSign(first);
  fixSign(second);
  return [first, second, lf, ls];
}

function mulInto(c: Float64Array, dim: number, x: Float64Array, out: Float64Array): void {
  for (let a = 0; a < dim; a++) {
    let s = 0;
    for (let b = 0, row = a * dim; b < dim; b++) s += c[row + b]! * x[b]!;
    out[a] = s;
  }
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j]! * y[j]!;
  return s;
}

/** Gram–Schmidt on two vectors in place (a zero vector is left at zero). */
function orthonormalize(u: Float64Array, v: Float64Array): void {
  const nu = Math.sqrt(dot(u, u));
  for (let j = 0; j < u.length; j++) u[j] = nu > 0 ? u[j]! / nu : 0;
  const p = dot(u, v);
  for (let j = 0; j < v.length; j++) v[j]! -= p * u[j]!;
  const nv = Math.sqrt(dot(v, v));
  for (let j = 0; j < v.length; j++) v[j] = nv > 0 ? v[j]! / nv : 0;
}

/** Flips `x` so that its largest-magnitude entry is positive. */
function fixSign(x: Float64Array): void {
  let m = 0;
  for (let j = 1; j < x.length; j++) if (Math.abs(x[j]!) > Math.abs(x[m]!)) m = j;
  if (x[m]! < 0) for (let j = 0; j < x.length; j++) x[j] = -x[j]!;
}

/**
 * How well a layout keeps kinds together: the share of each point's `k`
 * nearest points (Euclidean, in `coords` of `dim` values a point) that have
 * its label, averaged over points. Points with a negative label are skipped.
 * O(n²·dim): for maps of up to some tens of thousands of points.
 */
export function labelAgreement(
  coords: Float32Array,
  dim: number,
  labels: Int32Array,
  k = 10,
): number {
  const n = coords.length / dim;
  const heap = new TopKHeap(Math.min(k, n - 1));
  const index = new Int32Array(heap.k);
  const score = new Float32Array(heap.k);
  let sum = 0;
  let points = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i]! < 0 || heap.k === 0) continue;
    heap.clear();
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let t = 0; t < dim; t++) d += (coords[i * dim + t]! - coords[j * dim + t]!) ** 2;
      if (-d > heap.threshold) heap.offer(-d, j);
    }
    heap.drain(index, score, 0);
    let same = 0;
    for (let t = 0; t < index.length; t++) if (labels[index[t]!] === labels[i]) same++;
    sum += same / index.length;
    points++;
  }
  return points ? sum / points : 0;
}
