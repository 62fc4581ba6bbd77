import { describe, expect, it } from 'vitest';
import type { NewUserRow, ProbeReport } from '../../../src/core/recommend/new-user-eval.ts';
import {
  bestPerK,
  curveGeometry,
  curveLabel,
  listWords,
  newUserProgressShare,
  newUserProgressText,
  newUserReading,
  probeGenreRows,
  probeReading,
  probeRows,
  rankersIn,
  readingRow,
  share2,
} from '../../../src/ui/lib/new-user-report.ts';

const m = (recall: number, ndcg: number, miscalibration: number) => ({
  recall,
  ndcg,
  miscalibration,
});

/** The shape of ml-latest-small's run (seed 1, no embedding), rounded. */
const ROWS: NewUserRow[] = [
  {
    k: 1,
    users: 121,
    rankers: {
      popularity: m(0.383, 0.407, 1.73),
      itemknn: m(0.248, 0.268, 1.01),
      ease: m(0.293, 0.317, 1.06),
      pipeline: m(0.374, 0.402, 1.02),
    },
  },
  {
    k: 3,
    users: 120,
    rankers: {
      popularity: m(0.355, 0.378, 1.29),
      itemknn: m(0.271, 0.286, 0.93),
      ease: m(0.307, 0.327, 0.89),
      pipeline: m(0.348, 0.382, 0.81),
    },
  },
  {
    k: 5,
    users: 120,
    rankers: {
      popularity: m(0.341, 0.365, 1.13),
      itemknn: m(0.304, 0.313, 0.78),
      ease: m(0.314, 0.327, 0.76),
      pipeline: m(0.334, 0.352, 0.73),
    },
  },
  {
    k: 10,
    users: 119,
    rankers: {
      popularity: m(0.323, 0.334, 1.04),
      itemknn: m(0.304, 0.314, 0.74),
      ease: m(0.32, 0.343, 0.68),
      pipeline: m(0.314, 0.344, 0.69),
    },
  },
  {
    k: 20,
    users: 94,
    rankers: {
      popularity: m(0.326, 0.337, 0.95),
      itemknn: m(0.351, 0.347, 0.72),
      ease: m(0.362, 0.376, 0.63),
      pipeline: m(0.362, 0.377, 0.62),
    },
  },
];

const BOX = { width: 340, height: 220, left: 46, right: 12, top: 10, bottom: 36 };

describe('curveGeometry', () => {
  it('draws a line per ranker, pipeline first, with a point per k', () => {
    const g = curveGeometry(ROWS, 'ndcg', BOX);
    expect(g.series.map((s) => s.name)).toEqual(['pipeline', 'popularity', 'itemknn', 'ease']);
    for (const s of g.series) {
      expect(s.points.map((p) => p.k)).toEqual([1, 3, 5, 10, 20]);
      expect(s.d.match(/[ML]/g)).toHaveLength(5);
      expect(s.d.startsWith('M')).toBe(true);
    }
    expect(g.xTicks.map((t) => t.k)).toEqual([1, 3, 5, 10, 20]);
  });

  it('puts k on a log scale from the left margin to the right one', () => {
    const g = curveGeometry(ROWS, 'ndcg', BOX);
    const x = Object.fromEntries(g.xTicks.map((t) => [t.k, t.x]));
    expect(x[1]).toBe(BOX.left);
    expect(x[20]).toBe(BOX.width - BOX.right);
    const w = BOX.width - BOX.left - BOX.right;
    expect(x[5]).toBeCloseTo(BOX.left + (Math.log(5) / Math.log(20)) * w, 0);
    // 1 → 3 is wider than 10 → 20 would be on a linear scale's terms.
    expect(x[3]! - x[1]!).toBeGreaterThan(x[20]! - x[10]!);
  });

  it('fits every value inside a nice y range, higher values higher up', () => {
    const g = curveGeometry(ROWS, 'ndcg', BOX);
    expect(g.min).toBeLessThanOrEqual(0.268);
    expect(g.max).toBeGreaterThanOrEqual(0.407);
    expect(g.min).toBeGreaterThan(0);
    const all = g.series.flatMap((s) => s.points);
    for (const p of all) {
      expect(p.y).toBeGreaterThanOrEqual(BOX.top);
      expect(p.y).toBeLessThanOrEqual(BOX.height - BOX.bottom);
    }
    const pop1 = g.series[1]!.points[0]!;
    const knn1 = g.series[2]!.points[0]!;
    expect(pop1.y).toBeLessThan(knn1.y);
    expect(g.yTicks[0]!.y).toBe(BOX.height - BOX.bottom);
    expect(g.yTicks.at(-1)!.y).toBe(BOX.top);
  });

  it('leaves out rows without users, rankers that are absent, and copes with no data', () => {
    const rows: NewUserRow[] = [
      { k: 1, users: 10, rankers: { popularity: m(0.2, 0.3, 1) } },
      { k: 50, users: 0, rankers: { popularity: m(0, 0, 0) } },
    ];
    const g = curveGeometry(rows, 'recall', BOX);
    expect(g.series.map((s) => s.name)).toEqual(['popularity']);
    expect(g.series[0]!.points).toHaveLength(1);
    // One k: in the middle.
    expect(g.series[0]!.points[0]!.x).toBe(BOX.left + (BOX.width - BOX.left - BOX.right) / 2);
    const empty = curveGeometry([], 'ndcg', BOX);
    expect(empty.series).toEqual([]);
    expect(empty.xTicks).toEqual([]);
    expect(empty.yTicks.length).toBeGreaterThan(0);
  });
});

