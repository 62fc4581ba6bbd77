import { describe, expect, it } from 'vitest';
import { normalizeRows } from '../../../src/core/embeddings/topk.ts';
import type { EmbeddingDataRow } from '../../../src/store/db.ts';
import {
  EmbeddingCache,
  formatScore,
  hasVector,
  loadedEmbedding,
  MIN_SIMILAR_RATINGS,
  similarMovies,
  wellRatedSimilar,
} from '../../../src/ui/lib/similar.ts';
import { rowIndex } from '../../../src/core/recommend/user-state.ts';

/** Movies 10, 11, 12, 14 (13 has no vector) in 2-D, at angles 0°, 10°, 90°, 20°. */
function row(id = 'e1'): EmbeddingDataRow {
  const deg = [0, 10, 90, 20].map((d) => (d * Math.PI) / 180);
  const v = new Float32Array(deg.flatMap((a) => [Math.cos(a) * 3, Math.sin(a) * 3]));
  return {
    id,
    datasetId: 'ds',
    items: new Int32Array([10, 11, 12, 14]),
    vectors: normalizeRows(v, 2),
    map: new Float32Array(8),
    hnsw: null,
  };
}

describe('similar movies', () => {
  it('maps movie indexes to vector rows', () => {
    expect([...rowIndex(new Int32Array([3, 0, 5]))]).toEqual([1, -1, -1, 0, -1, 2]);
    const e = loadedEmbedding(row());
    expect(e.dim).toBe(2);
    expect(hasVector(e, 11)).toBe(true);
    expect(hasVector(e, 13)).toBe(false);
    expect(hasVector(e, 99)).toBe(false);
    expect(hasVector(e, -1)).toBe(false);
  });

  it('ranks by cosine, best first, leaving the movie itself out', () => {
    const e = loadedEmbedding(row());
    const near = similarMovies(e, 10, 12)!;
    expect(near.map((n) => n.index)).toEqual([11, 14, 12]);
    expect(near[0]!.score).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 5);
    expect(near[2]!.score).toBeCloseTo(0, 5);
    expect(similarMovies(e, 12, 1)!.map((n) => n.index)).toEqual([14]);
    expect(similarMovies(e, 13, 5)).toBeNull();
    expect(formatScore(0.8349)).toBe('0.83');
    expect(formatScore(1)).toBe('1.00');
  });

  it('reads an embedding once, shares concurrent reads and forgets failures and deletes', async () => {
    const cache = new EmbeddingCache(2);
    let reads = 0;
    const read = () => {
      reads++;
      return Promise.resolve(row());
    };
    const [a, b] = await Promise.all([cache.get('e1', read), cache.get('e1', read)]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    await cache.get('e1', read);
    expect(reads).toBe(1);
    cache.forget('e1');
    await cache.get('e1', read);
    expect(reads).toBe(2);

    await expect(cache.get('bad', () => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    expect(cache.has('bad')).toBe(false);
    expect(await cache.get('gone', () => Promise.resolve(undefined))).toBeNull();
    expect(cache.has('gone')).toBe(false);
  });

  it('keeps at most max embeddings, dropping the least recently used', async () => {
    const cache = new EmbeddingCache(2);
    const read = (id: string) => () => Promise.resolve(row(id));
    await cache.get('a', read('a'));
    await cache.get('b', read('b'));
    await cache.get('a', read('a')); // a is now the most recent
    await cache.get('c', read('c'));
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
  });
});

/** Movies 0…n-1 in 2-D at 0°, 1°, 2°, …: movie i's nearest are i±1, i±2, … */
function fan(n: number): EmbeddingDataRow {
  const v = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    v[2 * i] = Math.cos((i * Math.PI) / 180);
    v[2 * i + 1] = Math.sin((i * Math.PI) / 180);
  }
  return {
    id: 'fan',
    datasetId: 'ds',
    items: Int32Array.from({ length: n }, (_, i) => i),
    vectors: normalizeRows(v, 2),
    map: new Float32Array(n * 2),
    hnsw: null,
  };
}

/** A movie-row reader over given rating counts, recording what it was asked. */
function reader(count: (i: number) => number) {
  const asked: number[][] = [];
  const rows = (ix: number[]) => {
    asked.push(ix);
    return Promise.resolve(ix.map((index) => ({ index, ratingCount: count(index) })));
  };
  return { rows, asked };
}

describe('well-rated similar movies', () => {
  it('leaves out movies with fewer than 10 ratings and still shows k', async () => {
    expect(MIN_SIMILAR_RATINGS).toBe(10);
    const e = loadedEmbedding(row());
    // 11 is the nearest to 10 but has 9 ratings.
    const { rows } = reader((i) => (i === 11 ? 9 : 10));
    const near = (await wellRatedSimilar(e, 10, 2, rows))!;
    expect(near.map((n) => n.movie.index)).toEqual([14, 12]);
    expect(near[0]!.score).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 5);
    expect(await wellRatedSimilar(e, 13, 2, rows)).toBeNull();
  });

  it('asks for more neighbours when the nearest are all rare, reading each row once', async () => {
    const e = loadedEmbedding(fan(200));
    // Movies 1–20 are rare: the first 9 neighbours of movie 0 are not enough.
    const { rows, asked } = reader((i) => (i >= 1 && i <= 20 ? 3 : 50));
    const near = (await wellRatedSimilar(e, 0, 3, rows))!;
    expect(near.map((n) => n.movie.index)).toEqual([21, 22, 23]);
    expect(asked.length).toBe(2);
    expect(asked[0]).toHaveLength(9);
    const all = asked.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('shows a rare movie its well-rated neighbours, and fewer than k when there are no more', async () => {
    const e = loadedEmbedding(fan(30));
    const { rows } = reader((i) => (i === 0 || i % 2 === 1 ? 2 : 40));
    const near = (await wellRatedSimilar(e, 0, 4, rows))!;
    expect(near.map((n) => n.movie.index)).toEqual([2, 4, 6, 8]);
    const few = (await wellRatedSimilar(e, 0, 40, rows))!;
    expect(few).toHaveLength(14);
    expect(few.every((n) => n.movie.ratingCount >= 10)).toBe(true);
    // Hidden from none: a minimum of 0 keeps every neighbour.
    expect((await wellRatedSimilar(e, 0, 4, rows, 0))!.map((n) => n.movie.index)).toEqual([
      1, 2, 3, 4,
    ]);
  });
});
