import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../src/core/data/types.ts';
import { neighbourMap2d } from '../../../src/core/embeddings/neighbour-map.ts';
import { labelAgreement, pca2d } from '../../../src/core/embeddings/projection.ts';
import { Random } from '../../../src/core/random.ts';
import { clusteredVectors } from './vectors.ts';

/** n points of an anisotropic Gaussian in `dim`: sd 5 along e1, 2 along e2, 0.5 elsewhere, around `centre`. */
function anisotropic(n: number, dim: number, seed: number) {
  const rng = new Random(seed);
  // Two random orthonormal directions.
  const e1 = Float64Array.from({ length: dim }, () => rng.normal());
  const e2 = Float64Array.from({ length: dim }, () => rng.normal());
  const norm = (x: Float64Array) => {
    const l = Math.hypot(...x);
    x.forEach((v, i) => (x[i] = v / l));
  };
  norm(e1);
  const p = e1.reduce((s, v, i) => s + v * e2[i]!, 0);
  e2.forEach((v, i) => (e2[i] = v - p * e1[i]!));
  norm(e2);
  const centre = Float64Array.from({ length: dim }, (_, i) => i - 3);
  const v = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const a = 5 * rng.normal();
    const b = 2 * rng.normal();
    for (let j = 0; j < dim; j++)
      v[r * dim + j] = centre[j]! + a * e1[j]! + b * e2[j]! + 0.5 * rng.normal();
  }
  return { v, e1, e2, centre };
}

const cos = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('pca2d', () => {
  it('recovers the two dominant axes, their variances and the mean of an anisotropic Gaussian', () => {
    const dim = 10;
    const { v, e1, e2, centre } = anisotropic(20_000, dim, 1);
    const { coords, axes, variance, mean } = pca2d(v, dim, { seed: 3 });
    expect(Math.abs(cos(axes[0], e1))).toBeGreaterThan(0.999);
    expect(Math.abs(cos(axes[1], e2))).toBeGreaterThan(0.995);
    expect(Math.abs(cos(axes[0], axes[1]))).toBeLessThan(1e-9);
    expect(variance[0]).toBeGreaterThan(25 * 0.95);
    expect(variance[0]).toBeLessThan(25.25 * 1.05);
    expect(variance[1]).toBeGreaterThan(4 * 0.95);
    expect(variance[1]).toBeLessThan(4.25 * 1.05);
    for (let j = 0; j < dim; j++) expect(mean[j]).toBeCloseTo(centre[j]!, 1);
    // Coordinates are the centred rows projected on the axes.
    for (const r of [0, 123, 19_999]) {
      let p = 0;
      let q = 0;
      for (let j = 0; j < dim; j++) {
        p += (v[r * dim + j]! - mean[j]!) * axes[0][j]!;
        q += (v[r * dim + j]! - mean[j]!) * axes[1][j]!;
      }
      expect(coords[2 * r]).toBeCloseTo(p, 4);
      expect(coords[2 * r + 1]).toBeCloseTo(q, 4);
    }
  });

  it('gives the same axes, signs included, for any seed', () => {
    const { v } = anisotropic(2000, 6, 2);
    const a = pca2d(v, 6, { seed: 1 });
    const b = pca2d(v, 6, { seed: 99 });
    for (let j = 0; j < 6; j++) {
      expect(b.axes[0][j]).toBeCloseTo(a.axes[0][j]!, 6);
      expect(b.axes[1][j]).toBeCloseTo(a.axes[1][j]!, 6);
    }
    expect(pca2d(v, 6, { seed: 1 }).coords).toEqual(a.coords);
  });

  it('maps identical rows to the origin', () => {
    const r = pca2d(Float32Array.from([1, 2, 1, 2, 1, 2]), 2);
    expect(Array.from(r.coords)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('labelAgreement', () => {
  it('is 1 for separated groups and near chance for random labels', () => {
    const coords = Float32Array.from({ length: 400 }, (_, i) =>
      i % 2 === 0 ? (i < 200 ? 0 : 100) : i / 400,
    );
    const labels = Int32Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
    expect(labelAgreement(coords, 2, labels, 10)).toBe(1);
    const rng = new Random(1);
    const random = Int32Array.from({ length: 200 }, () => rng.int(4));
    expect(labelAgreement(coords, 2, random, 10)).toBeLessThan(0.4);
    // Points without a label are skipped.
    labels.fill(-1, 0, 100);
    expect(labelAgreement(coords, 2, labels, 10)).toBe(1);
  });
});

describe('neighbourMap2d', () => {
  const dim = 32;
  const { vectors, labels } = clusteredVectors(2000, dim, { clusters: 10, spread: 1.2, seed: 5 });

  it('keeps clusters together far better than PCA does', async () => {
    const pca = labelAgreement(pca2d(vectors, dim).coords, 2, labels);
    const map = labelAgreement(await neighbourMap2d(vectors, dim, { seed: 1 }), 2, labels);
    expect(map).toBeGreaterThan(0.9);
    expect(map).toBeGreaterThan(pca + 0.2);
  });

  it('is deterministic for a seed, reports progress and can be cancelled', async () => {
    const small = vectors.subarray(0, 300 * dim);
    const seen: Progress[] = [];
    const a = await neighbourMap2d(small, dim, {
      seed: 2,
      epochs: 30,
      onProgress: (p) => seen.push(p),
    });
    expect(await neighbourMap2d(small, dim, { seed: 2, epochs: 30 })).toEqual(a);
    expect(await neighbourMap2d(small, dim, { seed: 3, epochs: 30 })).not.toEqual(a);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(seen.filter((p) => p.stage === 'map').map((p) => p.done)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(seen.find((p) => p.stage === 'neighbours')?.total).toBe(300);
    const ac = new AbortController();
    const run = neighbourMap2d(small, dim, {
      epochs: 30,
      sliceMs: 0,
      signal: ac.signal,
      onProgress: (p) => p.stage === 'map' && ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('finds neighbours by HNSW above exactKnnRows, with the same quality', async () => {
    const map = await neighbourMap2d(vectors, dim, { seed: 1, exactKnnRows: 0 });
    expect(labelAgreement(map, 2, labels)).toBeGreaterThan(0.9);
  });

  it('uses neighbours it is given', async () => {
    // Neighbours that pair point i with point i ^ 1 only: pairs end up close.
    const n = 200;
    const knn = Int32Array.from({ length: n }, (_, i) => i ^ 1);
    const y = await neighbourMap2d(vectors.subarray(0, n * dim), dim, {
      neighbours: 1,
      knn,
      epochs: 100,
    });
    let pairs = 0;
    let others = 0;
    for (let i = 0; i < n; i += 2) {
      pairs += Math.hypot(y[2 * i]! - y[2 * i + 2]!, y[2 * i + 1]! - y[2 * i + 3]!);
      others += Math.hypot(
        y[2 * i]! - y[(2 * i + 40) % (2 * n)]!,
        y[2 * i + 1]! - y[(2 * i + 41) % (2 * n)]!,
      );
    }
    expect(pairs * 5).toBeLessThan(others);
  });
});
