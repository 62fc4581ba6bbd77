/** Main-thread client of the recommendations worker (one for the session; it keeps the open dataset). */
import type { AttentionResult } from '../../core/recommend/attention-view.ts';
import type { Profile } from '../../core/recommend/profile.ts';
import type {
  DatasetUserView,
  ForYouOptions,
  MovieForYou,
  YourHistory,
  ForYouResult,
  ProfileChange,
  RecommendWorkerApi,
} from '../../../workers/recommend-protocol.ts';
import { workerClient } from './worker-client.ts';

const client = workerClient<RecommendWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/recommend.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-recommend',
    }),
);

export const openForYou = (datasetId: string, profile: Profile, options: ForYouOptions) =>
  client.job<ForYouResult>((a) => a.open(datasetId, profile, options)).done;

export const changeForYou = (change: ProfileChange) =>
  client.job<ForYouResult>((a) => a.change(change)).done;

export const configureForYou = (options: ForYouOptions) =>
  client.job<ForYouResult>((a) => a.configure(options)).done;

export const explainMovie = (movie: number) =>
  client.job<MovieForYou>((a) => a.explain(movie)).done;

export const yourHistory = () => client.job<YourHistory>((a) => a.history()).done;

export const datasetUser = (userId: number, k: number) =>
  client.job<DatasetUserView>((a) => a.datasetUser(userId, k)).done;

/** What a stored SASRec looked at for dataset user `userId`, or for you with null (a dataset must be open). */
export const sequenceAttention = (modelId: string, userId: number | null) =>
  client.job<AttentionResult>((a) => a.sequenceAttention(modelId, userId)).done;

/** The next `n` onboarding movies (a dataset must be open; see RecommendWorkerApi.onboarding). */
export const onboardingMovies = (shown: number[], passed: number[], n: number) =>
  client.job<number[]>((a) => a.onboarding(shown, passed, n)).done;