describe('labels, progress, best', () => {
  it('names the metrics', () => {
    expect(curveLabel('ndcg')).toBe('NDCG@10');
    expect(curveLabel('recall')).toBe('Recall@10');
    expect(curveLabel('miscalibration')).toBe('Miscalibration');
  });

  it('lists the rankers in page order', () => {
    expect(rankersIn(ROWS)).toEqual(['pipeline', 'popularity', 'itemknn', 'ease']);
    expect(rankersIn([{ k: 1, users: 1, rankers: { ease: m(0, 0, 0) } }])).toEqual(['ease']);
  });

  it('turns progress into a share and words', () => {
    const p = { label: 'New users: training EASE (λ 400)', step: 2, steps: 11, share: 0.5 };
    expect(newUserProgressShare(p)).toBeCloseTo(2.5 / 11);
    expect(newUserProgressText(p)).toBe('Step 3 of 11: New users: training EASE (λ 400), 50%');
    expect(newUserProgressText({ ...p, share: 0 })).toBe(
      'Step 3 of 11: New users: training EASE (λ 400)…',
    );
    expect(newUserProgressShare({ ...p, step: 10, share: 2 })).toBe(1);
    expect(newUserProgressShare({ ...p, share: NaN })).toBeCloseTo(2 / 11);
  });

  it('finds the best ranker per k: highest recall and NDCG, lowest miscalibration', () => {
    const b = bestPerK(ROWS);
    expect(b['5/recall']).toBe('popularity');
    expect(b['5/ndcg']).toBe('popularity');
    expect(b['5/miscalibration']).toBe('pipeline');
    expect(b['20/ndcg']).toBe('pipeline');
    expect(b['10/miscalibration']).toBe('ease');
    expect(bestPerK([{ k: 1, users: 0, rankers: { ease: m(1, 1, 1) } }])).toEqual({});
  });

  it('formats shares and lists', () => {
    expect(share2(0.3741)).toBe('0.37');
    expect(share2(NaN)).toBe('–');
    expect(listWords([1])).toBe('1');
    expect(listWords([1, 3])).toBe('1 and 3');
    expect(listWords([1, 3, 5])).toBe('1, 3 and 5');
    expect(listWords([])).toBe('');
  });
});

