/**
 * Main-thread client of the embeddings worker. One worker for the session
 * (the engine probe is measured once); a job that does not stop within 3 s of
 * cancel gets the worker terminated and a new one started.
 */
import * as Comlink from 'comlink';
import type { Progress } from '../../core/data/types.ts';
import type { EngineMeasure } from '../../core/embeddings/engines.ts';
import { WrenError } from '../../core/errors.ts';
import type { EmbeddingRow, FeatureSetRow } from '../../store/db.ts';
import type {
  EmbedRequest,
  EmbedWorkerApi,
  EmbedWorkerProgress,
  Outcome,
} from '../../../workers/embed-protocol.ts';

export interface Job<T> {
  done: Promise<T>;
  cancel(): void;
}

let worker: Worker | null = null;
let api: Comlink.Remote<EmbedWorkerApi> | null = null;

function remote(): Comlink.Remote<EmbedWorkerApi> {
  if (!api) {
    worker = new Worker(new URL('../../../workers/embed.worker.ts', import.meta.url), {
      type: 'module',
      name: 'wren-embed',
    });
    api = Comlink.wrap<EmbedWorkerApi>(worker);
  }
  return api;
}

function restart(): void {
  worker?.terminate();
  worker = null;
  api = null;
}

function unwrap<T>(p: Promise<Outcome<T>>): Promise<T> {
  return p.then((out) => {
    if (out.ok) return out.value;
    throw WrenError.fromData(out.error);
  });
}

function job<T>(run: (a: Comlink.Remote<EmbedWorkerApi>) => Promise<Outcome<T>>): Job<T> {
  const a = remote();
  let rejectCancel: (e: WrenError) => void = () => undefined;
  const cancelled = new Promise<never>((_, reject) => (rejectCancel = reject));
  let settled = false;
  const done = Promise.race([unwrap(run(a)), cancelled]).finally(() => (settled = true));
  return {
    done,
    cancel() {
      void a.cancel();
      setTimeout(() => {
        if (settled) return;
        restart();
        rejectCancel(new WrenError('cancelled', 'Cancelled.'));
      }, 3000);
    },
  };
}

/** Trains an embedding; resolves to its stored description. */
export function startTraining(
  req: EmbedRequest,
  onProgress: (p: EmbedWorkerProgress) => void,
): Job<EmbeddingRow> {
  return job((a) => a.train(req, Comlink.proxy(onProgress)));
}

/** Computes and stores the dataset's feature set. */
export function startFeatures(
  datasetId: string,
  onProgress: (p: Progress) => void,
): Job<FeatureSetRow> {
  return job((a) => a.features(datasetId, Comlink.proxy(onProgress)));
}

/** Measures every trainer engine on the dataset (fastest first). */
export function probeEngines(datasetId: string): Job<EngineMeasure[]> {
  return job((a) => a.probe(datasetId));
}

/** The trainer engine names the worker can run, in probe order. */
export function listEngines(): Promise<string[]> {
  return remote().engines();
}
