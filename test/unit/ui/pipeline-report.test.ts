import { describe, expect, it } from 'vitest';
import type { AbTestResult, SettlePoint } from '../../../src/core/recommend/abtest.ts';
import type { ReplayResult, ReplayRow } from '../../../src/core/recommend/replay.ts';
import {
  abReading,
  barMax,
  bestRow,
  defaultUserCap,
  interval,
  meanCi,
  metricLabel,
  pct,
  progressShare,
  progressText,
  pValue,
  replayReading,
  rowTitle,
  sameOnReplay,
  settleGeometry,
  signed,
  tickLabel,
} from '../../../src/ui/lib/pipeline-report.ts';

const row = (
  kind: ReplayRow['kind'],
  name: string,
  hit: number,
  ndcg: number,
  recall = hit,
): ReplayRow => ({
  kind,
  name,
  metrics: { hit, ndcg, recall, recalled: hit },
  listLength: 100,
  ...(kind === 'pipeline' && { modelShare: 0.99 }),
});

const loo = (rows: ReplayRow[]): ReplayResult => ({
  protocol: 'ncf-loo',
  seed: 1,
  threads: 1,
  k: 10,
  users: 610,
  rows,
});

const titles = { fusion: 'Channel fusion', itemknn: 'ItemKNN (cosine)' };

describe('metric names and rows', () => {
  it('names metrics by protocol', () => {
    expect(metricLabel('hit', 'ncf-loo', 10)).toBe('HR@10');
    expect(metricLabel('hit', 'full-rank', 20)).toBe('Hit@20');
    expect(metricLabel('recall', 'full-rank', 20)).toBe('Recall@20');
    expect(metricLabel('ndcg', 'ncf-loo', 10)).toBe('NDCG@10');
  });

  it('titles channels and pipelines', () => {
    expect(rowTitle(row('channel', 'because', 0.2, 0.1), titles)).toBe('Because you liked');
    expect(rowTitle(row('pipeline', 'itemknn', 0.3, 0.2), titles)).toBe(
      'Pipeline: ItemKNN (cosine)',
    );
  });

  it('picks the best row of a kind, NDCG breaking ties', () => {
    const rows = [
      row('channel', 'genre', 0.1, 0.1),
      row('channel', 'because', 0.2, 0.1),
      row('pipeline', 'fusion', 0.37, 0.28),
      row('pipeline', 'itemknn', 0.37, 0.31),
    ];
    expect(bestRow(rows, 'channel', 'hit')?.name).toBe('because');
    expect(bestRow(rows, 'pipeline', 'hit')?.name).toBe('itemknn');
    expect(bestRow([], 'channel', 'hit')).toBeNull();
  });
});

describe('numbers', () => {
  it('formats shares, differences, p-values and intervals', () => {
    expect(pct(0.372)).toBe('37%');
    expect(pct(NaN)).toBe('–');
    expect(signed(0.0194)).toBe('+0.019');
    expect(signed(-0.0252)).toBe('−0.025');
    expect(signed(-0.0001)).toBe('0.000');
    expect(pValue(0.0043)).toBe('0.004');
    expect(pValue(1e-6)).toBe('< 0.001');
    expect(interval(-0.1, 0.05, true)).toBe('[−0.100, +0.050]');
    expect(interval(-Infinity, Infinity)).toBe('–');
    expect(meanCi({ n: 288, mean: 0.3854, lo: 0.3291, hi: 0.4417 })).toBe('0.385 [0.329, 0.442]');
    expect(meanCi({ n: 1, mean: 1, lo: -Infinity, hi: Infinity })).toBe('1.000 –');
    expect(tickLabel(-0.1)).toBe('−0.1');
    expect(tickLabel(0.2, true)).toBe('+0.2');
    expect(tickLabel(2.78e-17, true)).toBe('0');
  });

  it('caps the users only on big datasets', () => {
    expect(defaultUserCap(610)).toBeNull();
    expect(defaultUserCap(943)).toBeNull();
    expect(defaultUserCap(6040)).toBe(2000);
  });

  it('ends a bar axis on a round value, at most 1', () => {
    expect(barMax([0.372, 0.218])).toBeCloseTo(0.4);
    expect(barMax([0.95])).toBe(1);
    expect(barMax([0, NaN])).toBe(1);
  });
});

