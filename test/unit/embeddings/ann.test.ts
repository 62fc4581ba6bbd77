import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annRecall,
  buildHnsw,
  exactTopK,
  exactTopKBatch,
  gatherRows,
  hnswSearch,
  normalizeRows,
} from '../../../src/core/embeddings/ann.ts';
import { Random } from '../../../src/core/random.ts';
import { clusteredVectors } from './vectors.ts';

/** The reference: score every allowed row, sort by score (high first) then row, take k. */
function bruteForce(
  v: Float32Array,
  dim: number,
  q: Float32Array,
  k: number,
  excluded: (r: number) => boolean,
): { index: number[]; score: number[] } {
  const rows: [number, number][] = [];
  for (let r = 0; r < v.length / dim; r++) {
    if (excluded(r)) continue;
    let s = 0;
    for (let j = 0; j < dim; j++) s += v[r * dim + j]! * q[j]!;
    rows.push([s, r]);
  }
  rows.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const top = rows.slice(0, Math.max(0, k));
  return { index: top.map((x) => x[1]), score: top.map((x) => Math.fround(x[0])) };
}

/** Rows of small integers (ties are common) or of floats. */
const matrix = fc.integer({ min: 1, max: 6 }).chain((dim) =>
  fc.record({
    dim: fc.constant(dim),
    rows: fc.array(
      fc.array(
        fc.oneof(fc.integer({ min: -2, max: 2 }), fc.float({ min: -1, max: 1, noNaN: true })),
        {
          minLength: dim,
          maxLength: dim,
        },
      ),
      { maxLength: 40 },
    ),
    query: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: dim, maxLength: dim }),
    k: fc.integer({ min: 0, max: 50 }),
    mask: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  }),
);

describe('normalizeRows and gatherRows', () => {
  it('scales rows to unit length, leaves zero rows at zero, and copies', () => {
    const v = Float32Array.from([3, 4, 0, 0, -1, 0]);
    const u = normalizeRows(v, 2);
    expect(Array.from(u)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, -1, 0]);
    expect(v[0]).toBe(3);
    expect(Array.from(gatherRows(u, 2, [2, 0]))).toEqual([-1, 0, u[0], u[1]]);
    expect(() => normalizeRows(v, 4)).toThrow(/rows of 4/);
  });
});

