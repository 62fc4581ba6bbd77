/** The typed protocol between the UI and the recommendations worker. */
import type { ChannelName } from '../src/core/recommend/channels.ts';
import type { PipelineOptions, PipelineStage } from '../src/core/recommend/pipeline.ts';
import type { Profile } from '../src/core/recommend/profile.ts';
import type { Outcome } from './embed-protocol.ts';

export type { Outcome } from './embed-protocol.ts';

export interface ForYouItem {
  /** Movie index in the open dataset. */
  movie: number;
  /** The ranker's score (its own scale: a logit, a cosine, a fused rank). */
  score: number;
  /** The strongest reason, as a sentence: "Because you liked Heat". */
  reason: string;
  /** Every channel that found it. */
  channels: ChannelName[];
}

export interface ForYouResult {
  items: ForYouItem[];
  stage: PipelineStage;
  /** The ranker that ordered the list (fusion until there is enough signal). */
  ranker: string;
  rankerTitle: string;
  perChannel: Record<ChannelName, number>;
  candidates: number;
  /** Milliseconds per stage of this list. */
  ms: { recall: number; rank: number; rerank: number; total: number };
  rated: number;
  liked: number;
  /** Profile entries this dataset does not have. */
  unmatched: number;
  /** The embedding behind the embedding channels, if any. */
  embedding: string | null;
}

/** Your change since the last list. */
export type ProfileChange =
  | { kind: 'rate'; movie: number; rating: number; at: number }
  | { kind: 'unrate'; movie: number }
  | { kind: 'not-interested'; movie: number; on: boolean };

export type ForYouOptions = Pick<PipelineOptions, 'k' | 'diversity' | 'freshness' | 'sizes'>;

export interface RecommendWorkerApi {
  /** Loads a dataset's catalogue, chosen embedding and best stored model, with your profile. */
  open(datasetId: string, profile: Profile, options: ForYouOptions): Promise<Outcome<ForYouResult>>;
  /** Applies one change to your real-time features and returns the new list. */
  change(change: ProfileChange): Promise<Outcome<ForYouResult>>;
  /** New pipeline settings, same profile. */
  configure(options: ForYouOptions): Promise<Outcome<ForYouResult>>;
  cancel(): void;
}
