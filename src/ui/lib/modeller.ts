/** Main-thread client of the models worker (one worker for the session: the backend probe runs once). */
import * as Comlink from 'comlink';
import type { ModelRow } from '../../store/db.ts';
import type {
  AutoBuildProgress,
  BackendMeasure,
  ModelsProgress,
  ModelsRequest,
  ModelsWorkerApi,
} from '../../../workers/models-protocol.ts';
import { workerClient, type Job } from './worker-client.ts';
import { trainingThreads } from './threads.ts';

const client = workerClient<ModelsWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/models.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-models',
    }),
);

/** Trains the requested models one after another; resolves to the stored rows. */
export function startModels(
  req: ModelsRequest,
  onProgress: (p: ModelsProgress) => void,
): Job<ModelRow[]> {
  return client.job((a) =>
    a.train({ threads: trainingThreads(), ...req }, Comlink.proxy(onProgress)),
  );
}

/** Measures NeuMF training speed: its kernel on one and on every training thread, then every tfjs backend, fastest first. */
export function probeBackends(): Job<BackendMeasure[]> {
  return client.job((a) => a.probe(trainingThreads()));
}

/** Measures NeuMF's kernel alone, on one thread and on every training thread. */
export function probeKernel(): Job<BackendMeasure[]> {
  return client.job((a) => a.probeKernel(trainingThreads()));
}

/**
 * A second models worker for the automatic build, so it never shares a job
 * (or a cancel, or a terminate) with training on the Models page; closed
 * after each build.
 */
const autoClient = workerClient<ModelsWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/models.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-auto-ranker',
    }),
);

/** Fits and stores the dataset's personal model unless it has one; resolves to its row. */
export function startAutoRanker(
  datasetId: string,
  onProgress: (p: AutoBuildProgress) => void,
): Job<ModelRow> {
  return autoClient.job((a) =>
    a.autoBuild(datasetId, Comlink.proxy(onProgress), trainingThreads()),
  );
}

/** Ends the automatic build's models worker. */
export const closeAutoRanker = (): void => autoClient.close();
