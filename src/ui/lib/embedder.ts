/**
 * Main-thread client of the embeddings worker. One worker for the session
 * (the engine probe is measured once); a job that does not stop within 3 s of
 * cancel gets the worker terminated and a new one started.
 */
import * as Comlink from 'comlink';
import type { Progress } from '../../core/data/types.ts';
import type { EngineMeasure } from '../../core/embeddings/engines.ts';
import type { EmbeddingRow, FeatureSetRow } from '../../store/db.ts';
import type {
  EmbedRequest,
  EmbedWorkerApi,
  EmbedWorkerProgress,
  VectorsExport,
  VectorsImportProgress,
  VectorsImportRequest,
} from '../../../workers/embed-protocol.ts';
import { WrenError } from '../../core/errors.ts';
import { workerClient, type Job } from './worker-client.ts';
import { trainingThreads } from './threads.ts';

export type { Job } from './worker-client.ts';

const client = workerClient<EmbedWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-embed',
    }),
);
const job = client.job.bind(client);

/** Trains an embedding; resolves to its stored description. */
export function startTraining(
  req: EmbedRequest,
  onProgress: (p: EmbedWorkerProgress) => void,
): Job<EmbeddingRow> {
  return job((a) => a.train({ threads: trainingThreads(), ...req }, Comlink.proxy(onProgress)));
}

/** Reads, evaluates and stores vectors from a word2vec text file; resolves to their stored description. */
export function startVectorsImport(
  req: VectorsImportRequest,
  onProgress: (p: VectorsImportProgress) => void,
): Job<EmbeddingRow> {
  return job((a) => a.importVectors(req, Comlink.proxy(onProgress)));
}

/** A stored embedding as a word2vec text file (written in the worker). */
export async function exportVectors(embeddingId: string): Promise<VectorsExport> {
  const r = await client.remote().exportVectors(embeddingId);
  if (!r.ok) throw WrenError.fromData(r.error);
  return r.value;
}

/** Computes and stores the dataset's feature set. */
export function startFeatures(
  datasetId: string,
  onProgress: (p: Progress) => void,
): Job<FeatureSetRow> {
  return job((a) => a.features(datasetId, Comlink.proxy(onProgress)));
}

/** Measures every trainer engine on the dataset (fastest first); several threads where the page allows. */
export function probeEngines(datasetId: string): Job<EngineMeasure[]> {
  return job((a) => a.probe(datasetId, undefined, trainingThreads()));
}

/** The trainer engine names the worker can run, in probe order. */
export function listEngines(): Promise<string[]> {
  return client.remote().engines(trainingThreads());
}

/**
 * A second embeddings worker for the automatic build's embedding, so it never
 * shares a job (or a cancel) with a run started in the Lab; closed after each
 * build.
 */
const autoClient = workerClient<EmbedWorkerApi>(
  () =>
    new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-auto-embed',
    }),
);

/** Trains and stores an embedding marked `auto` (see saveEmbedding). */
export function startAutoEmbedding(
  req: Omit<EmbedRequest, 'auto'>,
  onProgress: (p: EmbedWorkerProgress) => void,
): Job<EmbeddingRow> {
  return autoClient.job((a) =>
    a.train({ threads: trainingThreads(), ...req, auto: true }, Comlink.proxy(onProgress)),
  );
}

/** Ends the automatic build's embeddings worker. */
export const closeAutoEmbedding = (): void => autoClient.close();
