/**
 * The Pipeline page's pure side: metric names per protocol, the best channel
 * and pipeline of a replay, the plain-language readings under the tables,
 * number formats, run progress, and the geometry of the settling plots.
 */
import type { AbMetric, AbTestResult, MeanCi, SettlePoint } from '../../core/recommend/abtest.ts';
import { CHANNEL_TITLES, type ChannelName } from '../../core/recommend/channels.ts';
import type { ProtocolName } from '../../core/eval/protocols.ts';
import type { ReplayResult, ReplayRow } from '../../core/recommend/replay.ts';
import type { EvalProtocol, EvaluateProgress } from '../../../workers/evaluate-protocol.ts';
import { niceRange, niceTicks } from './loss-chart.ts';

/** The metric a protocol is read by: the hit rate (ncf-loo) or recall (full-rank). */
export function primaryMetric(protocol: ProtocolName): AbMetric {
  return protocol === 'ncf-loo' ? 'hit' : 'recall';
}

/** "HR@10", "Hit@20", "NDCG@10", "Recall@20", "Recalled". */
export function metricLabel(metric: AbMetric, protocol: ProtocolName, k: number): string {
  switch (metric) {
    case 'hit':
      return `${protocol === 'ncf-loo' ? 'HR' : 'Hit'}@${k}`;
    case 'ndcg':
      return `NDCG@${k}`;
    case 'recall':
      return `Recall@${k}`;
    case 'recalled':
      return 'Recalled';
  }
}

/** A ranker's display name, from the run's titles (A and B) or the name itself. */
export type Titles = Record<string, string>;

/** A replay row's name on the page: a channel's title, or "Pipeline: <ranker>". */
export function rowTitle(row: ReplayRow, titles: Titles): string {
  if (row.kind === 'channel') return CHANNEL_TITLES[row.name as ChannelName] ?? row.name;
  return `Pipeline: ${titles[row.name] ?? row.name}`;
}

/** The best row of a kind by `metric` (NDCG breaks ties, then the first); null when there is none. */
export function bestRow(
  rows: readonly ReplayRow[],
  kind: ReplayRow['kind'],
  metric: AbMetric,
): ReplayRow | null {
  let best: ReplayRow | null = null;
  for (const r of rows) {
    if (r.kind !== kind) continue;
    if (
      !best ||
      r.metrics[metric] > best.metrics[metric] ||
      (r.metrics[metric] === best.metrics[metric] && r.metrics.ndcg > best.metrics.ndcg)
    )
      best = r;
  }
  return best;
}

/** A share as a whole percent: 0.372 → "37%". */
export function pct(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–';
}

/** A metric with three decimals: 0.37213 → "0.372". */
export function num(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '–';
}

/** A difference with its sign: "+0.019", "−0.025" (a true minus sign). */
export function signed(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const s = Math.abs(x).toFixed(3);
  return x > 0 ? `+${s}` : x < 0 && s !== '0.000' ? `−${s}` : s;
}

/** A p-value: "0.004", "< 0.001". */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** A 95% interval "[0.329, 0.442]" (signed for differences); "–" when it is unbounded. */
export function interval(lo: number, hi: number, isDifference = false): string {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return '–';
  const f = isDifference ? signed : num;
  return `[${f(lo)}, ${f(hi)}]`;
}

/** A variant's mean with its interval: "0.385 [0.329, 0.442]". */
export function meanCi(m: MeanCi): string {
  return m.n === 0 ? '–' : `${num(m.mean)} ${interval(m.lo, m.hi)}`;
}

/**
 * The replay in one plain sentence: what the pipeline finds against the best
 * single channel; when both pipelines find the same share (ncf-loo: a
 * recalled held-out movie nearly always makes the top 10), a second sentence
 * says where they differ (NDCG).
 */
