/**
 * Main-thread client of the model-file worker: a stored ranking model downloaded as
 * safetensors, a safetensors file imported as a model. The size is checked here too, before
 * the file goes anywhere.
 */
import { WrenError } from '../../core/errors.ts';
import { modelFileProblem } from '../../core/models/model-file.ts';
import type { ModelRow } from '../../store/db.ts';
import type { ModelFile, ModelFileWorkerApi } from '../../../workers/model-file-protocol.ts';
import { workerClient, type Job } from './worker-client.ts';

const client = workerClient<ModelFileWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/model-file.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-model-file',
    }),
);

/** A stored model as a safetensors file (built in the worker). */
export function modelFile(modelId: string): Job<ModelFile> {
  return client.job((a) => a.download(modelId));
}

/** Reads, checks and stores a safetensors file as an imported model of the dataset. */
export function importModel(datasetId: string, file: File): Job<ModelRow> {
  const problem = modelFileProblem(file.name, file.size);
  if (problem)
    return {
      done: Promise.reject(new WrenError('invalid-data', problem)),
      cancel: () => undefined,
    };
  return client.job((a) => a.import(datasetId, file));
}
