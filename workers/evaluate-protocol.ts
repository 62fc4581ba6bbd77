/** The typed protocol between the UI and the evaluation worker (the Pipeline page). */
import type { AbTestResult } from '../src/core/recommend/abtest.ts';
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
  cancel(): void;
}