describe('newUserReading', () => {
  it('says what For You finds at k = 5 against the references, and where it leads popularity', () => {
    const [first, second, third] = newUserReading(ROWS);
    expect(first).toBe(
      'With 5 liked movies, For You’s top 10 holds 0.33 of what they liked later (Recall@10); popularity 0.34, ItemKNN 0.30, EASE 0.31.',
    );
    expect(second).toBe(
      'By NDCG@10 it is ahead of popularity at k = 3, 10 and 20 and behind at k = 1 and 5 (120 new users at k = 5: small differences are noise).',
    );
    expect(third).toBe(
      'Its lists match the genres of the revealed movies more closely than popularity’s (miscalibration 0.73 against 1.13 at k = 5; lower is closer).',
    );
  });

  it('says so when For You leads or trails at every k', () => {
    const lead = ROWS.map((r) => ({
      ...r,
      rankers: { ...r.rankers, pipeline: m(0.5, 0.5, 2) },
    }));
    const s = newUserReading(lead);
    expect(s[1]).toMatch(/^By NDCG@10 it ranks them higher than popularity at every k/);
    expect(s[2]).toMatch(/do not match .* as closely as popularity’s/);
    const trail = ROWS.map((r) => ({ ...r, rankers: { ...r.rankers, pipeline: m(0.1, 0.1, 1) } }));
    expect(newUserReading(trail)[1]).toMatch(/popularity ranks them at least as high at every k/);
  });

  it('reads at the nearest measured k, and says when nothing was measured', () => {
    const rows = ROWS.filter((r) => r.k !== 5);
    expect(readingRow(rows)!.k).toBe(3);
    expect(newUserReading(rows)[0]).toMatch(/^With 3 liked movies/);
    expect(newUserReading([{ k: 1, users: 5, rankers: { pipeline: m(0.1, 0.1, 1) } }])).toEqual([
      'With 1 liked movie, For You’s top 10 holds 0.10 of what they liked later (Recall@10).',
    ]);
    expect(newUserReading([])).toEqual(['No new user liked enough movies to measure.']);
  });
});

const genre = (g: string, inGenre: number, rare = 0) => ({ genre: g, inGenre, rare });
const PROBE: ProbeReport = {
  genres: 2,
  rankers: {
    popularity: {
      genres: 2,
      inGenre: 0.05,
      rare: 0,
      perGenre: [genre('Action', 0.1), genre('Comedy', 0)],
    },
    itemknn: {
      genres: 2,
      inGenre: 0.25,
      rare: 0.1,
      perGenre: [genre('Action', 0.3, 0.2), genre('Comedy', 0.2)],
    },
    ease: {
      genres: 2,
      inGenre: 0.2,
      rare: 0,
      perGenre: [genre('Action', 0.2), genre('Comedy', 0.2)],
    },
    pipeline: {
      genres: 2,
      inGenre: 0.65,
      rare: 0,
      perGenre: [genre('Action', 1), genre('Comedy', 0.3)],
    },
  },
};

describe('taste probe', () => {
  it('lists the rankers in page order with their shares', () => {
    expect(probeRows(PROBE)).toEqual([
      { name: 'pipeline', inGenre: 0.65, rare: 0 },
      { name: 'popularity', inGenre: 0.05, rare: 0 },
      { name: 'itemknn', inGenre: 0.25, rare: 0.1 },
      { name: 'ease', inGenre: 0.2, rare: 0 },
    ]);
  });

  it('puts For You beside popularity per genre', () => {
    expect(probeGenreRows(PROBE)).toEqual([
      { genre: 'Action', pipeline: 1, popularity: 0.1 },
      { genre: 'Comedy', pipeline: 0.3, popularity: 0 },
    ]);
    const onlyPipe: ProbeReport = { genres: 2, rankers: { pipeline: PROBE.rankers.pipeline! } };
    expect(probeGenreRows(onlyPipe)[0]).toEqual({ genre: 'Action', pipeline: 1, popularity: null });
  });

  it('says it in plain words', () => {
    expect(probeReading(PROBE)).toBe(
      'Someone who likes the 5 most-rated movies of one genre finds, on average over 2 genres, 65% of For You’s top 10 in that genre; popularity 5%, ItemKNN 25%, EASE 20%. Movies with fewer than 10 ratings: ItemKNN 10% of the top 10, none for the others.',
    );
    const none: ProbeReport = {
      ...PROBE,
      rankers: { ...PROBE.rankers, itemknn: { ...PROBE.rankers.itemknn!, rare: 0 } },
    };
    expect(probeReading(none)).toMatch(
      /EASE 20%\. None of the lists holds a movie with fewer than 10 ratings\.$/,
    );
    expect(probeReading({ genres: 0, rankers: {} })).toBe(
      'No genre has enough movies for the taste probe.',
    );
  });
});
