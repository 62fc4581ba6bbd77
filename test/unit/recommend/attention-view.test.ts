/**
 * The Models page's attention view: a SASRec's top pick leaves out movies the
 * person has and rare movies (unless nothing else is left); each block's
 * rows are the movies the model read, newest first, with the weights as the
 * model gave them; GRU4Rec has no attention and says so; a real stored
 * SASRec (random weights, loaded as a stored model is) gives one row per
 * movie read, min(history, maxLen), each block summing to 1.
 */
import { describe, expect, it } from 'vitest';
import {
  attentionRows,
  attentionView,
  strongest,
  topPick,
  type AttentionCatalog,
  type AttentionModel,
} from '../../../src/core/recommend/attention-view.ts';
import { denseShapes, SASREC_DEFAULTS } from '../../../src/core/models/sequential-config.ts';
import { SequentialModel } from '../../../src/core/models/sequential.ts';
import { Random } from '../../../src/core/random.ts';
import type { SavedModel } from '../../../src/core/models/types.ts';

const TITLES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

function catalog(counts: number[]): AttentionCatalog {
  return { titles: TITLES.slice(0, counts.length), ratingCount: Int32Array.from(counts) };
}

/** A stand-in model: fixed scores, and attention over the latest `maxLen` movies. */
function fake(
  kind: 'sasrec' | 'gru4rec',
  scores: number[],
  weights: number[][],
  maxLen = 3,
): AttentionModel & { calls: number } {
  const m = {
    model: kind,
    movieCount: scores.length,
    calls: 0,
    scoreHistory(_h: ArrayLike<number>, _items: Int32Array | null, out: Float32Array) {
      m.calls++;
      out.set(scores);
    },
    attention(history: ArrayLike<number>) {
      if (kind !== 'sasrec') throw new Error('gru4rec has no attention');
      const all = Array.from(history);
      return { items: all.slice(-maxLen), weights: weights.map((w) => Float32Array.from(w)) };
    },
  };
  return m as AttentionModel & { calls: number };
}

describe('topPick', () => {
  it('takes the best-scored movie the person does not have, with enough ratings', () => {
    const scores = [9, 8, 7, 6, 5];
    const counts = [50, 50, 3, 40, 50];
    // 0 and 1 are in the history; 2 scores next best but has 3 ratings: 3 is the pick.
    expect(topPick(scores, [1, 0], catalog(counts))).toEqual({
      movie: 3,
      title: 'D',
      score: 6,
      rare: false,
    });
    // With no floor, the rare movie wins.
    expect(topPick(scores, [1, 0], catalog(counts), 0)?.movie).toBe(2);
  });

  it('falls back to a rare movie only when every other unseen movie is missing', () => {
    const scores = [1, 4, 3];
    expect(topPick(scores, [0], catalog([20, 2, 5]))).toEqual({
      movie: 1,
      title: 'B',
      score: 4,
      rare: true,
    });
    expect(topPick(scores, [0, 1, 2], catalog([20, 20, 20]))).toBeNull();
  });
});

describe('attentionRows and strongest', () => {
  it('lists the movies read newest first, each with its own weight', () => {
    const rows = attentionRows([4, 2, 7], [0.1, 0.6, 0.3], TITLES);
    expect(rows.map((r) => r.movie)).toEqual([7, 2, 4]);
    expect(rows.map((r) => r.title)).toEqual(['H', 'C', 'E']);
    expect(rows.map((r) => r.weight)).toEqual([0.3, 0.6, 0.1]);
    expect(strongest(rows)?.movie).toBe(2);
    // A tie goes to the newer movie (listed first).
    expect(strongest(attentionRows([1, 2], [0.5, 0.5], TITLES))?.movie).toBe(2);
    expect(strongest([])).toBeUndefined();
  });
});

