import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../src/core/models/serialize.ts';
import type { SavedModel } from '../../../src/core/models/types.ts';

const saved: SavedModel = {
  model: 'puresvd',
  config: { factors: 2, seed: 1 },
  userCount: 3,
  itemCount: 5,
  arrays: {
    v: Float32Array.from([0.5, -1.25, 3, 4, 1e-8]),
    // An odd length, so the next array's alignment matters.
    historyOffsets: Int32Array.from([0, 2, 3]),
    historyItems: Int32Array.from([4, 1, 0]),
  },
};

describe('model files', () => {
  it('round-trip arrays, types, config and extra fields exactly', () => {
    const bytes = encodeModel(saved, { protocol: 'ncf-loo', seed: 7 });
    const { saved: back, extra } = decodeModel(bytes);
    expect(back).toEqual(saved);
    expect(back.arrays.v).toBeInstanceOf(Float32Array);
    expect(back.arrays.historyItems).toBeInstanceOf(Int32Array);
    expect(extra).toEqual({ protocol: 'ncf-loo', seed: 7 });
    // Decoding a view inside a larger buffer works too.
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeModel(padded.subarray(3)).saved).toEqual(saved);
  });

  it('rejects other files and cut-short ones with a clear message', () => {
    const bytes = encodeModel(saved);
    expect(() => decodeModel(new TextEncoder().encode('userId,movieId\n'))).toThrow(
      /not a Wren model file \(no WRNM/,
    );
    expect(() => decodeModel(bytes.subarray(0, 20))).toThrow(/header is cut short/);
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 4))).toThrow(
      /array "historyItems" is cut short/,
    );
  });
});