describe('exactTopK', () => {
  it('equals a brute-force sort, with exclusions (mask or function) and k beyond the candidates', () => {
    fc.assert(
      fc.property(matrix, ({ dim, rows, query, k, mask }) => {
        const v = Float32Array.from(rows.flat());
        const q = Float32Array.from(query);
        const m = Uint8Array.from(mask.slice(0, rows.length), (b) => (b ? 1 : 0));
        const want = bruteForce(v, dim, q, k, (r) => m[r] === 1);
        for (const exclude of [m, (r: number) => m[r] === 1]) {
          const got = exactTopK(v, dim, q, k, exclude);
          expect(Array.from(got.index)).toEqual(want.index);
          expect(Array.from(got.score)).toEqual(want.score);
        }
        const all = exactTopK(v, dim, q, k);
        expect(Array.from(all.index)).toEqual(bruteForce(v, dim, q, k, () => false).index);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the earlier row among equal scores', () => {
    const v = Float32Array.from([1, 0, 0, 1, 1, 0, 1, 0]);
    expect(Array.from(exactTopK(v, 2, Float32Array.from([1, 0]), 2).index)).toEqual([0, 2]);
  });
});

describe('exactTopKBatch', () => {
  it('gives each query what exactTopK gives it, with a shared mask and per-query exclusions', () => {
    const rng = new Random(4);
    const dim = 7;
    const n = 301; // odd: the last row has no partner in the two-row kernel
    const v = normalizeRows(
      Float32Array.from({ length: n * dim }, () => rng.normal()),
      dim,
    );
    const nq = 11; // not a multiple of four
    const queries = normalizeRows(
      Float32Array.from({ length: nq * dim }, () => rng.normal()),
      dim,
    );
    const mask = Uint8Array.from({ length: n }, () => (rng.chance(0.1) ? 1 : 0));
    const lists = Array.from({ length: nq }, () =>
      Array.from({ length: rng.int(30) }, () => rng.int(n)),
    );
    const offsets = new Int32Array(nq + 1);
    lists.forEach((l, i) => (offsets[i + 1] = offsets[i]! + l.length));
    const perQuery = { offsets, items: Int32Array.from(lists.flat()) };
    const k = 25;
    const got = exactTopKBatch(v, dim, queries, k, { mask, perQuery });
    expect(got.k).toBe(k);
    for (let i = 0; i < nq; i++) {
      const own = new Set(lists[i]);
      const want = exactTopK(
        v,
        dim,
        queries.subarray(i * dim, (i + 1) * dim),
        k,
        (r) => mask[r] === 1 || own.has(r),
      );
      expect(Array.from(got.index.subarray(i * k, (i + 1) * k))).toEqual(Array.from(want.index));
      expect(Array.from(got.score.subarray(i * k, (i + 1) * k))).toEqual(Array.from(want.score));
    }
  });

  it('pads with -1 and -Infinity when fewer rows than k are candidates', () => {
    const v = Float32Array.from([1, 0, 0, 1, -1, 0]);
    const r = exactTopKBatch(v, 2, Float32Array.from([1, 0, 0, 1]), 4, {
      mask: Uint8Array.from([0, 0, 1]),
    });
    expect(Array.from(r.index)).toEqual([0, 1, -1, -1, 1, 0, -1, -1]);
    expect(Array.from(r.score)).toEqual([1, 0, -Infinity, -Infinity, 1, 0, -Infinity, -Infinity]);
    expect(exactTopKBatch(v, 2, new Float32Array(0), 3).index.length).toBe(0);
  });
});

describe('HNSW', () => {
  const dim = 32;
  const { vectors } = clusteredVectors(5000, dim, { clusters: 50, seed: 7 });

  it('reaches recall@10 ≥ 0.95 against the exact search on clustered vectors', async () => {
    const index = await buildHnsw(vectors, dim, { M: 16, efConstruction: 100, seed: 1 });
    const report = annRecall(vectors, dim, index, { queries: 300, k: 10, ef: 64, seed: 2 });
    expect(report.queries).toBe(300);
    expect(report.recall).toBeGreaterThanOrEqual(0.95);
    expect(report.annQueryMs).toBeGreaterThan(0);
    // Fresh queries (not rows of the index) too.
    const rng = new Random(3);
    const fresh = normalizeRows(
      Float32Array.from({ length: 100 * dim }, () => rng.normal()),
      dim,
    );
    expect(
      annRecall(vectors, dim, index, { queries: fresh, ef: 64 }).recall,
    ).toBeGreaterThanOrEqual(0.95);
    // A tiny candidate list misses more: the measure is not blind.
    expect(annRecall(vectors, dim, index, { queries: 300, ef: 1, k: 10 }).recall).toBeLessThan(
      report.recall,
    );
  });

  it('is plain data: a structured clone searches the same, and the build is deterministic', async () => {
    const small = vectors.subarray(0, 800 * dim);
    const a = await buildHnsw(small, dim, { M: 8, efConstruction: 40, seed: 3 });
    const b = await buildHnsw(small, dim, { M: 8, efConstruction: 40, seed: 3 });
    expect(b.links0).toEqual(a.links0);
    expect(b.linksUpper).toEqual(a.linksUpper);
    const copy = structuredClone(a);
    expect(copy.links0).toBeInstanceOf(Int32Array);
    for (let i = 0; i < 20; i++) {
      const q = small.subarray(i * dim, (i + 1) * dim);
      expect(hnswSearch(copy, q, 10, 32)).toEqual(hnswSearch(a, q, 10, 32));
    }
    // Every node links to itself never, and layer-0 lists respect the 2M bound.
    for (let i = 0; i < a.count; i++) {
      const at = i * (2 * a.M + 1);
      const n = a.links0[at]!;
      expect(n).toBeLessThanOrEqual(2 * a.M);
      expect(Array.from(a.links0.subarray(at + 1, at + 1 + n))).not.toContain(i);
    }
  });

  it('never returns excluded rows, and returns at most the rows there are', async () => {
    const small = vectors.subarray(0, 500 * dim);
    const index = await buildHnsw(small, dim, { M: 8, seed: 1 });
    const q = small.subarray(0, dim);
    const banned = new Uint8Array(500);
    const exact = exactTopK(small, dim, q, 20);
    for (const r of exact.index.subarray(0, 10)) banned[r] = 1;
    const got = hnswSearch(index, q, 10, 100, banned);
    for (const r of got.index) expect(banned[r]).toBe(0);
    expect(Array.from(got.index)).toEqual(Array.from(exact.index.subarray(10, 20)));
    expect(hnswSearch(index, q, 9999, 10).index.length).toBe(500);
    const empty = await buildHnsw(new Float32Array(0), dim);
    expect(hnswSearch(empty, q, 5).index.length).toBe(0);
    const one = await buildHnsw(small.subarray(0, dim), dim);
    expect(Array.from(hnswSearch(one, q, 5).index)).toEqual([0]);
  });

  it('rejects bad settings and can be cancelled', async () => {
    await expect(buildHnsw(vectors, 31)).rejects.toThrow(/rows of 31/);
    await expect(buildHnsw(vectors, dim, { M: 1 })).rejects.toThrow(/M must/);
    const ac = new AbortController();
    ac.abort();
    await expect(buildHnsw(vectors, dim, { signal: ac.signal, sliceMs: 0 })).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