describe('attentionView', () => {
  it('gives the top pick and one row list per block, newest first, for SASRec', () => {
    const w1 = [0.2, 0.3, 0.5];
    const w2 = [0.7, 0.2, 0.1];
    const model = fake('sasrec', [0, 9, 1, 2, 3, 8, 4, 5], [w1, w2]);
    const v = attentionView(model, [5, 0, 3, 6], catalog([30, 30, 30, 30, 30, 30, 30, 2]));
    expect(v.kind).toBe('attention');
    if (v.kind !== 'attention') return;
    expect(v.history).toBe(4);
    expect(v.read).toBe(3);
    // 1 scores 9 and is unseen; 5 (8) is in the history.
    expect(v.top).toEqual({ movie: 1, title: 'B', score: 9, rare: false });
    expect(v.blocks).toHaveLength(2);
    expect(v.blocks[0]!.map((r) => r.movie)).toEqual([6, 3, 0]);
    expect(v.blocks[0]!.map((r) => r.weight)).toEqual([0.5, 0.3, 0.2].map(Math.fround));
    expect(v.blocks[1]!.map((r) => r.weight)).toEqual([0.1, 0.2, 0.7].map(Math.fround));
    expect(strongest(v.blocks[1]!)?.title).toBe('A');
  });

  it('says GRU4Rec has no attention, without scoring, and an empty history has nothing to read', () => {
    const gru = fake('gru4rec', [1, 2, 3], []);
    expect(attentionView(gru, [0, 1], catalog([20, 20, 20]))).toEqual({
      kind: 'no-attention',
      model: 'gru4rec',
    });
    expect(gru.calls).toBe(0);
    const sas = fake('sasrec', [1, 2, 3], [[1]]);
    expect(attentionView(sas, [], catalog([20, 20, 20]))).toEqual({
      kind: 'no-history',
      model: 'sasrec',
    });
  });

  it('reads a stored SASRec: min(history, maxLen) rows per block, each block summing to 1', () => {
    const items = 12;
    const config = { ...SASREC_DEFAULTS, dim: 8, maxLen: 5, blocks: 2 };
    const rng = new Random(3);
    const r = (n: number): Float32Array =>
      Float32Array.from({ length: n }, () => rng.normal() * 0.4);
    const arrays: SavedModel['arrays'] = {
      items: r((items + 1) * config.dim).fill(0, items * config.dim),
      historyOffsets: Int32Array.from([0, 3, 10]),
      historyItems: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    };
    denseShapes('sasrec', config).forEach(({ name, shape: [a, b] }, j) => {
      arrays[`dense${j}`] = /^ln.*g/.test(name) ? new Float32Array(b).fill(1) : r(a * b);
    });
    const model = SequentialModel.load({
      model: 'sasrec',
      config,
      userCount: 2,
      itemCount: items,
      arrays,
    });
    const cat = catalog(Array.from({ length: items }, () => 50));
    cat.titles = Array.from({ length: items }, (_, m) => `Movie ${m}`);
    for (const [user, n] of [
      [0, 3],
      [1, 5],
    ] as const) {
      const history = model.historyOf(user);
      const v = attentionView(model, history, cat);
      if (v.kind !== 'attention') throw new Error(v.kind);
      expect(v.read).toBe(n);
      expect(v.blocks).toHaveLength(2);
      for (const rows of v.blocks) {
        expect(rows).toHaveLength(n);
        expect(rows[0]!.movie).toBe(history.at(-1));
        expect(rows.reduce((s, x) => s + x.weight, 0)).toBeCloseTo(1, 5);
      }
      expect(v.top).not.toBeNull();
      expect(Array.from(history)).not.toContain(v.top!.movie);
      // The pick is the best-scored unseen movie.
      const scores = new Float32Array(items);
      model.scoreHistory(history, null, scores);
      const unseen = Array.from(scores.keys()).filter((m) => !Array.from(history).includes(m));
      expect(Math.max(...unseen.map((m) => scores[m]!))).toBe(v.top!.score);
    }
    const gru = new SequentialModel('gru4rec');
    expect(attentionView(gru, [1, 2], cat).kind).toBe('no-attention');
  });
});
