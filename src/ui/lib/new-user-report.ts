/**
 * The Pipeline page's new-user reports, pure side: the rankers' names and
 * line styles, the run's progress, the geometry of the curves against k (a
 * log scale: 1, 3, 5, 10, 20), the taste probe's rows, and the plain
 * sentences that say what both show.
 */
import type { NewUserRanker, NewUserRow, ProbeReport } from '../../core/recommend/new-user-eval.ts';
import type { NewUsersProgress } from '../../../workers/evaluate-protocol.ts';
import { niceRange } from './loss-chart.ts';
import type { PlotBox } from './pipeline-report.ts';

/** The rankers in the order the page lists them: For You first, popularity (the floor) second. */
export const NEW_USER_RANKERS: readonly NewUserRanker[] = [
  'pipeline',
  'popularity',
  'itemknn',
  'ease',
];

export interface RankerStyle {
  /** The name in tables and the legend. */
  title: string;
  /** The name in a sentence. */
  short: string;
  /** The name in a narrow table. */
  brief: string;
  /** A CSS colour (the pipeline's is the page's accent). */
  color: string;
  /** stroke-dasharray, '' for a solid line. */
  dash: string;
  width: number;
}

export const RANKER_STYLES: Record<NewUserRanker, RankerStyle> = {
  pipeline: {
    title: 'For You (pipeline)',
    short: 'For You',
    brief: 'For You',
    color: 'var(--accent)',
    dash: '',
    width: 3,
  },
  popularity: {
    title: 'Popularity',
    short: 'popularity',
    brief: 'Popularity',
    color: 'var(--muted)',
    dash: '5 4',
    width: 1.75,
  },
  itemknn: {
    title: 'ItemKNN (cosine)',
    short: 'ItemKNN',
    brief: 'ItemKNN',
    color: '#2a6fa6',
    dash: '',
    width: 1.75,
  },
  ease: {
    title: 'EASE (λ 400)',
    short: 'EASE',
    brief: 'EASE',
    color: '#3d8c40',
    dash: '',
    width: 1.75,
  },
};

export type CurveMetric = 'ndcg' | 'recall' | 'miscalibration';

/** "NDCG@10", "Recall@10", "Miscalibration". */
export function curveLabel(metric: CurveMetric, at = 10): string {
  return metric === 'ndcg' ? `NDCG@${at}` : metric === 'recall' ? `Recall@${at}` : 'Miscalibration';
}

/** The rankers present in a run's rows, in page order. */
export function rankersIn(rows: readonly NewUserRow[]): NewUserRanker[] {
  return NEW_USER_RANKERS.filter((n) => rows.some((r) => r.rankers[n] !== undefined));
}

/**
 * The best ranker of each k and metric, keyed "k/metric": the highest Recall
 * and NDCG, the lowest miscalibration (the first in page order on a tie).
 */
export function bestPerK(rows: readonly NewUserRow[]): Record<string, NewUserRanker> {
  const out: Record<string, NewUserRanker> = {};
  for (const r of rows) {
    if (r.users === 0) continue;
    for (const metric of ['recall', 'ndcg', 'miscalibration'] as const) {
      const sign = metric === 'miscalibration' ? -1 : 1;
      let v = -Infinity;
      for (const n of NEW_USER_RANKERS) {
        const x = r.rankers[n]?.[metric];
        if (x !== undefined && Number.isFinite(x) && sign * x > v) {
          v = sign * x;
          out[`${r.k}/${metric}`] = n;
        }
      }
    }
  }
  return out;
}

/** The run's progress as one share of the whole, 0 … 1. */
export function newUserProgressShare(p: NewUsersProgress): number {
  const within = Number.isFinite(p.share) ? Math.min(1, Math.max(0, p.share)) : 0;
  return Math.min(1, Math.max(0, (p.step + within) / Math.max(1, p.steps)));
}

/** "Step 3 of 11: New users: training EASE (λ 400), 42%" (no percentage while a stage has no measure). */
export function newUserProgressText(p: NewUsersProgress): string {
  const within = p.share > 0 ? `, ${Math.round(100 * Math.min(1, p.share))}%` : '…';
  return `Step ${p.step + 1} of ${p.steps}: ${p.label}${within}`;
}

