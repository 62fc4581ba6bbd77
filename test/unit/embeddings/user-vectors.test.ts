import { describe, expect, it } from 'vitest';
import { userVectors } from '../../../src/core/embeddings/user-vectors.ts';

// Three movies with 2-d vectors: movie 0 → (1, 0), movie 1 → (0, 1), movie 2 has none.
const items = new Float32Array([1, 0, 0, 1]);
const rowOf = new Int32Array([0, 1, -1]);
// User 0 liked 0 then 1; user 1 liked only the vectorless movie; user 2 liked 1, 1, 0.
const seqs = { offsets: new Int32Array([0, 2, 3, 6]), items: new Int32Array([0, 1, 2, 1, 1, 0]) };

describe('userVectors', () => {
  it('is the mean of the liked movies’ vectors (SparrowRecSys), unnormalised on request', () => {
    const u = userVectors(seqs, items, 2, rowOf, { normalize: false });
    expect(Array.from(u.vectors.subarray(0, 2))).toEqual([0.5, 0.5]);
    expect(u.vectors[4]).toBeCloseTo(1 / 3, 6);
    expect(u.vectors[5]).toBeCloseTo(2 / 3, 6);
  });

  it('marks users without any vectorised movie and leaves them at zero', () => {
    const u = userVectors(seqs, items, 2, rowOf);
    expect(Array.from(u.known)).toEqual([1, 0, 1]);
    expect(Array.from(u.vectors.subarray(2, 4))).toEqual([0, 0]);
  });

  it('normalises to unit length by default', () => {
    const u = userVectors(seqs, items, 2, rowOf);
    for (const user of [0, 2]) {
      const x = u.vectors[user * 2]!;
      const y = u.vectors[user * 2 + 1]!;
      expect(Math.hypot(x, y)).toBeCloseTo(1, 6);
    }
  });

  it('weights recent positives more with a half-life: weights 2^-age', () => {
    const u = userVectors(seqs, items, 2, rowOf, { halfLife: 1, normalize: false });
    // User 0: movie 0 has age 1 (weight 0.5), movie 1 age 0 (weight 1).
    expect(u.vectors[0]).toBeCloseTo(0.5 / 1.5, 6);
    expect(u.vectors[1]).toBeCloseTo(1 / 1.5, 6);
    // User 2: 1 (age 2, 0.25), 1 (age 1, 0.5), 0 (age 0, 1).
    expect(u.vectors[4]).toBeCloseTo(1 / 1.75, 6);
    expect(u.vectors[5]).toBeCloseTo(0.75 / 1.75, 6);
    expect(() => userVectors(seqs, items, 2, rowOf, { halfLife: 0 })).toThrow(/halfLife/);
  });
});
