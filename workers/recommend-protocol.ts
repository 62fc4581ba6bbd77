/** The typed protocol between the UI and the recommendations worker. */
import type { AttentionResult } from '../src/core/recommend/attention-view.ts';
import type {
  DatasetUserView,
  ForYouOptions,
  ForYouResult,
  MovieForYou,
  ProfileChange,
  YourHistory,
} from '../src/core/recommend/for-you-session.ts';
import type { Profile } from '../src/core/recommend/profile.ts';
import type { Outcome } from './embed-protocol.ts';

export type { Outcome } from './embed-protocol.ts';
/** What For You answers with is the session's (src/core/recommend/for-you-session.ts). */
export type {
  DatasetUserView,
  ForYouItem,
  ForYouOptions,
  ForYouResult,
  MovieForYou,
  ProfileChange,
  RankerChoice,
  YourHistory,
} from '../src/core/recommend/for-you-session.ts';

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
