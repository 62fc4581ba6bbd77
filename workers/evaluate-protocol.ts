/** The typed protocol between the UI and the evaluation worker (the Pipeline page). */
import type { AbTestResult } from '../src/core/recommend/abtest.ts';
import type { NewUserRow, ProbeReport } from '../src/core/recommend/new-user-eval.ts';
import type { ReplayResult } from '../src/core/recommend/replay.ts';
import { RANKABLE } from '../src/core/recommend/rankers.ts';
import type { Outcome } from './embed-protocol.ts';

export type { Outcome } from './embed-protocol.ts';

/** The protocols a replay runs on (msr-100k has no validation set to leave out). */
export const EVAL_PROTOCOLS = ['ncf-loo', 'full-rank'] as const;
export type EvalProtocol = (typeof EVAL_PROTOCOLS)[number];

/** What can rank a pipeline: the channels' fusion, embedding similarity, or a model trained on the split. */
export const EVAL_RANKERS: readonly string[] = ['fusion', 'embedding', ...RANKABLE];

export interface EvaluateRequest {
  datasetId: string;
  protocol: EvalProtocol;
  seed: number;
  /** Ranker names (EVAL_RANKERS) of the pipelines compared: A, the control, and B. */
  a: string;
  b: string;
  /** Replay only the first n held-out users (by user index); null: every one. */
  maxUsers: number | null;
  /** Threads the fits and the replay may use (1 by default; several need a cross-origin isolated page). */
  threads?: number;
}

export type EvaluateStage = 'read' | 'split' | 'embedding' | 'fit' | 'replay' | 'abtest';

export interface EvaluateProgress {
  stage: EvaluateStage;
  /** What is happening, in words. */
  label: string;
  /** This stage's place in the run: 0 … steps − 1. */
  step: number;
  steps: number;
  /** Within the stage (total 0: no measure of it). */
  done: number;
  total: number;
}

export interface EvaluateResult {
  request: EvaluateRequest;
  /** Display names of the rankers. */
  titles: { a: string; b: string };
  /** Held-out users of the split (the replay's `users` is how many were replayed). */
  heldOut: number;
  replay: ReplayResult;
  ab: AbTestResult;
  /** Wall-clock seconds per stage, and in all. */
  seconds: {
    read: number;
    split: number;
    embedding: number;
    fit: Record<string, number>;
    replay: number;
    abtest: number;
    total: number;
  };
  /** The split, embedding and models came from the previous run (same dataset, protocol and seed). */
  reused: boolean;
}

export interface EvaluateWorkerApi {
  /** Splits, trains item2vec and the rankers on the training split, replays, and A/B tests A vs B. */
  run(
    req: EvaluateRequest,
    onProgress: (p: EvaluateProgress) => void,
  ): Promise<Outcome<EvaluateResult>>;
  /**
   * new-user-k and the taste probe on the dataset, every ranker (For You's
   * pipeline, popularity, ItemKNN, EASE) trained in the worker. Runs beside
   * `run` (its own cancel signal); the page gives it a worker of its own.
   */
  newUsers(
    datasetId: string,
    opts: NewUsersOptions,
    onProgress: (p: NewUsersProgress) => void,
  ): Promise<Outcome<NewUsersResult>>;
  /** Cancels whatever job runs. */
  cancel(): void;
}

/** The new-user reports (DESIGN.md protocols 6 and 7) on the Pipeline page. */
export interface NewUsersOptions {
  /** Which 20% of the users are new (1). */
  seed?: number;
  /** How many liked movies each new user reveals (1, 3, 5, 10, 20). */
  ks?: readonly number[];
  /** Threads the fits and the per-user serving may use (1 by default). */
  threads?: number;
}

export interface NewUsersProgress {
  /** What is happening, in words. */
  label: string;
  /** This stage's place in the run: 0 … steps − 1. */
  step: number;
  steps: number;
  /** Within the stage, 0 … 1 (0: no measure of it). */
  share: number;
}

export interface NewUsersResult {
  datasetId: string;
  seed: number;
  /** new-user-k: one row per k, every ranker's Recall@10, NDCG@10 and miscalibration. */
  rows: NewUserRow[];
  /** How many users were new (the rows' `users`: those who liked more than k movies). */
  newUsers: number;
  /** The taste probe: each ranker's in-genre and rare shares of the top 10, overall and per genre. */
  probe: ProbeReport;
  /** Wall-clock seconds in the worker. */
  seconds: { read: number; newUserK: number; probe: number; total: number };
  /** Threads the fits and the serving of new users could use. */
  threads: number;
}