export function replayReading(r: ReplayResult, titles: Titles): string {
  const metric = primaryMetric(r.protocol);
  const pipe = bestRow(r.rows, 'pipeline', metric);
  const channel = bestRow(r.rows, 'channel', metric);
  if (!pipe || r.users === 0) return 'No held-out users were replayed.';
  const pipelines = r.rows.filter((x) => x.kind === 'pipeline');
  const tie =
    pipelines.length > 1 && pipelines.every((x) => x.metrics[metric] === pipe.metrics[metric]);
  const who = tie ? 'The full pipeline' : `The full pipeline ranked by ${titles[pipe.name]}`;
  const what =
    r.protocol === 'ncf-loo'
      ? `finds the held-out movie in its top ${r.k} for ${pct(pipe.metrics.hit)} of users`
      : `finds ${pct(pipe.metrics.recall)} of a user’s held-out movies in its top ${r.k} on average`;
  const single = channel
    ? `; the best single channel (${rowTitle(channel, titles)}), ${pct(channel.metrics[metric])}`
    : '';
  let out = `${who}${tie ? ', whichever ranker orders it,' : ''} ${what}${single}.`;
  if (tie) {
    const byNdcg = [...pipelines].sort((x, y) => y.metrics.ndcg - x.metrics.ndcg);
    out += ` The rankers differ in how high they put it: NDCG@${r.k} ${byNdcg
      .map((x) => `${num(x.metrics.ndcg)} (${titles[x.name] ?? x.name})`)
      .join(' against ')}.`;
  }
  return out;
}

/**
 * The A/B test in plain sentences: what the split and the interleaving
 * conclude. With `sameOnReplay` (A and B have the same main metric over every
 * replayed user, or are the same ranker) a last sentence says that an A/B
 * difference on it can only come from which users fell in which arm.
 */
export function abReading(
  ab: AbTestResult,
  protocol: EvalProtocol,
  titles: { a: string; b: string },
  sameOnReplay = false,
): string {
  const primary = ab.ab.find((m) => m.metric === ab.primary)!;
  const label = metricLabel(ab.primary, protocol, ab.k);
  const { a, b } = titles;
  const d = primary.diff;
  let split: string;
  if (!d) split = 'The A/B split has too few users in an arm to compare';
  else if (d.p < 0.05)
    split = `The A/B split finds ${d.value > 0 ? b : a} better on ${label} (B − A ${signed(d.value)}, p ${pValue(d.p)})`;
  else
    split = `The A/B split cannot tell them apart on ${label} (B − A ${signed(d.value)}, p ${pValue(d.p)})`;
  const il = ab.interleaving;
  const decided = il.winsA + il.winsB;
  let inter: string;
  if (decided === 0) inter = 'interleaving found no user who preferred either';
  else {
    const shareB = il.winsB / decided;
    const favourite = shareB >= 0.5 ? b : a;
    const share = Math.max(shareB, 1 - shareB);
    inter =
      il.preference.p < 0.05
        ? `interleaving prefers ${favourite} for ${pct(share)} of the users with a preference (p ${pValue(il.preference.p)})`
        : `interleaving leans to ${favourite} (${pct(share)} of the users with a preference) but not significantly (p ${pValue(il.preference.p)})`;
  }
  const settled =
    il.usersToSignificance !== null
      ? `, settled after ${il.usersToSignificance} of ${ab.users} users`
      : '';
  const chance = sameOnReplay
    ? ` Replayed on every user, both pipelines score the same ${label}: the split’s difference on it comes from which users landed in which arm, not from the rankers.`
    : '';
  return `${split}; ${inter}${settled}.${chance}`;
}

/** Whether A and B score the same main metric over the whole replay (or are one ranker). */
export function sameOnReplay(r: ReplayResult, a: string, b: string): boolean {
  if (a === b) return true;
  const metric = primaryMetric(r.protocol);
  const ra = r.rows.find((x) => x.kind === 'pipeline' && x.name === a);
  const rb = r.rows.find((x) => x.kind === 'pipeline' && x.name === b);
  return Boolean(ra && rb && Math.abs(ra.metrics[metric] - rb.metrics[metric]) < 1e-12);
}

/** The run's progress as one share of the whole, 0 … 1. */
export function progressShare(p: EvaluateProgress): number {
  const within = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  return Math.min(1, Math.max(0, (p.step + within) / Math.max(1, p.steps)));
}

/** "Step 3 of 6: Training item2vec on the training ratings, 42%". */
export function progressText(p: EvaluateProgress): string {
  const within =
    p.total > 0 ? `, ${Math.round((100 * Math.min(p.done, p.total)) / p.total)}%` : '…';
  return `Step ${p.step + 1} of ${p.steps}: ${p.label}${within}`;
}