describe('readings', () => {
  it('compares the pipeline with the best single channel', () => {
    const r = loo([
      row('channel', 'because', 0.218, 0.198),
      row('channel', 'popular', 0.111, 0.101),
      row('pipeline', 'fusion', 0.31, 0.25),
      row('pipeline', 'itemknn', 0.372, 0.313),
    ]);
    expect(replayReading(r, titles)).toBe(
      'The full pipeline ranked by ItemKNN (cosine) finds the held-out movie in its top 10 for 37% of users; the best single channel (Because you liked), 22%.',
    );
  });

  it('says where the rankers differ when they find the same share', () => {
    const text = replayReading(
      loo([
        row('channel', 'because', 0.218, 0.198),
        row('pipeline', 'fusion', 0.372, 0.284),
        row('pipeline', 'itemknn', 0.372, 0.313),
      ]),
      titles,
    );
    expect(text).toMatch(/^The full pipeline, whichever ranker orders it, finds .* 37% of users;/);
    expect(text).toContain('NDCG@10 0.313 (ItemKNN (cosine)) against 0.284 (Channel fusion).');
  });

  it('reads full-rank by recall', () => {
    const r: ReplayResult = {
      protocol: 'full-rank',
      seed: 1,
      threads: 1,
      k: 20,
      users: 609,
      rows: [
        row('channel', 'popular', 0.53, 0.116, 0.126),
        row('pipeline', 'itemknn', 0.741, 0.216, 0.248),
      ],
    };
    expect(replayReading(r, titles)).toBe(
      'The full pipeline ranked by ItemKNN (cosine) finds 25% of a user’s held-out movies in its top 20 on average; the best single channel (Popular), 13%.',
    );
    expect(replayReading({ ...r, users: 0 }, titles)).toBe('No held-out users were replayed.');
  });

  const ab = (diffP: number, prefP: number, winsA: number, winsB: number): AbTestResult => ({
    experiment: 'x',
    k: 10,
    users: 610,
    primary: 'hit',
    ab: [
      {
        metric: 'hit',
        a: { n: 288, mean: 0.385, lo: 0.33, hi: 0.44 },
        b: { n: 322, mean: 0.36, lo: 0.31, hi: 0.41 },
        diff: { value: -0.025, lo: -0.1, hi: 0.05, p: diffP },
        settling: [],
        usersToSignificance: null,
      },
    ],
    interleaving: {
      users: 610,
      winsA,
      winsB,
      ties: 610 - winsA - winsB,
      preference: { value: (winsB - winsA) / (winsA + winsB || 1), lo: 0, hi: 0, p: prefP },
      settling: [],
      usersToSignificance: prefP < 0.05 ? 300 : null,
    },
  });
  const names = { a: 'Channel fusion', b: 'ItemKNN' };

  it('reads the A/B split and the interleaving', () => {
    expect(abReading(ab(0.522, 0.0043, 92, 135), 'ncf-loo', names)).toBe(
      'The A/B split cannot tell them apart on HR@10 (B − A −0.025, p 0.522); interleaving prefers ItemKNN for 59% of the users with a preference (p 0.004), settled after 300 of 610 users.',
    );
    expect(abReading(ab(0.01, 0.3, 60, 50), 'ncf-loo', names)).toBe(
      'The A/B split finds Channel fusion better on HR@10 (B − A −0.025, p 0.010); interleaving leans to Channel fusion (55% of the users with a preference) but not significantly (p 0.300).',
    );
    expect(abReading(ab(0.03, 0.26, 60, 50), 'ncf-loo', names, true)).toMatch(
      /p 0\.030\);.* Replayed on every user, both pipelines score the same HR@10: the split’s difference on it comes from which users landed in which arm, not from the rankers\.$/,
    );
    expect(abReading(ab(1, 1, 0, 0), 'ncf-loo', names)).toMatch(
      /interleaving found no user who preferred either\.$/,
    );
  });
});

