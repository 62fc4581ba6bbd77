/** Words for the For You list: its stage, its ranker and channel names, its timings. */
import { CHANNEL_TITLES, type ChannelName } from '../../core/recommend/channels.ts';
import type { ForYouResult } from '../../../workers/recommend-protocol.ts';

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
