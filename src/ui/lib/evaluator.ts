/**
 * Main-thread client of the evaluation worker (the Pipeline page). One worker
 * for the session, so a second run on the same split reuses its embedding and
 * models; a run that does not stop within 3 s of cancel (the replay is one
 * synchronous pass) gets the worker terminated and a new one started. The
 * new-user reports run in a second worker of the same kind, so they can run
 * beside a replay and be cancelled (or terminated) without touching it.
 */
import * as Comlink from 'comlink';
import type {
  EvaluateProgress,
  EvaluateRequest,
  EvaluateResult,
  EvaluateWorkerApi,
  NewUsersOptions,
  NewUsersProgress,
  NewUsersResult,
} from '../../../workers/evaluate-protocol.ts';
import { workerClient, type Job } from './worker-client.ts';

export type { Job } from './worker-client.ts';

const client = workerClient<EvaluateWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/evaluate.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-evaluate',
    }),
);

/** Replays the split's held-out users and A/B tests ranker A against B. */
export function startEvaluation(
  req: EvaluateRequest,
  onProgress: (p: EvaluateProgress) => void,
): Job<EvaluateResult> {
  return client.job((a) => a.run(req, Comlink.proxy(onProgress)));
}

const newUserClient = workerClient<EvaluateWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/evaluate.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-new-users',
    }),
);

/** new-user-k and the taste probe for For You's pipeline, popularity, ItemKNN and EASE. */
export function startNewUsers(
  datasetId: string,
  opts: NewUsersOptions,
  onProgress: (p: NewUsersProgress) => void,
): Job<NewUsersResult> {
  return newUserClient.job((a) => a.newUsers(datasetId, opts, Comlink.proxy(onProgress)));
}