describe('same on replay', () => {
  it('tells when the arms can differ only by chance', () => {
    const r = loo([
      row('channel', 'because', 0.218, 0.198),
      row('pipeline', 'fusion', 0.372, 0.284),
      row('pipeline', 'itemknn', 0.372, 0.313),
      row('pipeline', 'puresvd', 0.36, 0.32),
    ]);
    expect(sameOnReplay(r, 'fusion', 'itemknn')).toBe(true);
    expect(sameOnReplay(r, 'fusion', 'puresvd')).toBe(false);
    expect(sameOnReplay(r, 'puresvd', 'puresvd')).toBe(true);
    expect(sameOnReplay(r, 'fusion', 'gmf')).toBe(false);
  });
});

describe('progress', () => {
  const p = { stage: 'embedding' as const, label: 'Training item2vec', step: 2, steps: 6 };
  it('spreads the run over its steps', () => {
    expect(progressShare({ ...p, done: 0, total: 0 })).toBeCloseTo(2 / 6);
    expect(progressShare({ ...p, done: 50, total: 100 })).toBeCloseTo(2.5 / 6);
    expect(progressShare({ ...p, step: 5, done: 200, total: 100 })).toBe(1);
  });
  it('says the step and its share', () => {
    expect(progressText({ ...p, done: 42, total: 100 })).toBe(
      'Step 3 of 6: Training item2vec, 42%',
    );
    expect(progressText({ ...p, done: 0, total: 0 })).toBe('Step 3 of 6: Training item2vec…');
  });
});

describe('settling plot', () => {
  const box = { width: 360, height: 220, left: 46, right: 10, top: 10, bottom: 34 };
  const series: SettlePoint[] = Array.from({ length: 61 }, (_, i) => {
    const users = Math.min(610, (i + 1) * 10);
    const half = 1.5 / Math.sqrt(users);
    return { users, value: 0.2, lo: 0.2 - half, hi: 0.2 + half };
  });

  it('spans the users from the left edge to the right, one point per step', () => {
    const g = settleGeometry(series, box, { limit: [-1, 1], significantAt: 300 });
    const inner = box.width - box.left - box.right;
    expect(g.points).toHaveLength(61);
    expect(g.points.at(-1)!.x).toBeCloseTo(box.width - box.right);
    expect(g.points[0]!.x).toBeCloseTo(box.left + (10 / 610) * inner);
    expect(g.line.match(/[ML]/g)).toHaveLength(61);
    expect(g.band.startsWith('M') && g.band.endsWith('Z')).toBe(true);
    expect(g.significantX).toBeCloseTo(box.left + (300 / 610) * inner);
    expect(g.xTicks.at(-1)!.value).toBeLessThanOrEqual(610);
  });

  it('keeps zero and every estimate in range, ignores the earliest wide intervals, clips the band', () => {
    const g = settleGeometry(series, box, { limit: [-1, 1] });
    const bottom = box.height - box.bottom;
    expect(g.zeroY).toBeGreaterThanOrEqual(box.top);
    expect(g.zeroY).toBeLessThanOrEqual(bottom);
    const values = g.yTicks.map((t) => t.value);
    // The first point's interval (±0.47) would stretch the axis past −0.2; from 61 users on it is within ±0.2.
    expect(Math.min(...values)).toBeGreaterThan(-0.3);
    expect(Math.max(...values)).toBeLessThanOrEqual(0.5);
    const ys = g.band
      .match(/-?\d+(\.\d+)? (-?\d+(\.\d+)?)/g)!
      .map((pair) => Number(pair.split(' ')[1]));
    for (const y of ys) {
      expect(y).toBeGreaterThanOrEqual(box.top - 1e-9);
      expect(y).toBeLessThanOrEqual(bottom + 1e-9);
    }
  });

  it('draws nothing without points', () => {
    const g = settleGeometry([], box);
    expect(g.line).toBe('');
    expect(g.band).toBe('');
    expect(g.significantX).toBeNull();
  });
});
