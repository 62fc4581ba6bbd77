/** Main-thread client of the models worker (one worker for the session: the backend probe runs once). */
import * as Comlink from 'comlink';
import type { ModelRow } from '../../store/db.ts';
import type {
  BackendMeasure,
  ModelsProgress,
  ModelsRequest,
  ModelsWorkerApi,
} from '../../../workers/models-protocol.ts';
import { workerClient, type Job } from './worker-client.ts';

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
  return client.job((a) => a.train(req, Comlink.proxy(onProgress)));
}

/** Measures NeuMF training speed on every tfjs backend, fastest first. */
export function probeBackends(): Job<BackendMeasure[]> {
  return client.job((a) => a.probe());
}