export interface CurvePoint {
  k: number;
  value: number;
  x: number;
  y: number;
}

export interface CurveSeries {
  name: NewUserRanker;
  /** The `d` of the series' polyline ('' without points). */
  d: string;
  points: CurvePoint[];
}

export interface CurveGeometry {
  series: CurveSeries[];
  /** One tick per k in the rows. */
  xTicks: { k: number; x: number }[];
  yTicks: { value: number; y: number }[];
  /** The y axis range (nice values around the data; it need not start at 0). */
  min: number;
  max: number;
}

const r1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * Lines of one metric against k, one per ranker: x on a log scale of k (so
 * 1, 3 and 5 do not crowd together), y a nice range around every value. Rows
 * where no new user liked more than k movies have no point.
 */
export function curveGeometry(
  rows: readonly NewUserRow[],
  metric: CurveMetric,
  box: PlotBox,
): CurveGeometry {
  const used = rows.filter((r) => r.users > 0 && Number.isFinite(r.k) && r.k > 0);
  const ks = [...new Set(used.map((r) => r.k))].sort((a, b) => a - b);
  const values: number[] = [];
  for (const r of used)
    for (const m of Object.values(r.rankers))
      if (Number.isFinite(m[metric])) values.push(m[metric]);
  const range = values.length
    ? niceRange(Math.min(...values), Math.max(...values), 4)
    : { min: 0, max: 1, ticks: [0, 0.5, 1] };
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const lo = Math.log(ks[0] ?? 1);
  const hi = Math.log(ks.at(-1) ?? 1);
  const x = (k: number): number =>
    r1(box.left + (hi > lo ? ((Math.log(k) - lo) / (hi - lo)) * w : w / 2));
  const y = (v: number): number =>
    r1(box.top + h - ((v - range.min) / (range.max - range.min || 1)) * h);
  const series = rankersIn(used).map((name) => {
    const points: CurvePoint[] = [];
    for (const r of [...used].sort((a, b) => a.k - b.k)) {
      const v = r.rankers[name]?.[metric];
      if (v !== undefined && Number.isFinite(v))
        points.push({ k: r.k, value: v, x: x(r.k), y: y(v) });
    }
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x} ${p.y}`).join('');
    return { name, d, points };
  });
  return {
    series,
    xTicks: ks.map((k) => ({ k, x: x(k) })),
    yTicks: range.ticks.map((value) => ({ value, y: y(value) })),
    min: range.min,
    max: range.max,
  };
}

/** A share with two decimals, as the sentences give it: 0.3741 → "0.37". */
export function share2(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : '–';
}

/** "1", "1 and 3", "1, 3 and 5". */
export function listWords(items: readonly (string | number)[]): string {
  const s = items.map(String);
  if (s.length < 2) return s.join('');
  return `${s.slice(0, -1).join(', ')} and ${s.at(-1)}`;
}

/** The row the sentences are read at: k = `k` if it has users, else the nearest k that has. */
export function readingRow(rows: readonly NewUserRow[], k = 5): NewUserRow | null {
  const used = rows.filter((r) => r.users > 0 && r.rankers.pipeline);
  if (!used.length) return null;
  return used.reduce((best, r) => (Math.abs(r.k - k) < Math.abs(best.k - k) ? r : best));
}

/**
 * new-user-k in plain sentences: what For You's top 10 holds at k = 5 (or
 * the nearest k measured) against the references; at which k it is ahead of
 * popularity by NDCG@10; and how its genres match against popularity's.
 */
export function newUserReading(rows: readonly NewUserRow[], k = 5): string[] {
  const row = readingRow(rows, k);
  const pipe = row?.rankers.pipeline;
  if (!row || !pipe) return ['No new user liked enough movies to measure.'];
  const others = NEW_USER_RANKERS.filter((n) => n !== 'pipeline' && row.rankers[n]).map(
    (n) => `${RANKER_STYLES[n].short} ${share2(row.rankers[n]!.recall)}`,
  );
  const liked = row.k === 1 ? '1 liked movie' : `${row.k} liked movies`;
  const out = [
    `With ${liked}, For You’s top 10 holds ${share2(pipe.recall)} of what they liked later (Recall@10${
      others.length ? `); ${others.join(', ')}` : ')'
    }.`,
  ];
  const vs = rows.filter((r) => r.users > 0 && r.rankers.pipeline && r.rankers.popularity);
  if (vs.length) {
    const ahead = vs.filter((r) => r.rankers.pipeline!.ndcg > r.rankers.popularity!.ndcg);
    const behind = vs.filter((r) => r.rankers.pipeline!.ndcg < r.rankers.popularity!.ndcg);
    const ks = (rs: NewUserRow[]): string => `k = ${listWords(rs.map((r) => r.k))}`;
    let s: string;
    if (!behind.length && ahead.length === vs.length)
      s = 'By NDCG@10 it ranks them higher than popularity at every k';
    else if (!ahead.length) s = 'By NDCG@10 popularity ranks them at least as high at every k';
    else
      s = `By NDCG@10 it is ahead of popularity at ${ks(ahead)}${
        behind.length ? ` and behind at ${ks(behind)}` : ''
      }`;
    out.push(`${s} (${row.users} new users at k = ${row.k}: small differences are noise).`);
    const pop = row.rankers.popularity;
    if (pop) {
      const closer = pipe.miscalibration < pop.miscalibration;
      out.push(
        `Its lists ${closer ? 'match' : 'do not match'} the genres of the revealed movies ${
          closer ? 'more closely than' : 'as closely as'
        } popularity’s (miscalibration ${share2(pipe.miscalibration)} against ${share2(pop.miscalibration)} at k = ${row.k}; lower is closer).`,
      );
    }
  }
  return out;
}

export interface ProbeRow {
  name: NewUserRanker;
  inGenre: number;
  rare: number;
}

/** The taste probe's rankers in page order. */
export function probeRows(probe: ProbeReport): ProbeRow[] {
  return NEW_USER_RANKERS.filter((n) => probe.rankers[n]).map((name) => ({
    name,
    inGenre: probe.rankers[name]!.inGenre,
    rare: probe.rankers[name]!.rare,
  }));
}

/** Per genre: the in-genre share of For You's top 10 and of popularity's (null where one is missing). */
export function probeGenreRows(
  probe: ProbeReport,
): { genre: string; pipeline: number | null; popularity: number | null }[] {
  const pipe = probe.rankers.pipeline?.perGenre ?? [];
  const pop = probe.rankers.popularity?.perGenre ?? [];
  const genres = [...new Set([...pipe, ...pop].map((g) => g.genre))];
  return genres.map((genre) => ({
    genre,
    pipeline: pipe.find((g) => g.genre === genre)?.inGenre ?? null,
    popularity: pop.find((g) => g.genre === genre)?.inGenre ?? null,
  }));
}

/** A share as a whole percent: 0.661 → "66%". */
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');

/** The taste probe in one or two plain sentences. */
export function probeReading(probe: ProbeReport): string {
  const rows = probeRows(probe);
  const pipe = rows.find((r) => r.name === 'pipeline');
  if (!pipe || probe.genres === 0) return 'No genre has enough movies for the taste probe.';
  const others = rows
    .filter((r) => r.name !== 'pipeline')
    .map((r) => `${RANKER_STYLES[r.name].short} ${pct(r.inGenre)}`);
  const genres = probe.genres === 1 ? '1 genre' : `${probe.genres} genres`;
  const first = `Someone who likes the 5 most-rated movies of one genre finds, on average over ${genres}, ${pct(pipe.inGenre)} of For You’s top 10 in that genre${
    others.length ? `; ${others.join(', ')}` : ''
  }.`;
  const rare = rows.filter((r) => r.rare > 0);
  const second = rare.length
    ? ` Movies with fewer than 10 ratings: ${rare.map((r) => `${RANKER_STYLES[r.name].short} ${pct(r.rare)}`).join(', ')} of the top 10${rare.length < rows.length ? ', none for the others' : ''}.`
    : ' None of the lists holds a movie with fewer than 10 ratings.';
  return first + second;
}
