/** Words for the For You list: its stage, its ranker and channel names, its timings. */
import { CTR_MODELS } from '../../core/models/ctr-info.ts';
import { CHANNEL_TITLES, CHANNELS, type ChannelName } from '../../core/recommend/channels.ts';
import type {
  ForYouOptions,
  ForYouResult,
  MovieForYou,
} from '../../../workers/recommend-protocol.ts';

/** The sparrow-ctr models: they rank from your features, not from a folded-in row. */
const CTR_KINDS: readonly string[] = CTR_MODELS.map((m) => m.name);

/** What the list is based on, in a sentence. */
export function stageText(r: ForYouResult, wanted: number): string {
  if (r.stage === 'cold')
    return 'You have not rated anything here yet: popular and highly rated movies across genres.';
  if (r.stage === 'model')
    return r.ranker === 'embedding'
      ? `Ranked by ${r.rankerTitle}: how close each movie is to your taste vector.`
      : CTR_KINDS.includes(r.ranker)
        ? `Ranked by ${r.rankerTitle}: the chance you like each movie, from your real-time features (recent likes, genres, averages).`
        : `Ranked by ${r.rankerTitle} with your ratings folded in.`;
  if (r.choice === 'fusion') return 'The channels’ own orders, fused, as you chose.';
  return r.liked < wanted
    ? `A few ratings: the channels’ own orders, fused (a ranker takes over from ${wanted} liked movies).`
    : 'The channels’ own orders, fused: no trained model or embedding to rank with yet.';
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

/** Where the For You settings are kept between visits ("delete everything" clears it). */
export const OPTIONS_KEY = 'wren-for-you-options';

/**
 * Stored For You settings over the defaults: each field taken only when it
 * is valid (fractions in 0–1, whole channel sizes 0–1000, a ranker id), so a
 * damaged or old entry cannot break the list.
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
  const sizes = { ...defaults.sizes };
  if (typeof o.sizes === 'object' && o.sizes !== null)
    for (const ch of CHANNELS) {
      const n = (o.sizes as Record<string, unknown>)[ch];
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1000) sizes[ch] = n;
    }
  return {
    ...defaults,
    diversity: frac(o.diversity, defaults.diversity),
    freshness: frac(o.freshness, defaults.freshness),
    sizes,
    ...(typeof o.ranker === 'string' && o.ranker.length > 0 && o.ranker.length < 200
      ? { ranker: o.ranker }
      : {}),
  };
}
