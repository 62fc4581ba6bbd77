/** Words for the For You list: its stage, its ranker and channel names, its timings. */
import { CTR_MODELS } from '../../core/models/ctr-info.ts';
import { CHANNEL_TITLES, CHANNELS, type ChannelName } from '../../core/recommend/channels.ts';
import { DEFAULT_PIPELINE } from '../../core/recommend/pipeline.ts';
import { plural } from './format.ts';
import type {
  ForYouOptions,
  ForYouResult,
  MovieForYou,
} from '../../../workers/recommend-protocol.ts';

/** The sparrow-ctr models: they rank from your features, not from a folded-in row. */
const CTR_KINDS: readonly string[] = CTR_MODELS.map((m) => m.name);

/** A ranker's title without its trailing figures: "Logistic regression (ROC-AUC 0.712)" → "Logistic regression". */
export const plainTitle = (title: string): string =>
  title.replace(/\s*\((?:ROC-AUC|NDCG)[^)]*\)\s*$/, '');

/** What stageText needs besides the list. */
export interface StageContext {
  /** Liked movies before a ranker takes over (onboarding asks for this many). */
  wanted: number;
  /** Ratings in the open dataset: what a model learned from. */
  datasetRatings: number;
}

/**
 * What the list is based on, in one plain sentence for a person who came for
 * movies: no "channels", "fusion" or "fold-in" (the "How this list was made"
 * panel holds those).
 */
export function stageText(r: ForYouResult, c: StageContext): string {
  const yours = plural(r.rated, 'rating');
  const everyone = plural(c.datasetRatings, 'rating');
  if (r.stage === 'cold')
    return 'Nothing rated yet: popular and highly rated movies across genres, to start you off.';
  if (r.stage === 'model') {
    const by = plainTitle(r.rankerTitle);
    if (r.ranker === 'embedding')
      return `Picked for you: the movies most like the ${plural(r.liked, 'movie')} you liked, going by which movies people enjoy together.`;
    if (r.ranker === 'personal')
      return `Picked for you from your ${yours} by ${by}: it learned from everyone’s ${everyone} here, on this device.`;
    if (CTR_KINDS.includes(r.ranker))
      return `Ranked by ${by}: the movies you are most likely to enjoy, judged from your ${yours} and learned from ${everyone}.`;
    return `Picked for you from your ${yours} by ${by}, learned from ${everyone}.`;
  }
  const among = 'among popular and highly rated ones';
  if (r.liked === 0)
    return `Picked for you from your ${yours}, ${among}: rate a movie you liked and the list follows it.`;
  const fromLiked = `Picked for you from the ${plural(r.liked, 'movie')} you liked, ${among}`;
  if (r.choice === 'fusion') return `${fromLiked}, as you chose.`;
  return r.liked < c.wanted
    ? `${fromLiked}; it learns more from each one you rate.`
    : `${fromLiked}.`;
}

export const channelTitle = (c: ChannelName): string => CHANNEL_TITLES[c];

/** "12 ms (recall 4 · rank 6 · re-rank 2)". */
export function timingText(ms: ForYouResult['ms']): string {
  const f = (x: number): string => (x < 10 ? x.toFixed(1) : Math.round(x).toString());
  return `${f(ms.total)} ms (recall ${f(ms.recall)} · rank ${f(ms.rank)} · re-rank ${f(ms.rerank)})`;
}

const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

/**
 * How the predicted rating was made, in sentences: the movie's baseline, how
 * you rate against baselines, and the pull of the movies like it you rated.
 */
export function predictionText(p: MovieForYou, neighbourTitles: readonly string[]): string[] {
  const out = [
    `Its baseline is ${p.movieBaseline.toFixed(1)} ★ (its average, shrunk toward everyone’s).`,
  ];
  if (p.rated === 0 || (p.rated === 1 && p.yourRating !== null)) {
    out.push('Rate a few movies and the prediction becomes yours.');
    return out;
  }
  out.push(
    Math.abs(p.yourOffset) < 0.05
      ? 'You rate about as everyone does.'
      : `You rate ${Math.abs(p.yourOffset).toFixed(1)} ★ ${p.yourOffset > 0 ? 'above' : 'below'} the baselines: ${signed(p.yourOffset)}.`,
  );
  if (p.embedding === null)
    out.push('Train a movie embedding in the Lab to bring in the movies like it that you rated.');
  else if (p.neighbours.length === 0)
    out.push(`None of the movies you rated is close to it in ${p.embedding}.`);
  else {
    const names = neighbourTitles.slice(0, 3).join(', ');
    out.push(
      `Movies like it that you rated (${names}${p.neighbours.length > 3 ? '…' : ''}) move it ${signed(p.neighbourPull)}.`,
    );
  }
  return out;
}

/** Movies with fewer ratings than this are left out unless you ask for hidden gems. */
export const GEM_RATINGS = DEFAULT_PIPELINE.minRatings;

/** Where the For You settings are kept between visits ("delete everything" clears it). */
export const OPTIONS_KEY = 'wren-for-you-options';

/**
 * Stored For You settings over the defaults: each field taken only when it
 * is valid (fractions in 0–1, whole channel sizes 0–1000, a whole minimum
 * rating count 0–1000, a ranker id), so a damaged or old entry cannot break
 * the list; an entry from before "hidden gems" keeps the default minimum.
 */
export function readOptions(stored: string | null, defaults: ForYouOptions): ForYouOptions {
  let raw: unknown;
  try {
    raw = stored === null ? null : JSON.parse(stored);
  } catch {
    return defaults;
  }
  if (typeof raw !== 'object' || raw === null) return defaults;
  const o = raw as Record<string, unknown>;
  const frac = (x: unknown, d: number): number =>
    typeof x === 'number' && x >= 0 && x <= 1 ? x : d;
  const count = (x: unknown, d: number): number =>
    typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1000 ? x : d;
  const sizes = { ...defaults.sizes };
  if (typeof o.sizes === 'object' && o.sizes !== null)
    for (const ch of CHANNELS) {
      sizes[ch] = count((o.sizes as Record<string, unknown>)[ch], sizes[ch]);
    }
  return {
    ...defaults,
    diversity: frac(o.diversity, defaults.diversity),
    freshness: frac(o.freshness, defaults.freshness),
    sizes,
    minRatings: count(o.minRatings, defaults.minRatings),
    ...(typeof o.ranker === 'string' && o.ranker.length > 0 && o.ranker.length < 200
      ? { ranker: o.ranker }
      : {}),
  };
}
