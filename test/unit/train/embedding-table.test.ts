import { describe, expect, it } from 'vitest';
import {
  ADAM_DEFAULTS,
  DenseParams,
  EmbeddingTable,
} from '../../../src/core/train/embedding-table.ts';

/** Dense Adam on one row, written out plainly, as the reference. */
function denseAdamRow(w: number[], grads: number[][], lr: number): number[] {
  const { beta1, beta2, epsilon } = ADAM_DEFAULTS;
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const out = [...w];
  grads.forEach((g, t) => {
    const step = t + 1;
    for (let j = 0; j < w.length; j++) {
      m[j] = beta1 * m[j]! + (1 - beta1) * g[j]!;
      v[j] = beta2 * v[j]! + (1 - beta2) * g[j]! ** 2;
      const mh = m[j]! / (1 - beta1 ** step);
      const vh = v[j]! / (1 - beta2 ** step);
      out[j]! -= (lr * mh) / (Math.sqrt(vh) + epsilon / Math.sqrt(1 - beta2 ** step));
    }
  });
  return out;
}

describe('EmbeddingTable', () => {
  it('gathers rows in the order asked, repeats included', () => {
    const t = new EmbeddingTable(4, 2, {
      weights: Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]),
    });
    expect([...t.gather(Int32Array.from([2, 0, 2]))]).toEqual([20, 21, 0, 1, 20, 21]);
  });

  it('updates only the touched rows, as dense Adam updates a row every step', () => {
    const init = Float32Array.from([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]);
    const t = new EmbeddingTable(3, 2, { weights: init.slice() });
    const s = { ...ADAM_DEFAULTS, learningRate: 0.05 };
    const grads = [
      [0.5, -1],
      [0.2, 0.3],
      [-0.4, 0.1],
    ];
    grads.forEach((g, i) => t.applyAdam(Int32Array.from([1]), Float32Array.from(g), i + 1, s));
    const want = denseAdamRow([0.3, 0.4], grads, 0.05);
    expect(t.weights[2]).toBeCloseTo(want[0]!, 5);
    expect(t.weights[3]).toBeCloseTo(want[1]!, 5);
    // Untouched rows keep their values exactly.
    expect([t.weights[0], t.weights[1], t.weights[4], t.weights[5]]).toEqual([
      init[0],
      init[1],
      init[4],
      init[5],
    ]);
  });

  it('sums the gradients of a row that appears twice in a batch', () => {
    const a = new EmbeddingTable(2, 1, { weights: Float32Array.from([1, 1]) });
    const b = new EmbeddingTable(2, 1, { weights: Float32Array.from([1, 1]) });
    a.applyAdam(Int32Array.from([0, 0]), Float32Array.from([0.3, 0.5]), 1, ADAM_DEFAULTS);
    b.applyAdam(Int32Array.from([0]), Float32Array.from([0.8]), 1, ADAM_DEFAULTS);
    expect(a.weights[0]).toBe(b.weights[0]);
    // Two steps with different totals end apart.
    a.applyAdam(Int32Array.from([0, 0]), Float32Array.from([0.3, 0.5]), 2, ADAM_DEFAULTS);
    b.applyAdam(Int32Array.from([0]), Float32Array.from([0.3]), 2, ADAM_DEFAULTS);
    expect(a.weights[0]).not.toBe(b.weights[0]);
  });

  it('is seeded and rejects weights of the wrong size', () => {
    expect(new EmbeddingTable(5, 3, { seed: 4 }).weights).toEqual(
      new EmbeddingTable(5, 3, { seed: 4 }).weights,
    );
    expect(new EmbeddingTable(5, 3, { seed: 4 }).weights).not.toEqual(
      new EmbeddingTable(5, 3, { seed: 5 }).weights,
    );
    expect(() => new EmbeddingTable(2, 2, { weights: new Float32Array(3) })).toThrow(
      /3 weights for 2 × 2/,
    );
  });
});

describe('DenseParams', () => {
  it('keeps each parameter in its own view and steps them as dense Adam', () => {
    const p = new DenseParams(
      [
        [1, 2],
        [2, 1],
      ],
      (j) => (j === 0 ? Float32Array.from([0.3, 0.4]) : Float32Array.from([1, 2])),
    );
    expect([...p.view(1)]).toEqual([1, 2]);
    const grads = [
      [0.5, -1],
      [0.2, 0.3],
    ];
    grads.forEach((g, i) =>
      p.applyAdam([Float32Array.from(g), Float32Array.from([0, 0])], i + 1, ADAM_DEFAULTS),
    );
    const want = denseAdamRow([0.3, 0.4], grads, ADAM_DEFAULTS.learningRate);
    expect(p.view(0)[0]).toBeCloseTo(want[0]!, 5);
    expect(p.view(0)[1]).toBeCloseTo(want[1]!, 5);
    expect([...p.view(1)]).toEqual([1, 2]);
  });
});
