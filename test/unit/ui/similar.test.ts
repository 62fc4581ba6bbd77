import { describe, expect, it } from 'vitest';
import { normalizeRows } from '../../../src/core/embeddings/topk.ts';
import type { EmbeddingDataRow } from '../../../src/store/db.ts';
import {
  EmbeddingCache,
  formatScore,
  hasVector,
  loadedEmbedding,
  similarMovies,
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
