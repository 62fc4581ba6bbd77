/** The typed protocol between the UI and the models worker. */
import type { ProtocolName } from '../src/core/eval/protocols.ts';
import type { CtrProtocol } from '../src/core/models/ctr-info.ts';
import type { EpochLogEntry } from '../src/core/models/types.ts';
import type { ModelRow } from '../src/store/db.ts';
import type { Outcome } from './embed-protocol.ts';

export type { Outcome } from './embed-protocol.ts';

export interface ModelsRequest {
  datasetId: string;
  /** A CTR protocol trains CTR_MODELS (ctr-random's split is seeded by `seed`). */
  protocol: ProtocolName | CtrProtocol;
  seed: number;
  /** Trained in this order, each saved as soon as it is evaluated. */
  models: { name: string; config: Record<string, number> }[];
  /** 'auto' = the fastest tfjs backend by a measured probe (software GPUs skipped); or a backend name. */
  backend: string;
  /** Threads a fit that splits may use (EASE's inverse); more than one only on a cross-origin isolated page. */
  threads?: number;
}

export interface ModelsProgress {
  /** Index of the model in the request, and how many there are. */
  index: number;
  count: number;
  model: string;
  stage: string;
  done: number;
  total: number;
  loss?: number;
  /** Set once per finished epoch of a neural model. */
  epoch?: EpochLogEntry;
  /** The tfjs backend in use, once chosen. */
  backend?: string;
  /** A model finished and was stored. */
  saved?: ModelRow;
}

export interface BackendMeasure {
  backend: string;
  /** NeuMF training samples per second; null when the backend did not start. */
  samplesPerSecond: number | null;
  /** A software GPU (SwiftShader): skipped by 'auto'. */
  software: boolean;
  /**
   * Wren's own GMF/MLP/NeuMF kernel (not a tfjs backend, so never picked by
   * 'auto'): the engine and the threads it trained on.
   */
  kernel?: { engine: string; threads: number };
}

/** The automatic build's progress: 'read' (the ratings), then the model's own stages, then 'save'. */
export interface AutoBuildProgress {
  stage: string;
  done: number;
  total: number;
}

export interface ModelsWorkerApi {
  /** Measures every tfjs backend (NeuMF training steps), fastest first. */
  /** Measures every tfjs backend, and the NCF kernel on one thread and on `threads`. */
  probe(threads?: number): Promise<Outcome<BackendMeasure[]>>;
  /** Measures only the GMF/MLP/NeuMF kernel, on one thread and on `threads` (the Lab's trainer table). */
  probeKernel(threads?: number): Promise<Outcome<BackendMeasure[]>>;
  train(req: ModelsRequest, onProgress: (p: ModelsProgress) => void): Promise<Outcome<ModelRow[]>>;
  /**
   * The automatic build's ranker for For You: unless the dataset already has
   * a model with protocol 'personal', fits the personal model (EASE on the
   * liked ratings of every rating) and stores it marked `auto`; a cancel or a
   * deleted dataset stores nothing. Resolves to the stored row (the one
   * already there, if any).
   */
  autoBuild(
    datasetId: string,
    onProgress: (p: AutoBuildProgress) => void,
    threads?: number,
  ): Promise<Outcome<ModelRow>>;
  cancel(): void;
}
