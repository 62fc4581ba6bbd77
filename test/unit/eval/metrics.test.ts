import { describe, expect, it } from 'vitest';
import {
  accuracy,
  hitNdcgAtRank,
  logloss,
  prAuc,
  prCurve,
  rankOfTarget,
  rocAuc,
  rocCurve,
  topK,
  topKScores,
} from '../../../src/core/eval/metrics.ts';
import { Random } from '../../../src/core/random.ts';

describe('rankOfTarget', () => {
  it('counts strictly higher scores', () => {
    expect(rankOfTarget([0.9, 0.5, 0.7, 0.1], 1)).toBe(2);
    expect(rankOfTarget([0.9, 0.5, 0.7, 0.1], 0)).toBe(0);
  });
  it('puts the target in the middle of its tie group', () => {
    // 100 equal scores: the target lands at rank 49, outside the top 10.
    expect(rankOfTarget(new Float32Array(100).fill(1), 0)).toBe(49);
    expect(rankOfTarget([2, 1, 1, 1], 1)).toBe(2);
  });
  it('ignores NaN candidates and gives a NaN target no rank', () => {
    expect(rankOfTarget([NaN, 0.2, NaN], 1)).toBe(0);
    expect(rankOfTarget([0.1, NaN], 1)).toBe(Infinity);
  });
  it('hit and NDCG at a rank', () => {
    expect(hitNdcgAtRank(0, 10)).toEqual({ hit: 1, ndcg: 1 });
    expect(hitNdcgAtRank(2, 10).ndcg).toBeCloseTo(0.5, 12);
    expect(hitNdcgAtRank(10, 10)).toEqual({ hit: 0, ndcg: 0 });
  });
});

describe('topK', () => {
  it('returns the best indices first, ties to the lower index, skipping NaN', () => {
    expect([...topK([0.1, 0.9, NaN, 0.5, 0.9, -Infinity], 3)]).toEqual([1, 4, 3]);
  });
  it('returns fewer when there are fewer candidates', () => {
    expect([...topK([NaN, 3, 1], 10)]).toEqual([1, 2]);
    expect([...topK([], 5)]).toEqual([]);
  });
  it('agrees with a full sort on random scores', () => {
    const rng = new Random(3);
    const s = Float32Array.from({ length: 1000 }, () => rng.next());
    const sorted = [...s.keys()].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, 25);
    expect([...topK(s, 25)]).toEqual(sorted);
  });
});

describe('topKScores', () => {
  const rel = new Set([1, 4, 9]);
  it('matches hand-computed values', () => {
    const s = topKScores([3, 1, 4], (m) => rel.has(m), 3, 3);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(4);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(s.ndcg).toBeCloseTo(dcg / idcg, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.mrr).toBe(0.5);
    expect(s.hit).toBe(1);
  });
  it('is perfect when the relevant items come first', () => {
    const s = topKScores([9, 4, 1, 0, 2], (m) => rel.has(m), 3, 5);
    expect(s.ndcg).toBeCloseTo(1, 12);
    expect(s.recall).toBe(1);
    expect(s.precision).toBeCloseTo(3 / 5, 12);
  });
  it('is zero with no match and with no relevant items', () => {
    expect(topKScores([0, 2], (m) => rel.has(m), 3, 2)).toEqual({
      recall: 0,
      precision: 0,
      ndcg: 0,
      hit: 0,
      mrr: 0,
    });
    expect(topKScores([1], () => true, 0, 10).ndcg).toBe(0);
  });
  it('caps the ideal DCG at k', () => {
    // 20 relevant, the top 10 all relevant: NDCG 1, recall 0.5.
    const s = topKScores([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], () => true, 20, 10);
    expect(s.ndcg).toBeCloseTo(1, 12);
    expect(s.recall).toBe(0.5);
  });
});

describe('classification metrics', () => {
  const labels = [1, 0, 1, 0];
  const scores = [0.9, 0.8, 0.3, 0.1];
  it('logloss and accuracy by hand', () => {
    expect(logloss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(logloss([1], [0])).toBeCloseTo(-Math.log(1e-7), 6);
    expect(accuracy(labels, scores)).toBe(0.5);
    expect(accuracy([1, 0], [0.5, 0.49])).toBe(1);
    expect(logloss([], [])).toBeNaN();
  });
  it('ROC-AUC by hand, with ties and with one class', () => {
    expect(rocAuc(labels, scores)).toBeCloseTo(0.75, 12);
    expect(rocAuc(labels, [1, 1, 1, 1])).toBeCloseTo(0.5, 12);
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
  });
  it('ROC-AUC equals the pairwise probability on random data', () => {
    const rng = new Random(7);
    const y = Array.from({ length: 300 }, () => (rng.chance(0.3) ? 1 : 0));
    const s = y.map((l) => Math.round((rng.next() + 0.3 * l) * 20) / 20); // many ties
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < y.length; i++)
      for (let j = 0; j < y.length; j++)
        if (y[i] === 1 && y[j] === 0) {
          pairs++;
          wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
    expect(rocAuc(y, s)).toBeCloseTo(wins / pairs, 12);
  });
  it('PR-AUC is average precision (hand-computed, as scikit-learn)', () => {
    expect(prAuc(labels, scores)).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
    expect(prAuc([1, 1, 0], [0.9, 0.8, 0.1])).toBeCloseTo(1, 12);
    // All tied: precision at the only threshold is the positive rate.
    expect(prAuc([1, 0, 0, 0], [1, 1, 1, 1])).toBeCloseTo(0.25, 12);
  });
  it('curves run from the strictest threshold to the loosest and are thinned', () => {
    const roc = rocCurve(labels, scores);
    expect(roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    const pr = prCurve(labels, scores);
    expect(pr.map((p) => p.recall)).toEqual([0.5, 0.5, 1, 1]);
    const rng = new Random(1);
    const y = Array.from({ length: 5000 }, () => (rng.chance(0.5) ? 1 : 0));
    const s = y.map(() => rng.next());
    const thin = rocCurve(y, s, 50);
    expect(thin).toHaveLength(50);
    for (let i = 1; i < thin.length; i++)
      expect(thin[i]!.fpr).toBeGreaterThanOrEqual(thin[i - 1]!.fpr);
    expect(thin.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
  });
});
