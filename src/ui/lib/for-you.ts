/** Words for the For You list: its stage, its ranker and channel names, its timings. */
import { CHANNEL_TITLES, type ChannelName } from '../../core/recommend/channels.ts';
import type { ForYouResult, MovieForYou } from '../../../workers/recommend-protocol.ts';

/** What the list is based on, in a sentence. */
export function stageText(r: ForYouResult, wanted: number): string {
  if (r.stage === 'cold')
    return 'You have not rated anything here yet: popular and highly rated movies across genres.';
  if (r.stage === 'model') return `Ranked by ${r.rankerTitle} with your ratings folded in.`;
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