/** Users above this many get a cap by default (replaying every one takes minutes). */
export const DEFAULT_CAP = 2000;

/** The default user cap of a dataset: none (every held-out user) up to DEFAULT_CAP users. */
export function defaultUserCap(users: number): number | null {
  return users <= DEFAULT_CAP ? null : DEFAULT_CAP;
}

/** A plot's size and the margins left for its axes. */
export interface PlotBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface SettleGeometry {
  /** The estimate as a polyline ('' without points). */
  line: string;
  /** The 95% band as a closed polygon (hi forwards, lo backwards). */
  band: string;
  /** Plot coordinates of each point. */
  points: { x: number; y: number }[];
  /** y of the zero line. */
  zeroY: number;
  xTicks: { value: number; x: number }[];
  yTicks: { value: number; y: number }[];
  /** x of the users-to-significance mark, or null. */
  significantX: number | null;
}

const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * The geometry of a settling series: x = users (0 … the last point), y = the
 * estimate with its 95% band and a zero line. The y range covers every
 * estimate, zero, and the band from the first tenth of the users on (the
 * earliest intervals are very wide and would flatten the rest), within
 * `limit`; the band is clipped to the range.
 */
export function settleGeometry(
  series: readonly SettlePoint[],
  box: PlotBox,
  opts: { limit?: readonly [number, number]; significantAt?: number | null } = {},
): SettleGeometry {
  const pts = series.filter(
    (p) => Number.isFinite(p.users) && Number.isFinite(p.value) && p.users >= 0,
  );
  const maxUsers = pts.length ? Math.max(...pts.map((p) => p.users)) : 1;
  let lo = 0;
  let hi = 0;
  for (const p of pts) {
    lo = Math.min(lo, p.value);
    hi = Math.max(hi, p.value);
    if (p.users >= maxUsers / 10) {
      if (Number.isFinite(p.lo)) lo = Math.min(lo, p.lo);
      if (Number.isFinite(p.hi)) hi = Math.max(hi, p.hi);
    }
  }
  if (opts.limit) {
    lo = Math.max(lo, opts.limit[0]);
    hi = Math.min(hi, opts.limit[1]);
  }
  const range = niceRange(lo, hi, 4);
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const x = (u: number): number => box.left + (maxUsers > 0 ? (u / maxUsers) * w : 0);
  const y = (v: number): number => {
    const c = Math.min(
      range.max,
      Math.max(range.min, Number.isFinite(v) ? v : v > 0 ? range.max : range.min),
    );
    return box.top + h - ((c - range.min) / (range.max - range.min)) * h;
  };
  const points = pts.map((p) => ({ x: x(p.users), y: y(p.value) }));
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${r1(p.x)} ${r1(p.y)}`).join('');
  const upper = pts.map((p) => `${r1(x(p.users))} ${r1(y(p.hi))}`);
  const lower = pts.map((p) => `${r1(x(p.users))} ${r1(y(p.lo))}`).reverse();
  const band = pts.length ? `M${[...upper, ...lower].join('L')}Z` : '';
  const sig = opts.significantAt ?? null;
  return {
    line,
    band,
    points,
    zeroY: y(0),
    xTicks: niceTicks(0, maxUsers, 4).map((value) => ({ value, x: x(value) })),
    yTicks: range.ticks.map((value) => ({ value, y: y(value) })),
    significantX: sig === null ? null : x(sig),
  };
}

/** An axis tick: "0.1", "−0.05"; with `sign`, "+0.1" for positive values (differences). */
export function tickLabel(v: number, sign = false): string {
  if (Math.abs(v) < 1e-9) return '0';
  const s = Number(Math.abs(v).toPrecision(3)).toString();
  return v < 0 ? `−${s}` : v > 0 && sign ? `+${s}` : s;
}

/** The end of a bar chart's 0 … max axis for shares (a nice round value ≥ every one, at most 1). */
export function barMax(values: readonly number[]): number {
  const m = Math.max(0, ...values.filter(Number.isFinite));
  if (m === 0) return 1;
  return Math.min(1, niceRange(0, m, 4).max);
}
