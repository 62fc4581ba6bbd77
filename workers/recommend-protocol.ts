/** The typed protocol between the UI and the recommendations worker. */
import type { AttentionResult } from '../src/core/recommend/attention-view.ts';
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
  /** The rankers you can choose ('auto': the best stored model on validation, else the embedding). */
  rankers: RankerChoice[];
  /** The choice in force. */
  choice: string;
}

export interface RankerChoice {
  /** 'auto', 'fusion', 'embedding' or a stored model's id. */
  id: string;
  title: string;
  /** ncf-loo NDCG@10 of a stored model. */
  ndcg?: number;
}

/** Your change since the last list. */
export type ProfileChange =
  | { kind: 'rate'; movie: number; rating: number; at: number }
  | { kind: 'unrate'; movie: number }
  | { kind: 'not-interested'; movie: number; on: boolean };

/** A movie as it concerns you: the movie page's predicted rating and "because you liked". */
export interface MovieForYou {
  movie: number;
  yourRating: number | null;
  /** Your ratings in this dataset. */
  rated: number;
  /** The predicted rating in stars (src/core/recommend/predict.ts) and its parts. */
  predicted: number;
  movieBaseline: number;
  yourOffset: number;
  neighbourPull: number;
  /** The movies you rated that are most like it (at most 5), most similar first. */
  neighbours: { movie: number; similarity: number; rating: number }[];
  /** The embedding behind the neighbours; null: the prediction is the baselines alone. */
  embedding: string | null;
  /** When you liked it: the movies closest to it you have not rated. */
  because: number[];
}

/** Your ratings as matched to the open dataset, oldest first. */
export interface YourHistory {
  history: { movie: number; rating: number; at: number }[];
  unmatched: number;
}

/** A dataset user laid open: the teaching view. */
export interface DatasetUserView {
  userId: number;
  /** Users in the dataset, and this one's position among them (0-based). */
  users: number;
  index: number;
  /** Their ratings, oldest first (stars; times in seconds). */
  history: { movie: number; rating: number; at: number }[];
  demographics: { gender: string | null; age: number | null; occupation: string | null } | null;
  /** Each channel alone: its best movies for them. */
  channels: { channel: ChannelName; movies: number[]; reasons: string[] }[];
  /** The whole pipeline with each ranker: fusion, the embedding's cosine, every stored ncf-loo model. */
  rankers: { name: string; title: string; stage: PipelineStage; movies: number[]; ms: number }[];
  embedding: string | null;
}

export type ForYouOptions = Pick<
  PipelineOptions,
  'k' | 'diversity' | 'freshness' | 'sizes' | 'minRatings'
> & {
  /** A RankerChoice id; 'auto' when absent. */
  ranker?: string;
};

export interface RecommendWorkerApi {
  /** Loads a dataset's catalogue, chosen embedding and best stored model, with your profile. */
  open(datasetId: string, profile: Profile, options: ForYouOptions): Promise<Outcome<ForYouResult>>;
  /** Applies one change to your real-time features and returns the new list. */
  change(change: ProfileChange): Promise<Outcome<ForYouResult>>;
  /** New pipeline settings, same profile. */
  configure(options: ForYouOptions): Promise<Outcome<ForYouResult>>;
  /** A movie as it concerns you (a dataset must be open). */
  explain(movie: number): Promise<Outcome<MovieForYou>>;
  /** Your ratings matched to the open dataset. */
  history(): Promise<Outcome<YourHistory>>;
  /** Any user of the open dataset, by their id, through each channel and ranker. */
  datasetUser(userId: number, k: number): Promise<Outcome<DatasetUserView>>;
  /**
   * What a stored SASRec model looked at (src/core/recommend/attention-view.ts): its top pick
   * for a dataset user (by id; their training sequence) or, with null, for you (your ratings in
   * time order), and its latest position's attention per block. A dataset must be open.
   */
  sequenceAttention(modelId: string, userId: number | null): Promise<Outcome<AttentionResult>>;
  cancel(): void;
  /**
   * The next `n` onboarding movies (src/core/recommend/onboarding.ts): well known, following your
   * liked and low-rated movies in the open dataset and away from `passed` (shown and not rated, or
   * "haven't seen it"); never one of `shown`, one you rated or marked not interested.
   */
  onboarding(shown: number[], passed: number[], n: number): Promise<Outcome<number[]>>;
}
